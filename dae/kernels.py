"""Compiled kernels: the conv autoencoder's hot loops as plain loops, compiled by numba.

The NumPy functions in dae/layers/conv.py and dae/layers/pool.py are the reference (what the
chapter shows, what runs without numba). Each of them starts with a dispatch line::

    if kernels.active(x):
        return kernels.im2col(x, ...)

so that, when ``dae.config.kernels == "numba"`` (the default with ``pip install "dae[fast]"``;
``DAE_KERNELS=numpy`` turns it off) and the arrays are NumPy's, the loops below run instead. They
compute the same numbers, element by element in the same order where the reference adds (tests
compare both paths, tests/test_kernels.py), but as one compiled pass over the data with the outer
loop (``prange``) spread over the cores, where NumPy makes several passes on one core.

The convolution itself is the exception: ``Conv2D`` (stride 1) hands its whole forward and
backward pass to the *direct* convolution below (``correlate``, ``correlate_grads``), which reads
the input where it lies instead of copying it kh kw times into im2col's columns, and computes
four output maps from three taps of each input row at a time. Its sums run in another order than
the reference's matrix products, so the two paths agree to float32 rounding, not bit for bit.

Each kernel is written as the equation it computes, one output element at a time, and compiled
on its first call (``numba.njit(parallel=True, cache=True)``: the machine code is cached on disk,
so only the very first run in a fresh environment pays the compile time, a few seconds). The
wrappers at the bottom allocate the outputs and flatten the leading axes.

Two habits make the compiled loops fast. The innermost loop runs over one row (``src = x[c, n, r]``,
a view) and indexes it with ``U(q)``, numba's unsigned integer: a signed index may be negative, which
numba answers by testing each one (``a[-1]`` is the last element), and that test keeps the compiler
from vectorising the loop (im2col ran 3-6x slower than NumPy's copy with plain ``int`` indices, and
faster than it with ``U``). And the padding is read, never written: im2col puts a zero where a
window reaches past the map, so no padded copy of the input is made.

The worker threads come from numba's own choice of threading layer (OpenMP where it is installed;
``NUMBA_THREADING_LAYER`` chooses another). OpenMP's workers spin between loops, ready for the next:
on the quiet 2-core machine the conv step took 12.2 ms with them against 17.8 with the ``workqueue``
layer's, which sleep. On a machine shared with other work the spinning costs more than it saves:
beside a single-threaded BLAS job the step took 48.2 ms with OpenMP's workers and 26.8 with the
workqueue's, so set ``NUMBA_THREADING_LAYER=workqueue`` there (``python benchmarks/benchmark.py
--only conv-numba [--load]`` with each setting). The conv model runs OpenBLAS on one thread
(``ConvAutoencoder.blas_threads``), so that its idle thread does not spin against these.
"""
import functools

import numpy

from . import config

prange = range  # numba.prange once numba is imported (see _compile): a plain loop in Python
U = int  # numba.uintp once numba is imported: an index known to be >= 0 (see below)


def active(*arrays):
    """True when the numba kernels run on these arrays: the setting says "numba" and all are NumPy arrays."""
    return config.kernels == "numba" and all(type(a) is numpy.ndarray for a in arrays)


# Starting the worker threads costs tens of microseconds a call (about 50 us of CPU measured on the
# 2-core machine), more than a small pass takes: below this many output elements a kernel runs the
# same loops compiled without threads.
PARALLEL_MIN = 1 << 19


def _output_is_large(args):
    return args[-1].size >= PARALLEL_MIN


def _compile(fn=None, *, threaded_if=_output_is_large, fastmath=False):
    """fn, compiled by numba on its first call (cached on disk); numba is imported then. Two builds:
    the outer ``prange`` spread over the cores, and a one-thread build for small work: by default
    when the output (the last argument of every kernel) has fewer than PARALLEL_MIN elements,
    ``threaded_if(args)`` otherwise. ``fastmath``: numba's flag (sums may be reassociated, so that
    a dot product runs on vectors; "contract" only fuses a multiply and an add)."""
    if fn is None:
        return functools.partial(_compile, threaded_if=threaded_if, fastmath=fastmath)
    compiled = {}

    @functools.wraps(fn)
    def call(*args):
        if not compiled:
            import numba
            globals()["prange"], globals()["U"] = numba.prange, numba.uintp
            flags = dict(cache=True, nogil=True, fastmath=fastmath)
            compiled[True] = numba.njit(parallel=True, **flags)(fn)
            compiled[False] = numba.njit(**flags)(fn)
        return compiled[bool(threaded_if(args))](*args)
    call.python = fn  # the plain-Python loops (slow), for reading and for the tests
    return call


# ----- convolution --------------------------------------------------------------------------------
@_compile
def _pad(x, ph, pw, out):
    """out[c, n, r + ph, t + pw] = x[c, n, r, t], zeros around; one (c, n) map per task."""
    C, N, H, W = x.shape
    Hp, Wp = H + 2 * ph, W + 2 * pw
    for cn in prange(C * N):
        c, n = cn // N, cn % N
        for r in range(Hp):
            for t in range(Wp):
                out[c, n, r, t] = 0.0
        for r in range(H):
            src, dst = x[c, n, r], out[c, n, r + ph]
            for t in range(W):
                dst[U(t) + U(pw)] = src[U(t)]


@_compile
def _im2col(x, kh, kw, stride, ph, pw, cols):
    """cols[(c, i, j), (n, p, q)] = x[c, n, p stride + i - ph, q stride + j - pw], 0 where that falls
    in the padding (the padding is never written out); one row (c, i, j) per task."""
    C, N, H, W = x.shape
    Ho, Wo = (H + 2 * ph - kh) // stride + 1, (W + 2 * pw - kw) // stride + 1
    for row in prange(C * kh * kw):
        c, i, j = row // (kh * kw), (row // kw) % kh, row % kw
        dst = cols[row]
        # the q whose t = q stride + j - pw falls inside 0 .. W - 1
        q0 = min(Wo, max(0, (pw - j + stride - 1) // stride))
        q1 = max(q0, min(Wo, (W - 1 + pw - j) // stride + 1))
        for n in range(N):
            for p in range(Ho):
                start = U((n * Ho + p) * Wo)    # q = 0 .. Wo - 1 of this (n, p)
                r = p * stride + i - ph
                if r < 0 or r >= H:
                    for q in range(Wo):
                        dst[start + U(q)] = 0.0
                    continue
                src = x[c, n, r]
                for q in range(q0):
                    dst[start + U(q)] = 0.0
                for q in range(q0, q1):  # (t = q stride + j - pw >= 0 for these q)
                    dst[start + U(q)] = src[U(q) * U(stride) + U(j) - U(pw)]
                for q in range(q1, Wo):
                    dst[start + U(q)] = 0.0


@_compile
def _col2im(cols, kh, kw, stride, padding, dx):
    """dx[c, n, r, t] = sum over (i, j) of cols[(c, i, j), (n, p, q)] where p stride + i - padding = r
    and q stride + j - padding = t (the adjoint of im2col, the padding cut off); one (c, n) map per
    task, the offsets (i, j) added in the reference's order."""
    C, N, H, W = dx.shape
    Ho, Wo = (H + 2 * padding - kh) // stride + 1, (W + 2 * padding - kw) // stride + 1
    for cn in prange(C * N):
        c, n = cn // N, cn % N
        dx[c, n] = 0.0
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                # the q whose t = q stride + j - padding falls inside 0 .. W - 1
                q0 = max(0, (padding - j + stride - 1) // stride)
                q1 = min(Wo, (W - 1 + padding - j) // stride + 1)
                for p in range(Ho):
                    r = p * stride + i - padding
                    if r < 0 or r >= H:
                        continue
                    start = (n * Ho + p) * Wo
                    src, dst = cols[row], dx[c, n, r]
                    for q in range(q0, q1):  # (t = q stride + j - padding >= 0 for these q)
                        dst[U(q) * U(stride) + U(j) - U(padding)] += src[U(start) + U(q)]


@_compile
def _shift_add(Z, stride, y):
    """y[f, n, p, q] = sum over (i, j) of Z[f, i, j, n, p stride + i, q stride + j] (the output side
    of correlate_cn); one (f, n) map per task, the offsets added in row-major order."""
    F, kh, kw, N, Hp, Wp = Z.shape
    Ho, Wo = y.shape[2], y.shape[3]
    for fn in prange(F * N):
        f, n = fn // N, fn % N
        y[f, n] = 0.0
        for i in range(kh):
            for j in range(kw):
                for p in range(Ho):
                    src, dst = Z[f, i, j, n, p * stride + i], y[f, n, p]
                    for q in range(Wo):
                        dst[U(q)] += src[U(q) * U(stride) + U(j)]


# ----- direct convolution, stride 1 ------------------------------------------------------------------
# A convolution of the conv autoencoder's sizes (3 to 16 channels, 3x3 and 5x5 kernels) is too thin
# for a good matrix product: im2col writes out kh kw copies of the input for a product that uses each
# only F times. The direct way reads the input where it lies. One image per task; its maps are copied
# once into zero-padded rows of width Wp = W + 2 pw laid end to end (``xf``), so that for the output
# at k = p Wp + q the tap (i, j) reads xf[k + i Wp + j]: one long loop per tap over all the outputs of
# the image, which the compiler turns into vector instructions (each row's Wp - Wo extra positions are
# computed and dropped).
DIRECT_PARALLEL_MIN = 1 << 21   # multiply-adds below which a convolution runs on one thread
BLOCK_F = 4                     # output maps computed together: each input value read once for all 4


def _direct_work_is_large(args):
    """The multiply-adds of a direct-convolution call (x, W4, ...) or (x, dy, ..., dW): at least
    DIRECT_PARALLEL_MIN, over more than one image."""
    x, out = args[0], args[-1]
    per_input = out.size // (out.shape[0] * out.shape[2]) if out.ndim == 5 else args[1].size // x.shape[0]
    return x.shape[1] > 1 and x.size * per_input >= DIRECT_PARALLEL_MIN


@_compile(threaded_if=_direct_work_is_large, fastmath={"contract"})
def _correlate(x, W4, b, ph, pw, relu, y):
    """y[f, n, p, q] = b[f] + sum over (c, i, j) of W[f, c, i, j] x[c, n, p + i - ph, q + j - pw] (zero
    where that falls outside the map), then max(y, 0) when ``relu``; one image n per task. W4 is W
    with zeros added: its F a multiple of BLOCK_F, its kw a multiple of 3 (four output maps and three
    taps (i, j), (i, j + 1), (i, j + 2) a pass)."""
    C, N, H, Wd = x.shape
    F4, _, kh, kw3 = W4.shape
    F, _, Ho, Wo = y.shape
    Wp = Wd + 2 * pw
    L = Ho * Wp                     # the flat outputs k = p Wp + q of one map
    for n in prange(N):
        # xf[c, (r + ph) Wp + t + pw] = x[c, n, r, t], zeros around (one more row: the last taps overrun)
        xf = numpy.zeros((C, (Ho + kh) * Wp + kw3), dtype=x.dtype)
        for c in range(C):
            for r in range(H):
                src, start = x[c, n, r], U((r + ph) * Wp + pw)
                for t in range(Wd):
                    xf[c, start + U(t)] = src[U(t)]
        acc = numpy.empty((BLOCK_F, L), dtype=y.dtype)
        for f0 in range(0, F4, BLOCK_F):
            a0, a1, a2, a3 = acc[0], acc[1], acc[2], acc[3]
            a0[:], a1[:], a2[:] = b[min(f0, F - 1)], b[min(f0 + 1, F - 1)], b[min(f0 + 2, F - 1)]
            a3[:] = b[min(f0 + 3, F - 1)]
            for c in range(C):
                src = xf[c]
                for i in range(kh):
                    for j in range(0, kw3, 3):
                        o0, o1, o2 = U(i * Wp + j), U(i * Wp + j + 1), U(i * Wp + j + 2)
                        w = W4[f0:f0 + 4, c, i, j:j + 3]
                        w00, w01, w02, w10, w11, w12 = w[0, 0], w[0, 1], w[0, 2], w[1, 0], w[1, 1], w[1, 2]
                        w20, w21, w22, w30, w31, w32 = w[2, 0], w[2, 1], w[2, 2], w[3, 0], w[3, 1], w[3, 2]
                        for k in range(L):
                            v0, v1, v2 = src[U(k) + o0], src[U(k) + o1], src[U(k) + o2]
                            a0[U(k)] += w00 * v0 + w01 * v1 + w02 * v2
                            a1[U(k)] += w10 * v0 + w11 * v1 + w12 * v2
                            a2[U(k)] += w20 * v0 + w21 * v1 + w22 * v2
                            a3[U(k)] += w30 * v0 + w31 * v1 + w32 * v2
            for f in range(f0, min(f0 + BLOCK_F, F)):
                for p in range(Ho):
                    dst, start = y[f, n, p], U(p * Wp)
                    for q in range(Wo):
                        v = acc[f - f0, start + U(q)]
                        dst[U(q)] = v if (v > 0.0 or not relu) else 0.0


@_compile(threaded_if=_direct_work_is_large, fastmath=True)
def _correlate_grads(x, dy, ph, pw, db, dW):
    """dW[n, f, c, i, j] = sum over (p, q) of dy[f, n, p, q] x[c, n, p + i - ph, q + j - pw] and
    db[n, f] = sum over (p, q) of dy[f, n, p, q]: each image's share (the caller adds them up). dW's
    F is a multiple of BLOCK_F and its kw of 3, as W4 in _correlate (the extra entries are dropped).
    The sums run over the flat positions k of _correlate, 16 at a time into 16 partial sums (``part``,
    one vector register each), for four maps f and three taps a pass."""
    C, N, H, Wd = x.shape
    F, _, Ho, Wo = dy.shape
    F4, kh, kw3 = dW.shape[1], dW.shape[3], dW.shape[4]
    Wp = Wd + 2 * pw
    L = -(-Ho * Wp // 16) * 16        # the flat positions, rounded up to whole vectors
    for n in prange(N):
        xf = numpy.zeros((C, (Ho + kh) * Wp + kw3 + 16), dtype=x.dtype)   # x[c, n] padded, as in _correlate
        for c in range(C):
            for r in range(H):
                src, start = x[c, n, r], U((r + ph) * Wp + pw)
                for t in range(Wd):
                    xf[c, start + U(t)] = src[U(t)]
        gy = numpy.zeros((F4, L), dtype=dy.dtype)   # dy[f, n] in rows of width Wp, zeros after Wo and F
        for f in range(F):
            total = 0.0
            for p in range(Ho):
                src, start = dy[f, n, p], U(p * Wp)
                for q in range(Wo):
                    gy[f, start + U(q)] = src[U(q)]
                    total += src[U(q)]
            db[n, f] = total
        part = numpy.empty((BLOCK_F * 3, 16), dtype=dy.dtype)
        for f0 in range(0, F4, BLOCK_F):
            g0, g1, g2, g3 = gy[f0], gy[f0 + 1], gy[f0 + 2], gy[f0 + 3]
            for c in range(C):
                src = xf[c]
                for i in range(kh):
                    for j in range(0, kw3, 3):
                        o0, o1, o2 = U(i * Wp + j), U(i * Wp + j + 1), U(i * Wp + j + 2)
                        part[:] = 0.0
                        for k0 in range(0, L, 16):
                            for m in range(16):
                                k = U(k0 + m)
                                e0, e1, e2, e3 = g0[k], g1[k], g2[k], g3[k]
                                v0, v1, v2 = src[k + o0], src[k + o1], src[k + o2]
                                part[0, m] += e0 * v0
                                part[1, m] += e0 * v1
                                part[2, m] += e0 * v2
                                part[3, m] += e1 * v0
                                part[4, m] += e1 * v1
                                part[5, m] += e1 * v2
                                part[6, m] += e2 * v0
                                part[7, m] += e2 * v1
                                part[8, m] += e2 * v2
                                part[9, m] += e3 * v0
                                part[10, m] += e3 * v1
                                part[11, m] += e3 * v2
                        for a in range(BLOCK_F):
                            for b in range(3):
                                dW[n, f0 + a, c, i, j + b] = part[3 * a + b].sum()


# ----- pooling ------------------------------------------------------------------------------------
@_compile
def _max_pool(x, size, y, switches):
    """y[b, p, q] = max over the window of x[b, p size + i, q size + j], switches[b, p, q] = i size + j
    of the first maximum (a later one wins only when strictly greater); one map b per task."""
    B, Hy, Wy = y.shape
    for b in prange(B):
        for p in range(Hy):
            yr, sr = y[b, p], switches[b, p]
            for q in range(Wy):
                best, arg = x[b, p * size, q * size], 0
                for i in range(size):
                    xr = x[b, p * size + i]
                    for j in range(size):
                        v = xr[U(q) * U(size) + U(j)]
                        if v > best:
                            best, arg = v, i * size + j
                yr[U(q)] = best
                sr[U(q)] = arg


@_compile
def _place(values, switches, size, out):
    """out[b, p size + i, q size + j] = values[b, p, q] where switches[b, p, q] = i size + j, else 0:
    zeros first, then each value written at its switch."""
    B, Hy, Wy = values.shape
    for b in prange(B):
        out[b] = 0.0
        for p in range(Hy):
            vr, sr = values[b, p], switches[b, p]
            for q in range(Wy):
                k = U(sr[U(q)])
                out[b, U(p) * U(size) + k // U(size), U(q) * U(size) + k % U(size)] = vr[U(q)]


@_compile
def _gather(x, switches, size, out):
    """out[b, p, q] = x[b, p size + i, q size + j] with i size + j = switches[b, p, q]."""
    B, Hy, Wy = out.shape
    for b in prange(B):
        for p in range(Hy):
            outr, sr = out[b, p], switches[b, p]
            for q in range(Wy):
                k = U(sr[U(q)])
                outr[U(q)] = x[b, U(p) * U(size) + k // U(size), U(q) * U(size) + k % U(size)]


# ----- the wrappers the layers call (same arguments and results as the NumPy functions) ------------
def pad(x, ph, pw):
    C, N, H, W = x.shape
    out = numpy.empty((C, N, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    _pad(x, ph, pw, out)
    return out


def im2col(x, kernel, stride, ph=0, pw=0):
    C, N, H, W = x.shape
    kh, kw = kernel
    Ho, Wo = (H + 2 * ph - kh) // stride + 1, (W + 2 * pw - kw) // stride + 1
    cols = numpy.empty((C * kh * kw, N * Ho * Wo), dtype=x.dtype)
    _im2col(numpy.ascontiguousarray(x), kh, kw, stride, ph, pw, cols)
    return cols


def col2im(cols, x_shape_cn, kernel, stride, padding):
    dx = numpy.empty(x_shape_cn, dtype=cols.dtype)
    _col2im(numpy.ascontiguousarray(cols), kernel[0], kernel[1], stride, padding, dx)
    return dx


def shift_add(Z, ho, wo, stride):
    F, _, _, N, _, _ = Z.shape
    y = numpy.empty((F, N, ho, wo), dtype=Z.dtype)
    _shift_add(Z, stride, y)
    return y


def _maps(a):
    """a (..., H, W) as a contiguous (B, H, W) array."""
    return numpy.ascontiguousarray(a).reshape((-1,) + a.shape[-2:])


def max_pool(x, size):
    lead, (h, w) = x.shape[:-2], x.shape[-2:]
    x3 = _maps(x)
    y = numpy.empty((x3.shape[0], h // size, w // size), dtype=x.dtype)
    switches = numpy.empty(y.shape, dtype="int8" if size * size < 128 else "int32")
    _max_pool(x3, size, y, switches)
    return y.reshape(lead + y.shape[1:]), switches.reshape(lead + y.shape[1:])


def place(values, switches, size):
    lead, (h, w) = values.shape[:-2], values.shape[-2:]
    out = numpy.empty((int(numpy.prod(lead)), h * size, w * size), dtype=values.dtype)
    _place(_maps(values), _maps(switches), size, out)
    return out.reshape(lead + out.shape[1:])


def gather(x, switches, size):
    lead, (h, w) = switches.shape[:-2], switches.shape[-2:]
    out = numpy.empty((int(numpy.prod(lead)), h, w), dtype=x.dtype)
    _gather(_maps(x), _maps(switches), size, out)
    return out.reshape(lead + out.shape[1:])


def _blocked_shape(f, kw):
    """(F, kw) rounded up: F to a multiple of BLOCK_F, kw to a multiple of 3."""
    return -(-f // BLOCK_F) * BLOCK_F, -(-kw // 3) * 3


def correlate(x, W, b, padding, relu=False):
    """x (C, N, H, W), W (F, C, kh, kw), b (F,), stride 1 -> y (F, N, Ho, Wo) (ReLU'd when ``relu``)."""
    C, N, H, Wd = x.shape
    F, _, kh, kw = W.shape
    ph, pw = padding
    F4, kw3 = _blocked_shape(F, kw)
    W4 = numpy.zeros((F4, C, kh, kw3), dtype=x.dtype)
    W4[:F, :, :, :kw] = W
    y = numpy.empty((F, N, H + 2 * ph - kh + 1, Wd + 2 * pw - kw + 1), dtype=x.dtype)
    _correlate(x, W4, b, ph, pw, relu, y)
    return y


def correlate_grads(x, dy, kernel, padding):
    """The parameter gradients of ``correlate``: (dW (F, C, kh, kw), db (F,)) for x (C, N, H, W) and
    dcost/dy (F, N, Ho, Wo)."""
    C, N = x.shape[:2]
    F = dy.shape[0]
    kh, kw = kernel
    F4, kw3 = _blocked_shape(F, kw)
    db = numpy.empty((N, F), dtype=dy.dtype)
    dW = numpy.empty((N, F4, C, kh, kw3), dtype=dy.dtype)
    _correlate_grads(x, dy, padding[0], padding[1], db, dW)
    return dW[:, :F, :, :, :kw].sum(axis=0), db.sum(axis=0)
