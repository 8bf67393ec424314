"""How an exercise is graded: relative errors on CS231n's scale, and hints for the common mistakes.

For every quantity a learner returns (a cost, an output, a gradient) the grader has a trusted
value: the package's own function, in float64 (its analytic gradients too). The learner's
answer is scored by the relative error::

    rel_error(a, b) = ||a - b|| / (||a|| + ||b||)        (0 when both vanish)

Two thresholds. An analytic answer must agree with the package's to float64 round-off
(``EXACT`` = 1e-12: a correct float64 answer computed in another order is ~1e-16 off, a
finite-difference estimate ~1e-10, float32 arithmetic ~1e-8, so both of those fail, each with
its own hint). A numerical answer (the gradient checker, at the step it is given) is held to
CS231n's ``THRESHOLD`` = 1e-7. Above 1e-2 an answer is wrong; between its threshold and 1e-2 it
is suspicious, and fails too. An answer of the wrong shape, or with NaN or infinity in it,
scores infinity; a complex, integer or object answer is refused with a message. When an answer
fails, it is compared with the usual wrong answers (twice or half the right one, N times or 1/N
times it, its negative, its transpose, and each exercise's own list, e.g. the dA's gradient
without the decoder's term) and a match names the mistake; the report also shows the worst
entry (its index, the learner's value and the reference's).
"""
import contextlib
import itertools
import math

import numpy

from ._references import numerical_gradient as reference

EXACT = 1e-12      # analytic answers: float64 round-off (finite differences and float32 fail)
THRESHOLD = 1e-7   # numerical answers (the gradient checker at the step it is given)
WRONG = 1e-2       # above this: wrong
MATCH = 1e-5       # an answer this close to a known wrong answer is that mistake

SCALE = ("relative error ||a - b|| / (||a|| + ||b||), worst over the graded cases: <= "
         f"{EXACT:g} right for an analytic answer (float64 round-off), <= {THRESHOLD:g} for a numerical "
         f"one; above that suspicious, > {WRONG:g} wrong")

FINITE_DIFFERENCES = ("this looks like a finite-difference estimate, not the analytic gradient: derive the "
                      "gradient by hand (a correct float64 answer agrees to ~1e-16)")
FLOAT32 = ("this was computed in float32 (about 7 digits): compute in float64, as the graders' arrays are "
           "(no .astype(numpy.float32), no float32 constants)")
FLOAT32_SOMEWHERE = ("about float32's precision: was something computed in float32? Compute in float64 (no "
                     ".astype(numpy.float32)); or, if this is a finite-difference estimate, derive the "
                     "gradient by hand")
NEAR_MISS = ("close, but not to float64 round-off: a finite-difference estimate, or float32 arithmetic "
             "somewhere? A correct float64 answer agrees to ~1e-16")


class Unfinished(Exception):
    """A learner's function still raises NotImplementedError: ``function`` (its name), ``stub``
    (whether it is still the template's stub, or partly written), ``frame`` (where it raised)."""

    def __init__(self, function, stub=True, frame=None):
        super().__init__(function)
        self.function, self.stub, self.frame = function, stub, frame


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||) in float64; inf when the shapes differ or a value is not finite."""
    a = numpy.asarray(a, dtype=numpy.float64)
    b = numpy.asarray(b, dtype=numpy.float64)
    if a.shape != b.shape or not (numpy.isfinite(a).all() and numpy.isfinite(b).all()):
        return math.inf
    denom = numpy.linalg.norm(a) + numpy.linalg.norm(b)
    return 0.0 if denom == 0 else float(numpy.linalg.norm(a - b) / denom)


class Comparison:
    """One graded quantity of one case: its name, relative error, threshold, hint and worst entry
    (``(index, yours, reference)`` or None)."""

    def __init__(self, name, error, threshold=EXACT, hint=None, worst=None):
        self.name, self.error, self.threshold, self.hint = name, float(error), threshold, hint
        self.worst = worst
        self.yours = None   # rel. error of the learner's answer against the learner's own gradient checker
        self.narrow = False  # returned in float32 (or float16): fails whatever its error

    @property
    def passed(self):
        return self.error <= self.threshold and not self.narrow

    def verdict(self):
        if self.passed:
            return "ok"
        if self.narrow and self.error <= self.threshold:
            return "float32: return float64"
        return "WRONG" if self.error > WRONG else "suspicious"

    def worst_line(self):
        """'worst entry [i, j]: yours ..., reference ...' (empty when there is none)."""
        if self.worst is None:
            return ""
        index, yours, want = self.worst
        where = f" [{', '.join(str(int(i)) for i in index)}]" if index else ""
        return f"worst entry{where}: yours {yours:.15g}, reference {want:.15g}"

    def __repr__(self):
        return f"Comparison({self.name!r}, {self.error:.3g}, hint={self.hint!r})"


def as_real_array(value):
    """``(array in float64, None)``, or ``(None, why it is refused)`` for what is not a real array
    (None, complex, integer, boolean, object, text). Never warns (no ComplexWarning)."""
    if value is None:
        return None, "got None: is a `return` missing?"
    try:
        raw = numpy.asarray(value)
    except (TypeError, ValueError) as exc:
        return None, f"got {type(value).__name__}, not an array of numbers ({exc})"
    kind = raw.dtype.kind
    if kind == "c":
        return None, ("complex values (dtype %s): a log or a square root of a negative number? The answer is "
                      "real: return float64" % raw.dtype)
    if kind in "iub":
        return None, (f"{'boolean' if kind == 'b' else 'integer'} values (dtype {raw.dtype}): compute in float64 "
                      "(an integer input, or // where / was meant?)")
    if kind != "f":
        return None, f"got {type(value).__name__} of dtype {raw.dtype}, not an array of real numbers: return float64"
    return raw.astype(numpy.float64), None


def _float32_like(raw, arr):
    """Whether the answer carries only float32's precision (its dtype, or values float32 can hold)."""
    if raw is not None and getattr(raw, "dtype", None) is not None and raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        return True
    finite = arr[numpy.isfinite(arr)]
    fractional = finite[finite != numpy.round(finite)]
    return fractional.size >= 2 and numpy.array_equal(fractional, fractional.astype(numpy.float32))


def _ratio_hint(got, want, n):
    """The hint when got is a constant multiple c of want (c = 2, 1/2, N, 1/N, -1, ...); never for
    c near 1 (that is a small error, not a factor) nor when got is not a multiple of want."""
    ww = float((want * want).sum())
    if ww == 0:
        return None
    c = float((got * want).sum()) / ww
    if c == 0 or abs(c - 1.0) < 1e-2 or rel_error(got, c * want) > MATCH:
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
    if want.size == 1:   # one number is always some multiple of another: only the factors above tell anything
        return None
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


def _as_array(value):
    arr, _ = as_real_array(value)
    return arr


def _precision_hint(raw, arr, want, error, estimate):
    """For an answer close to the reference but not to float64 round-off: float32 or finite differences."""
    if _float32_like(raw, arr):
        return FLOAT32
    if error > 1e-5:
        return None
    if estimate is not None:   # as close to a central difference as the reference's own ones are
        for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
            est = estimate(eps)
            fd_error = rel_error(want, est)
            if rel_error(arr, est) < error / 3 or (error <= 3e-9 and fd_error / 3 <= error <= 3 * fd_error):
                return FINITE_DIFFERENCES
    if error > 1e-9:
        return FLOAT32_SOMEWHERE
    return NEAR_MISS


def worst_entry(got, want):
    """``(index, yours, reference)`` of the entry farthest from the reference (the first non-finite one)."""
    if got.shape != want.shape or got.size == 0:
        return None
    bad = ~numpy.isfinite(got)
    flat = int(numpy.argmax(bad)) if bad.any() else int(numpy.argmax(numpy.abs(got - want)))
    index = numpy.unravel_index(flat, got.shape) if got.ndim else ()
    return tuple(int(i) for i in index), float(got.reshape(-1)[flat]), float(want.reshape(-1)[flat])


def compare(name, got, want, n=None, candidates=(), threshold=EXACT, shape_hint=None, estimate=None):
    """Score the learner's ``got`` against the trusted ``want``; a failing answer gets a hint.

    ``n``: the case's batch size (to recognise a missing 1/N); ``candidates``: pairs
    ``(hint, wrong_answer)`` of this exercise's common mistakes, tried first; ``estimate``:
    ``eps -> central differences of the reference`` (to recognise a finite-difference answer).
    """
    want = numpy.asarray(want, dtype=numpy.float64)
    arr, refused = as_real_array(got)
    if arr is None:
        return Comparison(name, math.inf, threshold, f"expected a float64 array of shape {want.shape}: {refused}")
    if arr.shape != want.shape and arr.squeeze().shape == want.squeeze().shape:
        arr = arr.reshape(want.shape)  # e.g. a (1, H) bias gradient for an (H,) bias: the same numbers
    with numpy.errstate(all="ignore"):
        error = rel_error(arr, want)
        if error <= threshold:
            out = Comparison(name, error, threshold)
        else:
            hint = _hint(got, arr, want, error, n, candidates, shape_hint, estimate, threshold)
            out = Comparison(name, error, threshold, hint, worst_entry(arr, want))
        if getattr(got, "dtype", None) is not None and got.dtype.kind == "f" and got.dtype.itemsize < 8:
            out.narrow = True   # float32 passes CS231n's 1e-7 by luck, never float64's precision
            out.hint = out.hint or FLOAT32
        if estimate is not None and _CHECKER["function"] is not None:
            out.yours = _by_the_learner_s_checker(arr, estimate)
    return out


def _hint(raw, arr, want, error, n, candidates, shape_hint, estimate, threshold):
    if arr.shape == want.shape and not numpy.isfinite(arr).all():
        return next((text for text, cand in candidates if _same_nonfinite(arr, cand)),
                    "NaN or infinity in the result: something overflowed or took log(0); "
                    "use a numerically stable form")
    for text, cand in candidates:
        cand = _as_array(cand)   # (a candidate that equals the right answer here tells nothing: skipped)
        if (cand is not None and cand.shape == arr.shape and rel_error(arr, cand) <= MATCH
                and not (cand.shape == want.shape and rel_error(cand, want) <= MATCH)):
            return text
    if arr.shape == want.shape and error < WRONG and threshold <= EXACT:
        hint = _precision_hint(raw if isinstance(raw, numpy.ndarray) else None, arr, want, error, estimate)
        if hint:
            return hint
    hint = diagnose(arr, want, n)
    if hint is None and arr.shape != want.shape:
        hint = shape_hint or f"expected shape {want.shape}, got shape {arr.shape}"
    return hint


def _same_nonfinite(arr, cand):
    """Whether a candidate wrong answer has its NaNs where the learner's has (e.g. sqrt of a negative)."""
    cand = _as_array(cand)
    if cand is None or cand.shape != arr.shape or numpy.isfinite(cand).all():
        return False
    both = numpy.isfinite(cand) & numpy.isfinite(arr)
    return (numpy.array_equal(~numpy.isfinite(cand), ~numpy.isfinite(arr))
            and rel_error(arr[both], cand[both]) <= MATCH)


def numerical_gradient(f, x, eps=1e-5):
    """The graders' finite differences: the package's central differences at a copy of x (the
    learner's own checker instead, inside :func:`_by_the_learner_s_checker`)."""
    checker = _CHECKER["function"] if _CHECKER["active"] else None
    return (checker or reference)(f, numpy.array(x, dtype=numpy.float64, order="C"), eps)


_CHECKER = {"function": None, "active": False}


@contextlib.contextmanager
def learner_checker(function):
    """While this lasts, every gradient graded is also checked with the learner's own
    ``numerical_gradient`` (once their gradient_checker exercise passes): ``Comparison.yours``."""
    previous = _CHECKER["function"]
    _CHECKER["function"] = function
    try:
        yield
    finally:
        _CHECKER["function"] = previous


def _by_the_learner_s_checker(arr, estimate):
    """rel. error of ``arr`` against the learner's checker's central differences of the reference
    (eps = 1e-5); None when their checker fails here."""
    _CHECKER["active"] = True
    try:
        return rel_error(arr, estimate(1e-5))
    except Exception:   # the learner's checker raised: no second opinion, nothing else changes
        return None
    finally:
        _CHECKER["active"] = False


def unpack(result, names, function):
    """The learner's tuple as a dict name -> value, or ValueError naming what was expected."""
    if len(names) == 1:
        return {names[0]: result}
    if result is None:
        raise ValueError(f"{function} returned None (is a `return` missing?): it must return the tuple "
                         f"({', '.join(names)})")
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"a {len(result)}-tuple" if isinstance(result, (tuple, list)) else type(result).__name__
        raise ValueError(f"{function} must return the tuple ({', '.join(names)}), got {got}")
    return dict(zip(names, result))
