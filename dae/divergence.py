"""Divergence: what the training loop checks on every minibatch before it updates anything,
and what the tutorial's ``get_cost_updates`` checks before it returns its updates.

A step is refused when its cost is not finite, when a gradient is not finite, or when the cost is
more than ``blowup`` times the run's first minibatch's (a run that is blowing up long before it
overflows). :func:`problem` says which, in a line that goes into :class:`DivergenceError`;
:func:`advice` says what to change (the learning rate, and the weight decay when one is set).
This is a foundation module (it imports only the backend), so models raise the same error as
the loop; ``dae.train.DivergenceError`` is this class.
"""
import math

import numpy

from . import backend


class DivergenceError(FloatingPointError):
    """Training produced a non-finite or exploding cost or gradient (raised before the update)."""


class CostRoseWarning(UserWarning):
    """A run finished, but its cost ended clearly above where it started (a UserWarning: a
    finding about the run's settings, not a floating-point event)."""


def problem(cost, grads, names, first_cost=None, blowup=None):
    """A description of what is wrong with this minibatch's ``cost`` and ``grads``, or None.

    The gradients are checked with one sum (one host round trip), and only when that sum is not
    finite one by one, to name the parameter. ``first_cost``: the run's first minibatch cost, None
    on the first minibatch (then there is nothing to compare with); ``blowup`` None: no such check.
    """
    xp = backend.xp
    total = xp.asarray(cost, dtype=xp.float64).copy()
    for g in grads:
        total = total + g.sum(dtype=xp.float64)
    cost = float(cost)
    if not math.isfinite(cost):
        return f"the cost is {cost}"
    if not math.isfinite(float(total)):
        for name, g in zip(names, grads):
            if not bool(xp.isfinite(g).all()):
                return f"the gradient of {name} is not finite"
        return "the gradients are too large to add up (overflow)"
    if first_cost is not None and blowup is not None and abs(cost) > blowup * max(abs(first_cost), 1e-3):
        return (f"the cost is {cost:.6g}, more than {blowup:g} times the first minibatch's "
                f"({first_cost:.6g}): it is blowing up")
    return None


def advice(learning_rate=None, weight_decay=None):
    """What to change: ``use a smaller learning rate (now 30; try 3)``, and the weight decay too
    when one is set (a large decay alone makes the updates overshoot)."""
    lr = f" (now {learning_rate:g}; try {learning_rate / 10:g})" if isinstance(learning_rate, float) else ""
    text = f"use a smaller learning rate{lr}"
    if isinstance(weight_decay, (int, float)) and weight_decay > 0:
        text += f" or a smaller weight_decay (now {weight_decay:g}; the step scales the weights by " \
                f"1 - learning_rate * weight_decay)"
    return text


def check_step(cost, grads, names, learning_rate=None):
    """Raise :class:`DivergenceError` when ``cost`` or a gradient is not finite (what the
    tutorial's ``get_cost_updates`` calls before it turns the gradients into updates)."""
    with numpy.errstate(over="ignore", invalid="ignore"):
        found = problem(cost, grads, names)
    if found is not None:
        raise DivergenceError(f"training diverged: {found}; {advice(learning_rate)}")
