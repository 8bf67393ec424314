"""Loss layers, and the one table of them: ``LOSSES[name]`` is the class.

A loss is a layer whose output is the minibatch cost. Its second input, the target, is a
keyword of ``forward`` (the one form of every layer's extra input, see dae/layers/__init__.py)::

    cost, cache = loss.forward(a, target=t)
    da, [] = loss.backward(dcost, cache)          (dcost = 1.0 for the cost itself)

SoftmaxCrossEntropy ("negative_log_likelihood": the logistic regression's cost, integer labels y)::

    log P = a - logsumexp(a)          (rows shifted by their maximum: stable)
    cost  = - mean_i log P[i, y_i]    da = (P - onehot(y)) / N

SigmoidCrossEntropy ("cross_entropy": Bernoulli targets x in [0, 1] under z = s(a), summed over units)::

    cost = mean_i sum_k [ softplus(a_ik) - x_ik a_ik ]          da = (z - x) / N
    softplus(a) = max(a, 0) - log s(|a|),   s(|a|) = (1 + |tanh(a / 2)|) / 2 in [1/2, 1]

    One tanh gives both z = (1 + tanh(a / 2)) / 2 and the cost, and the log is only ever
    taken of a number in [1/2, 1]: nothing overflows, nothing is log(0).

SquaredError ("squared_error": targets x, outputs z)::

    cost = mean_i sum_k (z_ik - x_ik)^2                        dz = 2 (z - x) / N
"""
from collections import namedtuple

from .. import backend
from .. import functions

SoftmaxCache = namedtuple("SoftmaxCache", "target log_p")
SigmoidCache = namedtuple("SigmoidCache", "target z")
SquaredCache = namedtuple("SquaredCache", "difference")


class _Loss:
    params, param_names = [], []

    def __repr__(self):
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(_Loss):
    def forward(self, a, *, target):
        xp = backend.array_module(a)
        log_p = functions.log_softmax(a)
        return -log_p[xp.arange(a.shape[0]), target].mean(), SoftmaxCache(target, log_p)

    def backward(self, dcost, cache):
        xp = backend.array_module(cache.log_p)
        n = cache.log_p.shape[0]
        d = xp.exp(cache.log_p)                     # P(Y | x)
        d[xp.arange(n), cache.target] -= 1.0        # P - onehot(y)
        d /= n
        if dcost != 1.0:
            d *= dcost
        return d, []


class SigmoidCrossEntropy(_Loss):
    def forward(self, a, *, target):
        xp = backend.array_module(a)
        n = a.shape[0]
        z = xp.multiply(a, 0.5)
        xp.tanh(z, out=z)                     # t = tanh(a / 2)
        work = xp.abs(z)
        work += 1.0
        work *= 0.5                           # s(|a|)
        xp.log(work, out=work)
        z += 1.0
        z *= 0.5                              # z = s(a)
        terms = xp.maximum(a, 0.0)
        terms -= work                         # softplus(a)
        xp.multiply(target, a, out=work)
        terms -= work                         # softplus(a) - x a
        return terms.sum() / n, SigmoidCache(target, z)

    def backward(self, dcost, cache):
        d = cache.z - cache.target
        d *= dcost / cache.target.shape[0]
        return d, []


class SquaredError(_Loss):
    def forward(self, z, *, target):
        d = z - target
        return (d * d).sum(axis=1).mean(), SquaredCache(d)

    def backward(self, dcost, cache):
        d = cache.difference
        return d * (2.0 * dcost / d.shape[0]), []


LOSSES = {"cross_entropy": SigmoidCrossEntropy, "squared_error": SquaredError,
          "negative_log_likelihood": SoftmaxCrossEntropy}


def loss(name):
    """A new loss layer by name: 'cross_entropy', 'squared_error' or 'negative_log_likelihood'."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {tuple(LOSSES)}, got {name!r}")
    return LOSSES[name]()
