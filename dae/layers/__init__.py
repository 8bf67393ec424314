"""Layers: each a ``forward(x) -> (out, cache)`` beside its ``backward(dout, cache) -> (dx, grads)``."""
from .dense import HiddenLayer, LogisticRegression

__all__ = ["HiddenLayer", "LogisticRegression"]
