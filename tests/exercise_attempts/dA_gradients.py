import numpy


def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
    n = x.shape[0]
    y = 1 / (1 + numpy.exp(-(x_tilde @ W + b)))
    a = y @ W.T + b_prime
    z = 1 / (1 + numpy.exp(-a))
    cost = -numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1).mean()
    dz = (z - x) / n
    da = (dz @ W) * y * (1 - y)
    gW = x_tilde.T @ da + dz.T @ y
    return cost, gW, da.sum(axis=0), dz.sum(axis=0)
