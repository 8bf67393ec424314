"""Elementwise activation layers: ``h, cache = act.forward(a)``; ``da, [] = act.backward(dh, cache)``.

Each layer keeps its *output* as the cache, because every derivative here is cheapest in terms
of it::

    Sigmoid   h = s(a) = (1 + tanh(a / 2)) / 2        da = dh * h (1 - h)
    Tanh      h = tanh(a)                             da = dh * (1 - h^2)
    ReLU      h = max(a, 0)                           da = dh * [h > 0]
    Identity  h = a                                   da = dh

``forward(a, inplace=True)`` overwrites ``a`` with h (no new array: the pre-activation is not
needed again); ``backward(dh, h, inplace=True)`` overwrites ``dh`` with da; ``Layer(inplace=True)``
makes that the layer's default (a network that owns its intermediate arrays). Both are off by
default, so a learner's arrays are never changed behind their back; ``work`` (an array shaped
like h) gives the sigmoid's and tanh's backward a buffer for the slope, so that a fused training
step (dae/fast.py) allocates nothing. The sigmoid is written with
tanh: it never overflows, and float32 tanh is one vectorised pass (about twice as fast as exp).
The results are bit-identical to ``dae.functions``' sigmoid / tanh / relu and their derivatives.
"""
from .. import backend


class _Activation:
    """No parameters; ``inplace``: the default of forward's and backward's ``inplace``."""

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)
        self.params, self.param_names = [], []

    def _inplace(self, inplace):
        return self.inplace if inplace is None else inplace


class Sigmoid(_Activation):
    name = "sigmoid"

    def forward(self, a, inplace=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(a)
        h = a if inplace else xp.empty_like(a)
        xp.multiply(a, 0.5, out=h)
        xp.tanh(h, out=h)
        h += 1.0
        h *= 0.5
        return h, h

    def backward(self, dh, h, inplace=None, work=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(h)
        slope = xp.subtract(1.0, h, out=work)
        xp.multiply(h, slope, out=slope)        # h (1 - h), the order of dae.functions
        if inplace:
            dh *= slope
            return dh, []
        slope *= dh
        return slope, []


class Tanh(_Activation):
    name = "tanh"

    def forward(self, a, inplace=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(a)
        h = xp.tanh(a, out=a if inplace else None)
        return h, h

    def backward(self, dh, h, inplace=None, work=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(h)
        slope = xp.multiply(h, h, out=work)
        xp.subtract(1.0, slope, out=slope)      # 1 - h^2
        if inplace:
            dh *= slope
            return dh, []
        slope *= dh
        return slope, []


class ReLU(_Activation):
    name = "relu"

    def forward(self, a, inplace=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(a)
        h = xp.maximum(a, 0.0, out=a if inplace else None)
        return h, h

    def backward(self, dh, h, inplace=None):
        inplace = self._inplace(inplace)
        xp = backend.array_module(h)
        return xp.multiply(dh, h > 0, out=dh if inplace else None), []


class Identity(_Activation):
    name = "linear"

    def forward(self, a, inplace=None):
        return a, None

    def backward(self, dh, cache, inplace=None):
        return dh, []


ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "linear": Identity}


def activation(name):
    """A new activation layer by name: 'sigmoid', 'tanh', 'relu' or 'linear'."""
    return ACTIVATION_LAYERS[name]()
