"""The denoising autoencoder of the deeplearning.net tutorial, in NumPy (or CuPy), and its family.

A denoising autoencoder (Vincent et al., 2008) corrupts its input x into x~, encodes the
corrupted input and is trained to reconstruct the *clean* x. With the defaults (the tutorial's
model) that is::

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

The family (keyword options after the tutorial's signature) changes one box at a time::

    x~  = noise(x)          masking | gaussian: x + level * e | salt_and_pepper        (noise)
    a_y = x~ W + b ;  y = f(a_y)     f = sigmoid | tanh | relu | linear           (activation)
    y^  = y * r / (1 - p),  r_j ~ Bernoulli(1 - p)    (inverted dropout, p = dropout; y^ = y if p = 0)
    a_z = y^ W' + b' ;  z = g(a_z)   g = sigmoid | linear (decoder);  W' = W^T when tied_weights,
                                     else a matrix of its own                     (tied_weights)
    L   = cross-entropy (above)  |  sum_k (z_k - x_k)^2                                   (loss)
    cost = mean_n L(x_n, z_n) + P(y)
    P   = 0 | lam * mean_n sum_j |y_nj|                                          (sparsity="l1")
        | lam * sum_j KL(rho || rho^_j),  rho^_j = mean_n y_nj                   (sparsity="kl")
          KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))

and the one backward pass that ``cost_and_grads`` runs for every combination is::

    dz   = dcost/da_z = (z - x) / N                    cross-entropy (g = sigmoid)
                      = 2 (z - x) z (1 - z) / N        squared error, sigmoid decoder
                      = 2 (z - x) / N                  squared error, linear decoder
    gW'  = y^T dz ,   gb' = sum_n dz                   (W' separate; tied: gW' goes into gW)
    dy   = (dz W'^T) * r / (1 - p)  +  dP/dy
    dP/dy = lam sign(y) / N                            (l1)
          = lam / N * (-rho / rho^ + (1 - rho) / (1 - rho^))   (kl, the same for every row)
    da_y = dy * f'(y)       f' = y (1 - y) | 1 - y^2 | [y > 0] | 1
    gW   = x~^T da_y  (+ dz^T y^ when tied) ,   gb = sum_n da_y

(``lam`` is ``sparsity_weight``, ``rho`` is ``sparsity_target``.) ``cost_and_grads`` computes
exactly these; ``get_cost_updates`` turns them into the tutorial's list of
``(param, param - learning_rate * gparam)`` updates.
"""
import math

import numpy

from .. import backend
from .. import config
from ..corruption import NOISES, binomial, corrupt
from ..divergence import check_step
from ..functions import cross_entropy_from_logits, sigmoid, squared_error
from ..layers.activations import ACTIVATIONS
from ..random import RandomStreams
from ..validation import check_choice, check_float, check_matrix, check_param, check_positive_int, check_rng

LOSSES = ("cross_entropy", "squared_error")
DECODERS = ("sigmoid", "linear")
SPARSITIES = (None, "l1", "kl")

# da_y = dy * f'(y), written per activation from the output y. The sigmoid's form is the
# tutorial's own product ``dy * y * (1 - y)``, evaluated in the same order (bit-identical).
_ENCODER_BACKWARD = {
    "sigmoid": lambda dy, y: dy * y * (1.0 - y),
    "tanh": lambda dy, y: dy * (1.0 - y * y),
    "relu": lambda dy, y: dy * (y > 0),
    "linear": lambda dy, y: dy,
}


def _check_corruption_level(level, noise="masking"):
    """A fraction in [0, 1) for masking / salt-and-pepper, a standard deviation >= 0 for gaussian."""
    if noise == "gaussian":
        return check_float(level, "corruption_level (the gaussian noise's standard deviation)", 0.0, None)
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


def tied_parameters(numpy_rng, n_visible, n_hidden, W=None, bhid=None, bvis=None, gain=4.0):
    """(W, bhid, bvis) of a tied autoencoder, as the tutorial makes them: W uniform in
    +-gain sqrt(6 / (n_hidden + n_visible)) drawn from ``numpy_rng`` in ``config.floatX`` (gain 4
    for sigmoid units), biases zero; given arrays are checked and kept as they are (shared)."""
    xp = backend.xp
    if W is None:
        bound = gain * math.sqrt(6.0 / (n_hidden + n_visible))
        W = xp.asarray(numpy.asarray(numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)),
                                     dtype=config.floatX))
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
    """The tutorial's dA on an already corrupted input: ``(cost, [gW, gb, gb_prime])``.

    ``y = s(x~ W + b)``, ``z = s(y W^T + b')``, cost = mean over rows of the summed
    cross-entropy between the clean ``x`` and ``z``; the gradients of the module docstring
    (dz = (z - x) / N, dy = (dz W) * y (1 - y), gW = x~^T dy + dz^T y). ``dA.cost_and_grads``
    runs this for the tutorial's options, once it has drawn x~.
    """
    n = x.shape[0]
    y = sigmoid(tilde_x @ W + b)
    a_z = y @ W.T + b_prime
    z = sigmoid(a_z)
    cost = cross_entropy_from_logits(x, a_z).mean()
    dz = (z - x) / n
    dy = dz @ W
    dy = dy * y * (1.0 - y)
    gW = tilde_x.T @ dy + dz.T @ y
    return cost, [gW, dy.sum(axis=0), dz.sum(axis=0)]


def kl_sparsity_penalty(y, target, weight):
    """``(P, dP/dy)`` of the KL sparsity penalty on the codes y (N, n_hidden) in (0, 1).

    P = weight * sum_j KL(target || rho^_j), rho^_j = mean_n y_nj, and dP/dy_nj =
    weight / N * (-target / rho^_j + (1 - target) / (1 - rho^_j)) (the same for every row).
    rho^ is kept inside [eps, 1 - eps] so the logs stay finite for saturated units.
    """
    xp = backend.array_module(y)
    n = y.shape[0]
    rho = target
    eps = float(numpy.finfo(y.dtype).eps)
    rho_hat = xp.clip(y.mean(axis=0), eps, 1.0 - eps)
    kl = rho * xp.log(rho / rho_hat) + (1.0 - rho) * xp.log((1.0 - rho) / (1.0 - rho_hat))
    d_rho_hat = weight * (-rho / rho_hat + (1.0 - rho) / (1.0 - rho_hat))
    return weight * kl.sum(), xp.broadcast_to(d_rho_hat / n, y.shape)


class dA:
    """Denoising autoencoder (the tutorial's class), with the family's options.

    ``dA(numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500, W=None,
    bhid=None, bvis=None, *, tied_weights=True, loss="cross_entropy", activation="sigmoid",
    decoder=None, noise="masking", sparsity=None, sparsity_weight=0.1, sparsity_target=0.05,
    dropout=0.0)``

    - ``numpy_rng``: ``numpy.random.RandomState`` that initialises W (and W' when untied).
    - ``theano_rng``: the corruption (and dropout) stream. When omitted it is
      ``RandomStreams(numpy_rng.randint(2 ** 30))``, drawn *before* W, as in the tutorial.
    - ``input``: an optional default minibatch (the tutorial's symbolic ``x``); kept as ``self.x``.
    - ``W``, ``bhid``, ``bvis``: arrays to *share* (updated in place), e.g. an SdA's hidden layer.
    - ``tied_weights``: True (the tutorial's W' = W^T) or False (W' is its own matrix).
    - ``loss``: "cross_entropy" (the tutorial's; needs targets in [0, 1] and a sigmoid decoder)
      or "squared_error" (sum over pixels of (z - x)^2).
    - ``activation``: the encoder f: "sigmoid", "tanh", "relu" or "linear".
    - ``decoder``: the output g: "sigmoid" or "linear". None (default) means "sigmoid"; "linear"
      needs ``loss="squared_error"`` (a linear encoder and decoder with squared error is PCA).
    - ``noise``: "masking", "gaussian" or "salt_and_pepper" (Vincent et al., 2010);
      ``corruption_level`` is the masked / salted fraction, or the gaussian standard deviation.
    - ``sparsity``: None, "l1" (``sparsity_weight`` times the mean over the batch of sum_j |y_j|)
      or "kl" (``sparsity_weight`` times sum_j KL(sparsity_target || mean activation of unit j),
      Ng's sparse-autoencoder notes; needs the sigmoid encoder and a target in (0, 1)).
    - ``dropout``: the probability p in [0, 1) of dropping each hidden unit while training
      (inverted dropout: kept units are scaled by 1 / (1 - p), so nothing changes at test time;
      ``get_hidden_values`` and ``reconstruct`` never drop). The masks come from the same
      ``rng`` as the corruption (stream "dropout" of a RandomStreams).

    Initialisation: W is uniform in +-4 sqrt(6 / (n_visible + n_hidden)) for the sigmoid encoder
    (the tutorial's range) and +-sqrt(6 / (n_visible + n_hidden)) for the others (Glorot's),
    shape (n_visible, n_hidden). Untied, W' (n_hidden, n_visible) is drawn next from the same
    ``numpy_rng``, uniform in the same range, so W is the tutorial's W whatever the options.
    The biases start at zero. ``params = [W, b, b_prime]`` (tied) or
    ``[W, b, b_prime, W_prime]`` (untied). The equations are in the module docstring.
    """

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500,
                 W=None, bhid=None, bvis=None, *, tied_weights=True, loss="cross_entropy",
                 activation="sigmoid", decoder=None, noise="masking", sparsity=None,
                 sparsity_weight=0.1, sparsity_target=0.05, dropout=0.0):
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        self._check_options(tied_weights, loss, activation, decoder, noise, sparsity,
                            sparsity_weight, sparsity_target, dropout)
        xp = self.xp = backend.xp

        # The tutorial's order: the corruption stream's seed is drawn before W.
        if theano_rng is None:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        self.theano_rng = _corruption_rng(theano_rng)

        gain = 4.0 if self.activation == "sigmoid" else 1.0
        bound = gain * math.sqrt(6.0 / (n_hidden + n_visible))  # also the untied decoder's
        W, bhid, bvis = tied_parameters(numpy_rng, n_visible, n_hidden, W, bhid, bvis, gain)

        self.W = W
        self.b = bhid          # hidden bias
        self.b_prime = bvis    # visible (reconstruction) bias
        self.x = input
        self.params = [self.W, self.b, self.b_prime]
        self.param_names = ["W", "b", "b_prime"]
        if self.tied_weights:
            self.W_prime = self.W.T  # tied weights: a view, so it follows W's in-place updates
        else:
            initial_W_prime = numpy.asarray(
                numpy_rng.uniform(low=-bound, high=bound, size=(n_hidden, n_visible)), dtype=W.dtype
            )
            self.W_prime = xp.asarray(initial_W_prime)
            self.params.append(self.W_prime)
            self.param_names.append("W_prime")
        self.corruption_site = "corruption"  # the name of this layer's stream in theano_rng
        self.dropout_site = "dropout"        # ... and of its dropout masks

    def _check_options(self, tied_weights, loss, activation, decoder, noise, sparsity,
                       sparsity_weight, sparsity_target, dropout):
        """Validate the family's keywords (before any arithmetic) and store them."""
        if not isinstance(tied_weights, (bool, numpy.bool_)):
            raise TypeError(f"tied_weights must be True or False, got {tied_weights!r}")
        self.tied_weights = bool(tied_weights)
        self.loss = check_choice(loss, "loss", LOSSES)
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        self.decoder = "sigmoid" if decoder is None else check_choice(decoder, "decoder", DECODERS)
        if self.loss == "cross_entropy" and self.decoder != "sigmoid":
            raise ValueError(
                f"loss='cross_entropy' needs decoder='sigmoid' (its outputs are Bernoulli means in "
                f"(0, 1)), got decoder={decoder!r}; use loss='squared_error' for a linear decoder"
            )
        self.noise = check_choice(noise, "noise", NOISES)
        self.sparsity = check_choice(sparsity, "sparsity", SPARSITIES)
        self.sparsity_weight = check_float(sparsity_weight, "sparsity_weight", 0.0, None)
        self.sparsity_target = check_float(sparsity_target, "sparsity_target", 0.0, 1.0,
                                           low_inclusive=False, high_inclusive=False)
        if self.sparsity == "kl" and self.activation != "sigmoid":
            raise ValueError(
                f"sparsity='kl' needs activation='sigmoid' (the mean activation must be a probability "
                f"in (0, 1)), got activation={activation!r}; use sparsity='l1' instead"
            )
        self.dropout = check_float(dropout, "dropout", 0.0, 1.0, high_inclusive=False)

    # ----- the tutorial's building blocks -------------------------------------------------
    def _input(self, x, name="input", unit_interval=False):
        x = check_matrix(x, name, self.n_visible, self.xp, unit_interval=unit_interval, allow_1d=True)
        return x.astype(self.W.dtype, copy=False)

    def get_corrupted_input(self, input, corruption_level, rng=None):
        """x~ = noise(x) with this model's noise (the tutorial's: x * m, m_k ~ Bernoulli(1 -
        corruption_level)), drawn from ``rng`` (default: this model's ``theano_rng``)."""
        input = self._input(input)
        level = _check_corruption_level(corruption_level, self.noise)
        rng = self.theano_rng if rng is None else rng
        return corrupt(input, level, self.noise, rng, self.corruption_site)

    def get_hidden_values(self, input):
        """y = f(x W + b) (no dropout: this is the code at test time)."""
        input = self._input(input)
        return ACTIVATIONS[self.activation](inplace=True).forward(input @ self.W + self.b)[0]

    def get_reconstructed_input(self, hidden):
        """z = g(y W' + b')."""
        hidden = check_matrix(hidden, "hidden", self.n_hidden, self.xp, allow_1d=True)
        a_z = hidden.astype(self.W.dtype, copy=False) @ self.W_prime + self.b_prime
        return sigmoid(a_z) if self.decoder == "sigmoid" else a_z

    # ----- cost and gradients (the gradient protocol) ---------------------------------------
    def cost_and_grads(self, x, *, rng, corruption_level=0.0):
        """The minibatch cost and its gradients, aligned with ``params``.

        ``x`` is a clean minibatch (n, n_visible), in [0, 1] for the cross-entropy; the
        corruption and the dropout masks are drawn from ``rng`` (the caller's: the tutorial's
        loop passes ``self.theano_rng``), corruption first. The equations are in the module
        docstring.
        """
        x = self._input(x, "x", unit_interval=self.loss == "cross_entropy")
        level = _check_corruption_level(corruption_level, self.noise)
        n = x.shape[0]

        # forward
        tilde_x = corrupt(x, level, self.noise, rng, self.corruption_site)
        if self._is_tutorial_model():
            return tied_cost_and_grads(self.W, self.b, self.b_prime, x, tilde_x)
        y = ACTIVATIONS[self.activation](inplace=True).forward(tilde_x @ self.W + self.b)[0]
        if self.dropout > 0:
            keep = binomial(rng, 1.0 - self.dropout, y.shape, y, self.dropout_site) * (1.0 / (1.0 - self.dropout))
            y_hat = y * keep
        else:
            y_hat = y
        a_z = y_hat @ self.W_prime + self.b_prime
        if self.loss == "cross_entropy":
            z = sigmoid(a_z)
            cost = cross_entropy_from_logits(x, a_z).mean()
        else:
            z = sigmoid(a_z) if self.decoder == "sigmoid" else a_z
            cost = squared_error(x, z).mean()
        if self.sparsity is not None:
            penalty, d_penalty = self._sparsity_penalty(y)
            cost = cost + penalty

        # backward
        if self.loss == "cross_entropy":
            dz = (z - x) / n
        elif self.decoder == "sigmoid":
            dz = 2.0 * (z - x) * z * (1.0 - z) / n
        else:
            dz = 2.0 * (z - x) / n
        dy = dz @ self.W if self.tied_weights else dz @ self.W_prime.T
        if self.dropout > 0:
            dy = dy * keep
        if self.sparsity is not None:
            dy = dy + d_penalty
        dy = _ENCODER_BACKWARD[self.activation](dy, y)
        gb = dy.sum(axis=0)
        gb_prime = dz.sum(axis=0)
        if self.tied_weights:
            # gW = x~^T dy + dz^T y^ (W is used twice), computed as ONE product of stacked
            # factors, [x~; dz]^T [dy; y^]: one pass of BLAS over gW instead of two and a sum
            xp = self.xp
            gW = xp.concatenate([tilde_x, dz]).T @ xp.concatenate([dy, y_hat])
            return cost, [gW, gb, gb_prime]
        gW = tilde_x.T @ dy
        gW_prime = y_hat.T @ dz
        return cost, [gW, gb, gb_prime, gW_prime]

    def _is_tutorial_model(self):
        """The tutorial's options (tied, sigmoid, cross-entropy, no dropout, no sparsity)."""
        return (self.tied_weights and self.activation == "sigmoid" and self.loss == "cross_entropy"
                and self.dropout == 0 and self.sparsity is None)

    def _sparsity_penalty(self, y):
        """P(y) and dP/dy for the chosen sparsity (see the module docstring)."""
        xp = self.xp
        n = y.shape[0]
        lam = self.sparsity_weight
        if self.sparsity == "l1":
            return lam * xp.abs(y).sum(axis=1).mean(), (lam / n) * xp.sign(y)
        return kl_sparsity_penalty(y, self.sparsity_target, lam)

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
        cost, grads = self.cost_and_grads(x, rng=self.theano_rng, corruption_level=corruption_level)
        check_step(cost, grads, self.param_names, learning_rate)   # a non-finite cost stops the loop
        updates = []
        for param, gparam in zip(self.params, grads):
            # new_value = param - learning_rate * gparam, computed in gparam's own buffer (the
            # gradients are fresh arrays, used once): the same numbers, bit for bit, without
            # allocating and filling two more weight-sized temporaries per step
            gparam *= -learning_rate
            gparam += param
            updates.append((param, gparam))
        return cost, updates

    # ----- for users ----------------------------------------------------------------------
    def reconstruct(self, x):
        """z for a clean input x (no corruption, no dropout)."""
        return self.get_reconstructed_input(self.get_hidden_values(x))

    def __repr__(self):
        options = "" if (self.tied_weights, self.loss, self.activation, self.decoder, self.noise,
                         self.sparsity, self.dropout) == (True, "cross_entropy", "sigmoid", "sigmoid",
                                                          "masking", None, 0.0) else (
            f", tied_weights={self.tied_weights}, loss={self.loss!r}, activation={self.activation!r}, "
            f"decoder={self.decoder!r}, noise={self.noise!r}, sparsity={self.sparsity!r}, dropout={self.dropout}"
        )
        return f"dA(n_visible={self.n_visible}, n_hidden={self.n_hidden}, dtype={self.W.dtype}{options})"
