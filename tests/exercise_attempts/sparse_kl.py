import numpy


def kl_penalty_and_grad(y, rho, weight):
    n = y.shape[0]
    q = y.mean(axis=0)
    kl = rho * numpy.log(rho / q) + (1 - rho) * numpy.log((1 - rho) / (1 - q))
    dq = weight * (-rho / q + (1 - rho) / (1 - q))
    return weight * kl.sum(), numpy.tile(dq / n, (n, 1))
