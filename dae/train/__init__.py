"""Training: the one loop every model trains through (:class:`Trainer`), its options
(:class:`Stopping`, :class:`Checkpointing`, :class:`Display`), early stopping, learning-rate
schedules, progress display, checkpoint state and Ctrl-C handling."""
from . import schedules
from .checkpoint import CHECKPOINT_KIND
from ..divergence import CostRoseWarning, DivergenceError
from .early_stopping import EarlyStopping
from .loop import Trainer, TrainingInterrupted
from .options import Checkpointing, Display, Stopping

__all__ = ["Trainer", "Stopping", "Checkpointing", "Display", "EarlyStopping", "DivergenceError", "CostRoseWarning",
           "TrainingInterrupted", "CHECKPOINT_KIND", "schedules"]
