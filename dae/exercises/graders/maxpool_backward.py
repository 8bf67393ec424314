"""Grades max-pooling's forward pass (with its switches) and its backward pass."""
import inspect

import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

CASES = [((2, 3, 4, 4), 2, 800), ((1, 2, 6, 4), 2, 801), ((2, 1, 6, 6), 3, 802)]
AVERAGE = ("dout spread evenly over the window: that is average pooling's backward; in max pooling only "
           "the maximum (the switch) receives dout, the other positions get 0")
COPIED = ("dout copied to every position of its window: only the maximum (the switch) receives it, "
          "the other positions get 0")


def make_case(shape, size, seed):
    """Distinct values (no ties), spaced apart so that finite differences never cross a kink."""
    rng = numpy.random.RandomState(seed)
    return rng.permutation(int(numpy.prod(shape))).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape), size


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
    dout = numpy.random.RandomState(case[-1] + 1).randn(*forward(x, size).shape)
    got = fns["maxpool_backward"](dout, switches, size)
    want = numerical_gradient(lambda v: float((forward(v, size) * dout).sum()), x)
    return [compare("dx", got, want, candidates=[(AVERAGE, _upsample(dout, size) / size ** 2),
                                                 (COPIED, _upsample(dout, size))],
                    shape_hint=f"dx has x's shape {x.shape}")]


def _reference():
    def maxpool_forward(x, size=2):
        return ref.MaxPool2D(size).forward(x)

    def maxpool_backward(dout, switches, size=2):
        return ref.MaxPool2D(size).backward(dout, switches)[0]  # the layer returns (dx, grads)
    return {"maxpool_forward": maxpool_forward, "maxpool_backward": maxpool_backward}


def _solution_objects():
    """MaxPool2D and the window helpers of its module (wherever the layer lives)."""
    module = inspect.getmodule(ref.MaxPool2D)
    helpers = [getattr(module, n) for n in ("_offsets", "place") if hasattr(module, n)]
    return helpers + [ref.MaxPool2D, _reference]


EXERCISE = Exercise(
    "maxpool_backward", "tutorials/conv_autoencoder_tutorial.py",
    "max pooling forward with its switches (where each maximum was), and its backward pass",
    ["maxpool_forward", "maxpool_backward"],
    [Part(["maxpool_forward"], _forward, CASES), Part(["maxpool_forward", "maxpool_backward"], _backward, CASES)],
    _reference, _solution_objects,
)
