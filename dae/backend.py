"""The array-module switch: NumPy on the CPU, CuPy on an NVIDIA GPU.

Every model takes its arrays from ``dae.backend.xp``, never from numpy or cupy directly,
so the same code runs on both::

    from dae import backend
    backend.use("cupy")        # or: DAE_BACKEND=cupy python tutorials/dA_tutorial.py
    xp = backend.xp            # the module in force: numpy or cupy

This is the only file in the package that imports cupy. ``to_host`` brings an array back
to NumPy (for saving, printing and plotting: never inside a training step); ``asarray``
moves host data onto the current backend in ``config.floatX``.
"""
import os

import numpy

from . import config

BACKENDS = ("numpy", "cupy")

xp = numpy
name = "numpy"


def _load_cupy():
    try:
        import cupy  # noqa: F401  (the one place cupy is imported)
    except ImportError as exc:
        raise RuntimeError(
            "backend 'cupy' was asked for but CuPy is not installed; "
            "install it with pip install -e '.[gpu]' (needs an NVIDIA GPU and CUDA 12)"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        raise RuntimeError(f"backend 'cupy' was asked for but no CUDA GPU is usable: {exc}") from exc
    if count < 1:
        raise RuntimeError("backend 'cupy' was asked for but no GPU is visible")
    return cupy


def use(backend_name):
    """Choose the array module for everything built afterwards: "numpy" or "cupy".

    Returns the module. Raises ValueError for an unknown name and RuntimeError when
    CuPy is asked for but not installed or no GPU is visible.
    """
    global xp, name
    if backend_name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend_name!r}")
    xp = numpy if backend_name == "numpy" else _load_cupy()
    name = backend_name
    return xp


def get():
    """The array module in force (numpy or cupy)."""
    return xp


def is_gpu_available():
    """True when CuPy imports and sees at least one GPU (never raises)."""
    try:
        _load_cupy()
        return True
    except RuntimeError:
        return False


def array_module(array):
    """numpy or cupy, whichever module ``array`` belongs to."""
    if isinstance(array, numpy.ndarray) or numpy.isscalar(array):
        return numpy
    if type(array).__module__.split(".")[0] == "cupy":
        try:
            import cupy

            return cupy
        except ImportError:
            pass
    return numpy


def to_host(array):
    """A NumPy copy (or view) of ``array``, wherever it lives. For saving and plotting."""
    if isinstance(array, numpy.ndarray):
        return array
    if hasattr(array, "get"):
        return array.get()
    return numpy.asarray(array)


def asarray(array, dtype=None):
    """``array`` on the current backend, as ``dtype`` (default ``config.floatX``)."""
    dtype = config.floatX if dtype is None else dtype
    if xp is numpy:
        return numpy.asarray(to_host(array), dtype=dtype)
    return xp.asarray(array, dtype=dtype)


def synchronize():
    """Wait for the GPU to finish queued work (no-op on NumPy). For timing only."""
    if xp is not numpy:
        xp.cuda.Stream.null.synchronize()


_env = os.environ.get("DAE_BACKEND")
if _env:
    use(_env)


# ----- two kernels the fast training steps need, written once per backend ------------------
def sigmoid_inplace(a):
    """a <- 1 / (1 + exp(-a)), in place. exp may overflow to inf for a < -88 (float32),
    which gives the correct limit 0; the overflow warning is silenced for that reason only."""
    module = array_module(a)
    if module is numpy:
        with numpy.errstate(over="ignore"):
            numpy.negative(a, out=a)
            numpy.exp(a, out=a)
    else:
        module.negative(a, out=a)
        module.exp(a, out=a)
    a += 1.0
    module.reciprocal(a, out=a)
    return a


def gemm_update(alpha, A, B, C, work=None):
    """C <- C + alpha * A^T B, in place.

    ``work``, a preallocated array shaped like C, receives A^T B so that the training loop
    allocates nothing; pass ``alpha=1`` after scaling the smaller factor B yourself to save
    the pass that scales the product. Only the array module's own matmul is used: calling a
    second BLAS (SciPy's OpenBLAS beside NumPy's) from the same loop makes the two libraries'
    worker threads spin against each other, about ten times slower on a 2-core machine.
    """
    module = array_module(C)
    if work is None:
        C += alpha * (A.T @ B)
        return C
    module.matmul(A.T, B, out=work)
    if alpha != 1.0:
        work *= alpha
    C += work
    return C
