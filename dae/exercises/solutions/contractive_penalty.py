"""A solution of contractive_penalty.py: the cA's Jacobian penalty, W along both of its paths."""
import numpy


def contractive_penalty_and_grads(W, b, x):
    n = x.shape[0]
    h = 1.0 / (1.0 + numpy.exp(-(x @ W + b)))    # (N, n_hidden)
    slope = h * (1 - h)                          # dh/d(pre-activation), per unit
    w = numpy.sum(W ** 2, axis=0)                # w_j = sum_i W_ij^2, (n_hidden,)
    # ||J_n||_F^2 = sum_j slope_nj^2 w_j: no Jacobian is built
    penalty = numpy.sum(slope ** 2 * w) / n      # the mean over the rows (/, never //)

    # path 1, through h: d(slope^2)/dh = 2 slope (1 - 2h), then through the sigmoid (times slope)
    d_h = 2 * slope * (1 - 2 * h) * w / n
    d_pre = d_h * slope
    gb = d_pre.sum(axis=0)
    # path 2, through w_j: d w_j / d W_ij = 2 W_ij
    gW = x.T @ d_pre + 2 * W * (slope ** 2).sum(axis=0) / n
    return penalty, gW, gb
