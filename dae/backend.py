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
import contextlib
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
        with contextlib.suppress(ImportError):  # a cupy-like type without cupy: fall through to numpy
            import cupy

            return cupy
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
    try:
        use(_env)
    except (ValueError, RuntimeError) as _exc:
        from .envvars import refuse

        _reason = None if _env not in BACKENDS else str(_exc).replace(f"backend {_env!r} was asked for but ", "")
        raise refuse("DAE_BACKEND", _env, " or ".join(BACKENDS) + " (cupy needs CuPy and a GPU)", _reason) from None


# ----- the kernel the fast training steps need, written once per backend ------------------
def _find_numpy_cblas():
    """NumPy's own OpenBLAS ``cblas_sgemm``/``cblas_dgemm`` through ctypes, or None.

    NumPy's matmul cannot accumulate into its output (BLAS's beta = 1), so ``C += A^T B``
    costs a product written to a buffer plus a pass that adds it: three extra trips through
    a weight matrix that does not fit in cache. Calling the gemm of the BLAS NumPy already
    loaded does it in one pass. It must be NumPy's library and no other: a second OpenBLAS
    (SciPy's) called from the same loop makes the two libraries' worker threads spin against
    each other, about ten times slower on a 2-core machine.
    """
    import ctypes
    import glob
    libs = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs",
                                         "libscipy_openblas64_*.so*")))
    if len(libs) != 1:
        return None
    try:
        lib = ctypes.CDLL(libs[0])
        found = {}
        for dtype, fname, ctype in ((numpy.float32, "scipy_cblas_sgemm64_", ctypes.c_float),
                                    (numpy.float64, "scipy_cblas_dgemm64_", ctypes.c_double)):
            f = getattr(lib, fname)
            i64, ptr = ctypes.c_int64, ctypes.c_void_p
            # (order, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); ILP64 ints
            f.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, i64, i64, i64, ctype, ptr, i64,
                          ptr, i64, ctype, ptr, i64]
            f.restype = None
            found[numpy.dtype(dtype)] = f
        return found
    except (OSError, AttributeError):
        return None


_cblas = None if os.environ.get("DAE_NO_CBLAS") else _find_numpy_cblas()
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


def gemm_update(alpha, A, B, C, work=None):
    """C <- C + alpha * A^T B, in place (A: k x m, B: k x n, C: m x n).

    With NumPy's OpenBLAS this is one gemm with beta = 1 (see ``_find_numpy_cblas``): no
    product is materialised. Elsewhere (CuPy, another BLAS), A^T B goes into ``work`` (a
    preallocated C-shaped buffer, so the loop allocates nothing; a temporary if None) and is
    added to C. Passing ``alpha=1`` after scaling the smaller factor B yourself saves a pass.
    """
    module = array_module(C)
    if module is numpy and _cblas is not None and C.dtype in _cblas and A.dtype == C.dtype \
            and B.dtype == C.dtype and A.flags.c_contiguous and B.flags.c_contiguous \
            and C.flags.c_contiguous and C.flags.writeable and A.ndim == B.ndim == C.ndim == 2 \
            and A.shape[0] == B.shape[0] and C.shape == (A.shape[1], B.shape[1]) \
            and not numpy.shares_memory(C, A) and not numpy.shares_memory(C, B):
        k, m = A.shape
        n = B.shape[1]
        if m and n:
            _cblas[C.dtype](_ROW_MAJOR, _TRANS, _NO_TRANS, m, n, k, alpha, A.ctypes.data, max(m, 1),
                            B.ctypes.data, max(n, 1), 1.0, C.ctypes.data, max(n, 1))
        return C
    if work is None:
        C += alpha * (A.T @ B)
        return C
    module.matmul(A.T, B, out=work)
    if alpha != 1.0:
        work *= alpha
    C += work
    return C
