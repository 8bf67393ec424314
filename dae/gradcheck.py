"""Finite-difference gradient checking for any model under the gradient protocol.

A model follows the protocol (:mod:`dae.protocol`) when it has ``params`` (a list of arrays,
updated in place) and ``cost_and_grads(*args, rng, **levels) -> (cost, grads)`` with grads
aligned with params and every random draw taken from ``rng``. Then, for each checked entry theta_i::

    numeric_i = (cost(theta + eps e_i) - cost(theta - eps e_i)) / (2 eps)     (central difference)

and the relative error of a parameter is ``||analytic - numeric|| / (||analytic|| + ||numeric||)``
over its checked entries (0 when both vanish). Every cost evaluation gets a *freshly seeded*
rng, so the corruption (or dropout, or VAE noise) is the same at every evaluation.

Build the model in float64 (``dae.config.floatX = "float64"``) before checking it: in float32
the differences drown in rounding. Learners check their own models the same way::

    errors = dae.gradcheck(model, x, corruption_level=0.3)
    assert max(errors.values()) < 1e-6
"""
import sys
import types

import numpy

from . import backend
from .protocol import check_model, param_names


def _fresh_rng(seed):
    return backend.xp.random.RandomState(seed)




def gradcheck(model, *args, eps=1e-6, max_entries=150, seed=1234, **kwargs):
    """Relative error between analytic and central-difference gradients, per parameter.

    ``args``/``kwargs`` go to ``model.cost_and_grads`` (e.g. the minibatch and the corruption
    level); ``rng`` is supplied here, seeded with ``seed`` for every evaluation. At most
    ``max_entries`` entries of each parameter are checked (chosen at random, reproducibly).
    Returns ``{param_name: relative_error}``. Raises TypeError unless the params are float64.
    """
    check_model(model)
    for name, p in zip(param_names(model), model.params):
        if p.dtype != numpy.float64:
            raise TypeError(
                f"gradcheck needs float64 parameters, but {name} is {p.dtype}; "
                "build the model after setting dae.config.floatX = 'float64'"
            )
    eps = float(eps)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")

    def cost_at():
        cost, _ = model.cost_and_grads(*args, rng=_fresh_rng(seed), **kwargs)
        return float(cost)

    _, analytic = model.cost_and_grads(*args, rng=_fresh_rng(seed), **kwargs)
    analytic = [backend.to_host(g).astype(numpy.float64).copy() for g in analytic]
    picker = numpy.random.RandomState(seed)
    errors = {}
    for name, param, grad in zip(param_names(model), model.params, analytic):
        if grad.shape != tuple(param.shape):
            raise ValueError(f"gradient of {name} has shape {grad.shape}, expected {tuple(param.shape)}")
        n = int(param.size)
        idx = numpy.arange(n) if n <= max_entries else numpy.sort(picker.choice(n, max_entries, replace=False))
        numeric = numpy.empty(len(idx))
        for j, i in enumerate(idx):
            at = numpy.unravel_index(int(i), param.shape)  # by index: any layout (a transposed view) is perturbed
            old = float(param[at])
            param[at] = old + eps
            plus = cost_at()
            param[at] = old - eps
            minus = cost_at()
            param[at] = old
            numeric[j] = (plus - minus) / (2 * eps)
        a = grad.reshape(-1)[idx]
        denom = numpy.linalg.norm(a) + numpy.linalg.norm(numeric)
        errors[name] = 0.0 if denom == 0 else float(numpy.linalg.norm(a - numeric) / denom)
    return errors


def assert_gradients_close(model, *args, tol=1e-6, **kwargs):
    """gradcheck, raising AssertionError that names every parameter whose error exceeds ``tol``."""
    errors = gradcheck(model, *args, **kwargs)
    bad = {k: v for k, v in errors.items() if not v < tol}
    if bad:
        raise AssertionError(f"gradient check failed (tol {tol:g}): {bad}; all errors: {errors}")
    return errors


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f`` at the float64 array ``x``
    (modified in place and restored): the building block of :func:`gradcheck`, for exercises."""
    grad = numpy.zeros(x.shape, dtype=numpy.float64)
    for i in numpy.ndindex(x.shape):  # by index, so any memory layout is perturbed in place
        old = float(x[i])
        x[i] = old + eps
        plus = float(f(x))
        x[i] = old - eps
        minus = float(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


class _CallableModule(types.ModuleType):
    """``dae.gradcheck(model, x, ...)`` calls :func:`gradcheck`; the module stays importable."""

    def __call__(self, *args, **kwargs):
        return gradcheck(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
