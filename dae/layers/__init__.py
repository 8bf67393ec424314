"""Layers: each a ``forward(x) -> (out, cache)`` beside its ``backward(dout, cache) -> (dx, grads)``.

dense (HiddenLayer, LogisticRegression), conv (im2col, col2im, Conv2D), pool (MaxPool2D,
MaxUnpool2D, Upsample2D), activation (ReLU).
"""
from .activation import ReLU
from .conv import Conv2D, col2im, im2col
from .dense import HiddenLayer, LogisticRegression
from .pool import MaxPool2D, MaxUnpool2D, Upsample2D

__all__ = ["HiddenLayer", "LogisticRegression", "Conv2D", "im2col", "col2im", "MaxPool2D", "MaxUnpool2D",
           "Upsample2D", "ReLU"]
