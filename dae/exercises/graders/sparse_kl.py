"""Grades the sparse autoencoder's KL penalty and its gradient with respect to the codes."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

CASES = [((6, 4), 0.05, 0.1, 600), ((5, 7), 0.2, 3.0, 601), ((8, 3), 0.1, 1.0, 602)]  # (N, H), rho, weight, seed
PER_UNIT = ("you returned dP/drho^ (one value per unit): chain it to every code, drho^_j/dy_nj = 1/N, "
            "so dP/dy has y's shape (N, n_hidden)")
NO_WEIGHT = "the penalty's weight is missing: P = weight * sum_j KL(rho || rho^_j)"
REVERSED = ("the KL divergence reversed: the penalty is KL(rho || rho^_j) = rho log(rho / rho^_j) + "
            "(1 - rho) log((1 - rho) / (1 - rho^_j)), the target rho first; you computed KL(rho^_j || rho)")
MEAN_OVER_UNITS = "the mean over the units: the penalty is the sum over the hidden units j"


def make_case(shape, rho, weight, seed):
    rng = numpy.random.RandomState(seed)
    return ref.sigmoid(rng.randn(*shape) - 1.0), rho, weight


def penalty(y, rho, weight):
    return float(ref.kl_sparsity_penalty(y, rho, weight)[0])


def _grade(fns, case):
    y, rho, weight = make_case(*case)
    n, h = y.shape
    got = unpack(fns["kl_penalty_and_grad"](y, rho, weight), ("penalty", "dy"), "kl_penalty_and_grad")
    want_p, want_dy = ref.kl_sparsity_penalty(y, rho, weight)
    want_dy = numpy.array(want_dy)
    q = y.mean(axis=0)
    reversed_p = weight * (q * numpy.log(q / rho) + (1 - q) * numpy.log((1 - q) / (1 - rho))).sum()
    reversed_dy = numpy.tile(weight * (numpy.log(q / rho) - numpy.log((1 - q) / (1 - rho))) / n, (n, 1))
    return [
        compare("penalty", got["penalty"], want_p, n, [(REVERSED, reversed_p), (NO_WEIGHT, want_p / weight),
                                                       (MEAN_OVER_UNITS, want_p / h)]),
        compare("dy", got["dy"], want_dy, n, [(REVERSED, reversed_dy), (PER_UNIT, want_dy[0] * n),
                                              (PER_UNIT, want_dy[0]), (NO_WEIGHT, want_dy / weight)],
                estimate=lambda eps: numerical_gradient(lambda v: penalty(v, rho, weight), y, eps)),
    ]


def _reference():
    def kl_penalty_and_grad(y, rho, weight):
        p, dy = ref.kl_sparsity_penalty(y, rho, weight)
        return p, numpy.array(dy)
    return {"kl_penalty_and_grad": kl_penalty_and_grad}


EXERCISE = Exercise(
    "sparse_kl", "tutorials/variants_tutorial.py",
    "the sparse autoencoder's KL penalty on the mean activations, and its gradient",
    ["kl_penalty_and_grad"],
    [Part(["kl_penalty_and_grad"], _grade, CASES)],
    _reference,
)
