"""Grades the VAE's reparameterised sample with its backward pass, and its KL term with its gradients."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

CASES = [((5, 3), 900), ((4, 6), 901), ((7, 2), 902)]  # (N, n_latent), seed
VARIANCE = "exp(logvar) is the variance: the standard deviation that scales eps is exp(logvar / 2)"
LOGVAR_AS_STD = "logvar used as the standard deviation: s = exp(logvar / 2)"
SQRT_OF_LOGVAR = ("NaN from a square root: logvar is the LOG of the variance (negative whenever the variance is "
                  "below 1), so the standard deviation is exp(logvar / 2), not sqrt(logvar)")
LOG_OF_LOGVAR = ("NaN from a log: logvar is already the LOG of the variance, so "
                 "KL_n = -1/2 sum_j (1 + logvar_nj - mu_nj^2 - exp(logvar_nj)), with no log (or sqrt) of logvar")
NO_HALF = "the 1/2 of the chain rule through exp(logvar / 2) is missing"


def make_case(shape, seed):
    rng = numpy.random.RandomState(seed)
    return rng.randn(*shape), rng.randn(*shape) * 0.5, rng.randn(*shape)  # mu, logvar, eps


def sample(mu, logvar, eps):
    return ref.reparameterize(mu, logvar, eps)[0]


def kl(mu, logvar):
    return float(ref.gaussian_kl(mu, logvar).mean())


def _sample(fns, case):
    mu, logvar, eps = make_case(*case)
    with numpy.errstate(invalid="ignore"):
        sqrt_of_logvar = mu + numpy.sqrt(logvar) * eps
    return [compare("z", fns["reparameterize"](mu, logvar, eps), sample(mu, logvar, eps), candidates=[
        (VARIANCE, mu + numpy.exp(logvar) * eps), (LOGVAR_AS_STD, mu + logvar * eps),
        (SQRT_OF_LOGVAR, sqrt_of_logvar)])]


def _sample_backward(fns, case):
    mu, logvar, eps = make_case(*case)
    dz = numpy.random.RandomState(case[-1] + 1).randn(*mu.shape)
    got = unpack(fns["reparameterize_backward"](dz, mu, logvar, eps), ("dmu", "dlogvar"), "reparameterize_backward")
    s = numpy.exp(0.5 * logvar)
    want_dmu, want_dlogvar = _reference()["reparameterize_backward"](dz, mu, logvar, eps)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        sqrt_of_logvar = dz * eps / (2 * numpy.sqrt(logvar))
    return [
        compare("dmu (through z)", got["dmu"], want_dmu,
                estimate=lambda h: numerical_gradient(lambda v: float((sample(v, logvar, eps) * dz).sum()), mu, h)),
        compare("dlogvar (through z)", got["dlogvar"], want_dlogvar,
                candidates=[(NO_HALF, dz * eps * s), (VARIANCE, dz * eps * s * s / 2),
                            (SQRT_OF_LOGVAR, sqrt_of_logvar)],
                estimate=lambda h: numerical_gradient(lambda v: float((sample(mu, v, eps) * dz).sum()), logvar, h)),
    ]


def _kl(fns, case):
    mu, logvar, _ = make_case(*case)
    n = mu.shape[0]
    got = unpack(fns["kl_and_grads"](mu, logvar), ("kl", "dmu", "dlogvar"), "kl_and_grads")
    want_kl, want_dmu, want_dlogvar = _reference()["kl_and_grads"](mu, logvar)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        log_of_logvar = -0.5 * (1 + numpy.log(logvar) - mu ** 2 - logvar).sum(axis=1).mean()
        log_of_logvar_grad = -0.5 * (1 / logvar - 1) / n
    return [
        compare("kl", got["kl"], want_kl, n, [
            (f"the sum over the rows: a missing 1/N (the KL term is the mean over the N = {n} rows)",
             n * kl(mu, logvar)), (LOG_OF_LOGVAR, log_of_logvar)]),
        compare("dmu (KL)", got["dmu"], want_dmu, n,
                estimate=lambda h: numerical_gradient(lambda v: kl(v, logvar), mu, h)),
        compare("dlogvar (KL)", got["dlogvar"], want_dlogvar, n, [
            ("the -1/2 of the '1 + logvar' term is missing: dKL/dlogvar = (exp(logvar) - 1) / 2, per row",
             numpy.exp(logvar) / (2 * n)), (LOG_OF_LOGVAR, log_of_logvar_grad)],
            estimate=lambda h: numerical_gradient(lambda v: kl(mu, v), logvar, h)),
    ]


def _reference():
    def reparameterize(mu, logvar, eps):
        return sample(mu, logvar, eps)

    def reparameterize_backward(dz, mu, logvar, eps):
        """The VAE's own backward through the sample (see VAE.cost_and_grads): dmu = dz,
        dlogvar = dz * eps * s / 2."""
        _, s = ref.reparameterize(mu, logvar, eps)
        return dz, 0.5 * dz * eps * s

    def kl_and_grads(mu, logvar):
        n = mu.shape[0]
        return ref.gaussian_kl(mu, logvar).mean(), mu / n, 0.5 * (numpy.exp(logvar) - 1.0) / n
    return {"reparameterize": reparameterize, "reparameterize_backward": reparameterize_backward,
            "kl_and_grads": kl_and_grads}


EXERCISE = Exercise(
    "vae_gradients", "tutorials/vae_tutorial.py",
    "the VAE's reparameterised sample and the gradient through it, and the KL term with its gradients",
    ["reparameterize", "reparameterize_backward", "kl_and_grads"],
    [Part(["reparameterize"], _sample, CASES), Part(["reparameterize_backward"], _sample_backward, CASES),
     Part(["kl_and_grads"], _kl, CASES)],
    _reference,
)
