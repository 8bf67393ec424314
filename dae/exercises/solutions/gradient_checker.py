"""A solution of gradient_checker.py: central differences, one entry at a time."""
import numpy


def numerical_gradient(f, x, eps=1e-5):
    grad = numpy.zeros(x.shape)           # float64, shaped like x
    for i in numpy.ndindex(x.shape):      # every entry of an array of any shape
        old = x[i]
        x[i] = old + eps                  # x + eps e_i
        f_plus = f(x)
        x[i] = old - eps                  # x - eps e_i
        f_minus = f(x)
        x[i] = old                        # put x back exactly as it was given
        grad[i] = (f_plus - f_minus) / (2 * eps)   # the central difference: error O(eps^2)
    return grad
