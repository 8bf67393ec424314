"""Grades the contractive penalty of the tutorial's cA: mean_n ||dh_n/dx_n||_F^2 and its gradients."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

SHAPES = [(5, 6, 4), (4, 5, 5), (7, 3, 6)]  # (N, n_visible, n_hidden)
ONLY_THROUGH_H = ("W enters the penalty twice: through h = s(x W + b) and through w_j = sum_i W_ij^2; "
                  "the path through w_j is missing")
FLOOR = ("floor division: `//` rounds the mean down to a whole number (the tutorial's "
         "T.sum(J ** 2) // n_batchsize, whose gradient is 0); the mean is sum / N")
ONLY_THROUGH_W = ("only the path through w_j = sum_i W_ij^2: the penalty also depends on W through "
                  "h = s(x W + b), as on b")


def make_case(shape, seed):
    n, v, h = shape
    rng = numpy.random.RandomState(seed)
    return rng.randn(v, h) * 0.6, rng.randn(h) * 0.4, rng.uniform(0, 1, (n, v))


def penalty(W, b, x):
    """L_jac of the package's cA with these weights."""
    model = ref.cA(numpy.random.RandomState(0), n_visible=W.shape[0], n_hidden=W.shape[1], W=W, bhid=b,
                   bvis=numpy.zeros(W.shape[0]))
    (_, L_jac), _ = model.cost_terms_and_grads(x, contraction_level=0.0)
    return float(L_jac)


def _two_paths(W_h, W_w, b, x):
    """The penalty with the W inside h and the W inside w_j apart (to tell the two paths apart)."""
    h = ref.sigmoid(x @ W_h + b)
    return float((((h * (1 - h)) ** 2) @ (W_w * W_w).sum(axis=0)).mean())


def _grade(fns, case):
    shape, seed = case
    W, b, x = make_case(shape, seed)
    n = shape[0]
    got = unpack(fns["contractive_penalty_and_grads"](W, b, x), ("penalty", "gW", "gb"),
                 "contractive_penalty_and_grads")
    through_h = numerical_gradient(lambda v: _two_paths(v, W, b, x), W)
    through_w = numerical_gradient(lambda v: _two_paths(W, v, b, x), W)
    want_p, want_gW, want_gb = _reference()["contractive_penalty_and_grads"](W, b, x)
    return [
        compare("penalty", got["penalty"], want_p, n, [
            (FLOOR, numpy.floor(want_p)),
            (f"the sum over the rows: a missing 1/N (the penalty is the mean over the N = {n} rows)", n * want_p)]),
        compare("gW", got["gW"], want_gW, n, [(ONLY_THROUGH_H, through_h), (ONLY_THROUGH_W, through_w)],
                estimate=lambda eps: numerical_gradient(lambda v: penalty(v, b, x), W, eps)),
        compare("gb", got["gb"], want_gb, n,
                estimate=lambda eps: numerical_gradient(lambda v: penalty(W, v, x), b, eps)),
    ]


def _reference():
    def contractive_penalty_and_grads(W, b, x):
        """From the cA: its gradients with contraction_level 1 minus those with 0."""
        model = ref.cA(numpy.random.RandomState(0), n_visible=W.shape[0], n_hidden=W.shape[1], W=W, bhid=b,
                       bvis=numpy.zeros(W.shape[0]))
        (_, L_jac), with_penalty = model.cost_terms_and_grads(x, contraction_level=1.0)
        _, without = model.cost_terms_and_grads(x, contraction_level=0.0)
        return L_jac, with_penalty[0] - without[0], with_penalty[1] - without[1]
    return {"contractive_penalty_and_grads": contractive_penalty_and_grads}


NOTES = '''
# The question: why does the tutorial's ``L_jacob = T.sum(J ** 2) // n_batchsize`` silently give no gradient?
# ``//`` is floor division: floor(sum / N) is a step function of the weights, constant between
# its jumps, so its derivative is 0 wherever it is defined (Theano's grad of floor is zero).
# The penalty's value still prints (rounded down to an integer), so nothing looks wrong, but
# T.grad(cost) gets nothing from it: the "contractive" autoencoder trains as a plain one.
# The mean the tutorial meant is ``T.sum(J ** 2) / n_batchsize`` (what dae.cA computes).
'''

EXERCISE = Exercise(
    "contractive_penalty", "tutorials/cA_tutorial.py",
    "the contractive autoencoder's Jacobian penalty and its gradients (W enters it twice)",
    ["contractive_penalty_and_grads"],
    [Part(["contractive_penalty_and_grads"], _grade, [(s, 500 + i) for i, s in enumerate(SHAPES)])],
    _reference, NOTES,
)
