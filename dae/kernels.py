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

The worker threads come from numba's ``workqueue`` layer unless ``NUMBA_THREADING_LAYER`` says
otherwise: its workers sleep between loops, where OpenMP's spin, and on a machine with few cores
(or a busy one) spinning workers take the cores from OpenBLAS's threads and the other processes.
"""
import functools
import os

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


def _compile(fn):
    """fn, compiled by numba on its first call (cached on disk); numba is imported then. Two builds:
    the outer ``prange`` spread over the cores, and a one-thread build for small outputs (the last
    argument of every kernel is its output)."""
    compiled = {}

    @functools.wraps(fn)
    def call(*args):
        if not compiled:
            import numba
            if "NUMBA_THREADING_LAYER" not in os.environ:
                # workers that sleep between loops: OpenMP's spin after each one, and on a 2-core
                # machine they then fight OpenBLAS's threads (which spin too) for the cores
                numba.config.THREADING_LAYER = "workqueue"
            globals()["prange"], globals()["U"] = numba.prange, numba.uintp
            compiled[True] = numba.njit(parallel=True, cache=True, nogil=True)(fn)
            compiled[False] = numba.njit(cache=True, nogil=True)(fn)
        return compiled[args[-1].size >= PARALLEL_MIN](*args)
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
