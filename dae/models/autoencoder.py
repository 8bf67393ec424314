r"""The autoencoder family: the tutorial's dA with one box changed at a time, built from ``dae.layers``.

With its defaults ``Autoencoder`` is the tutorial's :class:`dae.dA` (tied weights, sigmoid,
cross-entropy, masking noise). Each keyword changes one box::

    x~  = noise(x)          masking | gaussian: x + level * e | salt_and_pepper        (noise)
    a_y = x~ W + b ;  y = f(a_y)     f = sigmoid | tanh | relu | linear           (activation)
    y^  = y * r / (1 - p),  r_j ~ Bernoulli(1 - p)    (inverted dropout, p = dropout; y^ = y if p = 0)
    a_z = y^ W' + b' ;  z = g(a_z)   g = sigmoid | linear (decoder);  W' = W^T when tied_weights,
                                     else a matrix of its own                     (tied_weights)
    L   = cross-entropy  |  sum_k (z_k - x_k)^2                                           (loss)
    cost = mean_n L(x_n, z_n) + P(y)
    P   = 0 | lam * mean_n sum_j |y_nj|                                          (sparsity="l1")
        | lam * sum_j KL(rho || rho^_j),  rho^_j = mean_n y_nj                   (sparsity="kl")
          KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))

``lam`` is ``sparsity_weight``, ``rho`` ``sparsity_target``. The corruption level and the
dropout rate p are keywords of ``cost_and_grads``, as every noise level of the package is.
The backward pass, layer by layer (each layer's ``backward`` in ``dae.layers``)::

    da_z = dcost/da_z = (z - x) / N                    cross-entropy (g = sigmoid)
                      = 2 (z - x) g'(a_z) / N          squared error
    gW'  = y^T da_z ,   gb' = sum_n da_z               (decoder Dense; tied: gW' goes into gW)
    dy   = (da_z W'^T) * r / (1 - p)  +  dP/dy
    dP/dy = lam sign(y) / N                            (l1)
          = lam / N * (-rho / rho^ + (1 - rho) / (1 - rho^))   (kl, the same for every row)
    da_y = dy * f'(y)       f' = y (1 - y) | 1 - y^2 | [y > 0] | 1
    gW   = x~^T da_y  (+ gW'^T when tied) ,   gb = sum_n da_y

.. math::

    \mathrm{cost} = \frac{1}{N} \sum_n L\big(x_n, g(\hat{y}_n W' + b')\big) + P(y), \qquad
    y = f(\tilde{x} W + b), \quad \hat{y} = \frac{y \odot r}{1 - p}

    P_{\ell_1} = \frac{\lambda}{N} \sum_{n, j} |y_{nj}| \qquad
    P_{\mathrm{KL}} = \lambda \sum_j \rho \log\frac{\rho}{\hat\rho_j}
        + (1 - \rho) \log\frac{1 - \rho}{1 - \hat\rho_j}, \quad \hat\rho_j = \frac{1}{N} \sum_n y_{nj}
"""
import numpy

from .. import backend
from ..corruption import NOISES, check_corruption_level, corrupt, corruption_stream
from ..layers import ACTIVATIONS, Dense, Dropout, Sequential, activation as make_activation, loss as make_loss
from ..validation import check_choice, check_float, check_matrix, check_positive_int, check_rng
from .da import tied_parameters, uniform_weights

LOSSES = ("cross_entropy", "squared_error")
DECODERS = ("sigmoid", "linear")
SPARSITIES = (None, "l1", "kl")


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


def l1_sparsity_penalty(y, weight):
    """``(P, dP/dy)`` of the L1 penalty: weight * mean_n sum_j |y_nj|, and weight sign(y) / N."""
    xp = backend.array_module(y)
    return weight * xp.abs(y).sum(axis=1).mean(), (weight / y.shape[0]) * xp.sign(y)


class Autoencoder:
    """A one-hidden-layer autoencoder of the family (module docstring); the tutorial's dA by default.

    ``Autoencoder(numpy_rng, theano_rng=None, n_visible=784, n_hidden=500, W=None, bhid=None,
    bvis=None, *, tied_weights=True, loss="cross_entropy", activation="sigmoid", decoder=None,
    noise="masking", sparsity=None, sparsity_weight=0.1, sparsity_target=0.05)``

    - ``numpy_rng``, ``theano_rng``, ``W``, ``bhid``, ``bvis``: as :class:`dae.dA`'s (the
      corruption stream's seed is drawn first, then W).
    - ``tied_weights``: True (W' = W^T) or False (W' is its own matrix, drawn after W).
    - ``loss``: "cross_entropy" (needs targets in [0, 1] and the sigmoid decoder) or "squared_error".
    - ``activation``: the encoder f: "sigmoid", "tanh", "relu" or "linear".
    - ``decoder``: the output g: "sigmoid" or "linear" (None means "sigmoid"; "linear" needs
      ``loss="squared_error"``: a linear encoder and decoder with squared error is PCA).
    - ``noise``: "masking", "gaussian" or "salt_and_pepper"; ``corruption_level`` (a keyword of
      the call) is the masked / salted fraction, or the gaussian standard deviation.
    - ``sparsity``: None, "l1" or "kl" (Ng's sparse-autoencoder notes; needs the sigmoid encoder).

    W is uniform in +-4 sqrt(6 / (n_visible + n_hidden)) for the sigmoid encoder (the tutorial's
    range), +-sqrt(6 / (n_visible + n_hidden)) for the others (Glorot's). ``params = [W, b,
    b_prime]`` (tied) or ``[W, b, b_prime, W_prime]`` (untied).
    """

    def __init__(self, numpy_rng, theano_rng=None, n_visible=784, n_hidden=500, W=None, bhid=None, bvis=None, *,
                 tied_weights=True, loss="cross_entropy", activation="sigmoid", decoder=None, noise="masking",
                 sparsity=None, sparsity_weight=0.1, sparsity_target=0.05):
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        self._check_options(tied_weights, loss, activation, decoder, noise, sparsity, sparsity_weight,
                            sparsity_target)
        self.xp = backend.xp
        self.theano_rng = corruption_stream(theano_rng, numpy_rng)  # drawn before W, as in the tutorial
        gain = 4.0 if self.activation == "sigmoid" else 1.0
        self.W, self.b, self.b_prime = tied_parameters(numpy_rng, n_visible, n_hidden, W, bhid, bvis, gain)
        self.params = [self.W, self.b, self.b_prime]
        self.param_names = ["W", "b", "b_prime"]
        if self.tied_weights:
            self.W_prime = self.W.T  # a view: it follows W's in-place updates
        else:
            self.W_prime = uniform_weights(numpy_rng, n_hidden, n_visible, gain)  # drawn after W
            self.params.append(self.W_prime)
            self.param_names.append("W_prime")
        # x~ -> [Dense(W, b), f] -> y -> ([Dropout]) -> [Dense(W', b'), (g)] -> loss; the
        # cross-entropy takes the logits a_z (its sigmoid and log cancel), the squared error z
        self.encoder = Sequential([Dense(self.W, self.b, need_dx=False), make_activation(self.activation)])
        self.decoder_layers = [Dense(self.W_prime, self.b_prime)]
        if self.loss != "cross_entropy":
            self.decoder_layers.append(make_activation(self.decoder))
        self.output_activation = make_activation(self.decoder)
        self.loss_layer = make_loss(self.loss)
        self.corruption_site, self.dropout_site = "corruption", "dropout"  # streams of a RandomStreams

    def _check_options(self, tied_weights, loss, activation, decoder, noise, sparsity, sparsity_weight,
                       sparsity_target):
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

    def _input(self, x, name="input", unit_interval=False):
        return check_matrix(x, name, self.n_visible, self.xp, unit_interval).astype(self.W.dtype, copy=False)

    # ----- encode, decode --------------------------------------------------------------------
    def get_corrupted_input(self, input, corruption_level, rng=None):
        """x~ = noise(x), drawn from ``rng`` (default: this model's ``theano_rng``)."""
        level = check_corruption_level(corruption_level, self.noise)
        rng = self.theano_rng if rng is None else rng
        return corrupt(self._input(input), level, self.noise, rng, self.corruption_site)

    def get_hidden_values(self, input):
        """y = f(x W + b) (no dropout: the code at test time)."""
        return self.encoder.run(self._input(input))

    def get_reconstructed_input(self, hidden):
        """z = g(y W' + b')."""
        hidden = check_matrix(hidden, "hidden", self.n_hidden, self.xp).astype(self.W.dtype, copy=False)
        return self.output_activation.forward(self.decoder_layers[0].forward(hidden)[0])[0]

    def reconstruct(self, x):
        """z for a clean input x (no corruption, no dropout)."""
        return self.get_reconstructed_input(self.get_hidden_values(x))

    # ----- cost and gradients (the gradient protocol) ------------------------------------------
    def cost_and_grads(self, x, *, rng, corruption_level=0.0, dropout=0.0):
        """The minibatch cost and its gradients, aligned with ``params``.

        ``x`` is a clean minibatch (n, n_visible), in [0, 1] for the cross-entropy; the
        corruption, then the dropout masks (each hidden unit dropped with probability
        ``dropout``, in [0, 1)), are drawn from ``rng``. Equations: module docstring.
        """
        x = self._input(x, "x", unit_interval=self.loss == "cross_entropy")
        level = check_corruption_level(corruption_level, self.noise)
        p = check_float(dropout, "dropout", 0.0, 1.0, high_inclusive=False)

        tilde_x = corrupt(x, level, self.noise, rng, self.corruption_site)
        y, encoder_cache = self.encoder.forward(tilde_x)
        decoder = Sequential(([Dropout(p, rng, self.dropout_site)] if p > 0 else []) + self.decoder_layers)
        out, decoder_cache = decoder.forward(y)
        cost, loss_cache = self.loss_layer.forward(out, target=x)

        dout, _ = self.loss_layer.backward(1.0, loss_cache)
        dy, (gW_prime, gb_prime) = decoder.backward(dout, decoder_cache)
        if self.sparsity is not None:
            penalty, d_penalty = self._sparsity_penalty(y)
            cost, dy = cost + penalty, dy + d_penalty
        _, (gW, gb) = self.encoder.backward(dy, encoder_cache)
        if self.tied_weights:
            return cost, [gW + gW_prime.T, gb, gb_prime]
        return cost, [gW, gb, gb_prime, gW_prime]

    def _sparsity_penalty(self, y):
        """P(y) and dP/dy for the chosen sparsity (see the module docstring)."""
        if self.sparsity == "l1":
            return l1_sparsity_penalty(y, self.sparsity_weight)
        return kl_sparsity_penalty(y, self.sparsity_target, self.sparsity_weight)

    def __repr__(self):
        return (f"Autoencoder(n_visible={self.n_visible}, n_hidden={self.n_hidden}, dtype={self.W.dtype}, "
                f"tied_weights={self.tied_weights}, loss={self.loss!r}, activation={self.activation!r}, "
                f"decoder={self.decoder!r}, noise={self.noise!r}, sparsity={self.sparsity!r})")
