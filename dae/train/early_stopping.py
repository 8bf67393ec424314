"""Early stopping with the deeplearning.net tutorials' patience rule.

After every epoch the validation score s (lower is better, e.g. the zero-one error) is
measured at iteration ``it`` (minibatches done so far, minus one, as the tutorial counts):

    if s < best:
        if s < best * improvement_threshold:      # a significant improvement
            patience = max(patience, it * patience_increase)
        best, best_iter = s, it                   # and on_best(trainer) runs (e.g. the test error)
    stop as soon as patience <= it                # checked after every minibatch

``patience`` starts at ``patience`` iterations (default: 10 epochs' worth, the SdA tutorial's
``10 * n_train_batches``). With ``restore_best`` the parameters of the best epoch are put back
when training ends, so the model kept is the one the best validation score describes.
"""
import math

from .. import backend
from ..validation import check_float, check_positive_int


class EarlyStopping:
    """``score(trainer) -> float`` (lower is better); ``on_best(trainer) -> float or None``;
    ``name``: what the score is, in the epoch lines and ``history`` (``validation_score``);
    ``percent``: a rate shown in per cent (an error rate 0.385 as ``validation error 38.5 %``)."""

    def __init__(self, score, patience=None, patience_increase=2.0, improvement_threshold=0.995,
                 on_best=None, restore_best=False, name="validation score", percent=False):
        if not callable(score):
            raise TypeError(f"score must be a function score(trainer) -> float, got {type(score).__name__}")
        if on_best is not None and not callable(on_best):
            raise TypeError(f"on_best must be a function on_best(trainer), got {type(on_best).__name__}")
        self.score = score
        self.initial_patience = None if patience is None else check_positive_int(patience, "patience")
        self.patience_increase = check_float(patience_increase, "patience_increase", 1.0, None)
        self.improvement_threshold = check_float(improvement_threshold, "improvement_threshold", 0.0, 1.0)
        self.on_best = on_best
        self.restore_best = bool(restore_best)
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"name must be a non-empty string such as 'validation error', got {name!r}")
        self.name, self.percent = name, bool(percent)
        self.reset()

    def reset(self):
        self.patience = self.initial_patience
        self.best = math.inf
        self.best_iter = 0
        self.best_extra = None     # what on_best returned for the best epoch (e.g. its test error)
        self.best_params = None
        self.last = None

    @property
    def key(self):
        """The score's key in an epoch's metrics: ``validation_score``, ``validation_error``."""
        return self.name.strip().replace(" ", "_")

    def describe(self, value):
        """``validation error 38.5 %`` (``percent``) or ``validation score 0.385``."""
        return f"{self.name} {value * 100:.4g} %" if self.percent else f"{self.name} {value:g}"

    def start(self, n_batches):
        """Called by the trainer at the start of ``fit``: the default patience needs n_batches."""
        if self.patience is None:
            self.patience = 10 * n_batches

    def validate(self, trainer, iteration):
        """Score the model at ``iteration``; True when it is the best so far."""
        s = float(self.score(trainer))
        self.last = s
        if not s < self.best:
            return False
        if s < self.best * self.improvement_threshold:
            self.patience = max(self.patience, int(iteration * self.patience_increase))
        self.best, self.best_iter = s, iteration
        if self.on_best is not None:
            self.best_extra = self.on_best(trainer)
        if self.restore_best:
            self.best_params = [backend.xp.array(p, copy=True) for p in trainer.model.params]
        return True

    def should_stop(self, iteration):
        return self.patience is not None and self.patience <= iteration

    def finish(self, model):
        """Put the best epoch's parameters back (``restore_best``)."""
        if self.restore_best and self.best_params is not None:
            for p, best in zip(model.params, self.best_params):
                p[...] = best

    # ----- checkpoints -----------------------------------------------------------------------
    def get_state(self):
        arrays = {} if self.best_params is None else {f"best/{i}": p for i, p in enumerate(self.best_params)}
        best_extra = self.best_extra if isinstance(self.best_extra, (int, float, type(None))) else float(self.best_extra)
        return arrays, {"patience": self.patience, "best": None if math.isinf(self.best) else self.best,
                        "best_iter": self.best_iter, "best_extra": best_extra, "last": self.last,
                        "n_best": 0 if self.best_params is None else len(self.best_params)}

    def set_state(self, arrays, meta):
        self.patience = meta["patience"]
        self.best = math.inf if meta["best"] is None else float(meta["best"])
        self.best_iter = int(meta["best_iter"])
        self.best_extra = meta["best_extra"]
        self.last = meta["last"]
        n = int(meta["n_best"])
        self.best_params = [backend.asarray(arrays[f"best/{i}"]) for i in range(n)] if n else None
