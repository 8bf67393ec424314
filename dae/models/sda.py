"""Stacked denoising autoencoders (the tutorial's ``SdA``): greedy pretraining, then fine-tuning.

The network is a multilayer perceptron of sigmoid ``HiddenLayer``s with a ``LogisticRegression``
on top::

    h_0 = x,   h_k = s(h_{k-1} W_k + b_k)   (k = 1..L),   P(Y | x) = softmax(h_L V + c)

Training has the three steps of the tutorial:

1. **Pretraining**, one layer at a time, without labels. Layer k is also a denoising
   autoencoder ``dA_k`` that *shares* W_k and b_k (the same arrays, updated in place) and adds
   its own visible bias b'_k. It learns to rebuild h_{k-1} from a corrupted copy of it
   (cross-entropy cost, masking noise of the level each call is given); layers below stay frozen.
2. A **classifier** (logistic regression) on the top code h_L.
3. **Fine-tuning** with labels: the mean negative log-likelihood ``- mean log P(y | x)`` by
   minibatch gradient descent, through the whole network (``finetune="all"``, the tutorial) or
   for the classifier alone (``finetune="top"``), with early stopping on the validation set.

Back-propagation for step 3: with D = (P - onehot(y)) / N at the top, G_L = D V^T, and for
k = L..1: A_k = G_k * h_k (1 - h_k), gW_k = h_{k-1}^T A_k, gb_k = sum_rows A_k,
G_{k-1} = A_k W_k^T (see dae/layers/dense.py). ``cost_and_grads(x, y)`` returns these.

The tutorial's functions, ``pretraining_functions`` and ``build_finetune_functions``, are what
Theano compiled them into: the same arithmetic as ``cost_and_grads`` followed by an SGD step,
fused into in-place updates over preallocated buffers (``dae.fast``; at batch 1 each weight
update is one rank-1 product). ``fused=False`` gives the readable path, ``cost_and_grads`` then
a ``dae.optim`` step, with the same numbers to float32 rounding.
"""
import copy
import numbers

from .. import backend, optim
from ..fast import SigmoidSoftmaxSGD, SigmoidSoftmaxSGD1, TiedSigmoidSGD, TiedSigmoidSGD1
from ..layers import Dropout, HiddenLayer, LogisticRegression, Sequential
from ..plotting import tile_raster_images
from ..random import RandomStreams
from ..validation import check_choice, check_float, check_labels, check_matrix, check_positive_int, check_rng
from .da import dA

FINETUNE = ("all", "top")
_CHUNK = 5000  # rows per block when a whole data set is pushed through the network at once


def _check_sizes(sizes, name):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"{name} must be a list of positive integers, got {sizes!r}")
    if len(sizes) == 0:
        raise ValueError(f"{name} must name at least one hidden layer, got {list(sizes)}")
    return [check_positive_int(s, f"{name}[{i}]") for i, s in enumerate(sizes)]


def _check_batch_size(batch_size, n, what):
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size ({batch_size}) is larger than the {n} examples of {what}")
    return batch_size


def _check_index(index, n_batches, name="index"):
    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise TypeError(f"{name} must be an integer minibatch index, got {index!r}")
    if not 0 <= index < n_batches:
        raise ValueError(f"{name} must be in [0, {n_batches}), got {index}")
    return int(index)


class SdA:
    """Stacked denoising autoencoder (the tutorial's class).

    ``SdA(numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=[500, 500], n_outs=10)``

    Built in the tutorial's order: the corruption stream ``RandomStreams(numpy_rng.randint(2 **
    30))`` first (when ``theano_rng`` is None); then for each layer a sigmoid ``HiddenLayer``
    (its W drawn from numpy_rng) and a ``dA`` holding *the same* W and b; then the
    ``LogisticRegression``. Each dA draws its masks from its own stream of theano_rng
    (``corruption0``, ``corruption1``, ...), as each layer had its own random variable in
    Theano's graph. The corruption level of each layer is a keyword of the pretraining call.

    - ``sigmoid_layers``, ``dA_layers``, ``logLayer``: the parts; ``hidden``: the sigmoid layers
      as one ``Sequential``.
    - ``params``: the fine-tuning parameters [W_1, b_1, ..., W_L, b_L, V, c] (the dA's visible
      biases are pretraining-only, as in the tutorial); ``param_names`` alongside.
    """

    def __init__(self, numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=(500, 500), n_outs=10):
        check_rng(numpy_rng, "numpy_rng")
        self.n_ins = check_positive_int(n_ins, "n_ins")
        self.n_outs = check_positive_int(n_outs, "n_outs")
        if self.n_outs < 2:
            raise ValueError(f"n_outs must be at least 2 classes (a softmax over {self.n_outs} class is always 1: "
                             f"there is nothing to learn), got {n_outs}")
        self.hidden_layers_sizes = _check_sizes(hidden_layers_sizes, "hidden_layers_sizes")
        self.n_layers = len(self.hidden_layers_sizes)
        self.xp = backend.xp
        if theano_rng is None:
            draw = numpy_rng.randint if hasattr(numpy_rng, "randint") else numpy_rng.integers  # a Generator's
            theano_rng = RandomStreams(int(draw(2 ** 30)))
        self.theano_rng = theano_rng

        self.sigmoid_layers, self.dA_layers = [], []
        self.params, self.param_names = [], []
        for i, n_out in enumerate(self.hidden_layers_sizes):
            n_in = self.n_ins if i == 0 else self.hidden_layers_sizes[i - 1]
            sigmoid_layer = HiddenLayer(rng=numpy_rng, n_in=n_in, n_out=n_out, activation="sigmoid",
                                        need_dx=i > 0, inplace=True)
            self.sigmoid_layers.append(sigmoid_layer)
            self.params.extend(sigmoid_layer.params)
            self.param_names.extend([f"layer{i}_W", f"layer{i}_b"])
            dA_layer = dA(numpy_rng=numpy_rng, theano_rng=theano_rng, n_visible=n_in, n_hidden=n_out,
                          W=sigmoid_layer.W, bhid=sigmoid_layer.b)
            dA_layer.corruption_site = f"corruption{i}"
            self.dA_layers.append(dA_layer)
        self.hidden = Sequential(self.sigmoid_layers)
        self.logLayer = LogisticRegression(n_in=self.hidden_layers_sizes[-1], n_out=self.n_outs)
        self.params.extend(self.logLayer.params)
        self.param_names.extend(["log_W", "log_b"])
        # How many in-place updates each hidden layer has had: cached codes remember these.
        self._versions = [0] * self.n_layers

    # ----- forward passes -------------------------------------------------------------------------
    def _matrix(self, x, name="x", unit_interval=False):
        x = check_matrix(x, name, self.n_ins, self.xp, unit_interval=unit_interval, allow_1d=True)
        return x.astype(self.params[0].dtype, copy=False)

    def _codes(self, h, start, stop):
        """h_stop for every row of the codes h = h_start (checked), computed in blocks of rows."""
        if start == stop:
            return h
        layers = self.hidden[start:stop]
        out = self.xp.empty((h.shape[0], self.hidden_layers_sizes[stop - 1]), dtype=h.dtype)
        for s in range(0, h.shape[0], _CHUNK):
            out[s:s + _CHUNK] = layers.run(h[s:s + _CHUNK])
        return out

    def get_codes(self, x, layer=None):
        """The code of hidden layer ``layer`` (0-based; default: the top one) for every row of x."""
        layer = self.n_layers - 1 if layer is None else _check_index(layer, self.n_layers, "layer")
        return self._codes(self._matrix(x), 0, layer + 1)

    def p_y_given_x(self, x):
        """P(Y | x) for every row of x, shape (N, n_outs)."""
        return self.logLayer.p_y_given_x(self._codes(self._matrix(x), 0, self.n_layers))

    def predict(self, x):
        """The predicted class of every row of x."""
        return self._predict(self._matrix(x))

    def _predict(self, x):
        top = self._codes(x, 0, self.n_layers)
        return (top @ self.logLayer.W + self.logLayer.b).argmax(axis=1)

    def errors(self, x, y):
        """The fraction of rows of x misclassified."""
        x = self._matrix(x)
        y = check_labels(y, "y", self.n_outs, x.shape[0], self.xp)
        return float((self._predict(x) != y).mean())

    # ----- fine-tuning cost and gradients ---------------------------------------------------------
    def _network(self, rng, dropout, input_dropout):
        """The hidden layers, with this call's dropout layers (masks from ``rng``) when asked for."""
        if not (dropout or input_dropout):
            return self.hidden
        layers = [Dropout(input_dropout, rng, "input_dropout")] if input_dropout else []
        for k, layer in enumerate(self.sigmoid_layers):
            layers.append(layer)
            if dropout:
                layers.append(Dropout(dropout, rng, f"dropout{k}"))
        return Sequential(layers)

    def _finetune_cost_grads(self, x, y, rng=None, dropout=0.0, input_dropout=0.0):
        """(NLL, grads) without checks: the hidden layers (with their dropout layers), the
        classifier with the labels as its target, then the backward passes in reverse."""
        network = self._network(rng, dropout, input_dropout)
        h, cache = network.forward(x)
        cost, log_cache = self.logLayer.forward(h, target=y)
        dh, log_grads = self.logLayer.backward(1.0, log_cache)
        _, grads = network.backward(dh, cache)
        return cost, grads + log_grads

    def cost_and_grads(self, x, y, *, rng, dropout=0.0, input_dropout=0.0):
        """The fine-tuning cost (mean NLL of the labels ``y``) and its gradients for every param
        (aligned with ``self.params``). With ``dropout`` / ``input_dropout`` > 0 each hidden
        code / the input is multiplied by an inverted-dropout mask m / (1 - p) drawn from
        ``rng`` (the fine-tuning regulariser of the fast recipe; the tutorial had none)."""
        x = self._matrix(x)
        y = check_labels(y, "y", self.n_outs, x.shape[0], self.xp)
        dropout = check_float(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        input_dropout = check_float(input_dropout, "input_dropout", 0.0, 1.0, high_inclusive=False)
        return self._finetune_cost_grads(x, y, rng=rng, dropout=dropout, input_dropout=input_dropout)

    # ----- step 1: the tutorial's pretraining functions ------------------------------------------
    def pretraining_functions(self, train_set_x, batch_size, cache_codes=False, fused=True):
        """One callable per layer, ``f(index, corruption=0.2, lr=0.1) -> cost`` (the tutorial's
        defaults).

        ``f(index)`` takes minibatch ``index`` (rows ``index * batch_size`` to ``(index + 1) *
        batch_size`` of train_set_x), computes the layer's input h_{k-1} through the frozen layers
        below, does one SGD step of ``dA_k`` on it with masking noise of level ``corruption`` and
        returns the minibatch cost. ``f.n_batches`` is the number of whole minibatches.

        ``fused=True`` runs the step as ``dae.fast.TiedSigmoidSGD`` (buffers made once per
        corruption level, in-place BLAS updates; at batch size 1 with numba, ``TiedSigmoidSGD1``);
        ``fused=False`` as ``dA_k.cost_and_grads`` then ``dae.optim.SGD``. Both draw the same
        masks from the layer's stream of theano_rng.

        ``cache_codes=True`` is the tutorial's tip: layer k's input is computed for the whole set
        the first time ``f_k`` is called (from layer k-1's cached codes when still valid) and
        kept, so no minibatch recomputes layers 1..k-1. The cache is recomputed if a lower
        layer has been updated since (through these functions or ``build_finetune_functions``).
        Memory: one float array of n_examples x n_hidden at a time.
        """
        x_all = self._matrix(train_set_x, "train_set_x", unit_interval=True)
        batch_size = _check_batch_size(batch_size, x_all.shape[0], "train_set_x")
        n_batches = x_all.shape[0] // batch_size
        # Seed each layer's corruption stream in layer order, as Theano did when the graph was built.
        if isinstance(self.theano_rng, RandomStreams):
            for da_layer in self.dA_layers:
                self.theano_rng.state(da_layer.corruption_site)
        layer_input = self._code_cache(x_all) if cache_codes else None

        def make(k):
            step, versions = self._pretraining_step(k, batch_size, bool(fused)), self._versions

            def pretrain(index, corruption=0.2, lr=0.1):
                if not (type(index) is int and 0 <= index < n_batches):
                    index = _check_index(index, n_batches)
                start = index * batch_size
                if k == 0:
                    x = x_all[start:start + batch_size]
                elif layer_input is not None:
                    x = layer_input(k)[start:start + batch_size]
                else:
                    x = self._codes(x_all[start:start + batch_size], 0, k)
                versions[k] += 1
                return step(x, corruption, lr)

            pretrain.n_batches, pretrain.layer = n_batches, k
            return pretrain

        return [make(k) for k in range(self.n_layers)]

    def _pretraining_step(self, k, batch_size, fused):
        """``step(x, corruption, lr) -> cost``: one SGD step of dA_k on the minibatch x (checked)."""
        da_layer = self.dA_layers[k]
        if not fused:
            sgd = optim.SGD(0.1)

            def readable(x, corruption, lr):
                sgd.learning_rate = check_float(lr, "lr", 0.0, None, low_inclusive=False)
                cost, grads = da_layer.cost_and_grads(x, rng=da_layer.theano_rng, corruption_level=corruption)
                sgd.step(da_layer.params, grads)
                return cost
            return readable
        steps = {}  # corruption level -> the fused step (its mask threshold and buffers are per level)

        def fast(x, corruption, lr):
            fused_step = steps.get(corruption)
            if fused_step is None:
                lr = check_float(lr, "lr", 0.0, None, low_inclusive=False)
                fused_step = steps[corruption] = TiedSigmoidSGD1.make(da_layer, corruption, lr) \
                    if batch_size == 1 else TiedSigmoidSGD(da_layer, batch_size, corruption, lr)
            if lr != fused_step.learning_rate:
                fused_step.learning_rate = check_float(lr, "lr", 0.0, None, low_inclusive=False)
            return fused_step.step(x)
        return fast

    def _code_cache(self, x_all):
        """``layer_input(k)``: h_{k-1} of the whole set, kept while the layers below are unchanged."""
        cache = {}  # layer k -> (versions of layers below when computed, codes h_{k-1})

        def layer_input(k):
            stamp = tuple(self._versions[:k])
            if k not in cache or cache[k][0] != stamp:
                below = cache.get(k - 1)
                if below is not None and below[0] == tuple(self._versions[:k - 1]):
                    codes = self._codes(below[1], k - 1, k)
                else:
                    codes = self._codes(x_all, 0, k)
                cache.clear()  # keep one set of codes at a time
                cache[k] = (stamp, codes)
            return cache[k][1]
        return layer_input

    # ----- step 3: the tutorial's fine-tuning functions ------------------------------------------
    def _check_dataset(self, pair, name):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f"{name} must be a pair (x, y), got {type(pair).__name__}")
        x = self._matrix(pair[0], f"{name}_x")
        y = check_labels(pair[1], f"{name}_y", self.n_outs, x.shape[0], self.xp)
        return x, y

    def build_finetune_functions(self, datasets, batch_size, learning_rate=0.1, finetune="all", momentum=0.0,
                                 optimizer=None, dropout=0.0, input_dropout=0.0, rng=None, augment=None,
                                 fused=True):
        """``(train_fn, valid_score, test_score)`` as in the tutorial.

        - ``datasets``: ``[(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]`` (arrays on
          the backend in force; labels int in [0, n_outs)).
        - ``train_fn(minibatch_index) -> cost``: one step on that minibatch of the training set.
          With plain SGD (momentum 0, no optimizer, dropout or augment) and ``fused=True`` it is
          ``dae.fast.SigmoidSoftmaxSGD`` (``SigmoidSoftmaxSGD1`` at batch size 1 with numba), the
          tutorial's arithmetic in place; otherwise
          ``cost_and_grads`` then ``dae.optim.SGD(learning_rate)`` / ``Momentum(learning_rate,
          momentum)`` or the ``optimizer`` given. ``train_fn.optimizer`` holds the
          ``learning_rate`` the step uses, so a loop can change it between epochs.
        - ``valid_score()`` / ``test_score()``: the list of per-minibatch error rates.
        - ``finetune``: "all" (the whole network, the tutorial) or "top" (the classifier only;
          the hidden layers are frozen, so their top codes are computed once for each set).
        - ``dropout`` / ``input_dropout``: drop this fraction of the hidden units / inputs at
          each training step (masks from ``rng``, default this model's theano_rng); scoring
          uses the whole network. Both 0 (the tutorial) unless asked for; "all" only.
        - ``augment``: an optional ``augment(x_batch, rng) -> new x_batch`` applied to each
          training minibatch (e.g. random translations of the images); "all" only.
        """
        (train_x, train_y), valid, test = self._finetune_datasets(datasets, batch_size, finetune, dropout,
                                                                  input_dropout, augment, optimizer)
        top_only = finetune == "top"
        if top_only:  # frozen features: the classifier trains on fixed codes
            train_x = self._codes(train_x, 0, self.n_layers)
        if fused and optimizer is None and not momentum and not (dropout or input_dropout) and augment is None:
            optimizer = self._fused_finetune_step(batch_size, learning_rate, top_only)
            step = optimizer.step
        else:
            rng = self.theano_rng if rng is None else rng
            step, optimizer = self._readable_finetune_step(learning_rate, momentum, optimizer, top_only, rng,
                                                           dropout, input_dropout, augment)
        train_fn = self._train_fn(step, train_x, train_y, batch_size, top_only)
        train_fn.optimizer, train_fn.finetune = optimizer, finetune
        return train_fn, self._scorer(*valid, batch_size), self._scorer(*test, batch_size)

    def _finetune_datasets(self, datasets, batch_size, finetune, dropout, input_dropout, augment, optimizer):
        """The three (x, y) pairs of ``build_finetune_functions``, checked with its options."""
        if not (isinstance(datasets, (tuple, list)) and len(datasets) == 3):
            raise ValueError("datasets must be [(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]")
        check_choice(finetune, "finetune", FINETUNE)
        check_float(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        check_float(input_dropout, "input_dropout", 0.0, 1.0, high_inclusive=False)
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be a function augment(x_batch, rng), got {type(augment).__name__}")
        if finetune == "top" and (dropout or input_dropout or augment is not None):
            raise ValueError("dropout, input_dropout and augment apply to finetune='all' only "
                             "(the codes are fixed with 'top')")
        if optimizer is not None and not hasattr(optimizer, "step"):
            raise TypeError(f"optimizer must have a step(params, grads) method, got {type(optimizer).__name__}")
        pairs = [self._check_dataset(pair, name) for pair, name in zip(datasets, ("train_set", "valid_set", "test_set"))]
        for (x, _), name in zip(pairs, ("train_set_x", "valid_set_x", "test_set_x")):
            _check_batch_size(batch_size, x.shape[0], name)
        return pairs

    def _fused_finetune_step(self, batch_size, learning_rate, top_only):
        """dae.fast.SigmoidSoftmaxSGD (SigmoidSoftmaxSGD1 at batch size 1) over this model's arrays."""
        layers = [self.logLayer] if top_only else self.sigmoid_layers + [self.logLayer]
        weights, biases = [layer.W for layer in layers], [layer.b for layer in layers]
        if batch_size == 1:
            return SigmoidSoftmaxSGD1.make(weights, biases, learning_rate)
        return SigmoidSoftmaxSGD(weights, biases, batch_size, learning_rate)

    def _readable_finetune_step(self, learning_rate, momentum, optimizer, top_only, rng, dropout, input_dropout,
                                augment):
        """``(step(x, y) -> cost, the optimiser)``: cost_and_grads (or the classifier's alone),
        then a dae.optim step."""
        if optimizer is None:
            optimizer = optim.Momentum(learning_rate, momentum) if momentum else optim.SGD(learning_rate)
        params = self.logLayer.params if top_only else self.params

        def step(x, y):
            if top_only:
                cost, grads = self.logLayer.cost_and_grads(x, y)
            else:
                if augment is not None:
                    x = augment(x, rng)
                cost, grads = self._finetune_cost_grads(x, y, rng=rng, dropout=dropout, input_dropout=input_dropout)
            optimizer.step(params, grads)
            return cost
        return step, optimizer

    def _train_fn(self, step, train_x, train_y, batch_size, top_only):
        n_train_batches, versions = train_x.shape[0] // batch_size, self._versions

        def train_fn(minibatch_index):
            if not (type(minibatch_index) is int and 0 <= minibatch_index < n_train_batches):
                minibatch_index = _check_index(minibatch_index, n_train_batches, "minibatch_index")
            start = minibatch_index * batch_size
            if not top_only:
                for k in range(len(versions)):
                    versions[k] += 1
            return step(train_x[start:start + batch_size], train_y[start:start + batch_size])

        train_fn.n_batches = n_train_batches
        return train_fn

    def _scorer(self, x, y, batch_size):
        n_batches = x.shape[0] // batch_size
        x, y = x[:n_batches * batch_size], y[:n_batches * batch_size]

        def score():
            wrong = (self._predict(x) != y).reshape(n_batches, batch_size)
            return [float(e) for e in backend.to_host(wrong.mean(axis=1))]

        score.n_batches = n_batches
        return score

    # ----- pictures -------------------------------------------------------------------------------
    def filters_image(self, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1)):
        """The first layer's filters (columns of W_1) as a uint8 mosaic (``tile_raster_images``);
        with fewer filters than ``tile_shape`` holds, only the rows they fill."""
        W = backend.to_host(self.sigmoid_layers[0].W).T
        n = min(tile_shape[0] * tile_shape[1], W.shape[0])
        if n < tile_shape[0] * tile_shape[1]:  # fewer filters than tiles: as many rows as they fill
            tile_shape = (-(-n // tile_shape[1]), tile_shape[1])
        return tile_raster_images(X=W[:n], img_shape=img_shape, tile_shape=tile_shape, tile_spacing=tile_spacing)

    def __deepcopy__(self, memo):
        """``copy.deepcopy(sda)``: new arrays (still one W and b shared by each layer and its dA),
        the corruption streams in their current state, the same backend module."""
        memo.setdefault(id(self.xp), self.xp)
        new = memo[id(self)] = object.__new__(type(self))
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def __repr__(self):
        return f"SdA(n_ins={self.n_ins}, hidden_layers_sizes={self.hidden_layers_sizes}, n_outs={self.n_outs})"
