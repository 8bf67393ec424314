"""Layers: each a ``forward(x) -> (out, cache)`` beside its ``backward(dout, cache) -> (dx, grads)``.

dense.py (Dense, HiddenLayer, LogisticRegression), activations.py (Sigmoid, Tanh, ReLU, Identity),
losses.py (SoftmaxCrossEntropy, SigmoidCrossEntropy, SquaredError): every fully connected network
of the package (SdA, deep autoencoder, VAE, the fused SdA step) is built from these.
"""
from .activations import ACTIVATION_LAYERS, Identity, ReLU, Sigmoid, Tanh, activation
from .dense import Dense, HiddenLayer, LogisticRegression
from .losses import SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError

__all__ = ["Dense", "HiddenLayer", "LogisticRegression", "Sigmoid", "Tanh", "ReLU", "Identity",
           "ACTIVATION_LAYERS", "activation", "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "SquaredError"]
