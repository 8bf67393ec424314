"""The training loop's options, grouped: when to stop, where to checkpoint, what to show.

    Trainer(model, optimizer, 20, rng=0,
            stopping=Stopping(max_minutes=5, early_stopping=EarlyStopping(score)),
            checkpoint=Checkpointing("run/checkpoint.npz", model_kind="dA", model_config=cfg),
            display=Display("plain", label="Fine-tuning"))
"""
import dataclasses
import os
from typing import Any, Optional

from ..validation import check_float
from .early_stopping import EarlyStopping
from .progress import MODES


@dataclasses.dataclass(frozen=True)
class Stopping:
    """``max_minutes``: stop once this much training time is used (kept across resumes);
    ``early_stopping``: a :class:`~dae.train.EarlyStopping`; ``blowup``: the factor over the
    first minibatch's cost that counts as divergence (None: off)."""

    max_minutes: Optional[float] = None
    early_stopping: Optional[EarlyStopping] = None
    blowup: Optional[float] = 100.0

    def __post_init__(self):
        if self.max_minutes is not None:
            check_float(self.max_minutes, "max_minutes", 0.0, None, low_inclusive=False)
        if self.early_stopping is not None and not isinstance(self.early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be a dae.train.EarlyStopping, "
                            f"got {type(self.early_stopping).__name__}")
        if self.blowup is not None:
            check_float(self.blowup, "blowup", 1.0, None, low_inclusive=False)


@dataclasses.dataclass(frozen=True)
class Checkpointing:
    """``path``: the checkpoint file, written after every epoch and on Ctrl-C (and every
    ``every_minutes`` mid-epoch); ``meta``: a JSON-able dict stored in it; ``model_kind`` /
    ``model_config``: the registry name and constructor configuration, so that
    ``dae.load_model`` rebuilds the model from the checkpoint."""

    path: Any = None
    every_minutes: Optional[float] = None
    meta: Optional[dict] = None
    model_kind: Optional[str] = None
    model_config: Optional[dict] = None

    def __post_init__(self):
        if self.path is not None:
            object.__setattr__(self, "path", os.fspath(self.path))
        if self.every_minutes is not None:
            check_float(self.every_minutes, "every_minutes", 0.0, None, low_inclusive=False)

    def file_meta(self):
        """What every checkpoint file records beside the training state."""
        meta = dict(self.meta or {})
        if self.model_kind is not None:
            meta["model"] = str(self.model_kind)
            meta["model_config"] = dict(self.model_config or {})
        return meta


@dataclasses.dataclass(frozen=True)
class Display:
    """``mode``: "auto" (a bar on a terminal, plain lines elsewhere), "bar", "plain" (the
    tutorial's ``Training epoch 0, cost ...`` lines) or "none"; ``stream``: where (stdout);
    ``label``: the words that start each epoch's line."""

    mode: str = "auto"
    stream: Any = None
    label: str = "Training"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"display mode must be one of {MODES}, got {self.mode!r}")
