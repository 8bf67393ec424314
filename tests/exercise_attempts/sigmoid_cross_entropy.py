import numpy


def sigmoid(a):
    out = numpy.empty_like(a, dtype=float)
    pos = a >= 0
    out[pos] = 1 / (1 + numpy.exp(-a[pos]))
    e = numpy.exp(a[~pos])
    out[~pos] = e / (1 + e)
    return out


def cross_entropy_from_logits(x, a):
    return (numpy.logaddexp(0, a) - x * a).sum(axis=1)


def cross_entropy_grad(x, a):
    return sigmoid(a) - x
