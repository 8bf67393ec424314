"""Elementwise activations as layers."""
from .. import backend


class ReLU:
    """y = max(x, 0);  dx = dy * [y > 0].

    ``forward(x) -> (y, y)`` (the output is the cache: its sign is the mask);
    ``backward(dy, y) -> (dx, [])``. ``ReLU(inplace=True)`` overwrites x with y and dy with dx:
    for a network that owns its intermediate arrays, one pass and no new array each way.
    """

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)
        self.params, self.param_names = [], []

    def forward(self, x):
        xp = backend.array_module(x)
        y = xp.maximum(x, 0, out=x if self.inplace else None)
        return y, y

    def backward(self, dy, y):
        xp = backend.array_module(dy)
        return xp.multiply(dy, y > 0, out=dy if self.inplace else None), []
