"""The elementwise functions of the models, in numerically stable forms.

Every function takes the array module ``xp`` from its argument's type, so the same code runs
on NumPy and CuPy. The activations as layers, with their derivatives, are
``dae.layers.ACTIVATIONS``; the functions here are what they and the losses compute with.
"""
from . import backend


def _xp(a):
    return backend.array_module(a)


def sigmoid(a, out=None):
    """s(a) = 1 / (1 + exp(-a)) = (1 + tanh(a / 2)) / 2: never overflows, and float32 tanh is
    one vectorised pass (about twice as fast as exp). ``out``: the array to write it into
    (``out=a`` overwrites a)."""
    xp = _xp(a)
    out = xp.multiply(a, 0.5, out=out)
    xp.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def softplus(a):
    """log(1 + exp(a)), stable for any a: max(a, 0) + log1p(exp(-|a|)).

    exp(-|a|) is in (0, 1], so nothing overflows; this form is several times faster than
    ``logaddexp(0, a)`` and agrees with it to a rounding."""
    xp = _xp(a)
    return xp.maximum(a, 0.0) + xp.log1p(xp.exp(-xp.abs(a)))


def tanh(a):
    return _xp(a).tanh(a)


def relu(a):
    return _xp(a).maximum(a, 0.0)


def cross_entropy_from_logits(x, a):
    """Per-example summed Bernoulli cross-entropy between targets x and z = sigmoid(a).

    L(x, z) = - sum_k [ x_k log z_k + (1 - x_k) log(1 - z_k) ]
            =   sum_k [ softplus(a_k) - x_k a_k ]          (since log z = -softplus(-a))

    The second form never takes log(0): it stays finite for saturated units, and equals the
    tutorial's formula wherever that one is finite. Returns shape (n_examples,).
    Its gradient with respect to the logits is simply dL/da = z - x.
    """
    return (softplus(a) - x * a).sum(axis=1)


def cross_entropy_from_logits_grad(x, a):
    """dL/da of :func:`cross_entropy_from_logits` (each row's loss by its own logits): z - x."""
    return sigmoid(a) - x


def squared_error(x, z):
    """Per-example summed squared error: L = sum_k (z_k - x_k)^2 ; dL/dz = 2 (z - x)."""
    d = z - x
    return (d * d).sum(axis=1)


def softmax(a):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    xp = _xp(a)
    e = xp.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(a):
    """Row-wise log softmax: a - logsumexp(a), stable."""
    xp = _xp(a)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
