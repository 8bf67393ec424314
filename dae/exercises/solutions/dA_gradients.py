"""A solution of dA_gradients.py: the tied-weight dA's cost and gradients, backwards step by step."""
import numpy


def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
    n = x.shape[0]

    # forward: encode the corrupted input, decode with the tied weights W^T
    y = 1.0 / (1.0 + numpy.exp(-(x_tilde @ W + b)))       # (N, n_hidden)
    a = y @ W.T + b_prime                                  # the decoder's pre-activation (N, n_visible)
    z = 1.0 / (1.0 + numpy.exp(-a))                        # the reconstruction
    # the cross-entropy against the CLEAN x, summed over the pixels, averaged over the rows
    cost = -numpy.mean(numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1))

    # backward. Cross-entropy on a sigmoid: dcost/da = (z - x) / N (the 1/N of the mean)
    d_a = (z - x) / n                                      # (N, n_visible)
    d_y = d_a @ W                                          # through a = y W^T + b'
    d_pre = d_y * y * (1 - y)                              # through y = s(pre): s' = y (1 - y)

    # W is used twice: by the encoder (pre = x_tilde W + b) and by the decoder (a = y W^T + b')
    gW = x_tilde.T @ d_pre + d_a.T @ y                     # encoder's term + decoder's term, (n_visible, n_hidden)
    gb = d_pre.sum(axis=0)                                 # (n_hidden,)
    gb_prime = d_a.sum(axis=0)                             # (n_visible,)
    return cost, gW, gb, gb_prime
