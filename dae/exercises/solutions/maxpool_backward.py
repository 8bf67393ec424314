"""A solution of maxpool_backward.py: max pooling with switches, and its backward pass.

Ties: numpy.argmax returns the first maximum of the flattened window, i.e. the first in
row-major order, which is the rule.
"""
import numpy


def maxpool_forward(x, size=2):
    n, c, h, w = x.shape
    # (N, C, H/size, size, W/size, size) -> the two window axes last, flattened row-major
    windows = x.reshape(n, c, h // size, size, w // size, size).transpose(0, 1, 2, 4, 3, 5)
    windows = windows.reshape(n, c, h // size, w // size, size * size)
    switches = windows.argmax(axis=-1)       # k = i size + j: the first maximum of its window
    return windows.max(axis=-1), switches


def maxpool_backward(dout, switches, size=2):
    n, c, ho, wo = dout.shape
    k = numpy.arange(size * size)
    # each window's dout goes to its switch only, 0 to the other positions
    dwindows = (k == switches[..., None]) * dout[..., None]          # (N, C, Ho, Wo, size^2)
    dwindows = dwindows.reshape(n, c, ho, wo, size, size).transpose(0, 1, 2, 4, 3, 5)
    return dwindows.reshape(n, c, ho * size, wo * size)
