"""A solution of softmax_mlp.py: softmax regression, then one sigmoid hidden layer under it."""
import numpy


def _nll_and_dscores(a, y):
    """The mean negative log-likelihood of the scores a (N, K) and its gradient dcost/da."""
    n = a.shape[0]
    a = a - a.max(axis=1, keepdims=True)                  # changes no probability, prevents overflow
    log_p = a - numpy.log(numpy.exp(a).sum(axis=1, keepdims=True))   # log softmax
    rows = numpy.arange(n)
    cost = -log_p[rows, y].mean()
    d_a = numpy.exp(log_p)                                # softmax(a) ...
    d_a[rows, y] -= 1.0                                   # ... minus the one-hot target
    return cost, d_a / n                                  # the 1/N of the mean


def softmax_cost_and_grads(W, b, x, y):
    cost, d_a = _nll_and_dscores(x @ W + b, y)
    return cost, x.T @ d_a, d_a.sum(axis=0)               # a = x W + b


def mlp_cost_and_grads(W1, b1, W2, b2, x, y):
    h = 1.0 / (1.0 + numpy.exp(-(x @ W1 + b1)))           # the hidden layer, (N, H)
    cost, d_a = _nll_and_dscores(h @ W2 + b2, y)          # the classifier on h
    gW2, gb2 = h.T @ d_a, d_a.sum(axis=0)
    d_h = d_a @ W2.T                                      # back through a = h W2 + b2
    d_pre = d_h * h * (1 - h)                             # through the sigmoid: s' from its output h
    return cost, x.T @ d_pre, d_pre.sum(axis=0), gW2, gb2
