"""Package-wide settings, in Theano's spirit.

``dae.config.floatX`` is the dtype of every parameter built afterwards, as
``theano.config.floatX`` was: ``"float32"`` by default (fast), ``"float64"`` allowed (gradient
checks). Set it by assignment, for a block with ``dae.config.floatX_as("float64")``, or with the
environment variable ``DAE_FLOATX``. Anything else raises ValueError.
"""
import contextlib
import os
import sys
import types

ALLOWED_FLOATX = ("float32", "float64")


def _validated(value):
    if value not in ALLOWED_FLOATX:
        raise ValueError(f"floatX must be one of {ALLOWED_FLOATX}, got {value!r}")
    return value


class _ConfigModule(types.ModuleType):
    """This module, with ``floatX`` validated on assignment."""

    @property
    def floatX(self):
        return self.__dict__["_floatX"]

    @floatX.setter
    def floatX(self, value):
        self.__dict__["_floatX"] = _validated(value)


@contextlib.contextmanager
def floatX_as(value):
    """``with dae.config.floatX_as("float64"): ...`` builds models in float64, then restores."""
    module = sys.modules[__name__]
    old = module.floatX
    module.floatX = value
    try:
        yield
    finally:
        module.floatX = old


_floatX = os.environ.get("DAE_FLOATX") or "float32"
if _floatX not in ALLOWED_FLOATX:
    from .envvars import refuse

    raise refuse("DAE_FLOATX", _floatX, " or ".join(ALLOWED_FLOATX))
sys.modules[__name__].__class__ = _ConfigModule
