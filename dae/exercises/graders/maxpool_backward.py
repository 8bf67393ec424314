"""Grades max-pooling's forward pass (with its switches) and its backward pass.

The tie rule is dae's MaxPool2D's (and numpy.argmax's over the flattened window): when a
window's maximum is tied, the switch is the FIRST of the tied positions in row-major order
(along the window's first row, then the next). It is graded on windows with ties, on windows
whose entries are all equal, and on all-zero windows (what a ReLU feeds a pooling layer).
"""

import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, unpack

# (N, C, H, W), size, seed, kind: distinct values, ties in the windows, all-equal and all-zero windows
CASES = [((2, 3, 4, 4), 2, 800, "distinct"), ((1, 2, 6, 4), 2, 801, "distinct"), ((2, 1, 6, 6), 3, 802, "distinct"),
         ((2, 2, 4, 6), 2, 803, "ties"), ((1, 2, 6, 6), 3, 804, "ties"), ((2, 2, 4, 4), 2, 805, "flat")]
AVERAGE = ("dout spread evenly over the window: that is average pooling's backward; in max pooling only "
           "the maximum (the switch) receives dout, the other positions get 0")
ALL_TIED = ("dout sent to every tied maximum of a window: only ONE position receives it, the first maximum "
            "in row-major order (numpy.argmax over the flattened window); an all-zero window passes dout to its "
            "first entry only")
SPLIT_TIED = ("dout split among the tied maxima of a window: only ONE position receives all of it, the first "
              "maximum in row-major order (numpy.argmax over the flattened window), as dae's MaxPool2D does")
LAST_TIED = ("a tie goes to the last maximum of the window: the rule is the FIRST maximum in row-major order "
             "(numpy.argmax over the flattened window, as dae's MaxPool2D)")
COLUMN_MAJOR = ("a tie goes to the first maximum in column-major order (the window read down its columns): "
                "the rule is the first in row-major order, along the window's rows (i size + j)")
TRANSPOSED = ("the window transposed: a switch k = i size + j means row i = k // size, column j = k % size "
              "of the window; yours puts dout at row j, column i")
COPIED = ("dout copied to every position of its window: only the maximum (the switch) receives it, "
          "the other positions get 0")


def make_case(shape, size, seed, kind="distinct"):
    """Distinct values spaced apart (finite differences never cross a kink), or windows with ties."""
    rng = numpy.random.RandomState(seed)
    if kind == "ties":      # a few levels: many windows hold their maximum twice or more
        return rng.randint(0, 3, shape).astype(float) * 0.5, size
    if kind == "flat":      # windows all equal (zero, as a ReLU gives, or another value) among distinct ones
        levels = rng.choice([0.0, 0.0, 1.5, -2.0], size=(shape[0], shape[1], shape[2] // size, shape[3] // size))
        distinct = _upsample(rng.uniform(0, 1, levels.shape) < 0.4, size)
        return _upsample(levels, size) + distinct * rng.uniform(0.1, 1.0, shape), size
    return rng.permutation(int(numpy.prod(shape))).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape), size


def _windows(a, size):
    """(N, C, H, W) -> (N, C, H/size, W/size, size, size): each window as a small matrix."""
    n, c, h, w = a.shape
    return a.reshape(n, c, h // size, size, w // size, size).transpose(0, 1, 2, 4, 3, 5)


def _unwindows(blocks):
    n, c, ho, wo, s, _ = blocks.shape
    return blocks.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, ho * s, wo * s)


def _placed(dout, mask):
    """dx with each window's dout at the positions of ``mask`` (N, C, Ho, Wo, size, size)."""
    return _unwindows(mask * dout[..., None, None])


def _first(flat):
    """One-hot of the first True along the last axis."""
    return numpy.eye(flat.shape[-1], dtype=bool)[numpy.argmax(flat, axis=-1)] & flat.any(axis=-1, keepdims=True)


def _tie_candidates(x, dout, size):
    """The wrong dx of the usual tie rules and of a transposed window."""
    win = _windows(x, size)
    is_max = win == win.max(axis=(-2, -1), keepdims=True)
    shape = is_max.shape
    last = _first(is_max.reshape(shape[:-2] + (-1,))[..., ::-1])[..., ::-1].reshape(shape)
    column = _first(is_max.swapaxes(-1, -2).reshape(shape[:-2] + (-1,))).reshape(shape).swapaxes(-1, -2)
    first = _first(is_max.reshape(shape[:-2] + (-1,))).reshape(shape)
    split = is_max / is_max.sum(axis=(-2, -1), keepdims=True)
    return [(ALL_TIED, _placed(dout, is_max)), (SPLIT_TIED, _placed(dout, split)), (LAST_TIED, _placed(dout, last)), (COLUMN_MAJOR, _placed(dout, column)),
            (TRANSPOSED, _placed(dout, first.swapaxes(-1, -2)))]


def forward(x, size):
    return ref.MaxPool2D(size).forward(x)[0]


def _upsample(d, size):
    return d.repeat(size, axis=2).repeat(size, axis=3)


def _forward(fns, case):
    x, size = make_case(*case)
    got = unpack(fns["maxpool_forward"](x, size), ("out", "switches"), "maxpool_forward")
    want = forward(x, size)
    return [compare("out", got["out"], want, shape_hint=f"expected (N, C, H/size, W/size) = {want.shape}")]


def _backward(fns, case):
    x, size = make_case(*case)
    out, switches = unpack(fns["maxpool_forward"](x, size), ("out", "switches"), "maxpool_forward").values()
    dout = numpy.random.RandomState(case[2] + 1).randn(*forward(x, size).shape)
    got = fns["maxpool_backward"](dout, switches, size)
    pool = ref.MaxPool2D(size)
    want = pool.backward(dout, pool.forward(x)[1])[0]
    return [compare("dx", got, want, candidates=_tie_candidates(x, dout, size) + [
        (AVERAGE, _upsample(dout, size) / size ** 2), (COPIED, _upsample(dout, size))],
                    shape_hint=f"dx has x's shape {x.shape}")]


def _reference():
    def maxpool_forward(x, size=2):
        return ref.MaxPool2D(size).forward(x)

    def maxpool_backward(dout, switches, size=2):
        return ref.MaxPool2D(size).backward(dout, switches)[0]  # the layer returns (dx, grads)
    return {"maxpool_forward": maxpool_forward, "maxpool_backward": maxpool_backward}


EXERCISE = Exercise(
    "maxpool_backward", "tutorials/conv_autoencoder_tutorial.py",
    "max pooling forward with its switches (where each maximum was), and its backward pass",
    ["maxpool_forward", "maxpool_backward"],
    [Part(["maxpool_forward"], _forward, CASES), Part(["maxpool_forward", "maxpool_backward"], _backward, CASES)],
    _reference,
)
