r"""The denoising autoencoder of the deeplearning.net tutorial (``dA.py``), in NumPy (or CuPy).

A denoising autoencoder (Vincent et al., 2008) corrupts its input x into x~, encodes the
corrupted input and is trained to reconstruct the *clean* x. With s the logistic sigmoid::

    x~ = x * m,          m_k ~ Bernoulli(1 - corruption_level)     (masking noise)
    y  = s(x~ W + b)                                               (hidden code)
    z  = s(y W' + b'),   W' = W^T                                  (tied weights)
    L(x, z) = - sum_k [ x_k log z_k + (1 - x_k) log(1 - z_k) ]    (cross-entropy)
    cost = mean over the minibatch of L

Writing a_z = y W' + b' for the decoder's pre-activation, the gradients that Theano's
``T.grad`` produced for the tutorial are, for a minibatch of N rows::

    delta_z = (z - x) / N                       (dcost/da_z: the sigmoid and the log cancel)
    delta_y = (delta_z W) * y * (1 - y)         (dcost/da_y, back through the decoder)
    gW      = x~^T delta_y  +  delta_z^T y      (encoder term + decoder term: W is used twice)
    gb      = sum over rows of delta_y
    gb'     = sum over rows of delta_z

The same, as the API pages render it:

.. math::

    \tilde{x} = x \odot m, \quad m_k \sim \mathrm{Bernoulli}(1 - p) \qquad
    y = s(\tilde{x} W + b) \qquad z = s(y W^\top + b')

    L(x, z) = -\sum_k \left[ x_k \log z_k + (1 - x_k) \log (1 - z_k) \right], \qquad
    \mathrm{cost} = \frac{1}{N} \sum_n L(x_n, z_n)

.. math::

    \delta_z = \frac{z - x}{N} \qquad
    \delta_y = (\delta_z W) \odot y \odot (1 - y)

    \frac{\partial\,\mathrm{cost}}{\partial W} = \tilde{x}^\top \delta_y + \delta_z^\top y \qquad
    \frac{\partial\,\mathrm{cost}}{\partial b} = \sum_n \delta_y \qquad
    \frac{\partial\,\mathrm{cost}}{\partial b'} = \sum_n \delta_z

The family (untied weights, other activations, losses and noises, sparsity, dropout) is its
own model, :class:`dae.Autoencoder`, which gives these numbers with its defaults.
"""
import math

import numpy

from .. import backend
from .. import config
from ..corruption import check_corruption_level, corrupt, corruption_stream
from ..functions import cross_entropy_from_logits, sigmoid
from ..optim import sgd_updates
from ..validation import check_matrix, check_param, check_positive_int, check_rng

FAMILY_KEYWORDS = ("tied_weights", "loss", "activation", "decoder", "noise", "sparsity", "sparsity_weight",
                   "sparsity_target", "dropout")


def uniform_weights(numpy_rng, n_in, n_out, gain=4.0):
    """An (n_in, n_out) matrix uniform in +-gain sqrt(6 / (n_in + n_out)), drawn from ``numpy_rng``
    in ``config.floatX`` on the backend in force (gain 4: the tutorial's range for sigmoid units)."""
    bound = gain * math.sqrt(6.0 / (n_in + n_out))
    draws = numpy_rng.uniform(low=-bound, high=bound, size=(n_in, n_out))
    return backend.xp.asarray(numpy.asarray(draws, dtype=config.floatX))


def tied_parameters(numpy_rng, n_visible, n_hidden, W=None, bhid=None, bvis=None, gain=4.0):
    """(W, bhid, bvis) as the tutorial makes them: W from :func:`uniform_weights`, biases zero;
    given arrays are checked and kept as they are (shared, updated in place)."""
    xp = backend.xp
    if W is None:
        W = uniform_weights(numpy_rng, n_visible, n_hidden, gain)
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
    return W, bhid, bvis


def tied_cost_and_grads(W, b, b_prime, x, tilde_x):
    """The tutorial's cost and gradients on an already corrupted input: ``(cost, [gW, gb, gb_prime])``.

    ``y = s(x~ W + b)``, ``z = s(y W^T + b')``, cost = mean over the N rows of the summed
    cross-entropy between the clean ``x`` and ``z``; the gradients of the module docstring.
    """
    N = x.shape[0]                                 # rows (examples) in the minibatch
    y = sigmoid(tilde_x @ W + b)                   # the code of the corrupted input
    a_z = y @ W.T + b_prime                        # the decoder's input
    z = sigmoid(a_z)                               # the reconstruction
    cost = cross_entropy_from_logits(x, a_z).mean()
    delta_z = (z - x) / N                          # dcost/da_z: the sigmoid and the log cancel
    delta_y = (delta_z @ W) * y * (1.0 - y)        # back through W^T, then the encoder's sigmoid
    gW = tilde_x.T @ delta_y + delta_z.T @ y       # W is used twice: encoder term + decoder term
    gb = delta_y.sum(axis=0)
    gb_prime = delta_z.sum(axis=0)
    return cost, [gW, gb, gb_prime]


def _refuse_options(options):
    """The family's keywords belong to dae.Autoencoder; anything else is an unknown keyword."""
    family = [key for key in options if key in FAMILY_KEYWORDS]
    if family:
        raise TypeError(
            f"dA is the tutorial's model (tied weights, sigmoid, cross-entropy, masking noise) and takes no "
            f"{', '.join(family)}; use dae.Autoencoder(numpy_rng, n_visible=..., n_hidden=..., "
            f"{family[0]}=...) for the family (dropout is a keyword of its cost_and_grads)"
        )
    if options:
        raise TypeError(f"dA() got an unexpected keyword argument {next(iter(options))!r}")


class dA:
    """Denoising autoencoder (the tutorial's class).

    ``dA(numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500, W=None,
    bhid=None, bvis=None)``

    - ``numpy_rng``: ``numpy.random.RandomState`` (or ``Generator``) that initialises W.
    - ``theano_rng``: the corruption stream. When omitted it is
      ``RandomStreams(numpy_rng.randint(2 ** 30))``, drawn *before* W, as in the tutorial.
    - ``input``: an optional default minibatch (the tutorial's symbolic ``x``); kept as ``self.x``.
    - ``W``, ``bhid``, ``bvis``: arrays to *share* (updated in place), e.g. an SdA's hidden layer.

    W is uniform in +-4 sqrt(6 / (n_visible + n_hidden)), shape (n_visible, n_hidden); the
    biases start at zero. ``params = [W, b, b_prime]``; ``W_prime`` is the view W^T.
    """

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500,
                 W=None, bhid=None, bvis=None, **options):
        _refuse_options(options)
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        self.xp = backend.xp
        self.theano_rng = corruption_stream(theano_rng, numpy_rng)  # drawn before W, as in the tutorial
        W, bhid, bvis = tied_parameters(numpy_rng, n_visible, n_hidden, W, bhid, bvis)
        self.W = W
        self.b = bhid          # hidden bias
        self.b_prime = bvis    # visible (reconstruction) bias
        self.W_prime = self.W.T  # tied weights: a view, so it follows W's in-place updates
        self.x = input
        self.params = [self.W, self.b, self.b_prime]
        self.param_names = ["W", "b", "b_prime"]
        self.corruption_site = "corruption"  # the name of this layer's stream in theano_rng

    def _input(self, x, name="input", unit_interval=False):
        return check_matrix(x, name, self.n_visible, self.xp, unit_interval).astype(self.W.dtype, copy=False)

    def get_corrupted_input(self, input, corruption_level, rng=None):
        """x~ = x * m, m_k ~ Bernoulli(1 - corruption_level), drawn from ``rng`` (default: this
        model's ``theano_rng``)."""
        x = self._input(input)
        level = check_corruption_level(corruption_level)
        rng = self.theano_rng if rng is None else rng
        return corrupt(x, level, "masking", rng, self.corruption_site)   # x * m

    def get_hidden_values(self, input):
        """y = s(x W + b)."""
        x = self._input(input)
        return sigmoid(x @ self.W + self.b)

    def get_reconstructed_input(self, hidden):
        """z = s(y W' + b')."""
        y = check_matrix(hidden, "hidden", self.n_hidden, self.xp).astype(self.W.dtype, copy=False)
        return sigmoid(y @ self.W_prime + self.b_prime)

    def cost_and_grads(self, x, *, rng, corruption_level=0.0):
        """The minibatch cost and its gradients ``[gW, gb, gb_prime]``, aligned with ``params``.

        ``x`` is a clean minibatch (n, n_visible) in [0, 1]; the mask is drawn from ``rng`` (the
        caller's: the tutorial's loop passes ``self.theano_rng``). Equations: module docstring.
        """
        x = self._input(x, "x", unit_interval=True)
        level = check_corruption_level(corruption_level)
        tilde_x = corrupt(x, level, "masking", rng, self.corruption_site)
        return tied_cost_and_grads(self.W, self.b, self.b_prime, x, tilde_x)

    def get_cost_updates(self, x, corruption_level, learning_rate):
        """The tutorial's ``get_cost_updates``, evaluated on the minibatch ``x``.

        Theano version::

            cost, updates = da.get_cost_updates(corruption_level=0.3, learning_rate=0.1)
            train_da = theano.function([index], cost, updates=updates, givens={x: ...})
            c = train_da(batch_index)

        dae version (nothing symbolic: the cost and the new values are computed now)::

            cost, updates = da.get_cost_updates(x_batch, corruption_level=0.3, learning_rate=0.1)
            dae.apply_updates(updates)      # what theano.function did with ``updates``

        Returns ``(cost, [(param, param - learning_rate * gparam), ...])`` (``dae.optim.sgd_updates``).
        """
        cost, grads = self.cost_and_grads(x, rng=self.theano_rng, corruption_level=corruption_level)
        return cost, sgd_updates(self.params, grads, learning_rate, cost=cost)

    def reconstruct(self, x):
        """z for a clean input x (no corruption)."""
        return self.get_reconstructed_input(self.get_hidden_values(x))

    def __repr__(self):
        return f"dA(n_visible={self.n_visible}, n_hidden={self.n_hidden}, dtype={self.W.dtype})"
