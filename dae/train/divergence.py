"""Divergence: what the training loop checks on every minibatch before it updates anything.

A step is refused when its cost is not finite, when a gradient is not finite, or when the cost is
more than ``blowup`` times the run's first minibatch's (a run that is blowing up long before it
overflows). :func:`problem` says which, in a line the loop puts into :class:`DivergenceError`.
"""
import math

from .. import backend


class DivergenceError(FloatingPointError):
    """Training produced a non-finite or exploding cost or gradient (raised before the update)."""


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
