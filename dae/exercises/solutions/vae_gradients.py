"""A solution of vae_gradients.py: the reparameterised sample, its backward pass, and the KL term."""
import numpy


def reparameterize(mu, logvar, eps):
    std = numpy.exp(logvar / 2)        # logvar is the log of the variance: sd = exp(logvar / 2)
    return mu + std * eps


def reparameterize_backward(dz, mu, logvar, eps):
    std = numpy.exp(logvar / 2)
    dmu = dz                           # dz/dmu = 1
    dlogvar = dz * eps * std / 2       # dz/dlogvar = eps * d exp(logvar / 2) / dlogvar = eps std / 2
    return dmu, dlogvar


def kl_and_grads(mu, logvar):
    n = mu.shape[0]
    kl_rows = -0.5 * numpy.sum(1 + logvar - mu ** 2 - numpy.exp(logvar), axis=1)
    kl = kl_rows.mean()
    dmu = mu / n                              # d(-1/2 (-mu^2)) / dmu = mu, then the 1/N
    dlogvar = (numpy.exp(logvar) - 1) / (2 * n)   # -1/2 (1 - exp(logvar)), then the 1/N
    return kl, dmu, dlogvar
