"""A convolutional (denoising) autoencoder for colour images, every gradient by hand.

:class:`ConvAutoencoder`: three convolutions + ReLU on the encoder side (max-pooling after the
2nd and 3rd), a fully connected layer to a small code and one back, and the mirrored decoder:
unpooling with the encoder's switches and three convolutions, every one a layer of dae.layers
(Conv2D, ReLU, MaxPool2D, MaxUnpool2D or Upsample2D, Dense), stacked by ``Sequential``: the
encoder is one, the decoder three (one per resolution, with an unpooling between them).

Inside, the network keeps its maps channel-major, (C, N, H, W) (``Conv2D(layout="CNHW")``):
every convolution is then one matrix product whose result feeds the next layer as it stands.
The user's arrays are (N, C, H, W); the model transposes at the two ends only (the input, and
the flattening into the code layer and back). Only operations of the array module in force
(``dae.backend.xp``: NumPy or CuPy) touch model arrays: strided views, slices, matrix products,
comparisons and reductions, no scatter and no NumPy-only call.
"""
from collections import namedtuple

import numpy

from .. import backend
from .. import config
from .. import kernels
from .. import threads
from ..corruption import corrupt
from ..functions import cross_entropy_from_logits, sigmoid
from ..layers import Conv2D, Dense, MaxPool2D, MaxUnpool2D, ReLU, Sequential, Upsample2D
from ..layers.conv import init_normal
from ..layers.reshape import MapsToRows, RowsToMaps
from ..validation import check_choice, check_float, check_matrix, check_positive_int, check_rng

NetworkCache = namedtuple("NetworkCache", "encoder decoder")


def _dense(numpy_rng, n_in, n_out):
    """A fully connected layer (``dae.layers.Dense``: y = x W + b) with He-initialised W."""
    xp = backend.xp
    W = init_normal(numpy_rng, (n_in, n_out), n_in, config.floatX)
    return Dense(W, xp.zeros(n_out, dtype=W.dtype))


NOISES = (None, "masking", "gaussian")
# examples per pass through the network on the CPU, small enough for a block's im2col columns to
# stay in the cache (see cost_and_grads); a GPU takes the whole minibatch.
CPU_BLOCK_SIZE = 4
# BLAS threads for the model's products on the CPU: at a block of 4 examples every product is small
# enough that a second OpenBLAS thread costs more than it saves (the NumPy path's step took 48.0 ms
# with two, 33.4 with one), and when the compiled kernels run, OpenBLAS's idle thread spins on the
# core their threads need (22.7 against 21.0 ms; python benchmarks/benchmark.py --only
# conv-numpy,conv-numba with blas_threads None and 1, README: Speed)
CPU_BLAS_THREADS = 1
OUTPUTS = ("linear", "sigmoid")
UNPOOLINGS = ("switches", "nearest")


class ConvAutoencoder:
    """A convolutional (denoising) autoencoder for colour images.

    ``ConvAutoencoder(numpy_rng, input_shape=(3, 32, 32), channels=(8, 16, 16), code_size=32,
    kernel_sizes=(5, 3, 3), noise=None, output="linear", unpooling="switches")``

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
    (``noise`` "masking": x * Bernoulli(1 - level); "gaussian": x + level N(0, 1); None), the
    level being ``cost_and_grads``' ``corruption_level`` and the draws the caller's ``rng``.
    ``unpooling="switches"`` (the write-up's) unpools with the encoder's argmax switches, which
    therefore travel to the decoder beside the code; ``"nearest"`` upsamples instead, so the code
    is all the decoder sees. Backward runs the same steps in reverse (each layer's backward).

    On the CPU a minibatch goes through the network ``block_size`` examples at a time (4; the
    attribute can be changed, None for the whole minibatch, the default on a GPU): the costs and
    gradients of the blocks add up to the minibatch's, and the blocks' arrays stay in the cache.
    The compiled kernels (``dae.config.kernels == "numba"``) take the whole minibatch at once: their
    convolution works one image per core at a time anyway. On the CPU ``cost_and_grads``, ``encode``
    and ``reconstruct`` run their products on ``blas_threads`` OpenBLAS threads (1; None leaves the
    process's count alone): see CPU_BLAS_THREADS.
    """

    def __init__(self, numpy_rng, input_shape=(3, 32, 32), channels=(8, 16, 16), code_size=32,
                 kernel_sizes=(5, 3, 3), noise=None, output="linear", unpooling="switches"):
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
        self.output = check_choice(output, "output", OUTPUTS)
        self.unpooling = check_choice(unpooling, "unpooling", UNPOOLINGS)
        self.input_shape, self.channels, self.kernel_sizes = (c, h, w), channels, kernel_sizes
        self.xp = backend.xp
        self.block_size = CPU_BLOCK_SIZE if self.xp is numpy else None
        self.blas_threads = CPU_BLAS_THREADS if self.xp is numpy else None

        c1, c2, c3 = channels
        k1, k2, k3 = kernel_sizes
        self.pooled_shape = (c3, h // 4, w // 4)
        n_flat = c3 * (h // 4) * (w // 4)
        cn = dict(layout="CNHW")  # the maps stay channel-major inside
        self.enc1 = Conv2D(numpy_rng, c, c1, k1, padding=k1 // 2, need_dx=False, **cn)
        self.enc2 = Conv2D(numpy_rng, c1, c2, k2, padding=k2 // 2, **cn)
        self.enc3 = Conv2D(numpy_rng, c2, c3, k3, padding=k3 // 2, **cn)
        self.code = _dense(numpy_rng, n_flat, self.code_size)
        self.expand = _dense(numpy_rng, self.code_size, n_flat)
        self.dec3 = Conv2D(numpy_rng, c3, c2, k3, padding=k3 // 2, **cn)
        self.dec2 = Conv2D(numpy_rng, c2, c1, k2, padding=k2 // 2, **cn)
        self.dec1 = Conv2D(numpy_rng, c1, c, k1, padding=k1 // 2, **cn)
        # in place: each ReLU overwrites the fresh output of the layer before it (and its gradient)
        relu = lambda: ReLU(inplace=True)  # noqa: E731
        self.encoder = Sequential([self.enc1, relu(), self.enc2, relu(), MaxPool2D(2), self.enc3, relu(),
                                   MaxPool2D(2), MapsToRows(), self.code])
        self.switch_at = (4, 7)   # the encoder's poolings, whose caches are the switches
        self.decoder = [Sequential([self.expand, RowsToMaps(self.pooled_shape), relu()]),
                        Sequential([self.dec3, relu()]), Sequential([self.dec2, relu(), self.dec1])]
        self.unpool = MaxUnpool2D(2) if unpooling == "switches" else Upsample2D(2)

        self.layers = [("enc1", self.enc1), ("enc2", self.enc2), ("enc3", self.enc3), ("code", self.code),
                       ("expand", self.expand), ("dec3", self.dec3), ("dec2", self.dec2), ("dec1", self.dec1)]
        self.params = [p for _, layer in self.layers for p in layer.params]
        self.param_names = [f"{name}_{p}" for name, layer in self.layers for p in layer.param_names]

    # ----- input checks --------------------------------------------------------------------
    def _images(self, x, name="x"):
        """x as (N, C, H, W) in the parameters' dtype, checked by ``check_matrix`` on its rows;
        a (N, C*H*W) matrix is reshaped."""
        c, h, w = self.input_shape
        if getattr(x, "ndim", None) == 4:
            if tuple(x.shape[1:]) != self.input_shape:
                raise ValueError(f"{name} must have shape (n, {c}, {h}, {w}) (or (n, {c * h * w})), "
                                 f"got {tuple(x.shape)}")
            x = x.reshape(x.shape[0], -1)
        x = check_matrix(x, name, c * h * w, self.xp, unit_interval=self.output == "sigmoid")
        return x.astype(self.params[0].dtype, copy=False).reshape((x.shape[0],) + self.input_shape)

    # ----- forward and backward ------------------------------------------------------------
    # Maps are (C, N, H, W) from the input to the output; MapsToRows / RowsToMaps convert at
    # the fully connected layers, whose rows are examples flattened in (c, h, w) order.
    def _encode(self, x):
        """x (N, C, H, W) -> (the code y, the encoder's cache, whose entries ``switch_at`` are
        the poolings' switches)."""
        return self.encoder.forward(x.transpose(1, 0, 2, 3))

    def _decode(self, y, switches):
        """The code y -> (the output pre-activation a, channel-major (C, N, H, W), the decoder's
        cache: per stage, the unpooling's and the stage's); ``switches`` bottom first."""
        h, dec = y, []
        for k, stage in enumerate(self.decoder):
            unpool_cache = None
            if k:
                h, unpool_cache = self.unpool.forward(h, switches=switches[-k])
            h, stage_cache = stage.forward(h)
            dec.append((unpool_cache, stage_cache))
        return h, dec

    def _forward(self, x):
        y, enc = self._encode(x)
        a, dec = self._decode(y, [enc[i] for i in self.switch_at])
        return a, NetworkCache(enc, dec)

    def _backward(self, da, cache):
        """dcost/da (C, N, H, W) -> the gradients of every parameter, in ``params`` order."""
        grads, dh = [], da
        for k in range(len(self.decoder) - 1, -1, -1):
            unpool_cache, stage_cache = cache.decoder[k]
            dh, stage_grads = self.decoder[k].backward(dh, stage_cache)
            grads[:0] = stage_grads
            if k:
                dh, _ = self.unpool.backward(dh, unpool_cache)
        _, enc_grads = self.encoder.backward(dh, cache.encoder)
        return enc_grads + grads

    def _output(self, a):
        return a if self.output == "linear" else sigmoid(a)

    def _check_level(self, level):
        """A corruption level for this model's noise: in [0, 1) for masking, >= 0 for gaussian,
        0 without noise."""
        if self.noise is None:
            level = check_float(level, "corruption_level", 0.0, 0.0)  # no noise: nothing to corrupt with
            return level
        return check_float(level, "corruption_level", 0.0, 1.0 if self.noise == "masking" else None,
                           high_inclusive=self.noise != "masking")

    def _blocks(self, n):
        """Slices of ``block_size`` examples covering range(n) (one slice when block_size is None, or
        when the compiled kernels run: they go through the minibatch one image at a time anyway)."""
        size = n if kernels.active(self.params[0]) else (self.block_size or n)
        return [slice(start, start + size) for start in range(0, n, size)]

    def cost_and_grads(self, x, *, rng, corruption_level=0.0):
        """The minibatch cost (equations in the class docstring) and its gradients, aligned with
        ``params``. ``x``: a clean minibatch (n, C, H, W) or (n, C*H*W); with a ``noise`` the
        corruption of level ``corruption_level`` is drawn from ``rng``.

        The cost is a sum over examples (divided by n), so the minibatch goes through the network
        ``block_size`` examples at a time and the blocks' costs and gradients are added: the same
        numbers, but each block's im2col columns (the largest arrays) stay in the CPU's cache
        between the product that fills them and the one that reads them back."""
        x = self._images(x)
        level = self._check_level(corruption_level)
        x_tilde = x if self.noise is None or level == 0 else corrupt(x, level, self.noise, rng, "corruption")
        n = x.shape[0]
        cost, grads = None, None
        with threads.blas_threads(self.blas_threads):
            for block in self._blocks(n):
                c, g = self._block_cost_and_grads(x[block], x_tilde[block], n)
                if grads is None:
                    cost, grads = c, g
                else:
                    cost = cost + c
                    for total, part in zip(grads, g):
                        total += part
        return cost, grads

    def _block_cost_and_grads(self, x, x_tilde, n):
        """One block's share of the cost, sum over its examples of L / n, and of the gradients."""
        a, cache = self._forward(x_tilde)
        x_cn = x.transpose(1, 0, 2, 3)  # the target, in the maps' layout
        if self.output == "linear":
            d = a - x_cn                 # (C, N, H, W), contiguous
            cost = self.xp.vdot(d, d) / n
            da = d
            da *= 2.0 / n                # dL/da = 2 (z - x)
        else:
            a2, x2 = a.reshape(a.shape[0], -1), self.xp.ascontiguousarray(x_cn).reshape(a.shape[0], -1)
            cost = cross_entropy_from_logits(x2, a2).sum() / n
            da = sigmoid(a) - x_cn      # dL/da = z - x
            da /= n
        return cost, self._backward(da, cache)

    # ----- for users ----------------------------------------------------------------------
    def encode(self, x):
        """The code y (n, code_size) of a clean input."""
        x = self._images(x)
        with threads.blas_threads(self.blas_threads):
            return self.xp.concatenate([self.encoder.run(x[block].transpose(1, 0, 2, 3))
                                        for block in self._blocks(x.shape[0])])

    def reconstruct(self, x):
        """z (n, C, H, W) for a clean input x (no corruption)."""
        x = self._images(x)
        out = self.xp.empty(x.shape, dtype=x.dtype)
        with threads.blas_threads(self.blas_threads):
            for block in self._blocks(x.shape[0]):
                a, _ = self._forward(x[block])
                out[block] = self._output(a).transpose(1, 0, 2, 3)
        return out

    def reconstruction_error(self, x, batch_size=500):
        """Mean over examples of sum_k (z_k - x_k)^2 on clean x, in batches (a float)."""
        x = self._images(x)
        total = 0.0
        for start in range(0, x.shape[0], batch_size):
            xb = x[start:start + batch_size]
            d = (self.reconstruct(xb) - xb).reshape(xb.shape[0], -1)
            total += float((d * d).sum())
        return total / x.shape[0]

    def config(self):
        return {"input_shape": list(self.input_shape), "channels": list(self.channels),
                "code_size": self.code_size, "kernel_sizes": list(self.kernel_sizes), "noise": self.noise,
                "output": self.output, "unpooling": self.unpooling}


    def __repr__(self):
        return (f"ConvAutoencoder(input_shape={self.input_shape}, channels={self.channels}, "
                f"code_size={self.code_size}, kernel_sizes={self.kernel_sizes}, noise={self.noise!r}, "
                f"output={self.output!r}, unpooling={self.unpooling!r})")
