"""Training: the one loop every model trains through (:class:`Trainer`), its early stopping,
learning-rate schedules, progress display, checkpoint state and Ctrl-C handling."""
from . import schedules
from .early_stopping import EarlyStopping
from .divergence import DivergenceError
from .loop import CHECKPOINT_KIND, Trainer, TrainingInterrupted

__all__ = ["Trainer", "EarlyStopping", "DivergenceError", "TrainingInterrupted", "CHECKPOINT_KIND", "schedules"]
