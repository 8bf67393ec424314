import numpy


def im2col(x, kh, kw, stride, padding):
    n, c, h, w = x.shape
    xp = numpy.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    cols = numpy.zeros((c, kh, kw, n, ho, wo))
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride].transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * ho * wo)


def col2im(cols, x_shape, kh, kw, stride, padding):
    n, c, h, w = x_shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    cols = cols.reshape(c, kh, kw, n, ho, wo)
    dxp = numpy.zeros((n, c, h + 2 * padding, w + 2 * padding))
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += cols[:, i, j].transpose(1, 0, 2, 3)
    return dxp[:, :, padding:padding + h, padding:padding + w]


def conv_forward(x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    y = W.reshape(f, -1) @ im2col(x, kh, kw, stride, padding) + b[:, None]
    return y.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)


def conv_backward(dout, x, W, b, stride=1, padding=0):
    f, _, kh, kw = W.shape
    cols = im2col(x, kh, kw, stride, padding)
    dY = dout.transpose(1, 0, 2, 3).reshape(f, -1)
    dW = (dY @ cols.T).reshape(W.shape)
    dx = col2im(W.reshape(f, -1).T @ dY, x.shape, kh, kw, stride, padding)
    return dx, dW, dY.sum(axis=1)
