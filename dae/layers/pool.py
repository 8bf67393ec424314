"""Max-pooling with switches, unpooling with them, and nearest-neighbour upsampling.

All three work on the last two axes (height, width), so they serve (N, C, H, W) and the
channel-major (C, N, H, W) alike. The window offset (i, j), 0 <= i, j < size, is read as the
strided view ``x[..., i::size, j::size]``: a loop over the size^2 offsets (4 for 2x2 pooling),
never over pixels, each step one vectorised pass over a quarter of the map.
"""
from .. import backend
from ..validation import check_positive_int
from .conv import check_4d


def _offsets(size):
    """(k, i, j) for the size^2 window positions, k = i size + j (row-major, as argmax counts)."""
    return [(i * size + j, i, j) for i in range(size) for j in range(size)]


def _check_divisible(x, size, name, what):
    if x.shape[2] % size or x.shape[3] % size:
        raise ValueError(
            f"{name} of height x width {x.shape[2]}x{x.shape[3]} cannot be {what} with size {size}: "
            f"both must divide by {size} so that unpooling can mirror it")


def place(values, switches, size):
    """out[..., p size + i, q size + j] = values[..., p, q] where switches[..., p, q] = i size + j, else 0."""
    xp = backend.array_module(values)
    shape = values.shape[:-2] + (values.shape[-2] * size, values.shape[-1] * size)
    out = xp.empty(shape, dtype=values.dtype)
    for k, i, j in _offsets(size):
        xp.multiply(values, switches == k, out=out[..., i::size, j::size])
    return out


def gather(x, switches, size):
    """x's value at each window's switch position: out[..., p, q] = x[..., p size + i, q size + j]."""
    out = x[..., 0::size, 0::size] * (switches == 0)
    for k, i, j in _offsets(size)[1:]:
        out += x[..., i::size, j::size] * (switches == k)
    return out


class MaxPool2D:
    """Non-overlapping max-pooling over size x size windows, remembering the argmax.

    For each window R(p, q) = {(p size + i, q size + j)}::

        y[n, c, p, q] = max over R(p, q) of x[n, c, .]
        s[n, c, p, q] = argmax over R(p, q) (the "switch", i size + j in 0 .. size^2 - 1)
        dx[n, c, r]   = dy[n, c, p, q] if r is the switch of its window, else 0

    The max is a running maximum over the window offsets; a later offset takes the switch only
    when strictly greater, so ties go to the first position, as argmax does. H and W must divide
    by ``size`` (so that :class:`MaxUnpool2D` restores the exact shape).
    ``forward(x) -> (y, switches)``; ``backward(dy, switches) -> (dx, [])``.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")
        self.params, self.param_names = [], []

    def forward(self, x):
        check_4d(x, "x")
        _check_divisible(x, self.size, "x", "max-pooled")
        xp = backend.array_module(x)
        s = self.size
        y = xp.ascontiguousarray(x[..., 0::s, 0::s])
        switches = xp.zeros(y.shape, dtype="int8" if s * s < 128 else "int32")
        for k, i, j in _offsets(s)[1:]:
            v = x[..., i::s, j::s]
            greater = v > y
            xp.maximum(y, v, out=y)
            switches += greater * (k - switches)  # k where v is the new maximum, unchanged elsewhere
        return y, switches

    def backward(self, dy, switches):
        return place(dy, switches, self.size), []


class MaxUnpool2D:
    """The mirror of :class:`MaxPool2D`: each value goes back to where its window's max was.

        x[n, c, r] = y[n, c, p, q] if r is the switch s[n, c, p, q] of window (p, q), else 0
        dy[n, c, p, q] = dx[n, c, switch position]          (a gather: the adjoint of the placing)

    ``forward(y, switches=s) -> (x, s)`` (s: the switches of the MaxPool2D it mirrors, its
    forward's cache); ``backward(dx, s) -> (dy, [])``.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")
        self.params, self.param_names = [], []

    def forward(self, y, *, switches):
        check_4d(y, "y")
        if tuple(switches.shape) != tuple(y.shape):
            raise ValueError(f"switches must have the shape of y {tuple(y.shape)} (the pooled maps they came "
                             f"from), got {tuple(switches.shape)}")
        return place(y, switches, self.size), switches

    def backward(self, dx, switches):
        return gather(dx, switches, self.size), []


class Upsample2D:
    """Nearest-neighbour upsampling, the switch-free way to undo pooling.

        x[n, c, p size + i, q size + j] = y[n, c, p, q]
        dy[n, c, p, q] = sum over the window of dx

    ``forward(y, switches=None) -> (x, None)`` (switches, if given, are ignored: it stands in for
    MaxUnpool2D); ``backward(dx, None) -> (dy, [])``.
    """

    def __init__(self, size=2):
        self.size = check_positive_int(size, "size")
        self.params, self.param_names = [], []

    def forward(self, y, *, switches=None):
        check_4d(y, "y")
        xp = backend.array_module(y)
        s = self.size
        out = xp.empty(y.shape[:-2] + (y.shape[-2] * s, y.shape[-1] * s), dtype=y.dtype)
        for _, i, j in _offsets(s):
            out[..., i::s, j::s] = y
        return out, None

    def backward(self, dx, cache):
        s = self.size
        dy = dx[..., 0::s, 0::s].copy()
        for _, i, j in _offsets(s)[1:]:
            dy += dx[..., i::s, j::s]
        return dy, []
