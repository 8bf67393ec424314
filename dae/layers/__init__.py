"""Layers: each a ``forward(x) -> (out, cache)`` beside its ``backward(dout, cache) -> (dx, grads)``.

One signature for every layer:

- ``out, cache = layer.forward(x)``: ``cache`` holds what the backward pass needs (an array, or
  a small named tuple of them);
- ``dx, grads = layer.backward(dout, cache)``: ``grads`` aligned with ``layer.params`` (``[]``
  for a layer without parameters); ``dx`` is None for a layer built with ``need_dx=False``.
- Options (``inplace``, ``need_dx``, ``layout``, ``size``) are constructor arguments, never
  arguments of the calls.
- A layer with a second input takes it as a keyword of ``forward``, named for what it is: the
  target of a loss (``loss.forward(a, target=y)``, whose out is the cost) and the switches of
  an unpooling (``unpool.forward(y, switches=s)``, s the cache of the ``MaxPool2D`` it mirrors).
  ``backward`` never takes it again: it is in the cache.

``dae.protocol.check_layer`` checks these signatures.

dense.py (Dense, HiddenLayer, LogisticRegression), activations.py (ACTIVATIONS: Sigmoid, Tanh,
ReLU, Identity), losses.py (LOSSES: SigmoidCrossEntropy, SquaredError, SoftmaxCrossEntropy),
dropout.py (Dropout), sequential.py (Sequential: the one way layers are stacked): every fully
connected network of the package is built from these. conv.py (im2col, col2im, Conv2D) and
pool.py (MaxPool2D, MaxUnpool2D, Upsample2D): the convolutional autoencoder's.
"""
from .activations import ACTIVATIONS, Identity, ReLU, Sigmoid, Tanh, activation
from .conv import Conv2D, col2im, im2col
from .dense import Dense, HiddenLayer, LogisticRegression
from .dropout import Dropout
from .losses import LOSSES, SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError, loss
from .pool import MaxPool2D, MaxUnpool2D, Upsample2D
from .sequential import Sequential

__all__ = ["Dense", "HiddenLayer", "LogisticRegression", "Sigmoid", "Tanh", "ReLU", "Identity",
           "ACTIVATIONS", "activation", "LOSSES", "loss", "SoftmaxCrossEntropy", "SigmoidCrossEntropy",
           "SquaredError", "Dropout", "Sequential", "Conv2D", "im2col", "col2im", "MaxPool2D", "MaxUnpool2D",
           "Upsample2D"]
