import numpy


def numerical_gradient(f, x, eps=1e-5):
    grad = numpy.zeros_like(x, dtype=float)
    for i in numpy.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad
