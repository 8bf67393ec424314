"""2-D convolution by hand: im2col, col2im and the :class:`Conv2D` layer.

Inside, every array is *channel-major*, (C, N, H, W): then the columns of im2col are already
ordered (n, p, q), each convolution is one matrix product whose result is the next layer's
input as it stands (no transpose), and the bias and the ReLU work on contiguous rows.
``Conv2D(..., layout="NCHW")`` (the default) takes and returns (N, C, H, W) like every library;
``layout="CNHW"`` skips the two transposes, for networks that keep the channel-major layout
throughout (the ConvAutoencoder does).
"""
import math
from collections import namedtuple

import numpy

from .. import backend
from .. import config
from .. import kernels
from ..validation import check_choice, check_param, check_positive_int, check_rng

LAYOUTS = ("NCHW", "CNHW")
# what Conv2D.backward reads: the input's (C, N, H, W) shape, and either the padded input
# (output side) or its im2col columns (input side); with stride 1, the padded input and its
# shifted copies (input side; see correlate_flat); or, after the compiled direct convolution
# (dae/kernels.py), the input x itself
ConvCache = namedtuple("ConvCache", "x_shape_cn xpad cols x", defaults=(None,))


def _pair(value, name):
    """An int or a pair of ints -> a pair of positive ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return tuple(check_positive_int(v, name) for v in value)
    v = check_positive_int(value, name)
    return (v, v)


def _check_nonnegative_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_4d(x, name, channels=None, axis=1):
    """x must be 4-D, with ``channels`` on ``axis`` when given."""
    if not hasattr(x, "ndim") or x.ndim != 4:
        raise ValueError(f"{name} must be a 4-D array (examples, channels, height, width), "
                         f"got shape {tuple(getattr(x, 'shape', ()))}")
    if channels is not None and x.shape[axis] != channels:
        raise ValueError(f"{name} must have {channels} channels (axis {axis}), got shape {tuple(x.shape)}")


def init_normal(numpy_rng, shape, fan_in, dtype):
    """He initialisation for ReLU networks: N(0, 2 / fan_in), drawn on the host."""
    return backend.xp.asarray(numpy.asarray(numpy_rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape), dtype=dtype))


def conv_output_size(size, kernel, stride, padding):
    """floor((size + 2 padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def pad_cn(x_cn, padding, padding_w=None):
    """x (C, N, H, W), any strides -> xpad (C, N, H + 2 padding, W + 2 padding_w), contiguous, zeros
    around (padding_w defaults to padding)."""
    xp = backend.array_module(x_cn)
    ph, pw = padding, padding if padding_w is None else padding_w
    c, n, h, w = x_cn.shape
    if ph == 0 and pw == 0:
        return xp.ascontiguousarray(x_cn)
    if kernels.active(x_cn):
        return kernels.pad(x_cn, ph, pw)
    out = xp.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=x_cn.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x_cn
    return out


def _windows(hp, wp, kernel, stride):
    """(Ho, Wo) and, for kernel offset (i, j), the slices of the padded map that it reads."""
    kh, kw = kernel
    ho, wo = (hp - kh) // stride + 1, (wp - kw) // stride + 1

    def at(i, j):
        return (slice(i, i + stride * (ho - 1) + 1, stride), slice(j, j + stride * (wo - 1) + 1, stride))
    return ho, wo, at


def strided_view(a, shape, strides):
    """A view of the contiguous array ``a`` with the given shape and byte strides (no copy).

    NumPy's own ``as_strided`` costs tens of microseconds a call; ``numpy.ndarray`` on a's buffer
    is the same view for a fraction of that (other backends use their ``as_strided``)."""
    if isinstance(a, numpy.ndarray) and a.flags.c_contiguous:
        return numpy.ndarray(shape, a.dtype, a, 0, strides)
    return backend.array_module(a).lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def _padding_pair(padding):
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding, padding)


def im2col_cn(xpad, kernel, stride, padding=0):
    """cols[(c, i, j), (n, p, q)] = xpad[c, n, p s + i, q s + j] for a padded (C, N, Hp, Wp) map.

    Shape (C kh kw, N Ho Wo): a strided *view* of xpad (no Python loop), copied once by the reshape.
    ``padding`` (an int or a (height, width) pair) pads xpad first, by :func:`pad_cn` (the compiled
    kernel reads the zeros without writing the padded map).
    """
    ph, pw = _padding_pair(padding)
    if kernels.active(xpad):
        return kernels.im2col(xpad, kernel, stride, ph, pw)
    xpad = pad_cn(xpad, ph, pw)
    kh, kw = kernel
    c, n, hp, wp = xpad.shape
    ho, wo, _ = _windows(hp, wp, kernel, stride)
    s_c, s_n, s_h, s_w = xpad.strides
    view = strided_view(xpad, (c, kh, kw, n, ho, wo), (s_c, s_h, s_w, s_n, s_h * stride, s_w * stride))
    return view.reshape(c * kh * kw, n * ho * wo)


def im2col(x, kernel, stride, padding):
    """Unfold the patches of x (N, C, H, W) into columns, channel-major.

    cols[(c, i, j), (n, p, q)] = xpad[n, c, p * stride + i, q * stride + j]

    shape (C * kh * kw, N * Ho * Wo).
    """
    return im2col_cn(x.transpose(1, 0, 2, 3), kernel, stride, padding)


def col2im_cn(cols, x_shape_cn, kernel, stride, padding):
    """The adjoint of :func:`im2col_cn` (then the padding cut off), in the (C, N, H, W) layout.

    dxpad[c, n, p * stride + i, q * stride + j] += cols[(c, i, j), (n, p, q)]

    One strided slice-add per kernel offset (i, j): kh * kw vectorised additions, no scatter.
    """
    if kernels.active(cols):
        return kernels.col2im(cols, x_shape_cn, kernel, stride, padding)
    xp = backend.array_module(cols)
    c, n, h, w = x_shape_cn
    kh, kw = kernel
    hp, wp = h + 2 * padding, w + 2 * padding
    ho, wo, at = _windows(hp, wp, kernel, stride)
    cols6 = cols.reshape(c, kh, kw, n, ho, wo)
    dxpad = xp.zeros((c, n, hp, wp), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxpad[(slice(None), slice(None)) + at(i, j)] += cols6[:, i, j]
    return dxpad[:, :, padding:padding + h, padding:padding + w]


def col2im(cols, x_shape, kernel, stride, padding):
    """The adjoint of :func:`im2col`: returns dx (N, C, H, W) with the padding cut off."""
    n, c, h, w = x_shape
    return col2im_cn(cols, (c, n, h, w), kernel, stride, padding).transpose(1, 0, 2, 3)


def correlate_cn(xpad, W, stride, padding=0):
    """y[f, n, p, q] = sum_{c, i, j} W[f, c, i, j] xpad[c, n, p s + i, q s + j], y (F, N, Ho, Wo)
    (xpad padded by ``padding`` first, an int or a (height, width) pair).

    Two ways to the same sums, whichever moves fewer numbers:

    - input side (F >= C): Y = W_r X with X = im2col(xpad) (C kh kw, N Ho Wo), W_r = W as (F, C kh kw);
    - output side (F < C, e.g. 16 -> 3): multiply first, then shift and add,
      Z[(f, i, j), (n, r, t)] = sum_c W[f, c, i, j] xpad[c, n, r, t];
      y[f, n, p, q] = sum_{i, j} Z[(f, i, j), n, p s + i, q s + j], moving F kh kw values per pixel
      instead of C kh kw (the sum over (i, j) is one reduction over a strided view of Z).

    Returns (y, cols), cols None on the output side.
    """
    f, c, kh, kw = W.shape
    ph, pw = _padding_pair(padding)
    _, n, hp, wp = xpad.shape
    ho, wo, _ = _windows(hp + 2 * ph, wp + 2 * pw, (kh, kw), stride)
    if f >= c:
        cols = im2col_cn(xpad, (kh, kw), stride, (ph, pw))
        return (W.reshape(f, -1) @ cols).reshape(f, n, ho, wo), cols
    xpad = pad_cn(xpad, ph, pw)
    hp, wp = xpad.shape[2:]
    Wt = W.transpose(0, 2, 3, 1).reshape(f * kh * kw, c)
    Z = (Wt @ xpad.reshape(c, -1)).reshape(f, kh, kw, n, hp, wp)
    z_f, z_i, z_j, z_n, z_h, z_w = Z.strides
    shifted = strided_view(Z, (kh, kw, f, n, ho, wo),  # shifted[i, j, f, n, p, q] = Z[f, i, j, n, p s + i, q s + j]
                           (z_i + z_h, z_j + z_w, z_f, z_n, z_h * stride, z_w * stride))
    if kernels.active(Z):
        return kernels.shift_add(Z, ho, wo, stride), None
    return shifted.sum(axis=(0, 1)), None


def shifted_copies(a, kernel, pitch, length, start=0, rows=None):
    """S[(r, i, j), m] = a.flat[r M + start + m + i pitch + j] for m < length, from a contiguous (R, M) array:
    the kh kw shifted copies of each of its first ``rows`` rows (all by default), shape (rows kh kw, length).

    A row's reads may run on into the next row, never past the end of a. One contiguous copy per
    (r, i, j), from a strided view (no Python loop)."""
    kh, kw = kernel
    rows = a.shape[0] if rows is None else rows
    s = a.itemsize
    view = strided_view(a.reshape(-1)[start:], (rows, kh, kw, length), (a.shape[1] * s, pitch * s, s, s))
    return view.reshape(rows * kh * kw, length)


# OpenBLAS runs the conv layers' products, one side 3 to 144 long and the other thousands of grid
# positions, at about 60% of its rate in one call, and near it in runs of ~768 positions
# (the runs of python benchmarks/conv_limits.py): the two helpers below make those runs. On a GPU they are
# one call.
PRODUCT_RUN = 768


def product_long(a, b):
    """a @ b with a long shared axis (a: (R, K), b: (K, F), K in the thousands: a weight gradient,
    summed over every position of a block), summed over runs of PRODUCT_RUN positions."""
    K = a.shape[1]
    if K <= PRODUCT_RUN or not isinstance(a, numpy.ndarray):
        return a @ b
    out = a[:, :PRODUCT_RUN] @ b[:PRODUCT_RUN]
    for start in range(PRODUCT_RUN, K, PRODUCT_RUN):
        out += a[:, start:start + PRODUCT_RUN] @ b[start:start + PRODUCT_RUN]
    return out


def product_wide(a, b, out=None):
    """a @ b with a long output axis (a: (R, K), b: (K, N), N in the thousands: a layer's maps
    from its weights), into ``out`` (R, N) if given, in runs of PRODUCT_RUN columns."""
    N = b.shape[1]
    if N <= PRODUCT_RUN or not isinstance(b, numpy.ndarray):
        return backend.array_module(b).matmul(a, b, out=out)
    if out is None:
        out = numpy.empty((a.shape[0], N), dtype=numpy.result_type(a, b))
    for start in range(0, N, PRODUCT_RUN):
        numpy.matmul(a, b[:, start:start + PRODUCT_RUN], out=out[:, start:start + PRODUCT_RUN])
    return out


def correlate_flat(xpad, W):
    """Stride 1 on the padded grid, flattened: with m = (n Hp + r) Wp + t, kernel offset (i, j) is a shift
    by i Wp + j, and

        Y[f, m] = sum_{c, i, j} W[f, c, i, j] xpad[c, m + i Wp + j]

    so y = Y[:, :, :Ho, :Wo] (the other positions are windows that run off a row or an image: not
    used). Every copy is of contiguous runs, and no row is a power of two long. Returns (Y, X):

    - input side (F >= C): Y = W_r X, X = the shifted copies of xpad (C kh kw, L), L = the last
      valid m + 1;
    - output side (F < C): multiply first, Z = W_t xpad (F kh kw, M), then add the shifted rows,
      Y[f, m] = sum_{i, j} Z[(f, i, j), m + i Wp + j]; X is None.
    """
    f, c, kh, kw = W.shape
    _, n, hp, wp = xpad.shape
    xp = backend.array_module(xpad)
    M = n * hp * wp
    L = M - (kh - 1) * wp - (kw - 1)
    xflat = xpad.reshape(c, M)
    Y = xp.empty((f, n, hp, wp), dtype=xpad.dtype)
    Yflat = Y.reshape(f, M)[:, :L]
    if f >= c:
        X = shifted_copies(xflat, (kh, kw), wp, L)
        product_wide(W.reshape(f, -1), X, out=Yflat)
        return Y, X
    Z = product_wide(W.transpose(0, 2, 3, 1).reshape(f * kh * kw, c), xflat)
    s = Z.itemsize
    shifted = strided_view(Z, (kh, kw, f, L), ((kw * M + wp) * s, (M + 1) * s, kh * kw * M * s, s))
    shifted.sum(axis=(0, 1), out=Yflat)   # shifted[i, j, f, m] = Z[(f, i, j), m + i Wp + j]
    return Y, None


class Conv2D:
    """2-D convolution (cross-correlation, as in every deep-learning library) with bias.

    ``Conv2D(numpy_rng, in_channels, out_channels, kernel_size, stride=1, padding=0, W=None, b=None,
    layout="NCHW", need_dx=True)``

    Forward, for x (N, C, H, W), W (F, C, kh, kw), b (F,)::

        y[n, f, p, q] = b[f] + sum_{c, i, j} W[f, c, i, j] xpad[n, c, p s + i, q s + j]
        Ho = floor((H + 2 pad - kh) / s) + 1          (Wo likewise)

    As matrices, with X = im2col(x) (C kh kw, N Ho Wo) and W_r = W reshaped (F, C kh kw)::

        Y = W_r X + b                                  (one matrix product; see correlate_cn)

    Backward, given dY = dcost/dy in the same (F, N Ho Wo) layout::

        db = sum over columns of dY        dW_r = dY X^T
        dx = col2im(W_r^T dY)

    and, for stride 1, the same dx as a convolution of dY (no col2im): the adjoint of
    correlating with W is correlating with the flipped, transposed kernel,

        dx[c, n, r, t] = sum_{f, i, j} W[f, c, kh-1-i, kw-1-j] dYpad[f, n, r + i, t + j]

    with dY padded by kh-1-pad (kw-1-pad). On the output side (F < C) dW is the adjoint of the
    shift-and-add: D[(f, i, j), n, p s + i, q s + j] = dY[f, n, p, q] (zeros elsewhere) and
    dW_t = D xpad^T.

    With stride 1 (the NumPy path) all of it runs on the padded grid flattened, where a kernel
    offset (i, j) is a shift by i Wp + j (:func:`correlate_flat`, ``_backward_flat``): every copy
    is then of contiguous runs. All paths give the same numbers (the tests compare each with scipy
    and finite differences).

    ``forward(x) -> (y, cache)``; ``backward(dy, cache) -> (dx, [dW, db])`` (dx is None for a
    layer built with ``need_dx=False``: the first layer skips the input gradient nobody uses).
    """

    def __init__(self, numpy_rng, in_channels, out_channels, kernel_size, stride=1, padding=0, W=None, b=None,
                 layout="NCHW", need_dx=True):
        self.need_dx = bool(need_dx)
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = check_positive_int(stride, "stride")
        self.padding = _check_nonnegative_int(padding, "padding")
        self.layout = check_choice(layout, "layout", LAYOUTS)
        xp = backend.xp
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        if W is None:
            check_rng(numpy_rng, "numpy_rng")
            W = init_normal(numpy_rng, shape, self.in_channels * self.kernel_size[0] * self.kernel_size[1],
                            config.floatX)
        else:
            check_param(W, "W", shape, xp)
        if b is None:
            b = xp.zeros(self.out_channels, dtype=W.dtype)
        else:
            check_param(b, "b", (self.out_channels,), xp)
        self.W, self.b = W, b
        self.xp = xp
        self.params = [self.W, self.b]
        self.param_names = ["W", "b"]

    def output_shape(self, height, width, name="x"):
        """(Ho, Wo) for an input of (height, width); ValueError when the kernel does not fit."""
        kh, kw = self.kernel_size
        hp, wp = height + 2 * self.padding, width + 2 * self.padding
        if kh > hp or kw > wp:
            raise ValueError(
                f"kernel_size {self.kernel_size} is larger than the padded input {(hp, wp)} "
                f"({name} is {height}x{width}, padding {self.padding})")
        return conv_output_size(height, kh, self.stride, self.padding), conv_output_size(width, kw, self.stride, self.padding)

    def forward(self, x):
        cn = self.layout == "CNHW"
        check_4d(x, "x", self.in_channels, axis=0 if cn else 1)
        x_cn = x if cn else x.transpose(1, 0, 2, 3)
        ho, wo = self.output_shape(x.shape[2], x.shape[3])
        if self._direct(x_cn):
            y = kernels.correlate(x_cn, self.W, self.b, (self.padding, self.padding))
            return (y if cn else y.transpose(1, 0, 2, 3)), ConvCache(x_cn.shape, None, None, x_cn)
        if self.stride == 1:                       # shifts of the flattened padded map
            xpad = pad_cn(x_cn, self.padding)
            Y, cols = correlate_flat(xpad, self.W)
            y = Y[:, :, :ho, :wo] + self.b[:, None, None, None]
            return (y if cn else y.transpose(1, 0, 2, 3)), ConvCache(x_cn.shape, xpad, cols)
        if self.out_channels >= self.in_channels:  # input side: the padding goes into im2col
            xpad = None
            y, cols = correlate_cn(x_cn, self.W, self.stride, self.padding)
        else:                                      # output side: the padded input is kept for dW
            xpad = pad_cn(x_cn, self.padding)
            y, cols = correlate_cn(xpad, self.W, self.stride)
        y += self.b[:, None, None, None]
        cache = ConvCache(x_cn.shape, xpad if cols is None else None, cols)
        return (y if cn else y.transpose(1, 0, 2, 3)), cache

    def _direct(self, x_cn):
        """Whether the compiled direct convolution runs (dae/kernels.py): numba kernels on, stride 1,
        and a padding that the flipped kernel of dx can mirror."""
        return kernels.active(x_cn, self.W) and self.stride == 1 and self.padding <= min(self.kernel_size) - 1

    def _direct_backward(self, dY, x_cn):
        kh, kw = self.kernel_size
        dW, db = kernels.correlate_grads(x_cn, dY, self.kernel_size, (self.padding, self.padding))
        if not self.need_dx:
            return None, [dW, db]
        W_adj = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)   # as in backward below
        zeros = numpy.zeros(self.in_channels, dtype=dY.dtype)
        dx_cn = kernels.correlate(dY, W_adj, zeros, (kh - 1 - self.padding, kw - 1 - self.padding))
        return (dx_cn if self.layout == "CNHW" else dx_cn.transpose(1, 0, 2, 3)), [dW, db]

    def _backward_flat(self, dY, xpad, X):
        """Stride 1, on the padded grid of :func:`correlate_flat`: dY goes onto xpad's grid (zeros where
        y had no valid window) after a row of zeros, G (F + 1, M) with dY in G[1:]; then

            D[(f, i, j), m] = dY[f, m - (kh-1-i) Wp - (kw-1-j)]      (shifted copies of G, kernel flipped)
            dW_r = dY X^T                 (input side: X the forward's shifted copies)
            dW_flipped = D xpad^T         (output side)
            dxpad = W_adj D               with W_adj[c, (f, i, j)] = W[f, c, kh-1-i, kw-1-j]   (F <= C)
            dxpad[c, m + i Wp + j] += (W_r^T dY)[(c, i, j), m]     (F > C: col2im, kh kw shifted adds)

        and dx is dxpad without its padding. Returns (dx_cn, dW, db)."""
        xp = backend.array_module(dY)
        f, c, kh, kw = self.W.shape
        _, n, hp, wp = xpad.shape
        ho, wo, pad = dY.shape[2], dY.shape[3], self.padding
        M, L = n * hp * wp, n * hp * wp - (kh - 1) * wp - (kw - 1)
        G = xp.zeros((f + 1, M), dtype=dY.dtype)
        G[1:].reshape(f, n, hp, wp)[:, :, :ho, :wo] = dY
        db = dY.sum(axis=(1, 2, 3))
        D = None
        if X is not None:
            dW = product_long(X, G[1:, :L].T).T.reshape(self.W.shape)   # dW_r^T = X dY^T: the faster product
        else:
            D = shifted_copies(G, (kh, kw), wp, M, start=M - (kh - 1) * wp - (kw - 1), rows=f)
            dW_flipped = product_long(D, xpad.reshape(c, M).T).reshape(f, kh, kw, c)
            dW = dW_flipped[:, ::-1, ::-1].transpose(0, 3, 1, 2)
        if not self.need_dx:
            return None, dW, db
        if f <= c:
            if D is None:
                D = shifted_copies(G, (kh, kw), wp, M, start=M - (kh - 1) * wp - (kw - 1), rows=f)
            W_adj = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, -1)
            dxpad = product_wide(W_adj, D).reshape(c, n, hp, wp)
        else:
            Q = product_wide(self.W.reshape(f, -1).T, G[1:, :L]).reshape(c, kh, kw, L)
            dxpad = xp.zeros((c, n, hp, wp), dtype=dY.dtype)
            dxflat = dxpad.reshape(c, M)
            for i in range(kh):
                for j in range(kw):
                    dxflat[:, i * wp + j:i * wp + j + L] += Q[:, i, j]
        return dxpad[:, :, pad:hp - pad, pad:wp - pad], dW, db

    def backward(self, dy, cache):
        x_shape_cn, xpad, cols, x_cn = cache
        xp = backend.array_module(dy)
        dY = dy if self.layout == "CNHW" else dy.transpose(1, 0, 2, 3)  # (F, N, Ho, Wo)
        if x_cn is not None:
            return self._direct_backward(xp.ascontiguousarray(dY), x_cn)
        if self.stride == 1:
            dx_cn, dW, db = self._backward_flat(dY, xpad, cols)
        else:
            dx_cn, dW, db = self._backward_strided(xp.ascontiguousarray(dY), x_shape_cn, xpad, cols)
        if dx_cn is None:
            return None, [dW, db]
        return (dx_cn if self.layout == "CNHW" else dx_cn.transpose(1, 0, 2, 3)), [dW, db]

    def _backward_strided(self, dY, x_shape_cn, xpad, cols):
        """Stride > 1: dW from im2col's columns (input side) or the adjoint of the shift-and-add (output
        side), dx by col2im. Returns (dx_cn, dW, db)."""
        xp = backend.array_module(dY)
        f, c, kh, kw = self.W.shape
        s, pad = self.stride, self.padding
        db = dY.reshape(f, -1).sum(axis=1)
        if cols is not None:  # input side: dW_r = dY X^T
            dW = (dY.reshape(f, -1) @ cols.T).reshape(self.W.shape)
        else:  # output side: the adjoint of the shift-and-add, then dW_t = D xpad^T
            _, n, hp, wp = xpad.shape
            _, _, at = _windows(hp, wp, self.kernel_size, s)
            D = xp.zeros((f, kh, kw, n, hp, wp), dtype=dY.dtype)
            for i in range(kh):
                for j in range(kw):
                    D[(slice(None), i, j, slice(None)) + at(i, j)] = dY
            dW = (D.reshape(f * kh * kw, -1) @ xpad.reshape(c, -1).T).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)
        if not self.need_dx:
            return None, dW, db
        dx_cn = col2im_cn(self.W.reshape(f, -1).T @ dY.reshape(f, -1), x_shape_cn, self.kernel_size, s, pad)
        return dx_cn, dW, db

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")

