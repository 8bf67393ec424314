import numpy


def _log_softmax(a):
    a = a - a.max(axis=1, keepdims=True)
    return a - numpy.log(numpy.exp(a).sum(axis=1, keepdims=True))


def softmax_cost_and_grads(W, b, x, y):
    n = x.shape[0]
    logp = _log_softmax(x @ W + b)
    cost = -logp[numpy.arange(n), y].mean()
    d = numpy.exp(logp)
    d[numpy.arange(n), y] -= 1
    d /= n
    return cost, x.T @ d, d.sum(axis=0)


def mlp_cost_and_grads(W1, b1, W2, b2, x, y):
    h = 1 / (1 + numpy.exp(-(x @ W1 + b1)))
    cost, gW2, gb2 = softmax_cost_and_grads(W2, b2, h, y)
    n = x.shape[0]
    logp = _log_softmax(h @ W2 + b2)
    d = numpy.exp(logp)
    d[numpy.arange(n), y] -= 1
    dh = (d / n) @ W2.T
    da = dh * h * (1 - h)
    return cost, x.T @ da, da.sum(axis=0), gW2, gb2
