"""Layers: each a ``forward(x) -> (out, cache)`` beside its ``backward(dout, cache) -> (dx, grads)``.

dense.py (Dense, HiddenLayer, LogisticRegression), activations.py (Sigmoid, Tanh, ReLU, Identity),
losses.py (SoftmaxCrossEntropy, SigmoidCrossEntropy, SquaredError): every fully connected network
of the package (SdA, deep autoencoder, VAE, the fused SdA step) is built from these.
conv.py (im2col, col2im, Conv2D) and pool.py (MaxPool2D, MaxUnpool2D, Upsample2D): the
convolutional autoencoder's.
"""
from .activations import ACTIVATION_LAYERS, Identity, ReLU, Sigmoid, Tanh, activation
from .conv import Conv2D, col2im, im2col
from .dense import Dense, HiddenLayer, LogisticRegression
from .losses import SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError
from .pool import MaxPool2D, MaxUnpool2D, Upsample2D

__all__ = ["Dense", "HiddenLayer", "LogisticRegression", "Sigmoid", "Tanh", "ReLU", "Identity",
           "ACTIVATION_LAYERS", "activation", "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "SquaredError",
           "Conv2D", "im2col", "col2im", "MaxPool2D", "MaxUnpool2D", "Upsample2D"]
