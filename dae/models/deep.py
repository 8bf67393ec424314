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

1. ``pretrain``: greedy, layer by layer. Layer i is a tied-weight denoising autoencoder
   trained to reconstruct h_{i-1} (the codes of the layers below, computed once, clean).
   The sigmoid layers are ``dae.Autoencoder`` (the tutorial's dA: masking noise, cross-entropy,
   its own analytic gradients), built on this model's W_i and b_i so training them trains the
   encoder. The code layer is ``dae.Autoencoder(activation="linear")``: the same tied autoencoder with a
   linear code, c = x~ W + b and z = s(c W^T + b'). (Hinton pretrained it as an RBM with
   Gaussian hidden units; the layer here is its autoencoder counterpart.) Each layer's
   reconstruction bias b'_i is kept: it becomes the decoder's bias d_{i-1}.
2. ``unroll``: the decoder is initialised from the encoder *exactly*: V_{i-1} = W_i^T and
   d_{i-1} = b'_i. ``DeepAutoencoder.from_encoder`` builds a model that way from given arrays.
3. ``finetune``: the whole unrolled network (decoder weights now untied) trained end to end
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
import os
import sys

import numpy

from .. import backend
from .. import config
from .. import optim
from ..corruption import corrupt
from ..functions import sigmoid
from .autoencoder import Autoencoder
from ..layers import Dense, Identity, Sequential, Sigmoid, loss as make_loss
from ..random import RandomStreams
from .saving import ModelFileMethods
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


def layer_checkpoint(path, i):
    """Layer i's pretraining checkpoint beside ``path`` ("run/deep.npz" -> "run/deep_layer{i}.npz")."""
    if path is None:
        return None
    root, ext = os.path.splitext(os.fspath(path))
    return f"{root}_layer{i}{ext or '.npz'}"


def _trainer(layer, opt, batch_size, rng, cost_kwargs, checkpoint_path, resume, max_minutes, progress,
             verbose, line):
    """A :class:`dae.train.Trainer` for one pretraining layer: the bar where asked for, and this
    model's own line per epoch (``line(epoch, cost)``) when ``verbose``."""
    from ..train import Trainer

    if progress == "auto":
        progress = "bar" if getattr(sys.stdout, "isatty", lambda: False)() else False
    elif progress != "bar":
        progress = False
    trainer = Trainer(layer, opt, batch_size, cost_kwargs=cost_kwargs, rng=rng, shuffle="examples",
                      checkpoint_path=checkpoint_path, max_minutes=max_minutes, progress=progress,
                      on_epoch_end=(lambda t, m: print(line(m["epoch"], m["train_cost"]), flush=True))
                      if verbose else None)
    if resume:
        trainer.resume()
    return trainer


class DeepAutoencoder(ModelFileMethods):
    """Encoder of sigmoid layers with a linear code, mirrored sigmoid decoder, untied weights.

    ``DeepAutoencoder(numpy_rng, layer_sizes=[784, 1000, 500, 250, 30], loss="cross_entropy")``

    - ``numpy_rng``: ``numpy.random.RandomState`` (or Generator) for the initial weights.
    - ``layer_sizes``: input size first, code size last.
    - ``loss``: the fine-tuning cost, ``"cross_entropy"`` (Hinton's, needs x in [0, 1]) or
      ``"squared_error"``.

    Before ``pretrain``/``unroll`` the weights are random (sigmoid layers uniform in
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

    # ----- stage 1: greedy layer-wise pretraining ----------------------------------------------
    def pretraining_layer(self, i, numpy_rng=None):
        """The tied autoencoder that pretrains encoder layer ``i`` (0-based), sharing its arrays:
        a ``dae.Autoencoder``, sigmoid for the hidden layers, ``activation="linear"`` for the code layer
        (whose initial range is then Glorot's, without the sigmoid's factor 4)."""
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.n_layers:
            raise ValueError(f"i must be a layer index in [0, {self.n_layers}), got {i!r}")
        numpy_rng = numpy.random.RandomState(0) if numpy_rng is None else check_rng(numpy_rng)
        n_in, n_out = self.layer_sizes[i], self.layer_sizes[i + 1]
        shared = dict(W=self.encoder_W[i], bhid=self.encoder_b[i], bvis=self.visible_b[i])
        activation = "linear" if i == self.n_layers - 1 else "sigmoid"
        # theano_rng is given so that nothing is drawn from numpy_rng (W is shared in).
        return Autoencoder(numpy_rng, theano_rng=RandomStreams(0), n_visible=n_in, n_hidden=n_out,
                  activation=activation, **shared)

    def _propagate(self, x, i, batch_size=2000):
        """h_i for all rows of x (the input of encoder layer i), in chunks."""
        out = []
        for rows in _rows(x.shape[0], batch_size):
            out.append(self.network[:2 * i].run(x[rows]))
        return self.xp.concatenate(out, axis=0)

    def pretrain(self, train_x, epochs=1, batch_size=100, corruption_level=0.1, optimizer="adam",
                 learning_rate=1e-3, rng=None, verbose=True, *, checkpoint_path=None, resume=False,
                 max_minutes=None, progress="auto"):
        """Greedy layer-wise pretraining of the encoder, then ``unroll()``.

        Layer i (from the bottom) is trained for ``epochs`` passes (an int, or one int per
        layer) over h_{i-1} as a denoising autoencoder with masking noise
        ``corruption_level``, by ``dae.optim.make(optimizer, learning_rate=...)`` on
        minibatches of ``batch_size``, shuffled by ``rng`` (a RandomState; default seed 0),
        which also draws the masks. Each layer trains through one :class:`dae.train.Trainer`
        (``shuffle="examples"``, ``rng`` as the run's generator). Returns the list, per layer,
        of per-epoch mean costs.

        - ``checkpoint_path``: "run/deep.npz" writes layer i's checkpoints to
          "run/deep_layer{i}.npz" (after every epoch, and on Ctrl-C); with ``resume=True`` the
          layers that have one go on from it (a finished layer is not trained again), so an
          interrupted run ends with the parameters of an uninterrupted one.
        - ``max_minutes``: a time budget for each layer; ``progress``: the trainer's bar
          ("auto": on a terminal), False for none. ``verbose``: print one line per epoch.
        """
        x = check_matrix(train_x, "train_x", self.layer_sizes[0], self.xp, unit_interval=True,
                         allow_1d=True).astype(self.encoder_W[0].dtype, copy=False)
        L = self.n_layers
        if isinstance(epochs, (list, tuple)):
            if len(epochs) != L:
                raise ValueError(f"epochs must be an int or a list of {L} ints (one per layer), got {epochs!r}")
            epochs_per_layer = [0 if e == 0 else check_positive_int(e, f"epochs[{k}]") for k, e in enumerate(epochs)]
        else:
            epochs_per_layer = [check_positive_int(epochs, "epochs")] * L
        batch_size = check_positive_int(batch_size, "batch_size")
        level = check_float(corruption_level, "corruption_level", 0.0, 1.0, high_inclusive=False)
        check_choice(optimizer, "optimizer", tuple(optim.OPTIMIZERS))
        learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        rng = numpy.random.RandomState(0) if rng is None else check_rng(rng, "rng")

        history = []
        for i in range(L):
            if epochs_per_layer[i] == 0:
                history.append([])
                continue
            layer = self.pretraining_layer(i)
            h = self._propagate(x, i) if i > 0 else x
            sizes = f"{self.layer_sizes[i]}-{self.layer_sizes[i + 1]}"
            trainer = _trainer(layer, optim.make(optimizer, learning_rate=learning_rate), batch_size, rng,
                               {"corruption_level": level}, layer_checkpoint(checkpoint_path, i), resume,
                               max_minutes, progress, verbose,
                               lambda e, c, i=i, sizes=sizes: f"Pre-training layer {i} ({sizes}), epoch {e}, "
                                                               f"cost {c:.4f}")
            trainer.fit(backend.to_host(h), epochs_per_layer[i])
            history.append([m["train_cost"] for m in trainer.history])
        self.unroll()
        return history

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

    # ----- stage 3: fine-tuning --------------------------------------------------------------------
    def finetune(self, train_x, epochs, batch_size=100, optimizer=None, rng=None, callback=None,
                 corruption_level=0.0, augment=None, *, schedule=None, max_minutes=None, evaluate=None,
                 checkpoint_path=None, resume=False, progress=False, valid_x=None):
        """Train the unrolled network end to end: ``epochs`` passes over ``train_x`` in shuffled
        minibatches (``rng``, default seed 0, also draws the masking noise of denoising
        fine-tuning when ``corruption_level`` > 0) with ``optimizer`` (a ``dae.optim`` object, default
        ``Adam(1e-3)``). ``augment(x_batch, rng) -> x_batch``, if given, makes each minibatch a new
        variant of itself first (for example ``dae.augment.random_shifts``): the network then
        reconstructs the variant. ``callback(epoch, mean_cost, optimizer)`` runs after each epoch
        (for printing or evaluation). Returns the per-epoch mean costs.

        The loop is :class:`dae.train.Trainer`'s (``shuffle="examples"``, ``rng`` as the run's
        generator), and its options pass through: ``schedule(trainer) -> learning rate``
        (:mod:`dae.train.schedules`), ``max_minutes`` (a wall-time budget; the schedule then runs
        on the fraction of it used), ``evaluate(trainer) -> dict`` (extra metrics in the
        history), ``valid_x`` (a validation cost per epoch), ``checkpoint_path`` (written after
        every epoch and on Ctrl-C) with ``resume=True`` (go on from it if it exists: a resumed run
        ends with the parameters of an uninterrupted one), ``progress`` ("auto", "bar", "plain",
        False). ``self.last_trainer`` is the trainer, for its ``history`` and ``stopped``."""
        x = check_matrix(train_x, "train_x", self.layer_sizes[0], self.xp, unit_interval=(self.loss == "cross_entropy"),
                         allow_1d=True).astype(self.encoder_W[0].dtype, copy=False)
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        opt = optim.Adam(1e-3) if optimizer is None else optimizer
        if not hasattr(opt, "step"):
            raise TypeError(f"optimizer must be a dae.optim optimiser, got {type(opt).__name__}")
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be a function augment(x_batch, rng), got {type(augment).__name__}")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function callback(epoch, mean_cost, optimizer), "
                            f"got {type(callback).__name__}")
        rng = numpy.random.RandomState(0) if rng is None else check_rng(rng, "rng")
        level = check_float(corruption_level, "corruption_level", 0.0, 1.0, high_inclusive=False)
        from ..registry import kind_of
        from ..train import Trainer

        kind = kind_of(self)     # so that dae.load_model reads the checkpoint as a model too
        trainer = self.last_trainer = Trainer(
            self, opt, batch_size, cost_kwargs={"corruption_level": level}, rng=rng, shuffle="examples",
            augment=augment, schedule=schedule, max_minutes=max_minutes, evaluate=evaluate,
            checkpoint_path=checkpoint_path, progress=progress,
            on_epoch_end=None if callback is None else (
                lambda t, metrics: callback(metrics["epoch"], metrics["train_cost"], t.optimizer)),
            model_kind=kind.name, model_config=kind.config_of(self))
        if resume:
            trainer.resume()
        trainer.fit(backend.to_host(x), epochs, valid_x=None if valid_x is None else backend.to_host(valid_x))
        return [m["train_cost"] for m in trainer.history]

    def __repr__(self):
        sizes = "-".join(str(n) for n in self.layer_sizes)
        return f"DeepAutoencoder({sizes}, loss={self.loss!r}, dtype={self.encoder_W[0].dtype})"
