"""The denoising autoencoder of the deeplearning.net tutorial, in NumPy (or CuPy).

A denoising autoencoder (Vincent et al., 2008) corrupts its input x into x~, encodes the
corrupted input and is trained to reconstruct the *clean* x::

    x~ = x * m,          m_k ~ Bernoulli(1 - corruption_level)     (masking noise)
    y  = s(x~ W + b)                                               (hidden code)
    z  = s(y W' + b'),   W' = W^T                                  (tied weights)
    L(x, z) = - sum_k [ x_k log z_k + (1 - x_k) log(1 - z_k) ]    (cross-entropy)
    cost = mean over the minibatch of L

with s the logistic sigmoid. Writing a_z = y W' + b' for the decoder's pre-activation, the
gradients that Theano's ``T.grad`` produced for the tutorial are, for a minibatch of N rows::

    dz  = (z - x) / N                       (dcost/da_z: the sigmoid and the log cancel)
    dy  = (dz W) * y * (1 - y)              (dcost/da_y, back through the decoder)
    gb' = sum over rows of dz
    gb  = sum over rows of dy
    gW  = x~^T dy  +  dz^T y                (encoder term + decoder term: W is used twice)

``cost_and_grads`` computes exactly these; ``get_cost_updates`` turns them into the
tutorial's list of ``(param, param - learning_rate * gparam)`` updates.
"""
import math

import numpy

from . import backend
from . import config
from .corruption import corrupt
from .functions import cross_entropy_from_logits, sigmoid
from .random import RandomStreams
from .validation import check_float, check_matrix, check_param, check_positive_int, check_rng


def _check_corruption_level(level):
    return check_float(level, "corruption_level", 0.0, 1.0, high_inclusive=False)


def _corruption_rng(theano_rng):
    """The tutorial's theano_rng argument: a RandomStreams, an int seed or an rng object."""
    if isinstance(theano_rng, (int, numpy.integer)) and not isinstance(theano_rng, bool):
        return RandomStreams(int(theano_rng))
    if isinstance(theano_rng, RandomStreams) or hasattr(theano_rng, "binomial"):
        return theano_rng
    raise TypeError(
        "theano_rng must be a dae.RandomStreams, an int seed or a random generator with a "
        f"binomial method, got {type(theano_rng).__name__}"
    )


class dA:
    """Denoising autoencoder with tied weights (the tutorial's class).

    ``dA(numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500, W=None,
    bhid=None, bvis=None)``

    - ``numpy_rng``: ``numpy.random.RandomState`` that initialises W.
    - ``theano_rng``: the corruption stream. When omitted it is
      ``RandomStreams(numpy_rng.randint(2 ** 30))``, drawn *before* W, as in the tutorial.
    - ``input``: an optional default minibatch (the tutorial's symbolic ``x``); kept as ``self.x``.
    - ``W``, ``bhid``, ``bvis``: arrays to *share* (updated in place), e.g. an SdA's hidden layer.

    W is drawn uniform in +-4 sqrt(6 / (n_visible + n_hidden)) (the sigmoid's Glorot range),
    shape (n_visible, n_hidden); the biases start at zero. ``params = [W, b, b_prime]``.
    """

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500,
                 W=None, bhid=None, bvis=None):
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        xp = self.xp = backend.xp
        floatX = config.floatX

        # The tutorial's order: the corruption stream's seed is drawn before W.
        if theano_rng is None:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        self.theano_rng = _corruption_rng(theano_rng)

        if W is None:
            bound = 4 * math.sqrt(6.0 / (n_hidden + n_visible))
            initial_W = numpy.asarray(
                numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)), dtype=floatX
            )
            W = xp.asarray(initial_W)
        else:
            check_param(W, "W", (n_visible, n_hidden), xp)
        if bvis is None:
            bvis = xp.zeros(n_visible, dtype=W.dtype)
        else:
            check_param(bvis, "bvis", (n_visible,), xp)
        if bhid is None:
            bhid = xp.zeros(n_hidden, dtype=W.dtype)
        else:
            check_param(bhid, "bhid", (n_hidden,), xp)

        self.W = W
        self.b = bhid          # hidden bias
        self.b_prime = bvis    # visible (reconstruction) bias
        self.W_prime = self.W.T  # tied weights: a view, so it follows W's in-place updates
        self.x = input
        self.params = [self.W, self.b, self.b_prime]
        self.param_names = ["W", "b", "b_prime"]
        self.corruption_site = "corruption"  # the name of this layer's stream in theano_rng

    # ----- the tutorial's building blocks -------------------------------------------------
    def _input(self, x, name="input", unit_interval=False):
        x = check_matrix(x, name, self.n_visible, self.xp, unit_interval=unit_interval, allow_1d=True)
        return x.astype(self.W.dtype, copy=False)

    def get_corrupted_input(self, input, corruption_level, rng=None):
        """x~ = x * m with m_k ~ Bernoulli(1 - corruption_level), drawn from ``rng``
        (default: this model's ``theano_rng``)."""
        input = self._input(input)
        level = _check_corruption_level(corruption_level)
        rng = self.theano_rng if rng is None else rng
        return corrupt(input, level, "masking", rng, self.corruption_site)

    def get_hidden_values(self, input):
        """y = s(x W + b)."""
        input = self._input(input)
        return sigmoid(input @ self.W + self.b)

    def get_reconstructed_input(self, hidden):
        """z = s(y W' + b')."""
        hidden = check_matrix(hidden, "hidden", self.n_hidden, self.xp, allow_1d=True)
        return sigmoid(hidden.astype(self.W.dtype, copy=False) @ self.W_prime + self.b_prime)

    # ----- cost and gradients (the gradient protocol) ---------------------------------------
    def cost_and_grads(self, x, corruption_level=0.0, rng=None):
        """The minibatch cost and its gradients ``[gW, gb, gb_prime]`` (aligned with params).

        ``x`` is a clean minibatch (n, n_visible) in [0, 1]; the corruption is drawn from
        ``rng`` (default: ``self.theano_rng``). The equations are in the module docstring.
        """
        x = self._input(x, "x", unit_interval=True)
        level = _check_corruption_level(corruption_level)
        rng = self.theano_rng if rng is None else rng

        # forward
        tilde_x = corrupt(x, level, "masking", rng, self.corruption_site)
        y = sigmoid(tilde_x @ self.W + self.b)
        a_z = y @ self.W_prime + self.b_prime
        z = sigmoid(a_z)
        cost = cross_entropy_from_logits(x, a_z).mean()

        # backward
        n = x.shape[0]
        dz = (z - x) / n
        dy = (dz @ self.W) * y * (1.0 - y)
        gW = tilde_x.T @ dy + dz.T @ y
        gb = dy.sum(axis=0)
        gb_prime = dz.sum(axis=0)
        return cost, [gW, gb, gb_prime]

    def get_cost_updates(self, x, corruption_level, learning_rate):
        """The tutorial's ``get_cost_updates``, evaluated on the minibatch ``x``.

        Theano version::

            cost, updates = da.get_cost_updates(corruption_level=0.3, learning_rate=0.1)
            train_da = theano.function([index], cost, updates=updates, givens={x: ...})
            c = train_da(batch_index)

        dae version (nothing symbolic: the cost and the new values are computed now)::

            cost, updates = da.get_cost_updates(x_batch, corruption_level=0.3, learning_rate=0.1)
            dae.apply_updates(updates)      # what theano.function did with ``updates``

        Returns ``(cost, [(param, param - learning_rate * gparam), ...])``.
        """
        learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        cost, grads = self.cost_and_grads(x, corruption_level)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, grads)]
        return cost, updates

    # ----- for users ----------------------------------------------------------------------
    def reconstruct(self, x):
        """z for a clean input x (no corruption)."""
        return self.get_reconstructed_input(self.get_hidden_values(x))

    def __repr__(self):
        return f"dA(n_visible={self.n_visible}, n_hidden={self.n_hidden}, dtype={self.W.dtype})"
