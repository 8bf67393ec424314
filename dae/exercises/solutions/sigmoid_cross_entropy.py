"""A solution of sigmoid_cross_entropy.py: a sigmoid that never overflows, the loss from the logits."""
import numpy


def sigmoid(a):
    # s(a) = (1 + tanh(a / 2)) / 2: tanh never overflows, for any a
    return 0.5 * (1.0 + numpy.tanh(0.5 * a))


def cross_entropy_from_logits(x, a):
    # log s(a) = -softplus(-a) and log(1 - s(a)) = -softplus(a), with softplus(t) = log(1 + exp(t));
    # since softplus(-a) = softplus(a) - a, the loss per entry is softplus(a) - x a
    softplus = numpy.logaddexp(0.0, a)      # log(exp(0) + exp(a)), computed without overflow
    return numpy.sum(softplus - x * a, axis=1)   # one loss per row: shape (N,)


def cross_entropy_grad(x, a):
    # d/da [softplus(a) - x a] = s(a) - x: the sigmoid's derivative cancels against the log's
    return sigmoid(a) - x
