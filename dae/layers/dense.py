"""Fully connected layers: ``Dense`` (affine), and the tutorial's HiddenLayer and LogisticRegression.

Dense, for a minibatch X of shape (N, n_in) and W (n_in, n_out)::

    A = X W + b                 given dC/dA = D:  gW = X^T D   gb = sum over rows of D   dC/dX = D W^T

``out, cache = dense.forward(x)``; ``dx, [gW, gb] = dense.backward(dout, cache, need_dx=True)``.
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
from .activations import activation as make_activation
from .losses import SoftmaxCrossEntropy
from ..validation import check_choice, check_labels, check_matrix, check_param, check_positive_int, check_rng

ACTIVATIONS = ("sigmoid", "tanh", "relu")
_BY_FUNCTION = {functions.sigmoid: "sigmoid", functions.tanh: "tanh", functions.relu: "relu"}


def _activation_name(activation):
    """'sigmoid' | 'tanh' | 'relu', or one of dae.functions.sigmoid / tanh / relu."""
    if callable(activation) and activation in _BY_FUNCTION:
        return _BY_FUNCTION[activation]
    return check_choice(activation, "activation", ACTIVATIONS)


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
    place). ``params = [W, b]``. No argument checks: for models that stack layers."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.params = [W, b]
        self.param_names = ["W", "b"]

    def forward(self, x):
        a = x @ self.W
        a += self.b
        return a, x

    def backward(self, dout, x, need_dx=True):
        """(dC/dX, [gW, gb]) from dC/dA = ``dout``; dC/dX is None unless ``need_dx``."""
        grads = [x.T @ dout, dout.sum(axis=0)]
        return (dout @ self.W.T if need_dx else None), grads


class _Dense:
    """What HiddenLayer and LogisticRegression share: W (n_in, n_out) and b (n_out,), either
    given (kept as they are, so other layers share them) or made by ``new_W()``, and the
    check of an input minibatch (the default ``input`` when None)."""

    def _set_params(self, n_in, n_out, W, b, new_W):
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
        self.dense = Dense(W, b)

    def _x(self, x, name="input"):
        if x is None:
            x = self.input
            if x is None:
                raise ValueError(f"{name} is required: this {type(self).__name__} was built without a default input")
        x = check_matrix(x, name, self.n_in, self.xp, allow_1d=True)
        return x.astype(self.W.dtype, copy=False)


class HiddenLayer(_Dense):
    """A fully connected layer ``H = f(X W + b)``.

    ``HiddenLayer(rng, input=None, n_in, n_out, W=None, b=None, activation='sigmoid')``

    - ``rng``: numpy RandomState that draws W (uniform in +-init_bound; b starts at zero).
    - ``input``: an optional default minibatch, kept as ``self.input`` (the tutorial's symbol).
    - ``W`` (n_in, n_out), ``b`` (n_out,): arrays to use *as they are* (shared, updated in place).
    - ``activation``: 'sigmoid' (default), 'tanh' or 'relu' (or the dae.functions of those names).
    """

    def __init__(self, rng, input=None, n_in=None, n_out=None, W=None, b=None, activation="sigmoid"):
        check_rng(rng, "rng")
        self.activation = _activation_name(activation)
        self.act = make_activation(self.activation)

        def new_W():
            bound = init_bound(self.n_in, self.n_out, self.activation)
            return backend.xp.asarray(numpy.asarray(rng.uniform(-bound, bound, (self.n_in, self.n_out)),
                                                    dtype=config.floatX))
        self._set_params(n_in, n_out, W, b, new_W)
        self.input = input

    def output(self, input=None):
        """H = f(X W + b) (the tutorial's ``layer.output``), for ``input`` or the default input."""
        return self.forward(self._x(input))[0]

    # ----- forward / backward pair (no argument checks: for models that stack layers) --------
    def forward(self, x):
        """H = f(X W + b): the Dense, then the activation (in place on the fresh X W + b)."""
        a, x = self.dense.forward(x)
        h, _ = self.act.forward(a, inplace=True)
        return h, (x, h)

    def backward(self, dout, cache, need_dx=True):
        """(dC/dX or None, [gW, gb]) from dC/dH = ``dout``; dC/dX only when ``need_dx``."""
        x, h = cache
        da, _ = self.act.backward(dout, h)
        return self.dense.backward(da, x, need_dx)

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
        _, grads = self.backward(upstream, cache, need_dx=False)
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
    def forward(self, x, y):
        """(NLL, cache) without argument checks: the Dense, then the softmax cross-entropy."""
        a, x = self.dense.forward(x)
        cost, loss_cache = self.loss.forward(a, y)
        return cost, (x, loss_cache)

    def backward(self, dout, cache, need_dx=True):
        """(dNLL/dX or None, [gW, gb]); ``dout`` is dC/dNLL (1.0 when the NLL is the cost)."""
        x, loss_cache = cache
        d, _ = self.loss.backward(dout, loss_cache)
        return self.dense.backward(d, x, need_dx)

    # ----- the gradient protocol --------------------------------------------------------------
    def cost_and_grads(self, x, y, *, rng=None):
        """``(NLL, [gW, gb])`` on the minibatch (x, y); ``rng`` is unused (nothing random)."""
        x = self._x(x, "x")
        y = self._y(y, x.shape[0])
        cost, cache = self.forward(x, y)
        _, grads = self.backward(1.0, cache, need_dx=False)
        return cost, grads

    def __repr__(self):
        return f"LogisticRegression(n_in={self.n_in}, n_out={self.n_out})"
