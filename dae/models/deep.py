"""Deep autoencoders (Hinton & Salakhutdinov, Science 2006): greedy pretraining, unrolling, fine-tuning.

The network for MNIST is 784-1000-500-250-30: an *encoder* of sigmoid layers ending in a
LINEAR 30-unit code, and a *decoder* that mirrors it, ending in 784 sigmoid outputs::

    h_0 = x
    h_i = s(h_{i-1} W_i + b_i)            i = 1 .. L-1      (sigmoid hidden layers)
    c   = h_L = h_{L-1} W_L + b_L                           (linear code)
    g_L = c
    g_i = s(g_{i+1} V_i + d_i)            i = L-1 .. 0      (decoder; V_i has shape (n_{i+1}, n_i))
    z   = g_0 = s(a_z),  a_z = g_1 V_0 + d_0                (reconstruction, in (0, 1))

with s the logistic sigmoid. The fine-tuning cost is Hinton's: the cross-entropy summed over
the pixels (computed from the logits a_z, stably), averaged over the minibatch;
``loss="squared_error"`` gives sum_k (z_k - x_k)^2 instead. The figure of merit reported
for the paper is the *squared* error per image, ``model.reconstruction_error(x)``.

Three stages, as in the paper:

1. Pretraining (``dae.recipes.deep_autoencoder_phases``): greedy, layer by layer. Layer i is a tied-weight denoising autoencoder
   trained to reconstruct h_{i-1} (the codes of the layers below, computed once, clean).
   The sigmoid layers are ``dae.Autoencoder`` (the tutorial's dA: masking noise, cross-entropy,
   its own analytic gradients), built on this model's W_i and b_i so training them trains the
   encoder. The code layer is ``dae.Autoencoder(activation="linear")``: the same tied autoencoder with a
   linear code, c = x~ W + b and z = s(c W^T + b'). (Hinton pretrained it as an RBM with
   Gaussian hidden units; the layer here is its autoencoder counterpart.) Each layer's
   reconstruction bias b'_i is kept: it becomes the decoder's bias d_{i-1}.
2. ``unroll``: the decoder is initialised from the encoder *exactly*: V_{i-1} = W_i^T and
   d_{i-1} = b'_i. ``DeepAutoencoder.from_encoder`` builds a model that way from given arrays.
3. Fine-tuning (the same recipe's last phase): the whole unrolled network (decoder weights now untied) trained end to end
   by backpropagation with any ``dae.optim`` optimiser.

Backpropagation through the unrolled net (N rows in the minibatch), with layers numbered
k = 1 .. 2L in the order the data goes through them, u_k = a_k's input, act_k its activation::

    delta_2L = (z - x) / N                              (cross-entropy: sigmoid and log cancel)
             = 2 (z - x) z (1 - z) / N                  (squared error)
    gW_k = u_k^T delta_k ,   gb_k = sum over rows of delta_k
    delta_{k-1} = (delta_k W_k^T) * act'_{k-1}          (s' = h (1 - h) ; linear' = 1)

``cost_and_grads(x)`` returns these gradients, aligned with ``params``. The network is a
``dae.layers.Sequential`` of ``Dense`` layers, each followed by its activation (Sigmoid, or
Identity for the code), and a loss layer on the last one's output (SigmoidCrossEntropy on the
logits a_z, or a Sigmoid then SquaredError): the deltas above are what those layers' ``backward``
compute.
"""
import math

import numpy

from .. import backend
from .. import config
from ..corruption import corrupt
from ..functions import sigmoid
from ..layers import Dense, Identity, Sequential, Sigmoid, loss as make_loss
from ..validation import (check_choice, check_float, check_matrix, check_param, check_positive_int,
                         check_rng)

LOSSES = ("cross_entropy", "squared_error")   # the reconstruction losses of dae.layers.LOSSES


def _check_layer_sizes(layer_sizes):
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a list of positive integers, got {layer_sizes!r}")
    sizes = [check_positive_int(n, f"layer_sizes[{i}]") for i, n in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must hold at least 2 sizes (input and code), got {list(layer_sizes)}")
    return sizes


def _rows(n, batch_size):
    """Slices covering range(n) in consecutive chunks of batch_size."""
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


class DeepAutoencoder:
    """Encoder of sigmoid layers with a linear code, mirrored sigmoid decoder, untied weights.

    ``DeepAutoencoder(numpy_rng, layer_sizes=[784, 1000, 500, 250, 30], loss="cross_entropy")``

    - ``numpy_rng``: ``numpy.random.RandomState`` (or Generator) for the initial weights.
    - ``layer_sizes``: input size first, code size last.
    - ``loss``: the fine-tuning cost, ``"cross_entropy"`` (Hinton's, needs x in [0, 1]) or
      ``"squared_error"``.

    Before pretraining and ``unroll`` the weights are random (sigmoid layers uniform in
    +-4 sqrt(6 / (fan_in + fan_out)), linear ones in +-sqrt(6 / (fan_in + fan_out)); biases 0),
    so the class also trains from scratch. Attributes: ``encoder_W``, ``encoder_b`` (layer 1
    first), ``decoder_W``, ``decoder_b`` (from the code outwards: ``decoder_W[0]`` maps the
    code to n_{L-1}); ``params`` = encoder W, b pairs then decoder W, b pairs, in data order.
    """

    def __init__(self, numpy_rng, layer_sizes=(784, 1000, 500, 250, 30), loss="cross_entropy"):
        check_rng(numpy_rng, "numpy_rng")
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.loss = check_choice(loss, "loss", LOSSES)
        xp = self.xp = backend.xp
        floatX = config.floatX
        sizes = self.layer_sizes
        L = self.n_layers = len(sizes) - 1

        def init(n_in, n_out, linear):
            bound = math.sqrt(6.0 / (n_in + n_out)) * (1.0 if linear else 4.0)
            return xp.asarray(numpy.asarray(numpy_rng.uniform(-bound, bound, (n_in, n_out)), dtype=floatX))

        self.encoder_W = [init(sizes[i], sizes[i + 1], linear=(i == L - 1)) for i in range(L)]
        self.encoder_b = [xp.zeros(sizes[i + 1], dtype=floatX) for i in range(L)]
        self.decoder_W = [init(sizes[i + 1], sizes[i], linear=False) for i in reversed(range(L))]
        self.decoder_b = [xp.zeros(sizes[i], dtype=floatX) for i in reversed(range(L))]
        # the reconstruction biases b'_i of the pretraining autoencoders (layer 1 first)
        self.visible_b = [xp.zeros(sizes[i], dtype=floatX) for i in range(L)]
        self.params, self.param_names = [], []
        for i in range(L):
            self.params += [self.encoder_W[i], self.encoder_b[i]]
            self.param_names += [f"encoder_W{i}", f"encoder_b{i}"]
        for j in range(L):
            self.params += [self.decoder_W[j], self.decoder_b[j]]
            self.param_names += [f"decoder_W{j}", f"decoder_b{j}"]
        self.network = self._layers()
        self.encoder, self.decoder = self.network[:2 * L], self.network[2 * L:]
        self.loss_layer = make_loss(self.loss)

    def _layers(self):
        """The 2L (Dense, activation) pairs in data order. With the cross-entropy the loss reads
        the logits a_z, so the last activation is the identity (the sigmoid is in the loss)."""
        L = self.n_layers
        weights = list(zip(self.encoder_W + self.decoder_W, self.encoder_b + self.decoder_b))
        layers = []
        for k, (W, b) in enumerate(weights):
            linear = k == L - 1 or (k == 2 * L - 1 and self.loss == "cross_entropy")
            layers += [Dense(W, b, need_dx=k > 0), Identity() if linear else Sigmoid(inplace=True)]
        return Sequential(layers)

    # ----- for users ----------------------------------------------------------------------------
    def encode(self, x):
        """The code c = h_L for each row of x (linear, n_code columns)."""
        x = check_matrix(x, "x", self.layer_sizes[0], self.xp, allow_1d=True)
        return self.encoder.run(x.astype(self.encoder_W[0].dtype, copy=False))

    def decode(self, code):
        """The reconstruction z = g_0 (in (0, 1)) of each row of ``code``."""
        g = check_matrix(code, "code", self.layer_sizes[-1], self.xp, allow_1d=True)
        g = self.decoder.run(g.astype(self.encoder_W[0].dtype, copy=False))
        return sigmoid(g, out=g) if self.loss == "cross_entropy" else g

    def reconstruct(self, x):
        """z = decode(encode(x))."""
        return self.decode(self.encode(x))

    def reconstruction_error(self, x, batch_size=1000):
        """Mean over the rows of x of sum_k (x_k - z_k)^2: the paper's figure of merit (a float)."""
        x = check_matrix(x, "x", self.layer_sizes[0], self.xp, allow_1d=True).astype(self.encoder_W[0].dtype,
                                                                                    copy=False)
        batch_size = check_positive_int(batch_size, "batch_size")
        total = 0.0
        for rows in _rows(x.shape[0], batch_size):
            d = self.reconstruct(x[rows]) - x[rows]
            total += float((d.astype("float64") ** 2).sum())
        return total / x.shape[0]

    # ----- cost and gradients of the unrolled network (the gradient protocol) -----------------
    def cost_and_grads(self, x, *, rng, corruption_level=0.0):
        """Mean fine-tuning cost of the minibatch x and the gradients, aligned with ``params``.

        With ``corruption_level`` > 0 the fine-tuning is *denoising*: the network reads
        x~ = m * x (masking noise, m_k = 0 with probability ``corruption_level``, drawn from
        ``rng``) and is scored on the clean x, as the pretraining dAs were. The only change to
        the equations of the module docstring is u_1 = x~ (the first layer's input); the cost
        and delta_2L still compare with x. Level 0 (the default) draws nothing from ``rng``.
        """
        x = check_matrix(x, "x", self.layer_sizes[0], self.xp, unit_interval=(self.loss == "cross_entropy"),
                         allow_1d=True).astype(self.encoder_W[0].dtype, copy=False)
        level = check_float(corruption_level, "corruption_level", 0.0, 1.0, high_inclusive=False)
        inp = corrupt(x, level, "masking", rng, "corruption") if level > 0 else x
        out, cache = self.network.forward(inp)
        cost, loss_cache = self.loss_layer.forward(out, target=x)
        delta, _ = self.loss_layer.backward(1.0, loss_cache)
        _, grads = self.network.backward(delta, cache)
        return cost, grads

    def _propagate(self, x, i, batch_size=2000):
        """h_i for all rows of x (the input of encoder layer i), in chunks."""
        out = []
        for rows in _rows(x.shape[0], batch_size):
            out.append(self.network[:2 * i].run(x[rows]))
        return self.xp.concatenate(out, axis=0)

    # ----- stage 2: unrolling --------------------------------------------------------------------
    def unroll(self):
        """Set the decoder from the encoder, exactly: V_{i-1} = W_i^T, d_{i-1} = b'_i (copies,
        so the decoder is untied from now on). Returns self."""
        L = self.n_layers
        for j in range(L):
            i = L - 1 - j
            self.decoder_W[j][...] = self.encoder_W[i].T
            self.decoder_b[j][...] = self.visible_b[i]
        return self

    @classmethod
    def from_encoder(cls, weights, hidden_biases, visible_biases, loss="cross_entropy"):
        """A model whose encoder is (weights, hidden_biases) and whose decoder is their unrolling.

        ``weights[i]`` has shape (n_i, n_{i+1}), ``hidden_biases[i]`` (n_{i+1},) and
        ``visible_biases[i]`` (n_i,): e.g. the W, b and b_prime of pretrained autoencoders
        (dA or SdA layers), bottom first. The arrays are copied.
        """
        for name, seq in (("weights", weights), ("hidden_biases", hidden_biases),
                          ("visible_biases", visible_biases)):
            if not isinstance(seq, (list, tuple)) or len(seq) == 0:
                raise TypeError(f"{name} must be a non-empty list of arrays, got {type(seq).__name__}")
        if not len(weights) == len(hidden_biases) == len(visible_biases):
            raise ValueError(f"weights, hidden_biases and visible_biases must have the same length, got "
                             f"{len(weights)}, {len(hidden_biases)}, {len(visible_biases)}")
        for i, W in enumerate(weights):
            if getattr(W, "ndim", None) != 2:
                raise ValueError(f"weights[{i}] must be a 2-D array, got shape {getattr(W, 'shape', None)}")
        sizes = [int(weights[0].shape[0])] + [int(W.shape[1]) for W in weights]
        model = cls(numpy.random.RandomState(0), sizes, loss=loss)
        xp = model.xp
        for i, (W, b, c) in enumerate(zip(weights, hidden_biases, visible_biases)):
            check_param(W, f"weights[{i}]", (sizes[i], sizes[i + 1]), xp)
            check_param(b, f"hidden_biases[{i}]", (sizes[i + 1],), xp)
            check_param(c, f"visible_biases[{i}]", (sizes[i],), xp)
            model.encoder_W[i][...] = W
            model.encoder_b[i][...] = b
            model.visible_b[i][...] = c
        return model.unroll()

    def __repr__(self):
        sizes = "-".join(str(n) for n in self.layer_sizes)
        return f"DeepAutoencoder({sizes}, loss={self.loss!r}, dtype={self.encoder_W[0].dtype})"
