"""Checks at the public boundary: each error names the argument, what was expected and what came.

Every public function calls these *before* any arithmetic, so a learner's mistake reads as
"x must have 784 columns, got shape (20, 28, 28)" rather than a matmul message from deep inside.
"""
import math
import numbers

import numpy

from . import backend


def check_positive_int(value, name):
    """``value`` must be an int > 0 (bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_float(value, name, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """``value`` must be a finite real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if getattr(value, "shape", None) == () and numpy.issubdtype(getattr(value, "dtype", object), numpy.floating):
            value = float(value)
        else:
            raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not numpy.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        bracket = "[" if low_inclusive else "("
        closing = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {bracket}{low}, {high if high is not None else 'inf'}{closing}, got {value}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        bracket = "[" if low_inclusive else "("
        closing = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {bracket}{low if low is not None else '-inf'}, {high}{closing}, got {value}")
    return value


def check_choice(value, name, choices):
    """``value`` must be one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_rng(rng, name="numpy_rng"):
    """A NumPy RandomState (the tutorial's generator) or Generator."""
    if not isinstance(rng, (numpy.random.RandomState, numpy.random.Generator)):
        raise TypeError(
            f"{name} must be a numpy.random.RandomState (e.g. numpy.random.RandomState(123)), "
            f"got {type(rng).__name__}"
        )
    return rng


def one_d_message(x, name, n_columns=None):
    """The error for a 1-D array where a minibatch (n_examples, n_features) is expected."""
    expected = f"(n_examples, {n_columns})" if n_columns is not None else "(n_examples, n_features)"
    return (f"{name} must be a 2-D array of shape {expected}, got a 1-D array of shape {tuple(x.shape)}; "
            f"reshape it with {name}.reshape(1, -1) if it is a single example, or {name}.reshape(-1, 1) "
            f"if it is a single feature")


def _not_a_matrix(x, name):
    """numpy.matrix keeps * as the matrix product and every slice 2-D: refused with the fix."""
    if isinstance(x, numpy.matrix):
        raise TypeError(f"{name} must be a numpy.ndarray, got a numpy.matrix; convert it with numpy.asarray({name})")


def _shown(value, dtype):
    """``value`` with enough digits to tell it from a bound (1 + 1e-7 is not shown as 1)."""
    short = f"{value:g}"
    if float(short) == value:
        return short
    kind = numpy.dtype(dtype) if numpy.issubdtype(numpy.dtype(dtype), numpy.floating) else numpy.dtype("float64")
    return numpy.format_float_positional(kind.type(value), trim="-")


def check_matrix(x, name, n_columns=None, xp=None, unit_interval=False, allow_1d=False):
    """A minibatch for a model on the backend ``xp``: :func:`check_data`'s checks, and the array
    must live on that backend (with the call that moves it). A 1-D array is always refused with
    the reshape that fixes it (as scikit-learn does): a model takes a minibatch, even of one
    example; ``allow_1d`` is accepted for the callers that pass it and changes nothing."""
    xp = backend.xp if xp is None else xp
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    module = backend.array_module(x)
    if module is not xp:
        fix = "dae.backend.to_host" if xp is numpy else "dae.backend.asarray"
        raise TypeError(
            f"{name} is a {module.__name__} array but the model lives on the {xp.__name__} backend; "
            f"move it with {fix}({name})"
        )
    return check_data(x, name, n_columns, unit_interval)


def check_param(array, name, shape, xp=None):
    """A user-supplied parameter array of exactly ``shape`` on backend ``xp``."""
    xp = backend.xp if xp is None else xp
    if not hasattr(array, "shape"):
        raise TypeError(f"{name} must be an array of shape {shape}, got {type(array).__name__}")
    if backend.array_module(array) is not xp:
        raise TypeError(f"{name} must be a {xp.__name__} array (the backend in force), got {type(array).__module__}")
    if tuple(array.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(array.shape)}")
    if not numpy.issubdtype(array.dtype, numpy.floating):
        raise TypeError(f"{name} must be a floating-point array, got dtype {array.dtype}")
    if not bool(xp.isfinite(array).all()):
        raise ValueError(f"{name} must be finite, but it holds NaN or inf")
    return array


def check_labels(y, name, n_classes, n_examples=None, xp=None):
    """Integer class labels in [0, n_classes), one per example."""
    xp = backend.xp if xp is None else xp
    if not hasattr(y, "shape"):
        raise TypeError(f"{name} must be an integer array, got {type(y).__name__}")
    if backend.array_module(y) is not xp:
        raise TypeError(f"{name} must be a {xp.__name__} array (the backend in force)")
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of labels, got shape {tuple(y.shape)}")
    if not numpy.issubdtype(y.dtype, numpy.integer):
        raise TypeError(f"{name} must hold integer labels, got dtype {y.dtype}")
    if n_examples is not None and y.shape[0] != n_examples:
        raise ValueError(f"{name} must hold one label per example ({n_examples}), got {y.shape[0]}")
    if y.size and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise ValueError(f"{name} must lie in [0, {n_classes}), got labels in [{int(y.min())}, {int(y.max())}]")
    return y


def check_seed(seed, name="seed"):
    """None or an int in [0, 2**32) (what numpy.random.RandomState accepts)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
        raise TypeError(f"{name} must be an integer in [0, 2**32) or None, got {seed!r} ({type(seed).__name__})")
    if not 0 <= int(seed) < 2 ** 32:
        raise ValueError(f"{name} must be in [0, 2**32), got {seed}")
    return int(seed)


def check_data(x, name, n_columns=None, unit_interval=False, chunk=4096, values=True):
    """A finite 2-D float array (NumPy, CuPy or a memmap) with ``n_columns`` columns and at
    least one row; every value in [0, 1] when ``unit_interval`` (the cross-entropy's domain).

    The values are read ``chunk`` rows at a time, never the whole array at once (a memmap stays
    on disk); ``values=False`` checks only the shape and dtype. Returns ``x`` unchanged.
    """
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    _not_a_matrix(x, name)
    if x.ndim == 1:
        raise ValueError(one_d_message(x, name, n_columns))
    if x.ndim != 2:
        expected = f"(n_examples, {n_columns})" if n_columns is not None else "(n_examples, n_features)"
        raise ValueError(f"{name} must be a 2-D array of shape {expected}, got shape {tuple(x.shape)}")
    if n_columns is not None and x.shape[1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} columns, got shape {tuple(x.shape)}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one example with at least one value, got shape {tuple(x.shape)}")
    if not numpy.issubdtype(x.dtype, numpy.floating):
        raise TypeError(f"{name} must be a floating-point array (float32 or float64), got dtype {x.dtype}; "
                        f"for 0..255 images use x.astype('float32') / 255")
    if values:
        _check_values(x, name, unit_interval, chunk)
    return x


def _check_values(x, name, unit_interval, chunk):
    """Finite everywhere, and in [0, 1] when ``unit_interval``, ``chunk`` rows at a time."""
    xp = backend.array_module(x)
    lo, hi = math.inf, -math.inf
    for start in range(0, x.shape[0], chunk):
        part = x[start:start + chunk]
        if not bool(xp.isfinite(part).all()):
            raise ValueError(f"{name} must be finite, but it holds NaN or inf (first in rows {start}.."
                             f"{start + len(part) - 1})")
        if unit_interval:
            lo, hi = min(lo, float(part.min())), max(hi, float(part.max()))
    if unit_interval and (lo < 0.0 or hi > 1.0):
        raise ValueError(f"{name} must lie in [0, 1] for the cross-entropy, got values in [{_shown(lo, x.dtype)}, "
                         f"{_shown(hi, x.dtype)}]; scale it (e.g. x / 255) or use loss='squared_error'")
