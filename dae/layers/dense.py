"""Fully connected layers: ``Dense`` (affine), and the tutorial's HiddenLayer and LogisticRegression.

Dense, for a minibatch X of shape (N, n_in) and W (n_in, n_out)::

    A = X W + b                 given dC/dA = D:  gW = X^T D   gb = sum over rows of D   dC/dX = D W^T

``out, cache = dense.forward(x)``; ``dx, [gW, gb] = dense.backward(dout, cache)``
(``Dense(W, b, need_dx=False)``: dx is None, for a first layer whose input needs no gradient).
Every dense layer of every model (SdA, deep autoencoder, VAE) is a Dense followed by an activation
layer (dae/layers/activations.py) or a loss layer (dae/layers/losses.py); only those three files
hold the arithmetic.

HiddenLayer (the multilayer perceptron tutorial's class), for a minibatch X of shape (N, n_in)::

    H = f(X W + b)                    f = sigmoid (default), tanh or relu
    given dC/dH = G (the gradient arriving from above):
        dA = G * f'(H)                f' from the output: s (1 - s), 1 - t^2, [r > 0]
        gW = X^T dA      gb = sum over rows of dA      dC/dX = dA W^T

LogisticRegression (the logistic regression tutorial's class)::

    P(Y = k | x) = softmax(x W + b)_k
    NLL = - mean over the minibatch of log P(Y = y_i | x_i)      (from log_softmax: stable)
    errors = mean over the minibatch of [argmax_k P(Y = k | x_i) != y_i]
    with D = (P - onehot(y)) / N:
        gW = X^T D       gb = sum over rows of D      dNLL/dX = D W^T

Both follow the gradient protocol (``params``, ``param_names``, ``cost_and_grads``), keep the
arrays they are given (so an SdA's dA layers share them) and pair each forward pass with its
backward pass: ``forward`` returns what ``backward`` needs.
"""
import math

import numpy

from .. import backend
from .. import config
from .. import functions
from collections import namedtuple

from .activations import ACTIVATIONS
from .losses import SoftmaxCrossEntropy
from ..validation import check_choice, check_labels, check_matrix, check_param, check_positive_int, check_rng

_BY_FUNCTION = {functions.sigmoid: "sigmoid", functions.tanh: "tanh", functions.relu: "relu"}
HiddenCache = namedtuple("HiddenCache", "x h")
LogisticCache = namedtuple("LogisticCache", "x loss")


def _activation_name(activation):
    """A name of ``ACTIVATIONS``, or one of dae.functions.sigmoid / tanh / relu."""
    if callable(activation) and activation in _BY_FUNCTION:
        return _BY_FUNCTION[activation]
    return check_choice(activation, "activation", tuple(ACTIVATIONS))


def init_bound(n_in, n_out, activation):
    """Half-width of the uniform initial weights.

    tanh: sqrt(6 / (n_in + n_out)) (Glorot & Bengio, 2010, as in the tutorial); sigmoid: four
    times that (the tutorial's rule, since sigmoid'(0) = 1/4); relu: sqrt(6 / n_in), the uniform
    form of He et al. (2015): variance 2 / n_in keeps the activations' scale from layer to layer
    when half the units are off.
    """
    if activation == "relu":
        return math.sqrt(6.0 / n_in)
    bound = math.sqrt(6.0 / (n_in + n_out))
    return 4.0 * bound if activation == "sigmoid" else bound


class Dense:
    """The affine map ``A = X W + b`` on arrays it is given (kept as they are: shared, updated in
    place). ``params = [W, b]``; the cache is the input X. No argument checks: for models that
    stack layers."""

    def __init__(self, W, b, need_dx=True):
        self.W, self.b = W, b
        self.need_dx = bool(need_dx)
        self.params = [W, b]
        self.param_names = ["W", "b"]

    def forward(self, x):
        a = x @ self.W
        a += self.b
        return a, x

    def backward(self, dout, x):
        """(dC/dX, [gW, gb]) from dC/dA = ``dout``; dC/dX is None unless ``need_dx``."""
        grads = [x.T @ dout, dout.sum(axis=0)]
        return (dout @ self.W.T if self.need_dx else None), grads

    def __repr__(self):
        return f"Dense({self.W.shape[0]}, {self.W.shape[1]}, need_dx={self.need_dx})"


class _Dense:
    """What HiddenLayer and LogisticRegression share: W (n_in, n_out) and b (n_out,), either
    given (kept as they are, so other layers share them) or made by ``new_W()``, and the
    check of an input minibatch (the default ``input`` when None)."""

    def _set_params(self, n_in, n_out, W, b, new_W, need_dx=True):
        self.n_in = check_positive_int(n_in, "n_in")
        self.n_out = check_positive_int(n_out, "n_out")
        xp = self.xp = backend.xp
        if W is None:
            W = new_W()
        else:
            check_param(W, "W", (self.n_in, self.n_out), xp)
        if b is None:
            b = xp.zeros(self.n_out, dtype=W.dtype)
        else:
            check_param(b, "b", (self.n_out,), xp)
        self.W, self.b = W, b
        self.params = [self.W, self.b]
        self.param_names = ["W", "b"]
        self.dense = Dense(W, b, need_dx)

    def _x(self, x, name="input"):
        if x is None:
            x = self.input
            if x is None:
                raise ValueError(f"{name} is required: this {type(self).__name__} was built without a default input")
        x = check_matrix(x, name, self.n_in, self.xp, allow_1d=True)
        return x.astype(self.W.dtype, copy=False)


class HiddenLayer(_Dense):
    """A fully connected layer ``H = f(X W + b)``.

    ``HiddenLayer(rng, input=None, n_in, n_out, W=None, b=None, activation='sigmoid', need_dx=True,
    inplace=False)``

    - ``rng``: numpy RandomState that draws W (uniform in +-init_bound; b starts at zero).
    - ``input``: an optional default minibatch, kept as ``self.input`` (the tutorial's symbol).
    - ``W`` (n_in, n_out), ``b`` (n_out,): arrays to use *as they are* (shared, updated in place).
    - ``activation``: 'sigmoid' (default), 'tanh', 'relu' or 'linear' (or the dae.functions
      sigmoid, tanh, relu).
    - ``need_dx``: False for a first layer, whose backward then skips dC/dX (returns None).
    - ``inplace``: backward may overwrite the ``dout`` it is given (for a network that owns its
      gradient arrays); forward always works in place on its own fresh X W + b.
    """

    def __init__(self, rng, input=None, n_in=None, n_out=None, W=None, b=None, activation="sigmoid",
                 need_dx=True, inplace=False):
        check_rng(rng, "rng")
        self.activation = _activation_name(activation)
        self.act = ACTIVATIONS[self.activation](inplace=True)
        self.inplace = bool(inplace)

        def new_W():
            bound = init_bound(self.n_in, self.n_out, self.activation)
            return backend.xp.asarray(numpy.asarray(rng.uniform(-bound, bound, (self.n_in, self.n_out)),
                                                    dtype=config.floatX))
        self._set_params(n_in, n_out, W, b, new_W, need_dx)
        self.input = input

    def output(self, input=None):
        """H = f(X W + b) (the tutorial's ``layer.output``), for ``input`` or the default input."""
        return self.forward(self._x(input))[0]

    # ----- forward / backward pair (no argument checks: for models that stack layers) --------
    def forward(self, x):
        """H = f(X W + b): the Dense, then the activation (in place on the fresh X W + b)."""
        a, x = self.dense.forward(x)
        h, _ = self.act.forward(a)
        return h, HiddenCache(x, h)

    def backward(self, dout, cache):
        """(dC/dX or None, [gW, gb]) from dC/dH = ``dout`` (overwritten only when ``inplace``)."""
        da, _ = self.act.backward(dout if self.inplace else dout.copy(), cache.h)
        return self.dense.backward(da, cache.x)

    # ----- the gradient protocol --------------------------------------------------------------
    def cost_and_grads(self, x, upstream, *, rng=None):
        """A layer has no cost of its own; this is the linear probe ``C = sum(H * upstream)``,
        whose gradient with respect to H is ``upstream`` (shape (N, n_out)): exactly what the
        layer sees inside a network. Returns ``(C, [gW, gb])``; ``rng`` is unused."""
        x = self._x(x, "x")
        upstream = check_matrix(upstream, "upstream", self.n_out, self.xp, allow_1d=True)
        if upstream.shape[0] != x.shape[0]:
            raise ValueError(f"upstream must have one row per example of x ({x.shape[0]}), got {upstream.shape[0]}")
        h, cache = self.forward(x)
        _, grads = self.backward(upstream, cache)
        return (h * upstream).sum(), grads

    def __repr__(self):
        return f"HiddenLayer(n_in={self.n_in}, n_out={self.n_out}, activation={self.activation!r})"


class LogisticRegression(_Dense):
    """Multi-class logistic regression ``P(Y | x) = softmax(x W + b)`` (W and b start at zero).

    ``LogisticRegression(input=None, n_in, n_out)``; the tutorial's symbolic members are methods
    of an input here: ``p_y_given_x(input)``, ``y_pred(input)``, ``negative_log_likelihood(y,
    input)``, ``errors(y, input)``, each defaulting to the ``input`` given at construction.
    """

    def __init__(self, input=None, n_in=None, n_out=None, W=None, b=None):
        self._set_params(n_in, n_out, W, b,
                         lambda: backend.xp.zeros((self.n_in, self.n_out), dtype=config.floatX))
        self.input = input
        self.loss = SoftmaxCrossEntropy()

    def _y(self, y, n):
        return check_labels(y, "y", self.n_out, n, self.xp)

    # ----- the tutorial's members ---------------------------------------------------------------
    def p_y_given_x(self, input=None):
        """softmax(x W + b), shape (N, n_out)."""
        return functions.softmax(self._x(input) @ self.W + self.b)

    def y_pred(self, input=None):
        """argmax_k P(Y = k | x), shape (N,)."""
        return (self._x(input) @ self.W + self.b).argmax(axis=1)

    def negative_log_likelihood(self, y, input=None):
        """- mean_i log P(Y = y_i | x_i)."""
        x = self._x(input)
        y = self._y(y, x.shape[0])
        logp = functions.log_softmax(x @ self.W + self.b)
        return -logp[self.xp.arange(x.shape[0]), y].mean()

    def errors(self, y, input=None):
        """The fraction of examples misclassified (the zero-one loss averaged over the minibatch)."""
        x = self._x(input)
        y = self._y(y, x.shape[0])
        return (self.y_pred(x) != y).mean()

    # ----- forward / backward pair --------------------------------------------------------------
    def forward(self, x, *, target):
        """(NLL, cache) of the labels ``target``, without argument checks: the Dense, then the
        softmax cross-entropy (the target is a keyword, as every loss layer's is)."""
        a, x = self.dense.forward(x)
        cost, loss_cache = self.loss.forward(a, target=target)
        return cost, LogisticCache(x, loss_cache)

    def backward(self, dout, cache):
        """(dNLL/dX, [gW, gb]); ``dout`` is dC/dNLL (1.0 when the NLL is the cost)."""
        d, _ = self.loss.backward(dout, cache.loss)
        return self.dense.backward(d, cache.x)

    # ----- the gradient protocol --------------------------------------------------------------
    def cost_and_grads(self, x, y, *, rng=None):
        """``(NLL, [gW, gb])`` on the minibatch (x, y); ``rng`` is unused (nothing random)."""
        x = self._x(x, "x")
        y = self._y(y, x.shape[0])
        cost, cache = self.forward(x, target=y)
        _, grads = self.backward(1.0, cache)
        return cost, grads

    def __repr__(self):
        return f"LogisticRegression(n_in={self.n_in}, n_out={self.n_out})"
