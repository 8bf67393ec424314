"""How an exercise is graded: relative errors on CS231n's scale, and hints for the common mistakes.

For every quantity a learner returns (a cost, an output, a gradient) the grader has a trusted
value: the package's own function for values, central differences of the package's cost for
gradients. The learner's answer is scored by the relative error::

    rel_error(a, b) = ||a - b|| / (||a|| + ||b||)        (0 when both vanish)

on CS231n's scale, in float64: above 1e-2 the answer is wrong, 1e-7 or below it is right
(what is between is suspicious, and fails too). An answer of the wrong shape, or with NaN or
infinity in it, scores infinity. When an answer fails, it is compared with the usual wrong
answers (twice or half the right one, N times or 1/N times it, its negative, its transpose,
and each exercise's own list, e.g. the dA's gradient without the decoder's term) and a match
names the mistake.
"""
import itertools
import math

import numpy

from ._references import numerical_gradient as reference

THRESHOLD = 1e-7   # right, in float64
WRONG = 1e-2       # above this: wrong
MATCH = 1e-5       # an answer this close to a known wrong answer is that mistake

SCALE = ("relative error ||a - b|| / (||a|| + ||b||), worst over the graded cases: "
         f"<= {THRESHOLD:g} right (float64), {THRESHOLD:g}..{WRONG:g} suspicious, > {WRONG:g} wrong")


class Unfinished(Exception):
    """A learner's function still raises NotImplementedError."""

    def __init__(self, function):
        super().__init__(function)
        self.function = function


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||) in float64; inf when the shapes differ or a value is not finite."""
    a = numpy.asarray(a, dtype=numpy.float64)
    b = numpy.asarray(b, dtype=numpy.float64)
    if a.shape != b.shape or not (numpy.isfinite(a).all() and numpy.isfinite(b).all()):
        return math.inf
    denom = numpy.linalg.norm(a) + numpy.linalg.norm(b)
    return 0.0 if denom == 0 else float(numpy.linalg.norm(a - b) / denom)


class Comparison:
    """One graded quantity of one case: its name, relative error, threshold and hint."""

    def __init__(self, name, error, threshold=THRESHOLD, hint=None):
        self.name, self.error, self.threshold, self.hint = name, float(error), threshold, hint

    @property
    def passed(self):
        return self.error <= self.threshold

    def verdict(self):
        if self.passed:
            return "ok"
        return "WRONG" if self.error > WRONG else "suspicious"

    def __repr__(self):
        return f"Comparison({self.name!r}, {self.error:.3g}, hint={self.hint!r})"


def _as_array(value):
    try:
        return numpy.asarray(value, dtype=numpy.float64)
    except (TypeError, ValueError):
        return None


def _ratio_hint(got, want, n):
    """The hint when got is a constant multiple c of want (c = 2, 1/2, N, 1/N, -1)."""
    ww = float((want * want).sum())
    if ww == 0:
        return None
    c = float((got * want).sum()) / ww
    if c == 0 or rel_error(got, c * want) > MATCH:
        return None
    for factor, text in ((2.0, "a factor of 2 too large (a term counted twice, or a stray 2 in a derivative)"),
                         (0.5, "a factor of 2 too small (half the right value: a 2 or a term missing)"),
                         (-1.0, "the sign is flipped")):
        if abs(c - factor) < 1e-4 * abs(factor):
            return text
    if n and n > 2:
        if abs(c - n) < 1e-4 * n:
            return f"N = {n} times too large: a missing 1/N (the cost is a mean over the N rows, so is its gradient)"
        if abs(c - 1.0 / n) < 1e-4 / n:
            return f"N = {n} times too small: an extra 1/N (divided by N twice, or where no mean is taken)"
        if abs(c + n) < 1e-4 * n or abs(c + 1.0 / n) < 1e-4 / n:
            return "the sign is flipped and a 1/N is wrong"
    return f"off by a constant factor of {c:.4g}"


def _transpose_hint(got, want):
    """The hint when got is want with its axes in another order."""
    if want.ndim < 2:
        return None
    for perm in itertools.permutations(range(want.ndim)):
        if perm == tuple(range(want.ndim)):
            continue
        t = want.transpose(perm)
        if t.shape == got.shape and rel_error(got, t) <= MATCH:
            return (f"a transpose: your array is the right one with its axes in the order {perm}; "
                    f"the gradient of a parameter has the parameter's shape {want.shape}")
    return None


def diagnose(got, want, n=None, candidates=()):
    """The name of the mistake, when got matches a known wrong answer; else None."""
    for text, cand in candidates:
        cand = _as_array(cand)
        if cand is not None and cand.shape == got.shape and rel_error(got, cand) <= MATCH:
            return text
    if got.shape != want.shape:
        return _transpose_hint(got, want) or None
    hint = _transpose_hint(got, want) if want.ndim >= 2 and len(set(want.shape)) < want.ndim else None
    if hint:
        return hint
    if not got.any() and want.any():
        return "all zeros: is this still a placeholder?"
    return _ratio_hint(got, want, n)


def compare(name, got, want, n=None, candidates=(), threshold=THRESHOLD, shape_hint=None):
    """Score the learner's ``got`` against the trusted ``want``; a failing answer gets a hint.

    ``n``: the case's batch size (to recognise a missing 1/N); ``candidates``: pairs
    ``(hint, wrong_answer)`` of this exercise's common mistakes, tried first.
    """
    want = numpy.asarray(want, dtype=numpy.float64)
    arr = _as_array(got)
    if arr is None:
        return Comparison(name, math.inf, threshold, f"expected an array of shape {want.shape}, "
                                                     f"got {type(got).__name__}")
    if arr.shape != want.shape and arr.squeeze().shape == want.squeeze().shape:
        arr = arr.reshape(want.shape)  # e.g. a (1, H) bias gradient for an (H,) bias: the same numbers
    error = rel_error(arr, want)
    if error <= threshold:
        return Comparison(name, error, threshold)
    hint = None
    if arr.shape == want.shape and not numpy.isfinite(arr).all():
        hint = ("NaN or infinity in the result: something overflowed or took log(0); "
                "use a numerically stable form")
    if hint is None:
        with numpy.errstate(all="ignore"):
            hint = diagnose(arr, want, n, candidates)
    if hint is None and arr.shape != want.shape:
        hint = shape_hint or f"expected shape {want.shape}, got shape {arr.shape}"
    return Comparison(name, error, threshold, hint)


def numerical_gradient(f, x, eps=1e-5):
    """The graders' finite differences: the package's central differences at a copy of x."""
    return reference(f, numpy.array(x, dtype=numpy.float64, order="C"), eps)


def unpack(result, names, function):
    """The learner's tuple as a dict name -> value, or ValueError naming what was expected."""
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"a {len(result)}-tuple" if isinstance(result, (tuple, list)) else type(result).__name__
        raise ValueError(f"{function} must return the tuple ({', '.join(names)}), got {got}")
    return dict(zip(names, result))
