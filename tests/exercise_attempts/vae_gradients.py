import numpy


def reparameterize(mu, logvar, eps):
    return mu + numpy.exp(logvar / 2) * eps


def reparameterize_backward(dz, mu, logvar, eps):
    return dz, dz * eps * numpy.exp(logvar / 2) / 2


def kl_and_grads(mu, logvar):
    n = mu.shape[0]
    kl = -0.5 * (1 + logvar - mu ** 2 - numpy.exp(logvar)).sum(axis=1).mean()
    return kl, mu / n, (numpy.exp(logvar) - 1) / (2 * n)
