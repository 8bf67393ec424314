"""Package-wide settings, in Theano's spirit.

``dae.config.floatX`` is the dtype of every parameter built afterwards, as
``theano.config.floatX`` was: ``"float32"`` by default (fast), ``"float64"`` allowed (gradient
checks). Set it by assignment, for a block with ``dae.config.floatX_as("float64")``, or with the
environment variable ``DAE_FLOATX``. Anything else raises ValueError.

``dae.config.kernels`` says which code runs the conv autoencoder's hot loops (dae/kernels.py):
``"numpy"``, the readable reference the chapter shows, or ``"numba"``, the same loops compiled and
spread over the cores (``pip install "dae[fast]"``). The default is ``"numba"`` when numba can be
imported, ``"numpy"`` otherwise; the environment variable ``DAE_KERNELS`` or an assignment chooses,
``dae.config.kernels_as("numpy")`` for a block. ``"numba"`` without numba installed raises
ImportError, any other value ValueError.
"""
import importlib.util
import contextlib
import os
import sys
import types

ALLOWED_FLOATX = ("float32", "float64")
ALLOWED_KERNELS = ("numpy", "numba")


def _validated(value):
    if value not in ALLOWED_FLOATX:
        raise ValueError(f"floatX must be one of {ALLOWED_FLOATX}, got {value!r}")
    return value


def numba_installed():
    """True when the numba package can be found (it is imported only when a kernel first runs)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):  # sys.modules["numba"] = None (blocked) raises ValueError
        return False


def _validated_kernels(value, name="kernels"):
    if value not in ALLOWED_KERNELS:
        raise ValueError(f"{name} must be one of {ALLOWED_KERNELS}, got {value!r}")
    if value == "numba" and not numba_installed():
        raise ImportError(f"{name} is 'numba' but numba is not installed: pip install \"dae[fast]\" "
                          f"(or use 'numpy')")
    return value


class _ConfigModule(types.ModuleType):
    """This module, with ``floatX`` and ``kernels`` validated on assignment."""

    @property
    def kernels(self):
        return self.__dict__["_kernels"]

    @kernels.setter
    def kernels(self, value):
        self.__dict__["_kernels"] = _validated_kernels(value)

    @property
    def floatX(self):
        return self.__dict__["_floatX"]

    @floatX.setter
    def floatX(self, value):
        self.__dict__["_floatX"] = _validated(value)


@contextlib.contextmanager
def _setting_as(name, value):
    """The setting ``name`` (validated by its setter) is ``value`` inside the block, then restored."""
    module = sys.modules[__name__]
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def floatX_as(value):
    """``with dae.config.floatX_as("float64"): ...`` builds models in float64, then restores."""
    return _setting_as("floatX", value)


def kernels_as(value):
    """``with dae.config.kernels_as("numpy"): ...`` runs the block on those kernels, then restores."""
    return _setting_as("kernels", value)


_floatX = os.environ.get("DAE_FLOATX") or "float32"
if _floatX not in ALLOWED_FLOATX:
    from .envvars import refuse

    raise refuse("DAE_FLOATX", _floatX, " or ".join(ALLOWED_FLOATX))
_kernels = os.environ.get("DAE_KERNELS") or ("numba" if numba_installed() else "numpy")
if _kernels not in ALLOWED_KERNELS or (_kernels == "numba" and not numba_installed()):
    from .envvars import refuse

    raise refuse("DAE_KERNELS", _kernels, " or ".join(ALLOWED_KERNELS),
                 'numba is not installed: pip install "dae[fast]"' if _kernels == "numba" else None)
sys.modules[__name__].__class__ = _ConfigModule
