"""Loss layers on a minibatch of N rows: ``cost, cache = loss.forward(a, target)``;
``da, [] = loss.backward(dcost, cache)`` (dcost = 1.0 for the cost itself).

SoftmaxCrossEntropy (the logistic regression's negative log-likelihood of integer labels y)::

    log P = a - logsumexp(a)          (rows shifted by their maximum: stable)
    cost  = - mean_i log P[i, y_i]    da = (P - onehot(y)) / N

SigmoidCrossEntropy (Bernoulli targets x in [0, 1] under z = s(a), summed over units)::

    cost = mean_i sum_k [ softplus(a_ik) - x_ik a_ik ]          da = (z - x) / N
    softplus(a) = max(a, 0) - log s(|a|),   s(|a|) = (1 + |tanh(a / 2)|) / 2 in [1/2, 1]

    One tanh gives both z = (1 + tanh(a / 2)) / 2 and the cost, and the log is only ever
    taken of a number in [1/2, 1]: nothing overflows, nothing is log(0).

SquaredError (targets x, outputs z)::

    cost = mean_i sum_k (z_ik - x_ik)^2                        dz = 2 (z - x) / N
"""
from .. import backend
from .. import functions


class SoftmaxCrossEntropy:
    def forward(self, a, y):
        xp = backend.array_module(a)
        logp = functions.log_softmax(a)
        return -logp[xp.arange(a.shape[0]), y].mean(), (y, logp)

    def backward(self, dcost, cache):
        y, logp = cache
        xp = backend.array_module(logp)
        n = logp.shape[0]
        d = xp.exp(logp)                      # P(Y | x)
        d[xp.arange(n), y] -= 1.0             # P - onehot(y)
        d /= n
        if dcost != 1.0:
            d *= dcost
        return d, []


class SigmoidCrossEntropy:
    def forward(self, a, x):
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
        xp.multiply(x, a, out=work)
        terms -= work                         # softplus(a) - x a
        return terms.sum() / n, (x, z)

    def backward(self, dcost, cache):
        x, z = cache
        d = z - x
        d *= dcost / x.shape[0]
        return d, []


class SquaredError:
    def forward(self, z, x):
        d = z - x
        return (d * d).sum(axis=1).mean(), d

    def backward(self, dcost, d):
        return d * (2.0 * dcost / d.shape[0]), []
