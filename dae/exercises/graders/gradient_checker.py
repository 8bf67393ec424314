"""Grades ``numerical_gradient(f, x, eps=1e-5)``: central differences of a scalar function.

The checker is called with an explicit step (each of ``EPS``) and judged against the package's
central differences at that same step, so a one-sided difference fails at every step size
(its error is O(eps), visible at eps = 1e-2) and a checker that ignores ``eps`` fails too.
"""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import THRESHOLD, Comparison, compare

EPS = (1e-2, 1e-4, 1e-6)   # the steps the checker is called with (never its default)
IGNORES_EPS = ("the result does not change with eps: use the eps you are given (the graders call "
               "numerical_gradient(f, x, eps) with eps = 1e-2, 1e-4 and 1e-6)")

# (name, f, its exact gradient, x): UFLDL's h(x) = x1^2 + 3 x1 x2 first, whose gradient at (4, 10) is
# (38, 12); then x sin x on a (3, 4) array, log-sum-exp on a vector, tanh against random C in 3-D
FUNCTIONS = [
    ("h(x) at (4, 10)", lambda x: x[0] ** 2 + 3 * x[0] * x[1],
     lambda x: numpy.array([2 * x[0] + 3 * x[1], 3 * x[0]]), lambda rng: numpy.array([4.0, 10.0])),
    ("sum(x sin x)", lambda x: float((x * numpy.sin(x)).sum()),
     lambda x: numpy.sin(x) + x * numpy.cos(x), lambda rng: rng.randn(3, 4)),
    ("logsumexp(x)", lambda x: float(numpy.log(numpy.exp(x).sum())),
     lambda x: numpy.exp(x) / numpy.exp(x).sum(), lambda rng: rng.randn(6)),
    ("sum(tanh(x) C)", None, None, lambda rng: rng.randn(2, 3, 2)),
]


def _case(i, seed):
    rng = numpy.random.RandomState(seed)
    label, f, grad, make_x = FUNCTIONS[i]
    x = make_x(rng)
    if f is None:  # tanh against a random C
        C = rng.randn(*x.shape)
        f = lambda v: float((numpy.tanh(v) * C).sum())  # noqa: E731
        grad = lambda v: (1 - numpy.tanh(v) ** 2) * C  # noqa: E731
    return label, f, grad, x


def _one_sided(f, x, eps, sign=1.0):
    """The usual slip: a forward difference (f(x + eps) - f(x)) / eps (sign=-1: a backward one)."""
    g = numpy.zeros_like(x)
    fx = f(x)
    for i in numpy.ndindex(x.shape):
        y = x.copy()
        y[i] += sign * eps
        g[i] = sign * (f(y) - fx) / eps
    return g


def _grade(fns, case):
    label, f, _, x = _case(*case)
    out, answers = [], []
    for eps in EPS:
        want = ref.numerical_gradient(f, x.copy(), eps)
        probe = x.copy()
        got = fns["numerical_gradient"].raw(f, probe, eps)
        answers.append((got, want))
        out.append(compare(f"grad {label}", got, want, threshold=THRESHOLD, candidates=[
            (f"a one-sided difference (f(x + eps) - f(x)) / eps (here at eps = {eps:g}): use the central "
             "difference (f(x + eps) - f(x - eps)) / (2 eps), whose error is O(eps^2) instead of O(eps)",
             _one_sided(f, x, eps)),
            (f"a one-sided difference (f(x) - f(x - eps)) / eps (here at eps = {eps:g}): use the central "
             "difference (f(x + eps) - f(x - eps)) / (2 eps)", _one_sided(f, x, eps, -1.0)),
            ("every entry perturbed at once: perturb one entry at a time (e_i, the i-th unit vector)",
             numpy.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))),
        ], shape_hint=f"return an array shaped like x {x.shape}"))
        restored = numpy.array_equal(probe, x)
        out.append(Comparison("x restored", 0.0 if restored else float("inf"), THRESHOLD, hint=None if restored else
                              "x was left changed: put each entry back (x[i] = old) after its two evaluations"))
    if _ignores_eps(answers):
        for c in out:
            if c.name.startswith("grad") and not c.passed:
                c.hint = IGNORES_EPS
    return out


def _ignores_eps(answers):
    """Whether the learner's answers are the same at every step while the references differ."""
    gots = [numpy.asarray(g, dtype=float) if getattr(g, "dtype", numpy.dtype("O")).kind == "f" else None
            for g, _ in answers]
    if any(g is None or g.shape != gots[0].shape for g in gots):
        return False
    same = all(numpy.array_equal(g, gots[0]) for g in gots)
    differ = any(not numpy.allclose(w, answers[0][1], rtol=1e-9, atol=0) for _, w in answers)
    return same and differ


def _reference():
    return {"numerical_gradient": lambda f, x, eps=1e-5: ref.numerical_gradient(f, x, eps)}


EXERCISE = Exercise(
    "gradient_checker", "tutorials/dA_tutorial.py (and every later one: dae.gradcheck)",
    "central differences: the gradient checker every other exercise relies on",
    ["numerical_gradient"],
    [Part(["numerical_gradient"], _grade, [(i, 100 + i) for i in range(len(FUNCTIONS))])],
    _reference,
)
