"""Grades a convolution layer's forward pass and its backward pass (through im2col / col2im)."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

# (N, C, H, W), (F, kh, kw), stride, padding; the last has fewer output than input channels
CASES = [((2, 3, 5, 5), (4, 3, 3), 1, 1, 700), ((2, 2, 6, 5), (3, 2, 2), 2, 0, 701),
         ((1, 4, 5, 4), (2, 3, 2), 1, 1, 702)]
FLIPPED = ("a true convolution (the kernel flipped): the layer is a cross-correlation, "
           "y[n, f, p, q] = b[f] + sum_{c,i,j} W[f, c, i, j] xpad[n, c, p s + i, q s + j]")
NO_BIAS = "the bias is missing: every output map f gets b[f] added"
ASSIGNED = ("col2im assigns where it must add: overlapping windows read the same input pixel, so their "
            "gradients add up (dxpad[...] += cols[...], not =)")


def make_case(x_shape, w_shape, stride, padding, seed):
    rng = numpy.random.RandomState(seed)
    f, kh, kw = w_shape
    W = rng.randn(f, x_shape[1], kh, kw) * 0.5
    return rng.randn(*x_shape), W, rng.randn(f) * 0.5, stride, padding


def layer(W, b, stride, padding):
    return ref.Conv2D(None, W.shape[1], W.shape[0], W.shape[2:], stride, padding, W=W, b=b)


def forward(x, W, b, stride, padding):
    return layer(W, b, stride, padding).forward(x)[0]


def _forward(fns, case):
    x, W, b, s, p = make_case(*case)
    want = forward(x, W, b, s, p)
    return [compare("out", fns["conv_forward"](x, W, b, s, p), want, x.shape[0], [
        (FLIPPED, forward(x, W[:, :, ::-1, ::-1].copy(), b, s, p)), (NO_BIAS, forward(x, W, 0 * b, s, p))],
        shape_hint=f"expected (N, F, Ho, Wo) = {want.shape}, Ho = (H + 2 padding - kh) // stride + 1")]


def _assigned(dout, x, W, s, p, offsets_first):
    """dx from a col2im that assigns (=) instead of adding (+=), looping over the kernel offsets
    (``offsets_first``) or over the output positions: the last write wins."""
    n, c, h, w = x.shape
    kh, kw = W.shape[2:]
    ho, wo = dout.shape[2:]
    v = numpy.einsum("fcij,nfpq->ncijpq", W, dout)
    dxp = numpy.zeros((n, c, h + 2 * p, w + 2 * p))
    if offsets_first:
        for i in range(kh):
            for j in range(kw):
                dxp[:, :, i:i + s * ho:s, j:j + s * wo:s] = v[:, :, i, j]
    else:
        for r in range(ho):
            for q in range(wo):
                dxp[:, :, r * s:r * s + kh, q * s:q * s + kw] = v[:, :, :, :, r, q]
    return dxp[:, :, p:p + h, p:p + w]


def _backward(fns, case):
    x, W, b, s, p = make_case(*case)
    dout = numpy.random.RandomState(case[-1] + 1).randn(*forward(x, W, b, s, p).shape)
    got = unpack(fns["conv_backward"](dout, x, W, b, s, p), ("dx", "dW", "db"), "conv_backward")
    probe = [x, W, b]

    def fd(i, eps=1e-5):
        def f(v):
            vals = list(probe)
            vals[i] = v
            return float((forward(vals[0], vals[1], vals[2], s, p) * dout).sum())
        return numerical_gradient(f, probe[i], eps)
    flipped = layer(W[:, :, ::-1, ::-1].copy(), b, s, p)
    dx_flipped = flipped.backward(dout, flipped.forward(x)[1])[0]
    padded = (x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p)
    dx = got["dx"]
    dx_hint = (f"dx has the padded shape {padded}: cut the padding off (dx = dxpad[:, :, p:-p, p:-p])"
               if getattr(dx, "shape", None) == padded and p else f"dx has x's shape {x.shape}")
    want = _reference()["conv_backward"](dout, x, W, b, s, p)
    assigned = [(ASSIGNED, _assigned(dout, x, W, s, p, first)) for first in (True, False)]
    return [compare("dx", dx, want[0], x.shape[0], [(FLIPPED, dx_flipped)] + assigned, shape_hint=dx_hint,
                    estimate=lambda eps: fd(0, eps)),
            compare("dW", got["dW"], want[1], x.shape[0], estimate=lambda eps: fd(1, eps)),
            compare("db", got["db"], want[2], x.shape[0], [
                ("db summed over the examples only: sum over the examples and every output position",
                 dout.sum(axis=(0, 2, 3)) / (dout.shape[2] * dout.shape[3]))],
                shape_hint=f"db has b's shape {b.shape}: the sum of dout over examples and positions",
                estimate=lambda eps: fd(2, eps))]


def _reference():
    def conv_forward(x, W, b, stride=1, padding=0):
        return forward(x, W, b, stride, padding)

    def conv_backward(dout, x, W, b, stride=1, padding=0):
        conv = layer(W, b, stride, padding)
        _, cache = conv.forward(x)
        dx, (dW, db) = conv.backward(dout, cache)
        return dx, dW, db
    return {"conv_forward": conv_forward, "conv_backward": conv_backward}


EXERCISE = Exercise(
    "conv_backward", "tutorials/conv_autoencoder_tutorial.py",
    "a convolution layer's forward and backward passes through im2col / col2im",
    ["conv_forward", "conv_backward"],
    [Part(["conv_forward"], _forward, CASES), Part(["conv_backward"], _backward, CASES)],
    _reference,
)
