"""A solution of conv_backward.py: a convolution as one matrix product, through im2col / col2im.

The columns are ordered (n, p, q) and the rows (c, i, j): column (n, p, q) is the patch of
example n whose top-left corner is at (p stride, q stride).
"""
import numpy


def _out_size(h, w, kh, kw, stride, padding):
    return (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1


def im2col(x, kh, kw, stride, padding):
    n, c, h, w = x.shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    xpad = numpy.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = numpy.zeros((c, kh, kw, n, ho, wo))
    for i in range(kh):                  # one kernel offset at a time: every patch's (i, j) entry
        for j in range(kw):
            window = xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]   # (N, C, Ho, Wo)
            cols[:, i, j] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * ho * wo)


def col2im(cols, x_shape, kh, kw, stride, padding):
    n, c, h, w = x_shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    cols = cols.reshape(c, kh, kw, n, ho, wo)
    xpad = numpy.zeros((n, c, h + 2 * padding, w + 2 * padding))
    for i in range(kh):
        for j in range(kw):
            # ADD: overlapping patches read the same pixel, so their gradients add up
            xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += cols[:, i, j].transpose(1, 0, 2, 3)
    return xpad[:, :, padding:padding + h, padding:padding + w]     # cut the padding off


def conv_forward(x, W, b, stride=1, padding=0):
    n, _, h, w = x.shape
    f, _, kh, kw = W.shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    Y = W.reshape(f, -1) @ im2col(x, kh, kw, stride, padding) + b[:, None]   # (F, N Ho Wo)
    return Y.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)                     # back to NCHW


def conv_backward(dout, x, W, b, stride=1, padding=0):
    f, _, kh, kw = W.shape
    X = im2col(x, kh, kw, stride, padding)                  # the forward pass was Y = W_r X + b
    dY = dout.transpose(1, 0, 2, 3).reshape(f, -1)          # dout in Y's layout (F, N Ho Wo)
    dW = (dY @ X.T).reshape(W.shape)
    db = dY.sum(axis=1)                                     # every example and every output position
    dx = col2im(W.reshape(f, -1).T @ dY, x.shape, kh, kw, stride, padding)
    return dx, dW, db
