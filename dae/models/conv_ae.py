"""A convolutional (denoising) autoencoder for colour images, every gradient by hand.

The layers, each a ``forward`` that returns what its ``backward`` needs, side by side:

- :class:`Conv2D`: 2-D cross-correlation with stride and zero padding, through im2col (a
  strided view and one copy) and a single matrix product; its backward scatters the column
  gradients back with col2im (a loop over the kh * kw kernel offsets, one strided slice-add each).
- :class:`MaxPool2D` and :class:`MaxUnpool2D`: non-overlapping max-pooling that remembers where
  each maximum was (the argmax "switches"), and the unpooling that puts values back there.
- :class:`Upsample2D`: nearest-neighbour upsampling (unpooling that uses no switches).
- :class:`ReLU` and :class:`Dense` (a fully connected layer).
- :class:`ConvAutoencoder`: three convolutions + ReLU on the encoder side (max-pooling after the
  2nd and 3rd), a fully connected layer to a small code and one back, and the mirrored decoder:
  unpooling with the encoder's switches and three convolutions.

Arrays are NCHW: (examples, channels, height, width). Only operations of the array module in
force (``dae.backend.xp``: NumPy or CuPy) touch model arrays: strided views, slices, matrix
products, one-hot comparisons and ``take_along_axis``, no scatter and no NumPy-only call, so
the same code is meant for CuPy (so far it has been run on NumPy only).
"""
import math

import numpy

from .. import backend
from .. import config
from ..corruption import corrupt
from ..functions import cross_entropy_from_logits, sigmoid
from ..random import RandomStreams
from ..validation import check_choice, check_float, check_param, check_positive_int, check_rng


# ----------------------------------------------------------------------------------------------
# im2col / col2im
# ----------------------------------------------------------------------------------------------
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


def conv_output_size(size, kernel, stride, padding):
    """floor((size + 2 padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def pad_cn(x, padding):
    """x (N, C, H, W) -> xpad (C, N, H + 2 padding, W + 2 padding), contiguous, zeros around.

    The channel-major layout makes every matrix below a single 2-D product."""
    xp = backend.array_module(x)
    n, c, h, w = x.shape
    out = xp.zeros((c, n, h + 2 * padding, w + 2 * padding), dtype=x.dtype)
    out[:, :, padding:padding + h, padding:padding + w] = x.transpose(1, 0, 2, 3)
    return out


def _windows(hp, wp, kernel, stride):
    """(Ho, Wo) and, for kernel offset (i, j), the slices of the padded map that it reads."""
    kh, kw = kernel
    ho, wo = (hp - kh) // stride + 1, (wp - kw) // stride + 1
    def at(i, j):
        return (slice(i, i + stride * (ho - 1) + 1, stride), slice(j, j + stride * (wo - 1) + 1, stride))
    return ho, wo, at


def im2col(x, kernel, stride, padding):
    """Unfold the patches of x (N, C, H, W) into columns, channel-major.

    cols[(c, i, j), (n, p, q)] = xpad[n, c, p * stride + i, q * stride + j]

    shape (C * kh * kw, N * Ho * Wo). The patches are read through a strided *view* of the
    padded input (no Python loop); the final reshape makes the one copy.
    """
    xp = backend.array_module(x)
    kh, kw = kernel
    xpad = pad_cn(x, padding)
    c, n, hp, wp = xpad.shape
    ho, wo, _ = _windows(hp, wp, kernel, stride)
    s_c, s_n, s_h, s_w = xpad.strides
    view = xp.lib.stride_tricks.as_strided(
        xpad, shape=(c, kh, kw, n, ho, wo), strides=(s_c, s_h, s_w, s_n, s_h * stride, s_w * stride))
    return view.reshape(c * kh * kw, n * ho * wo)


def col2im(cols, x_shape, kernel, stride, padding):
    """The adjoint of :func:`im2col`: add every column entry back where it was read from.

    dxpad[n, c, p * stride + i, q * stride + j] += cols[(c, i, j), (n, p, q)]

    One strided slice-add per kernel offset (i, j): kh * kw vectorised additions, no scatter.
    Returns (N, C, H, W) with the padding cut off.
    """
    xp = backend.array_module(cols)
    n, c, h, w = x_shape
    kh, kw = kernel
    hp, wp = h + 2 * padding, w + 2 * padding
    ho, wo, at = _windows(hp, wp, kernel, stride)
    cols6 = cols.reshape(c, kh, kw, n, ho, wo)
    dxpad = xp.zeros((c, n, hp, wp), dtype=cols.dtype)  # channel-major, like the columns
    for i in range(kh):
        for j in range(kw):
            dxpad[(slice(None), slice(None)) + at(i, j)] += cols6[:, i, j]
    return dxpad[:, :, padding:padding + h, padding:padding + w].transpose(1, 0, 2, 3)


def _check_4d(x, name, channels=None):
    if not hasattr(x, "ndim") or x.ndim != 4:
        raise ValueError(f"{name} must be a 4-D array (examples, channels, height, width), "
                         f"got shape {tuple(getattr(x, 'shape', ()))}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels (axis 1), got shape {tuple(x.shape)}")


def _init_normal(numpy_rng, shape, fan_in, dtype):
    """He initialisation for ReLU networks: N(0, 2 / fan_in), drawn on the host."""
    return backend.xp.asarray(numpy.asarray(numpy_rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape), dtype=dtype))


# ----------------------------------------------------------------------------------------------
# Layers
# ----------------------------------------------------------------------------------------------
class Conv2D:
    """2-D convolution (cross-correlation, as in every deep-learning library) with bias.

    ``Conv2D(numpy_rng, in_channels, out_channels, kernel_size, stride=1, padding=0, W=None, b=None)``

    Forward, for x (N, C, H, W), W (F, C, kh, kw), b (F,)::

        y[n, f, p, q] = b[f] + sum_{c, i, j} W[f, c, i, j] xpad[n, c, p s + i, q s + j]
        Ho = floor((H + 2 pad - kh) / s) + 1          (Wo likewise)

    As matrices, with X = im2col(x) (C kh kw, N Ho Wo) and W_r = W reshaped (F, C kh kw)::

        Y = W_r X + b                                  (one matrix product)

    Backward, given dY = dcost/dy in the same (F, N Ho Wo) layout::

        dW_r = dY X^T        db = sum over columns of dY
        dX   = W_r^T dY      dx = col2im(dX)

    When the layer has fewer output than input channels (F < C, e.g. the decoder's last layer,
    16 -> 3), unfolding the input would move C kh kw numbers per pixel; the same sums are then
    taken on the *output* side, which moves F kh kw: with W_t (F kh kw, C) and xpad (C, N Hp Wp)::

        Z = W_t xpad                    y[f, n, p, q] = sum_{i,j} Z[(f, i, j), n, p s + i, q s + j]
        D[(f, i, j), n, p s + i, q s + j] = dY[f, n, p, q]      (zeros elsewhere)
        dW_t = D xpad^T                 dxpad = W_t^T D

    Both paths give the same numbers (the tests compare each with scipy and finite differences).

    ``forward(x) -> (y, cache)``; ``backward(dy, cache) -> (dx, [dW, db])`` (dx is None when
    ``need_dx=False``: the first layer skips the col2im nobody uses).
    """

    def __init__(self, numpy_rng, in_channels, out_channels, kernel_size, stride=1, padding=0, W=None, b=None):
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = check_positive_int(stride, "stride")
        self.padding = _check_nonnegative_int(padding, "padding")
        xp = backend.xp
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        if W is None:
            check_rng(numpy_rng, "numpy_rng")
            W = _init_normal(numpy_rng, shape, self.in_channels * self.kernel_size[0] * self.kernel_size[1],
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
        _check_4d(x, "x", self.in_channels)
        n, f = x.shape[0], self.out_channels
        ho, wo = self.output_shape(x.shape[2], x.shape[3])
        if f >= self.in_channels:
            # input side: unfold x (C kh kw rows), one product
            cols = im2col(x, self.kernel_size, self.stride, self.padding)
            y = self.W.reshape(f, -1) @ cols
            cache = ("cols", x.shape, cols)
        else:
            # output side (fewer outputs than inputs): multiply first, then shift and add,
            #   Z[(f, i, j), (n, r, s)] = sum_c W[f, c, i, j] xpad[c, n, r, s]
            #   y[f, n, p, q] = sum_{i, j} Z[(f, i, j), (n, p s + i, q s + j)]
            # which moves F kh kw values per pixel instead of im2col's C kh kw.
            xpad = pad_cn(x, self.padding)
            _, _, hp, wp = xpad.shape
            kh, kw = self.kernel_size
            _, _, at = _windows(hp, wp, self.kernel_size, self.stride)
            Wt = self.W.transpose(0, 2, 3, 1).reshape(f * kh * kw, -1)
            Z = (Wt @ xpad.reshape(xpad.shape[0], -1)).reshape(f, kh, kw, n, hp, wp)
            y = self.xp.zeros((f, n, ho, wo), dtype=Z.dtype)
            for i in range(kh):
                for j in range(kw):
                    y += Z[(slice(None), i, j, slice(None)) + at(i, j)]
            cache = ("shift", x.shape, xpad)
        y = (y.reshape(f, -1) + self.b[:, None]).reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
        return y, cache

    def backward(self, dy, cache, need_dx=True):
        kind, x_shape, saved = cache
        xp = backend.array_module(dy)
        f = self.out_channels
        dY = xp.ascontiguousarray(dy.transpose(1, 0, 2, 3))  # (F, N, Ho, Wo)
        db = dY.reshape(f, -1).sum(axis=1)
        if kind == "cols":
            cols = saved
            dY = dY.reshape(f, -1)
            dW = (dY @ cols.T).reshape(self.W.shape)
            if not need_dx:  # the first layer: nobody needs dcost/dinput
                return None, [dW, db]
            dcols = self.W.reshape(f, -1).T @ dY
            return col2im(dcols, x_shape, self.kernel_size, self.stride, self.padding), [dW, db]
        # output side: D[(f, i, j), (n, p s + i, q s + j)] = dy[f, n, p, q] (the adjoint of the
        # shift-and-add), then dW = D xpad^T and dxpad = W^T D: two products.
        xpad = saved
        c, n, hp, wp = xpad.shape
        kh, kw = self.kernel_size
        _, _, at = _windows(hp, wp, self.kernel_size, self.stride)
        D = xp.zeros((f, kh, kw, n, hp, wp), dtype=dY.dtype)
        for i in range(kh):
            for j in range(kw):
                D[(slice(None), i, j, slice(None)) + at(i, j)] = dY
        D = D.reshape(f * kh * kw, -1)
        X = xpad.reshape(c, -1)
        dW = (D @ X.T).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)
        if not need_dx:
            return None, [dW, db]
        Wt = self.W.transpose(0, 2, 3, 1).reshape(f * kh * kw, c)
        dxpad = (Wt.T @ D).reshape(c, n, hp, wp)
        p = self.padding
        dx = dxpad[:, :, p:hp - p, p:wp - p].transpose(1, 0, 2, 3)
        return dx, [dW, db]

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")


class ReLU:
    """y = max(x, 0);  dx = dy * [x > 0].  ``forward(x) -> (y, mask)``; ``backward(dy, mask) -> dx``."""

    def forward(self, x):
        xp = backend.array_module(x)
        y = xp.maximum(x, 0)
        return y, y > 0

    def backward(self, dy, mask):
        return dy * mask


def _blocks(x, size):
    """(N, C, H, W) -> (N, C, H/size, W/size, size*size): each pooling window on the last axis."""
    n, c, h, w = x.shape
    return (x.reshape(n, c, h // size, size, w // size, size)
            .transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // size, w // size, size * size))


def _unblocks(xb, size):
    """The inverse of :func:`_blocks`."""
    n, c, ho, wo, _ = xb.shape
    return (xb.reshape(n, c, ho, wo, size, size).transpose(0, 1, 2, 4, 3, 5)
            .reshape(n, c, ho * size, wo * size))


def _place(values, switches, size):
    """Put values[n, c, p, q] at window position switches[n, c, p, q]; zeros elsewhere.

    Written as a one-hot product rather than a scatter, so it is one vectorised expression
    on NumPy and CuPy alike.
    """
    xp = backend.array_module(values)
    onehot = switches[..., None] == xp.arange(size * size)
    return _unblocks(onehot * values[..., None], size)


def _gather(x, switches, size):
    """x's value at each window's switch position: (N, C, H/size, W/size)."""
    xp = backend.array_module(x)
    return xp.take_along_axis(_blocks(x, size), switches[..., None], axis=-1)[..., 0]


def _check_divisible(x, size, name, what):
    if x.shape[2] % size or x.shape[3] % size:
        raise ValueError(
            f"{name} of height x width {x.shape[2]}x{x.shape[3]} cannot be {what} with size {size}: "
            f"both must divide by {size} so that unpooling can mirror it")


class MaxPool2D:
    """Non-overlapping max-pooling over size x size windows, remembering the argmax.

    For each window R(p, q) = {(p size + i, q size + j)}::

        y[n, c, p, q] = max over R(p, q) of x[n, c, .]
        s[n, c, p, q] = argmax over R(p, q) (the "switch", 0 .. size^2 - 1)
        dx[n, c, r]   = dy[n, c, p, q] if r is the switch of its window, else 0

    H and W must divide by ``size`` (so that :class:`MaxUnpool2D` restores the exact shape).
    ``forward(x) -> (y, switches)``; ``backward(dy, switches) -> dx``. Ties go to the first
    position, as argmax does.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")

    def forward(self, x):
        _check_4d(x, "x")
        _check_divisible(x, self.size, "x", "max-pooled")
        xb = _blocks(x, self.size)
        switches = xb.argmax(axis=-1)
        return xb.max(axis=-1), switches

    def backward(self, dy, switches):
        return _place(dy, switches, self.size)


class MaxUnpool2D:
    """The mirror of :class:`MaxPool2D`: each value goes back to where its window's max was.

        x[n, c, r] = y[n, c, p, q] if r is the switch s[n, c, p, q] of window (p, q), else 0
        dy[n, c, p, q] = dx[n, c, switch position]          (a gather: the adjoint of the placing)

    ``forward(y, switches) -> (x, switches)``; ``backward(dx, switches) -> dy``.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")

    def forward(self, y, switches):
        _check_4d(y, "y")
        if tuple(switches.shape) != tuple(y.shape):
            raise ValueError(f"switches must have the shape of y {tuple(y.shape)} (the pooled maps they came "
                             f"from), got {tuple(switches.shape)}")
        return _place(y, switches, self.size), switches

    def backward(self, dx, switches):
        return _gather(dx, switches, self.size)


class Upsample2D:
    """Nearest-neighbour upsampling, the switch-free way to undo pooling.

        x[n, c, p size + i, q size + j] = y[n, c, p, q]
        dy[n, c, p, q] = sum over the window of dx

    ``forward(y) -> (x, None)``; ``backward(dx, None) -> dy``.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")

    def forward(self, y, switches=None):
        _check_4d(y, "y")
        xp = backend.array_module(y)
        xb = xp.broadcast_to(y[..., None], y.shape + (self.size * self.size,))
        return _unblocks(xb, self.size), None

    def backward(self, dx, cache=None):
        return _blocks(dx, self.size).sum(axis=-1)


class Dense:
    """A fully connected layer: y = x W + b, x (N, n_in), W (n_in, n_out).

        dx = dy W^T      dW = x^T dy      db = sum over rows of dy

    ``forward(x) -> (y, x)``; ``backward(dy, x) -> (dx, [dW, db])``.
    """

    def __init__(self, numpy_rng, n_in, n_out, W=None, b=None):
        self.n_in = check_positive_int(n_in, "n_in")
        self.n_out = check_positive_int(n_out, "n_out")
        xp = backend.xp
        if W is None:
            check_rng(numpy_rng, "numpy_rng")
            W = _init_normal(numpy_rng, (self.n_in, self.n_out), self.n_in, config.floatX)
        else:
            check_param(W, "W", (self.n_in, self.n_out), xp)
        if b is None:
            b = xp.zeros(self.n_out, dtype=W.dtype)
        else:
            check_param(b, "b", (self.n_out,), xp)
        self.W, self.b = W, b
        self.params = [self.W, self.b]
        self.param_names = ["W", "b"]

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"x must have shape (n, {self.n_in}), got {tuple(x.shape)}")
        return x @ self.W + self.b, x

    def backward(self, dy, x):
        return dy @ self.W.T, [x.T @ dy, dy.sum(axis=0)]


# ----------------------------------------------------------------------------------------------
# The autoencoder
# ----------------------------------------------------------------------------------------------
NOISES = (None, "masking", "gaussian")
OUTPUTS = ("linear", "sigmoid")
UNPOOLINGS = ("switches", "nearest")


class ConvAutoencoder:
    """A convolutional (denoising) autoencoder for colour images.

    ``ConvAutoencoder(numpy_rng, theano_rng=None, input_shape=(3, 32, 32), channels=(8, 16, 16),
    code_size=32, kernel_sizes=(5, 3, 3), noise=None, corruption_level=0.0, output="linear",
    unpooling="switches")``

    With input x (N, C, H, W), H and W divisible by 4, channels (c1, c2, c3), code size k and
    'same' padding (kernel sizes odd) everywhere::

        encoder   h1 = relu(conv1(x~))                   c1 x H   x W
                  h2 = pool(relu(conv2(h1)))              c2 x H/2 x W/2   (switches s2)
                  h3 = pool(relu(conv3(h2)))              c3 x H/4 x W/4   (switches s3)
                  y  = flatten(h3) W_code + b_code         k               (the code, linear)
        decoder   g3 = relu(y W_exp + b_exp)              c3 x H/4 x W/4
                  g2 = relu(dconv3(unpool(g3, s3)))        c2 x H/2 x W/2
                  g1 = relu(dconv2(unpool(g2, s2)))        c1 x H   x W
                  a  = dconv1(g1)                          C  x H   x W
                  z  = a (output="linear")  or  sigmoid(a) (output="sigmoid")

    The write-up puts a ReLU after every convolution; here the *last* one is linear (or
    sigmoid) instead, because a ReLU output would clamp every negative pre-activation to a
    zero gradient and can never be pulled back up, and the code is linear so that it can
    compete with PCA's linear code. The cost is the mean over the minibatch of::

        L = sum_k (z_k - x_k)^2                                   (output="linear")
        L = - sum_k [x_k log z_k + (1 - x_k) log(1 - z_k)]        (output="sigmoid")

    both with dL/da = (z - x) times 2 or 1, from the clean x, while x~ is the corrupted input
    (``noise`` "masking": x * Bernoulli(1 - level); "gaussian": x + level N(0, 1); None).
    ``unpooling="switches"`` (the write-up's) unpools with the encoder's argmax switches, which
    therefore travel to the decoder beside the code; ``"nearest"`` upsamples instead, so the code
    is all the decoder sees. Backward runs the same steps in reverse (each layer's backward).
    """

    def __init__(self, numpy_rng, theano_rng=None, input_shape=(3, 32, 32), channels=(8, 16, 16),
                 code_size=32, kernel_sizes=(5, 3, 3), noise=None, corruption_level=0.0,
                 output="linear", unpooling="switches"):
        check_rng(numpy_rng, "numpy_rng")
        if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3):
            raise ValueError(f"input_shape must be (channels, height, width), got {input_shape!r}")
        c, h, w = (check_positive_int(v, "input_shape") for v in input_shape)
        if h % 4 or w % 4:
            raise ValueError(f"input_shape height and width must divide by 4 (two 2x2 poolings that "
                             f"unpooling must mirror), got {h}x{w}")
        if not (isinstance(channels, (tuple, list)) and len(channels) == 3):
            raise ValueError(f"channels must be three ints (c1, c2, c3), got {channels!r}")
        channels = tuple(check_positive_int(v, "channels") for v in channels)
        if not (isinstance(kernel_sizes, (tuple, list)) and len(kernel_sizes) == 3):
            raise ValueError(f"kernel_sizes must be three odd ints, got {kernel_sizes!r}")
        kernel_sizes = tuple(check_positive_int(v, "kernel_sizes") for v in kernel_sizes)
        if any(k % 2 == 0 for k in kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd (for 'same' padding), got {kernel_sizes}")
        self.code_size = check_positive_int(code_size, "code_size")
        self.noise = check_choice(noise, "noise", NOISES)
        self.corruption_level = check_float(corruption_level, "corruption_level", 0.0,
                                            1.0 if noise == "masking" else None,
                                            high_inclusive=noise != "masking")
        self.output = check_choice(output, "output", OUTPUTS)
        self.unpooling = check_choice(unpooling, "unpooling", UNPOOLINGS)
        self.input_shape, self.channels, self.kernel_sizes = (c, h, w), channels, kernel_sizes
        self.xp = backend.xp

        if theano_rng is None:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        self.theano_rng = theano_rng
        c1, c2, c3 = channels
        k1, k2, k3 = kernel_sizes
        self.pooled_shape = (c3, h // 4, w // 4)
        n_flat = c3 * (h // 4) * (w // 4)
        self.enc1 = Conv2D(numpy_rng, c, c1, k1, padding=k1 // 2)
        self.enc2 = Conv2D(numpy_rng, c1, c2, k2, padding=k2 // 2)
        self.enc3 = Conv2D(numpy_rng, c2, c3, k3, padding=k3 // 2)
        self.code = Dense(numpy_rng, n_flat, self.code_size)
        self.expand = Dense(numpy_rng, self.code_size, n_flat)
        self.dec3 = Conv2D(numpy_rng, c3, c2, k3, padding=k3 // 2)
        self.dec2 = Conv2D(numpy_rng, c2, c1, k2, padding=k2 // 2)
        self.dec1 = Conv2D(numpy_rng, c1, c, k1, padding=k1 // 2)
        self.relu, self.pool = ReLU(), MaxPool2D(2)
        self.unpool = MaxUnpool2D(2) if unpooling == "switches" else Upsample2D(2)

        self.layers = [("enc1", self.enc1), ("enc2", self.enc2), ("enc3", self.enc3), ("code", self.code),
                       ("expand", self.expand), ("dec3", self.dec3), ("dec2", self.dec2), ("dec1", self.dec1)]
        self.params = [p for _, layer in self.layers for p in layer.params]
        self.param_names = [f"{name}_{p}" for name, layer in self.layers for p in layer.param_names]

    # ----- input checks --------------------------------------------------------------------
    def _input(self, x, name="x"):
        """x as (N, C, H, W) in the parameters' dtype; a (N, C*H*W) matrix is reshaped."""
        xp = self.xp
        c, h, w = self.input_shape
        if not hasattr(x, "shape") or not hasattr(x, "dtype"):
            raise TypeError(f"{name} must be an array, got {type(x).__name__}")
        module = backend.array_module(x)
        if module is not xp:
            raise TypeError(f"{name} is a {module.__name__} array but the model lives on the {xp.__name__} "
                            f"backend; move it with dae.backend.asarray({name})")
        if x.ndim == 2 and x.shape[1] == c * h * w:
            x = x.reshape(x.shape[0], c, h, w)
        if x.ndim != 4 or tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"{name} must have shape (n, {c}, {h}, {w}) (or (n, {c * h * w})), "
                             f"got {tuple(x.shape)}")
        if x.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one example, got shape {tuple(x.shape)}")
        if not numpy.issubdtype(x.dtype, numpy.floating):
            raise TypeError(f"{name} must be a floating-point array, got dtype {x.dtype}; "
                            f"for 0..255 images use x.astype('float32') / 255")
        if not bool(xp.isfinite(x).all()):
            raise ValueError(f"{name} must be finite, but it holds NaN or inf")
        if self.output == "sigmoid":
            lo, hi = float(x.min()), float(x.max())
            if lo < 0.0 or hi > 1.0:
                raise ValueError(f"{name} must lie in [0, 1] for the cross-entropy (output='sigmoid'), "
                                 f"got values in [{lo:g}, {hi:g}]")
        return x.astype(self.params[0].dtype, copy=False)

    # ----- forward and backward ------------------------------------------------------------
    def _encode(self, x):
        """The encoder; returns (code, caches)."""
        r = self.relu
        a1, c_enc1 = self.enc1.forward(x)
        h1, m1 = r.forward(a1)
        a2, c_enc2 = self.enc2.forward(h1)
        r2, m2 = r.forward(a2)
        h2, s2 = self.pool.forward(r2)
        a3, c_enc3 = self.enc3.forward(h2)
        r3, m3 = r.forward(a3)
        h3, s3 = self.pool.forward(r3)
        y, c_code = self.code.forward(h3.reshape(h3.shape[0], -1))
        return y, (c_enc1, m1, c_enc2, m2, s2, c_enc3, m3, s3, c_code)

    def _decode(self, y, s2, s3):
        """The decoder up to the output pre-activation a; returns (a, caches)."""
        r = self.relu
        e, c_exp = self.expand.forward(y)
        g3, n3 = r.forward(e.reshape((e.shape[0],) + self.pooled_shape))
        u3, _ = self.unpool.forward(g3, s3)
        b3, c_dec3 = self.dec3.forward(u3)
        g2, n2 = r.forward(b3)
        u2, _ = self.unpool.forward(g2, s2)
        b2, c_dec2 = self.dec2.forward(u2)
        g1, n1 = r.forward(b2)
        a, c_dec1 = self.dec1.forward(g1)
        return a, (c_exp, n3, s3, c_dec3, n2, s2, c_dec2, n1, c_dec1)

    def _backward(self, da, enc_caches, dec_caches):
        """dcost/da -> the gradients of every parameter, in ``params`` order."""
        r = self.relu
        c_exp, n3, s3, c_dec3, n2, s2, c_dec2, n1, c_dec1 = dec_caches
        dg1, g_dec1 = self.dec1.backward(da, c_dec1)
        du2, g_dec2 = self.dec2.backward(r.backward(dg1, n1), c_dec2)
        dg2 = self.unpool.backward(du2, s2)
        du3, g_dec3 = self.dec3.backward(r.backward(dg2, n2), c_dec3)
        dg3 = self.unpool.backward(du3, s3)
        dy, g_exp = self.expand.backward(r.backward(dg3, n3).reshape(dg3.shape[0], -1), c_exp)

        c_enc1, m1, c_enc2, m2, s2, c_enc3, m3, s3, c_code = enc_caches
        dh3, g_code = self.code.backward(dy, c_code)
        dr3 = self.pool.backward(dh3.reshape((dh3.shape[0],) + self.pooled_shape), s3)
        dh2, g_enc3 = self.enc3.backward(r.backward(dr3, m3), c_enc3)
        dr2 = self.pool.backward(dh2, s2)
        dh1, g_enc2 = self.enc2.backward(r.backward(dr2, m2), c_enc2)
        _, g_enc1 = self.enc1.backward(r.backward(dh1, m1), c_enc1, need_dx=False)
        return g_enc1 + g_enc2 + g_enc3 + g_code + g_exp + g_dec3 + g_dec2 + g_dec1

    def _forward(self, x_in):
        y, enc = self._encode(x_in)
        a, dec = self._decode(y, enc[4], enc[7])
        return a, enc, dec

    def _output(self, a):
        return a if self.output == "linear" else sigmoid(a)

    def cost_and_grads(self, x, rng=None):
        """The minibatch cost (equations in the class docstring) and its gradients, aligned with
        ``params``. ``x``: a clean minibatch (n, C, H, W) or (n, C*H*W); the corruption is drawn
        from ``rng`` (default: this model's ``theano_rng``)."""
        x = self._input(x)
        rng = self.theano_rng if rng is None else rng
        x_tilde = x if self.noise is None else corrupt(x, self.corruption_level, self.noise, rng, "corruption")
        a, enc, dec = self._forward(x_tilde)
        n = x.shape[0]
        a2 = a.reshape(n, -1)
        x2 = x.reshape(n, -1)
        if self.output == "linear":
            d = a2 - x2
            cost = (d * d).sum(axis=1).mean()
            da = (2.0 / n) * d
        else:
            cost = cross_entropy_from_logits(x2, a2).mean()
            da = (sigmoid(a2) - x2) / n
        grads = self._backward(da.reshape(a.shape), enc, dec)
        return cost, grads

    # ----- for users ----------------------------------------------------------------------
    def encode(self, x):
        """The code y (n, code_size) of a clean input."""
        return self._encode(self._input(x))[0]

    def reconstruct(self, x):
        """z (n, C, H, W) for a clean input x (no corruption)."""
        a, _, _ = self._forward(self._input(x))
        return self._output(a)

    def reconstruction_error(self, x, batch_size=500):
        """Mean over examples of sum_k (z_k - x_k)^2 on clean x, in batches (a float)."""
        x = self._input(x)
        total = 0.0
        for start in range(0, x.shape[0], batch_size):
            xb = x[start:start + batch_size]
            d = (self.reconstruct(xb) - xb).reshape(xb.shape[0], -1)
            total += float((d * d).sum())
        return total / x.shape[0]

    def config(self):
        return {"input_shape": list(self.input_shape), "channels": list(self.channels),
                "code_size": self.code_size, "kernel_sizes": list(self.kernel_sizes), "noise": self.noise,
                "corruption_level": self.corruption_level, "output": self.output, "unpooling": self.unpooling}

    def save(self, path):
        """Write this model to ``path`` in the one dae model file (``dae.save_model``)."""
        from ..model_files import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path):
        """The model in ``path`` (``dae.load_model``), checked to be a ConvAutoencoder."""
        from ..model_files import load_model

        model = load_model(path)
        if not isinstance(model, cls):
            raise ValueError(f"{path} holds a {type(model).__name__}, not a ConvAutoencoder")
        return model

    def __repr__(self):
        return (f"ConvAutoencoder(input_shape={self.input_shape}, channels={self.channels}, "
                f"code_size={self.code_size}, kernel_sizes={self.kernel_sizes}, noise={self.noise!r}, "
                f"output={self.output!r}, unpooling={self.unpooling!r})")
