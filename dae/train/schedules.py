"""Learning-rate schedules for :class:`dae.train.Trainer`: ``schedule(trainer) -> learning rate``,
called before every minibatch. ``trainer.epoch`` is the epoch in progress and
``trainer.fraction_done()`` how far the run is, in [0, 1] (by time under a ``max_minutes``
budget, by minibatches otherwise)."""
import math

from ..validation import check_float


def constant(learning_rate):
    """eta_t = eta."""
    learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
    return lambda trainer: learning_rate


def exponential(learning_rate, decay):
    """eta at epoch e = eta * decay^e (the SdA recipe's ``lr_decay`` after every epoch)."""
    learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
    decay = check_float(decay, "decay", 0.0, 1.0, low_inclusive=False)
    return lambda trainer: learning_rate * decay ** trainer.epoch


def cosine(learning_rate, floor=0.01):
    """eta(p) = eta (floor + (1 - floor) (1 + cos(pi p)) / 2), p the fraction of the run done:
    from eta down to ``floor`` * eta at the end of the run (or of its time budget)."""
    learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
    floor = check_float(floor, "floor", 0.0, 1.0)

    def schedule(trainer):
        p = min(max(trainer.fraction_done(), 0.0), 1.0)
        return learning_rate * (floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * p)))
    return schedule
