"""Grades the sigmoid, the cross-entropy from logits and its gradient, at saturated logits too."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import as_real_array, compare, numerical_gradient

UNSTABLE_SIGMOID = ("not finite for large |a|: exp(-a) overflows for a << 0; write the sigmoid so that "
                    "nothing overflows (e.g. through tanh, or exp of -|a| only)")
UNSTABLE_CE = ("not finite (or inaccurate) at saturated logits: log(sigmoid(a)) rounds to log(0); "
               "write the loss from the logits a alone, with a stable log(1 + exp(.)) (numpy.logaddexp(0, .))")
PER_ROW = "one value per row: sum over the columns (the pixels), shape (N,), not over the rows"
SIGMOID_AGAIN = ("the sigmoid's derivative z (1 - z) multiplied in: from the logits the log and the sigmoid "
                 "cancel, dL/da is simpler than that")


def make_case(shape, seed, saturated):
    n, d = shape
    rng = numpy.random.RandomState(seed)
    a = rng.randn(n, d) * 3
    if saturated:  # logits far in the tails, both signs
        a.flat[::3] = rng.choice([-800.0, -60.0, 40.0, 750.0], size=a.flat[::3].shape)
    x = rng.uniform(0, 1, (n, d))
    x[0] = rng.uniform(0, 1, d) > 0.5  # binary targets too
    return a, x


CASES = [((4, 5), 300, False), ((6, 3), 301, False), ((4, 5), 302, True), ((3, 7), 303, True)]


def _sigmoid(fns, case):
    a, _ = make_case(*case)
    want = ref.sigmoid(a)
    got = fns["sigmoid"](a)
    arr = as_real_array(got)[0]
    cmp = compare("sigmoid", got, want, candidates=[
        ("1 / (1 + exp(a)): the sign of a is flipped, s(a) = 1 / (1 + exp(-a))", 1 - want)],
        shape_hint="elementwise: the same shape as a")
    if not cmp.passed and arr is not None and arr.shape == want.shape and not numpy.isfinite(arr).all():
        cmp.hint = UNSTABLE_SIGMOID
    return [cmp]


def _loss(fns, case):
    a, x = make_case(*case)
    want = ref.cross_entropy_from_logits(x, a)
    got = fns["cross_entropy_from_logits"](x, a)
    got_arr = as_real_array(got)[0]
    cmp = compare("loss", got, want, a.shape[0], [
        ("the mean over the columns: the loss is the sum over the pixels of each row", want / a.shape[1])],
        shape_hint=PER_ROW)
    if not cmp.passed and cmp.hint is None and case[2]:
        cmp.hint = UNSTABLE_CE
    if not cmp.passed and got_arr is not None and got_arr.shape == want.shape and not numpy.isfinite(got_arr).all():
        cmp.hint = UNSTABLE_CE
    return [cmp]


def _grad(fns, case):
    a, x = make_case(*case)
    z = ref.sigmoid(a)
    want = ref.cross_entropy_from_logits_grad(x, a)
    estimate = None if case[2] else (  # finite differences, where the logits do not saturate
        lambda eps: numerical_gradient(lambda v: float(ref.cross_entropy_from_logits(x, v).sum()), a, eps))
    return [compare("dloss/da", fns["cross_entropy_grad"](x, a), want, a.shape[0], [
        (SIGMOID_AGAIN, (z - x) * z * (1 - z)),
        (SIGMOID_AGAIN + "; and s' = s(a) (1 - s(a)) is taken on the output z = s(a), not on the logit a",
         (z - x) * a * (1 - a)),
        ("the gradient of the mean over the rows: here it is the gradient of the sum of every row's loss "
         "(no 1/N)", (z - x) / a.shape[0])], estimate=estimate)]


def _reference():
    return {"sigmoid": ref.sigmoid, "cross_entropy_from_logits": ref.cross_entropy_from_logits,
            "cross_entropy_grad": ref.cross_entropy_from_logits_grad}


EXERCISE = Exercise(
    "sigmoid_cross_entropy", "tutorials/dA_tutorial.py",
    "the sigmoid and the cross-entropy from the logits, stable at saturated units, and its gradient",
    ["sigmoid", "cross_entropy_from_logits", "cross_entropy_grad"],
    [Part(["sigmoid"], _sigmoid, CASES), Part(["cross_entropy_from_logits"], _loss, CASES),
     Part(["cross_entropy_grad"], _grad, CASES)],
    _reference,
)
