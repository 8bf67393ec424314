"""Elementwise activation layers, and the one table of them: ``ACTIVATIONS[name]`` is the class.

``h, cache = act.forward(a)``; ``da, [] = act.backward(dh, cache)``. Each layer keeps its
*output* as the cache, because every derivative here is cheapest in terms of it::

    Sigmoid   h = s(a) = (1 + tanh(a / 2)) / 2        da = dh * h (1 - h)
    Tanh      h = tanh(a)                             da = dh * (1 - h^2)
    ReLU      h = max(a, 0)                           da = dh * [h > 0]
    Identity  h = a                                   da = dh

``Layer(inplace=True)`` makes forward overwrite ``a`` with h and backward overwrite ``dh`` with
da: no new array, for a network that owns its intermediate arrays (the pre-activation is not
needed again). The in-place sigmoid and tanh keep one slope buffer per shape, made at the first
backward pass, so a training step that reuses its shapes allocates nothing. In-place is off by
default, so a learner's arrays are never changed behind their back.
"""
from .. import backend
from ..functions import sigmoid


class _Activation:
    """No parameters; ``inplace``: overwrite the input of forward and backward."""

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)
        self.params, self.param_names = [], []
        self._work = {}

    def _slope_buffer(self, h):
        """A buffer shaped like h for the slope (reused when in place, None otherwise)."""
        if not self.inplace:
            return None
        key = (h.shape, h.dtype.str, backend.array_module(h).__name__)
        if key not in self._work:
            self._work[key] = backend.array_module(h).empty_like(h)
        return self._work[key]

    def _times_slope(self, dh, slope):
        if self.inplace:
            dh *= slope
            return dh, []
        slope *= dh
        return slope, []

    def __repr__(self):
        return f"{type(self).__name__}(inplace={self.inplace})"


class Sigmoid(_Activation):
    name = "sigmoid"

    def forward(self, a):
        h = sigmoid(a, out=a if self.inplace else None)
        return h, h

    def backward(self, dh, h):
        xp = backend.array_module(h)
        slope = xp.subtract(1.0, h, out=self._slope_buffer(h))
        xp.multiply(h, slope, out=slope)        # h (1 - h)
        return self._times_slope(dh, slope)


class Tanh(_Activation):
    name = "tanh"

    def forward(self, a):
        h = backend.array_module(a).tanh(a, out=a if self.inplace else None)
        return h, h

    def backward(self, dh, h):
        xp = backend.array_module(h)
        slope = xp.multiply(h, h, out=self._slope_buffer(h))
        xp.subtract(1.0, slope, out=slope)      # 1 - h^2
        return self._times_slope(dh, slope)


class ReLU(_Activation):
    name = "relu"

    def forward(self, a):
        h = backend.array_module(a).maximum(a, 0.0, out=a if self.inplace else None)
        return h, h

    def backward(self, dh, h):
        return backend.array_module(h).multiply(dh, h > 0, out=dh if self.inplace else None), []


class Identity(_Activation):
    name = "linear"

    def forward(self, a):
        return a, None

    def backward(self, dh, cache):
        return dh, []


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "linear": Identity}


def activation(name, inplace=False):
    """A new activation layer by name: 'sigmoid', 'tanh', 'relu' or 'linear'."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name](inplace=inplace)
