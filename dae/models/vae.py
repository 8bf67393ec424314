"""The variational autoencoder (Kingma & Welling, 2013), forward and backward written by hand.

An encoder MLP gives, for each input x, a diagonal Gaussian q(z|x) = N(mu, diag(exp(logvar)));
a decoder MLP turns a code z into Bernoulli pixel probabilities p(x|z). With f the hidden
activation, h_0 = x and g_0 = z::

    encoder   h_l  = f(h_{l-1} W_enc_l + b_enc_l)             l = 1..L
              mu     = h_L W_mu + b_mu
              logvar = h_L W_logvar + b_logvar
    sample    s = exp(logvar / 2),   z = mu + s * eps,   eps ~ N(0, I)   (reparameterisation)
    decoder   g_l  = f(g_{l-1} W_dec_l + b_dec_l)             l = 1..L   (sizes mirrored)
              a    = g_L W_out + b_out,   p(x_k = 1 | z) = sigmoid(a_k)

The cost is the negative evidence lower bound (ELBO), per example, averaged over the N rows
of the minibatch::

    rec(x)  = sum_k [ softplus(a_k) - x_k a_k ]                  (= -log p(x|z), stable)
    KL(x)   = -1/2 sum_j [ 1 + logvar_j - mu_j^2 - exp(logvar_j) ]    (= KL(q(z|x) || N(0, I)))
    cost    = mean over rows of  rec + KL

Because eps does not depend on the parameters, the gradient goes *through* the sample.
Writing d(.) for dcost/d(.)::

    da       = (sigmoid(a) - x) / N
    dW_out   = g_L^T da,           db_out = sum over rows of da
    dg_L     = da W_out^T,   then for l = L..1:  dpre = dg_l * f'(g_l),
             dW_dec_l = g_{l-1}^T dpre,  db_dec_l = sum dpre,  dg_{l-1} = dpre W_dec_l^T
    dz       = dg_0
    dmu      = dz + mu / N                                        (sampling path + KL path)
    dlogvar  = dz * eps * s / 2 + (exp(logvar) - 1) / (2 N)       (dz/dlogvar = eps s / 2)
    dh_L     = dmu W_mu^T + dlogvar W_logvar^T,  then back through the encoder as above

``cost_and_grads`` computes exactly these, the forward pass and the backward pass side by side,
from the layers of dae/layers/: the encoder and the decoder are each a ``Sequential`` of a
``Dense`` and an activation per hidden layer (the decoder ending in the ``Dense`` of the logits),
the two heads (mu, logvar) are a ``Dense`` each, and ``SigmoidCrossEntropy`` gives rec (its
backward is da).

The importance-weighted estimate of log p(x) (Burda et al., 2015) draws k codes from q::

    log p(x) ~= log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x),      z_i ~ q(z|x)

computed with log-sum-exp so nothing under- or overflows. It is a lower bound on log p(x)
that tightens as k grows (k = 1 is the ELBO).

``binarize(x, rng)`` gives the binarised MNIST of the literature: each pixel drawn as a
Bernoulli variable with the grey value as its probability.
"""
import math
import numbers

import numpy

from .. import backend
from .. import config
from ..functions import cross_entropy_from_logits, sigmoid
from ..layers import ACTIVATIONS, Dense, Sequential, SigmoidCrossEntropy
from .saving import ModelFileMethods
from ..validation import check_choice, check_matrix, check_positive_int, check_rng

LOG_2PI = math.log(2.0 * math.pi)


def _check_noise_rng(rng, name="rng"):
    """A source of random draws: a NumPy/CuPy RandomState or Generator, or a dae.RandomStreams."""
    if not (hasattr(rng, "normal") and hasattr(rng, "uniform")):
        raise TypeError(
            f"{name} must be a random generator with normal and uniform methods (numpy.random.RandomState, "
            f"numpy.random.Generator or dae.RandomStreams), got {type(rng).__name__}"
        )
    return rng


def _on_backend(draws, xp, dtype):
    """Random draws (host or device) as an array of module ``xp`` and ``dtype``."""
    if backend.array_module(draws) is not xp:
        draws = backend.to_host(draws)
    return xp.asarray(draws, dtype=dtype)


def binarize(x, rng):
    """Binarised MNIST: each pixel set to 1 with probability equal to its grey value.

    ``x``: a float array with values in [0, 1] (any shape; NumPy or the backend's arrays).
    ``rng``: where the uniform draws come from (RandomState, Generator or dae.RandomStreams).
    Returns an array of the same module, shape and dtype holding only 0s and 1s. Draw afresh
    every epoch for the training set; once, with a fixed seed, for the test set.
    """
    _check_noise_rng(rng)
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"x must be an array, got {type(x).__name__}")
    if not numpy.issubdtype(x.dtype, numpy.floating):
        raise TypeError(f"x must be a floating-point array of grey values in [0, 1], got dtype {x.dtype}")
    xp = backend.array_module(x)
    if x.size and (float(x.min()) < 0.0 or float(x.max()) > 1.0):
        raise ValueError(f"x must hold grey values in [0, 1], got values in [{float(x.min()):g}, {float(x.max()):g}]")
    u = _on_backend(rng.uniform(0.0, 1.0, size=x.shape), xp, x.dtype)
    return (u < x).astype(x.dtype)


def reparameterize(mu, logvar, eps):
    """``(z, s)``: the sample z = mu + s * eps of N(mu, diag(exp(logvar))), s = exp(logvar / 2).

    eps ~ N(0, I) does not depend on the parameters, so gradients flow through z:
    dz/dmu = 1 and dz/dlogvar = eps * s / 2 (elementwise)."""
    s = backend.array_module(logvar).exp(0.5 * logvar)
    return mu + s * eps, s


def gaussian_kl(mu, logvar, var=None):
    """Per-row KL(N(mu, diag(exp(logvar))) || N(0, I)) = -1/2 sum_j [1 + logvar - mu^2 - exp(logvar)],
    shape (N,); ``var`` is exp(logvar) when the caller has it already."""
    if var is None:
        var = backend.array_module(logvar).exp(logvar)
    return -0.5 * (1.0 + logvar - mu * mu - var).sum(axis=1)


def _check_hidden(n_hidden):
    if isinstance(n_hidden, numbers.Integral) and not isinstance(n_hidden, bool):
        n_hidden = [n_hidden]
    if not isinstance(n_hidden, (list, tuple)):
        raise TypeError(f"n_hidden must be a list of positive integers (e.g. [500]), got {n_hidden!r}")
    return [check_positive_int(h, "n_hidden entries") for h in n_hidden]


class VAE(ModelFileMethods):
    """Variational autoencoder with a Gaussian encoder and a Bernoulli decoder.

    ``VAE(numpy_rng, n_visible=784, n_hidden=[500], n_latent=20, activation="tanh")``

    - ``numpy_rng``: ``numpy.random.RandomState`` (or Generator) that initialises the weights.
    - ``n_hidden``: sizes of the encoder's hidden layers (an int or a list, possibly empty);
      the decoder mirrors them (``[500, 200]`` gives 784-500-200-z-200-500-784).
    - ``n_latent``: dimension of z (at least 1).
    - ``activation``: the hidden units' f: "tanh" (as in the paper), "relu", "sigmoid", "linear".

    The model keeps no generator: the noise eps of ``cost_and_grads``, ``sample`` and
    ``negative_elbo`` comes from the ``rng`` each call is given.

    Weights are drawn uniform in +-sqrt(6 / (fan_in + fan_out)) (Glorot; He's sqrt(2) scaling
    for relu), biases start at zero. The equations are in the module docstring.
    """

    def __init__(self, numpy_rng, n_visible=784, n_hidden=(500,), n_latent=20, activation="tanh"):
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = _check_hidden(n_hidden)
        self.n_latent = check_positive_int(n_latent, "n_latent")
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        xp = self.xp = backend.xp
        dtype = self.dtype = numpy.dtype(config.floatX)
        gain = math.sqrt(2.0) if activation == "relu" else 1.0

        def weight(n_in, n_out):
            bound = gain * math.sqrt(6.0 / (n_in + n_out))
            return xp.asarray(numpy.asarray(numpy_rng.uniform(-bound, bound, size=(n_in, n_out)), dtype=dtype))

        self.params, self.param_names = [], []

        def add(name, array):
            self.params.append(array)
            self.param_names.append(name)
            return array

        # encoder: x -> h_1 -> ... -> h_L -> (mu, logvar)
        sizes = [self.n_visible] + self.n_hidden
        self.enc = [(add(f"W_enc{l}", weight(sizes[l], sizes[l + 1])), add(f"b_enc{l}", xp.zeros(sizes[l + 1], dtype)))
                    for l in range(len(self.n_hidden))]
        self.W_mu = add("W_mu", weight(sizes[-1], self.n_latent))
        self.b_mu = add("b_mu", xp.zeros(self.n_latent, dtype))
        self.W_logvar = add("W_logvar", weight(sizes[-1], self.n_latent))
        self.b_logvar = add("b_logvar", xp.zeros(self.n_latent, dtype))
        # decoder: z -> g_1 -> ... -> g_L -> logits a
        sizes = [self.n_latent] + self.n_hidden[::-1]
        self.dec = [(add(f"W_dec{l}", weight(sizes[l], sizes[l + 1])), add(f"b_dec{l}", xp.zeros(sizes[l + 1], dtype)))
                    for l in range(len(self.n_hidden))]
        self.W_out = add("W_out", weight(sizes[-1], self.n_visible))
        self.b_out = add("b_out", xp.zeros(self.n_visible, dtype))
        # the same arrays as layers: the encoder's input needs no gradient
        self.encoder = self._mlp(self.enc, [])
        self.mu_layer, self.logvar_layer = Dense(self.W_mu, self.b_mu), Dense(self.W_logvar, self.b_logvar)
        self.decoder = self._mlp(self.dec, [Dense(self.W_out, self.b_out)])
        self.rec_loss = SigmoidCrossEntropy()

    def _mlp(self, weights, top):
        """Hidden layers h_l = f(h_{l-1} W + b) as a Sequential, then the layers ``top``."""
        layers = []
        for l, (W, b) in enumerate(weights):
            layers += [Dense(W, b, need_dx=l > 0 or bool(top)), ACTIVATIONS[self.activation](inplace=True)]
        return Sequential(layers + top)

    def _x(self, x, name="x"):
        return check_matrix(x, name, self.n_visible, self.xp, unit_interval=True, allow_1d=True).astype(
            self.dtype, copy=False)

    def _eps(self, rng, n, k=None):
        rng = _check_noise_rng(rng)
        shape = (n, self.n_latent) if k is None else (n, k, self.n_latent)
        return _on_backend(rng.normal(0.0, 1.0, size=shape), self.xp, self.dtype)

    def _heads(self, h):
        """(mu, logvar) from the encoder's top layer h_L."""
        return self.mu_layer.forward(h)[0], self.logvar_layer.forward(h)[0]

    # ----- cost and gradients (the gradient protocol) ---------------------------------------
    def cost_and_grads(self, x, *, rng):
        """The minibatch's mean negative ELBO and its gradients, aligned with ``params``.

        ``x``: (n, n_visible) in [0, 1] (binarised for a true Bernoulli likelihood); eps is
        drawn from ``rng``. The equations are in the module docstring.
        """
        x = self._x(x)
        eps = self._eps(rng, x.shape[0])
        n = x.shape[0]

        # forward
        h, enc_cache = self.encoder.forward(x)
        mu, logvar = self._heads(h)
        z, s = reparameterize(mu, logvar, eps)
        a, dec_cache = self.decoder.forward(z)
        var = s * s
        kl = gaussian_kl(mu, logvar, var)
        rec, rec_cache = self.rec_loss.forward(a, target=x)   # mean over rows of sum_k softplus(a) - x a
        cost = rec + kl.mean()

        # backward
        da, _ = self.rec_loss.backward(1.0, rec_cache)        # (sigmoid(a) - x) / N
        dz, g_dec = self.decoder.backward(da, dec_cache)
        dmu = dz + mu / n
        dlogvar = 0.5 * dz * eps * s + 0.5 * (var - 1.0) / n
        dh, g_mu = self.mu_layer.backward(dmu, h)
        dh_logvar, g_logvar = self.logvar_layer.backward(dlogvar, h)
        dh += dh_logvar
        _, g_enc = self.encoder.backward(dh, enc_cache)
        return cost, g_enc + g_mu + g_logvar + g_dec

    # ----- for users ----------------------------------------------------------------------
    def encode(self, x):
        """The code of each row of x: the mean mu of q(z|x), shape (n, n_latent)."""
        return self.encode_distribution(x)[0]

    def encode_distribution(self, x):
        """``(mu, logvar)`` of q(z|x), each (n, n_latent)."""
        return self._heads(self.encoder.run(self._x(x)))

    def _probabilities(self, z):
        a = self.decoder.run(z)
        return sigmoid(a, out=a)

    def decode(self, z):
        """Bernoulli probabilities p(x_k = 1 | z), shape (n, n_visible)."""
        z = check_matrix(z, "z", self.n_latent, self.xp, allow_1d=True)
        return self._probabilities(z.astype(self.dtype, copy=False))

    def sample(self, n, *, rng):
        """Decoded probabilities of ``n`` codes drawn from the prior N(0, I)."""
        n = check_positive_int(n, "n")
        return self._probabilities(self._eps(rng, n))

    def reconstruct(self, x, rng=None):
        """Decoded probabilities for x: through z = mu when ``rng`` is None, else a sampled z."""
        x = self._x(x)
        mu, logvar = self.encode_distribution(x)
        z = mu if rng is None else mu + self.xp.exp(0.5 * logvar) * self._eps(rng, x.shape[0])
        return self._probabilities(z)

    def negative_elbo(self, x, *, rng):
        """Per-example negative ELBO (rec + KL, one sampled z each), shape (n,), in nats."""
        x = self._x(x)
        mu, logvar = self.encode_distribution(x)
        z, _ = reparameterize(mu, logvar, self._eps(rng, x.shape[0]))
        return cross_entropy_from_logits(x, self.decoder.run(z)) + gaussian_kl(mu, logvar)

    def importance_weighted_log_likelihood(self, x, k=100, *, rng, batch_size=None):
        """Per-example estimate of log p(x) from ``k`` importance samples, shape (n,), in nats.

        log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x) with z_i = mu + s * eps_i, where
        log p(z) = -1/2 sum_j (z_j^2 + log 2 pi) and log q(z|x) = -1/2 sum_j (eps_j^2 + logvar_j
        + log 2 pi); the estimate is logsumexp_i(log w_i) - log k (Burda et al., 2015).
        Rows are processed ``batch_size`` at a time (default: about 10,000 decoded codes per pass).
        """
        x = self._x(x)
        k = check_positive_int(k, "k")
        rng = _check_noise_rng(rng)
        batch_size = max(1, 10000 // k) if batch_size is None else check_positive_int(batch_size, "batch_size")
        xp = self.xp
        out = []
        for start in range(0, x.shape[0], batch_size):
            xb = x[start:start + batch_size]
            m = xb.shape[0]
            mu, logvar = self.encode_distribution(xb)
            eps = self._eps(rng, m, k)                                    # (m, k, n_latent)
            z = mu[:, None, :] + xp.exp(0.5 * logvar)[:, None, :] * eps
            a = self.decoder.run(z.reshape(m * k, self.n_latent))
            log_px_z = -cross_entropy_from_logits(xp.repeat(xb, k, axis=0), a).reshape(m, k)
            log_pz = -0.5 * (z * z + LOG_2PI).sum(axis=2)
            log_qz = -0.5 * (eps * eps + logvar[:, None, :] + LOG_2PI).sum(axis=2)
            log_w = (log_px_z + log_pz - log_qz).astype(numpy.float64)
            top = log_w.max(axis=1, keepdims=True)
            out.append(top[:, 0] + xp.log(xp.exp(log_w - top).sum(axis=1)) - math.log(k))
        return xp.concatenate(out)

    def __repr__(self):
        return (f"VAE(n_visible={self.n_visible}, n_hidden={self.n_hidden}, n_latent={self.n_latent}, "
                f"activation={self.activation!r}, dtype={self.dtype})")
