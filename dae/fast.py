"""The tutorial's dA training step, made fast: same arithmetic, no wasted passes over memory.

``TiedSigmoidSGD(da, batch_size, corruption_level, learning_rate)`` is a callable that does
what ``cost, updates = da.get_cost_updates(x, level, lr); dae.apply_updates(updates)`` does
(tied weights, sigmoid units, cross-entropy, masking noise, plain SGD) and returns the cost.
The equations are :class:`dae.dA`'s; what changes is only how they are evaluated:

1. Buffers are allocated once and reused by every minibatch (no allocation in the loop).
2. The masking noise draws the *same* numbers as the tutorial's ``binomial(n=1, p)``:
   NumPy's binomial for n = 1 draws one uniform U per entry and returns 1 when U <= p
   (for p > 1/2; 1 when U > 1 - p for p <= 1/2), so ``random_sample() <= p`` reproduces it
   draw for draw at a third of the cost (``tests/test_fast.py`` proves the masks equal).
3. The 1/N of the mean is folded into the step size: dz = z - x, and every update uses lr/N.
4. The tied-weight gradient's two terms are ONE matrix product over stacked buffers::

       gW = x~^T dy + dz^T y = [x~ ; dz]^T [dy ; y]        (2N x n_visible)^T (2N x n_hidden)

   so x~ and dz are written into the two halves of one buffer, dy and y into the two halves of
   another; the small right-hand buffer is scaled by -lr/N and the update
   W <- W + [x~; dz]^T (-lr/N [dy; y]) is one BLAS gemm with beta = 1, in place
   (``backend.gemm_update``): no gradient matrix is materialised (where that gemm is not
   available, one product into a preallocated buffer and one addition).
5. The decoder's sigmoid and the cost share one exponential, e = exp(-|a|)::

       softplus(a) = max(a, 0) + log(1 + e)         (the cost, from the logits, stable)
       z = s(a)    = 1 / (1 + e)   where a >= 0,   e / (1 + e)   where a < 0

6. Costs are returned as 0-d device arrays; the loop reads them once per epoch.
"""
import math

from . import backend
from .corruption import masking_threshold
from .functions import sigmoid
from .layers.activations import Sigmoid
from .validation import check_float, check_matrix, check_positive_int


TUTORIAL_OPTIONS = {"tied_weights": True, "activation": "sigmoid", "loss": "cross_entropy", "decoder": "sigmoid",
                    "noise": "masking", "sparsity": None}


def _is_the_tutorial_model(da):
    """dae.dA (which has none of the family's options) or a family model with the tutorial's."""
    return all(getattr(da, key, value) == value for key, value in TUTORIAL_OPTIONS.items())


class TiedSigmoidSGD:
    """One SGD step of the tutorial's dA per call: ``cost = step(x_batch)``."""

    def __init__(self, da, batch_size, corruption_level, learning_rate):
        if not _is_the_tutorial_model(da):
            raise ValueError(f"TiedSigmoidSGD needs the tutorial's model (dae.dA, or dae.Autoencoder with its "
                             f"defaults: tied weights, sigmoid, cross-entropy, masking noise), got {da!r}")
        self.da = da
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.corruption_level = check_float(corruption_level, "corruption_level", 0.0, 1.0, high_inclusive=False)
        self.learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        xp = self.xp = da.xp
        n, nv, nh, dt = self.batch_size, da.n_visible, da.n_hidden, da.W.dtype
        self.left = xp.empty((2 * n, nv), dtype=dt)   # [x~ ; dz]
        self.right = xp.empty((2 * n, nh), dtype=dt)  # [dy ; y]
        self.tilde_x, self.dz = self.left[:n], self.left[n:]
        self.dy, self.y = self.right[:n], self.right[n:]
        self.a = xp.empty((n, nv), dtype=dt)          # decoder pre-activation a_z
        self.e = xp.empty((n, nv), dtype=dt)          # exp(-|a|), then s(-|a|)
        self.r = xp.empty((n, nv), dtype=dt)          # 1 + e, then z
        self.negative = xp.empty((n, nv), dtype=bool)
        self.uniform = None                           # uniforms for the mask (float64, as drawn)
        self.hidden_tmp = xp.empty((n, nh), dtype=dt)
        self.gW = xp.empty_like(da.W)                 # [x~; dz]^T (-lr/N [dy; y])
        if self.corruption_level > 0:
            self.threshold, self.keep_below = masking_threshold(self.corruption_level)
            self.mask = xp.empty((n, nv), dtype=bool)

    def _mask(self, x):
        """x~ = x * m into self.tilde_x, m drawn from the dA's corruption stream."""
        xp = self.xp
        if self.corruption_level == 0:
            xp.copyto(self.tilde_x, x)
            return
        state = self.da.theano_rng.state(self.da.corruption_site) if hasattr(self.da.theano_rng, "state") \
            else self.da.theano_rng
        u = state.random_sample(x.shape)  # one double per entry, as binomial(1, p) draws
        if self.keep_below:
            xp.less_equal(u, self.threshold, out=self.mask)
        else:
            xp.greater(u, self.threshold, out=self.mask)
        xp.multiply(x, self.mask, out=self.tilde_x)

    def __call__(self, x):
        x = check_matrix(x, "x", self.da.n_visible, self.xp, unit_interval=True)
        if x.shape[0] != self.batch_size:
            raise ValueError(f"x must hold batch_size={self.batch_size} rows, got {x.shape[0]}")
        return self.step(x.astype(self.da.W.dtype, copy=False))

    def step(self, x):
        """The step on a minibatch already checked (the right shape, dtype and range)."""
        xp, da = self.xp, self.da
        n = self.batch_size
        step = self.learning_rate / n
        y, a, e, r = self.y, self.a, self.e, self.r

        # forward: y = s(x~ W + b)
        self._mask(x)
        xp.matmul(self.tilde_x, da.W, out=y)
        y += da.b
        sigmoid(y, out=y)

        # decoder logits a = y W^T + b', then z and the cost from one exponential
        xp.matmul(y, da.W.T, out=a)
        a += da.b_prime
        xp.abs(a, out=e)
        xp.negative(e, out=e)
        xp.exp(e, out=e)                 # e = exp(-|a|)
        xp.add(e, 1.0, out=r)            # r = 1 + e
        log_terms = xp.log(r, out=self.dz).sum()
        positive_part = xp.maximum(a, 0.0, out=self.dz).sum()
        cost = (log_terms + positive_part - xp.vdot(x, a)) / n   # mean of sum softplus(a) - x a
        xp.reciprocal(r, out=r)          # s(|a|)
        xp.multiply(e, r, out=e)         # s(-|a|)
        xp.less(a, 0.0, out=self.negative)
        xp.copyto(r, e, where=self.negative)   # r = z = s(a)

        # backward: dz = z - x ; dy = (dz W) * y (1 - y)
        xp.subtract(r, x, out=self.dz)
        xp.matmul(self.dz, da.W, out=self.dy)
        h = self.hidden_tmp
        xp.subtract(1.0, y, out=h)
        h *= y
        self.dy *= h

        # updates: biases, then W <- W + [x~; dz]^T (-lr/N [dy; y]) as one matrix product
        da.b -= step * self.dy.sum(axis=0)
        da.b_prime -= step * self.dz.sum(axis=0)
        self.right *= -step
        backend.gemm_update(1.0, self.left, self.right, da.W, self.gW)
        return cost


class SigmoidSoftmaxSGD:
    """One SGD step of a sigmoid MLP with a softmax output (the SdA's fine-tuning network).

    ``weights = [W_1, ..., W_L, W_out]`` and ``biases`` likewise (updated in place; pass the
    SdA's shared arrays). For a minibatch (x, y) of N rows, with h_0 = x::

        h_i = s(h_{i-1} W_i + b_i)                      i = 1..L
        p   = softmax(h_L W_out + b_out)
        cost = mean over rows of -log p[y]
        d_out = p - onehot(y)                           (times 1/N, folded into the step size)
        d_i   = (d_{i+1} W_{i+1}^T) * h_i (1 - h_i)
        W_i  <- W_i - (lr/N) h_{i-1}^T d_i ;  b_i <- b_i - (lr/N) sum of the rows of d_i

    ``train_layers`` (default all) lists which layers are updated, counting the output layer
    as the last: fine-tuning only the classifier is ``train_layers=[len(weights) - 1]``.
    The sigmoid is ``dae.layers.Sigmoid``'s in-place path (forward into the product's buffer,
    backward into a preallocated slope buffer): the same layer as the SdA's, no allocation.
    """

    def __init__(self, weights, biases, batch_size, learning_rate, train_layers=None):
        if len(weights) != len(biases) or not weights:
            raise ValueError("weights and biases must be non-empty lists of the same length")
        for i in range(1, len(weights)):
            if weights[i].shape[0] != weights[i - 1].shape[1]:
                raise ValueError(f"weights[{i}] has {weights[i].shape[0]} rows, expected {weights[i - 1].shape[1]}")
        self.weights, self.biases = weights, biases
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        self.train_layers = set(range(len(weights)) if train_layers is None else train_layers)
        xp = self.xp = backend.array_module(weights[0])
        n, dt = self.batch_size, weights[0].dtype
        self.h = [xp.empty((n, W.shape[1]), dtype=dt) for W in weights]  # h_1..h_L, then the logits
        self.d = [xp.empty((n, W.shape[1]), dtype=dt) for W in weights]
        self.work = [xp.empty_like(W) if i in self.train_layers else None for i, W in enumerate(weights)]
        self.rows = xp.arange(n)
        self.act = Sigmoid(inplace=True)

    def __call__(self, x, y):
        n = self.batch_size
        x = check_matrix(x, "x", self.weights[0].shape[0], self.xp).astype(self.weights[0].dtype, copy=False)
        if y.shape != (n,) or x.shape[0] != n:
            raise ValueError(f"x and y must hold batch_size={n} rows, got {x.shape[0]} and {y.shape}")
        return self.step(x, y)

    def step(self, x, y):
        """The step on a minibatch already checked (x: batch_size rows of the weights' dtype)."""
        xp, n = self.xp, self.batch_size
        L = len(self.weights) - 1
        # forward
        below = x
        for i, (W, b, h) in enumerate(zip(self.weights, self.biases, self.h)):
            xp.matmul(below, W, out=h)
            h += b
            if i < L:
                self.act.forward(h)
            below = h
        logits, d_out = self.h[L], self.d[L]
        xp.subtract(logits, logits.max(axis=1, keepdims=True), out=d_out)  # shifted logits
        picked = d_out[self.rows, y]
        xp.exp(d_out, out=d_out)
        total = d_out.sum(axis=1, keepdims=True)
        cost = (xp.log(total).sum() - picked.sum()) / n   # mean of logsumexp - logit[y]
        d_out /= total                                      # p
        d_out[self.rows, y] -= 1.0                          # p - onehot(y)
        # backward, updating each layer once the error below it is computed
        step = self.learning_rate / n
        for i in range(L, -1, -1):
            W, b, d = self.weights[i], self.biases[i], self.d[i]
            if i > 0:
                h_below, d_below = self.h[i - 1], self.d[i - 1]
                xp.matmul(d, W.T, out=d_below)
                self.act.backward(d_below, h_below)  # * h (1 - h), in place
            if i in self.train_layers:
                b -= step * d.sum(axis=0)
                d *= -step                                      # d is not needed below any more
                backend.gemm_update(1.0, self.h[i - 1] if i > 0 else x, d, W, self.work[i])
        return cost


# ----- batch size 1: each weight matrix read once or twice, with numba ------------------------------
# At batch size 1 a step is a few matrix-vector products over weights that stay in the cache, and
# NumPy's passes cost more than the arithmetic: each product reads the whole matrix, and every one
# of the step's twenty small operations costs a microsecond of Python. The kernels below do the
# same arithmetic as the classes above, row by row of each weight matrix:
#
# - a product x W with a sparse x (an MNIST digit is about 80% zeros, more after masking) reads only
#   the rows of W where x is nonzero, and the update W -= lr x^T d writes only those rows;
# - the decoder's row i gives a_i = y . W[i] + b'_i, so z_i and dz_i, and adds dz_i W[i] to dz W
#   while that row is in the cache (one read of W for two products);
# - fine-tuning's backward pass computes row r of d W^T and then updates row r of W, in one pass.
#
# They are compiled by numba when ``dae.config.kernels == "numba"`` (``pip install "dae[fast]"``);
# without numba the classes above run (tests/test_fast.py proves both give the readable numbers).

def _sigmoid(v):
    if v >= 0:
        return 1 / (1 + math.exp(-v))
    e = math.exp(v)
    return e / (1 + e)


def _tied_step_1(x, xt, W, b, bp, lr, y, dy, dz):
    """One SGD step of the tied dA on one example: x clean, xt corrupted; returns the cost."""
    nv, nh = W.shape
    y[:] = b
    for i in range(nv):                 # y = s(x~ W + b): the rows where x~ is nonzero
        if xt[i] != 0:
            xi = xt[i]
            for j in range(nh):
                y[j] += xi * W[i, j]
    for j in range(nh):
        y[j] = _sigmoid(y[j])
        dy[j] = 0
    cost = 0.0
    for i in range(nv):                 # a_i = y . W[i] + b'_i ; dz_i = s(a_i) - x_i ; dy += dz_i W[i]
        a = bp[i]
        for j in range(nh):
            a += W[i, j] * y[j]
        cost += max(a, 0.0) + math.log1p(math.exp(-abs(a))) - x[i] * a
        dz[i] = _sigmoid(a) - x[i]
        d = dz[i]
        for j in range(nh):
            dy[j] += d * W[i, j]
    for j in range(nh):
        dy[j] *= y[j] * (1 - y[j])
        b[j] -= lr * dy[j]
    for i in range(nv):                 # W -= lr (x~^T dy + dz^T y) ; b' -= lr dz
        bp[i] -= lr * dz[i]
        g, d = lr * xt[i], lr * dz[i]
        if g != 0:
            for j in range(nh):
                W[i, j] -= g * dy[j] + d * y[j]
        else:
            for j in range(nh):
                W[i, j] -= d * y[j]
    return cost


def _dense_1(x, W, b, h, sigmoid):
    """h = x W + b (then s(h) if ``sigmoid``), reading only the rows of W where x is nonzero."""
    h[:] = b
    for i in range(W.shape[0]):
        if x[i] != 0:
            xi = x[i]
            for j in range(W.shape[1]):
                h[j] += xi * W[i, j]
    if sigmoid:
        for j in range(h.shape[0]):
            h[j] = _sigmoid(h[j])


def _softmax_nll_1(logits, label, d):
    """d = softmax(logits) - onehot(label); returns -log softmax(logits)[label]."""
    top = logits.max()
    total = 0.0
    for j in range(logits.shape[0]):
        d[j] = math.exp(logits[j] - top)
        total += d[j]
    for j in range(logits.shape[0]):
        d[j] /= total
    d[label] -= 1
    return math.log(total) - (logits[label] - top)


def _backward_update_1(d, W, b, h_below, lr, d_below, need_below):
    """Row r of W: d_below[r] = (W[r] . d) h_r (1 - h_r) with the W before the step, then
    W[r] -= lr h_r d (skipped where h_r = 0); b -= lr d."""
    for r in range(W.shape[0]):
        if need_below:
            s = W[r, 0] * 0
            for j in range(W.shape[1]):
                s += W[r, j] * d[j]
            d_below[r] = s * h_below[r] * (1 - h_below[r])
        if h_below[r] != 0:
            g = lr * h_below[r]
            for j in range(W.shape[1]):
                W[r, j] -= g * d[j]
    for j in range(W.shape[1]):
        b[j] -= lr * d[j]


_KERNELS = {}


def _kernel(fn):
    """fn compiled by numba (one thread, cached on disk) when the numba kernels are in force, else None."""
    from . import config
    if config.kernels != "numba":
        return None
    if fn.__name__ not in _KERNELS:
        import numba
        jit = numba.njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
        if "_sigmoid" not in _KERNELS:  # the kernels call _sigmoid: compiled first, in its place
            _KERNELS["_sigmoid"] = jit(_sigmoid)
            globals()["_sigmoid"] = _KERNELS["_sigmoid"]
        _KERNELS[fn.__name__] = jit(fn)
    return _KERNELS[fn.__name__]


class TiedSigmoidSGD1(TiedSigmoidSGD):
    """``TiedSigmoidSGD`` at batch size 1 through ``_tied_step_1`` (numba); the masks are the same
    draws. ``TiedSigmoidSGD1.make(da, level, lr)`` gives this class when numba runs, else the
    NumPy class."""

    @classmethod
    def make(cls, da, corruption_level, learning_rate):
        numpy_arrays = all(type(p).__module__ == "numpy" for p in da.params)
        if numpy_arrays and _kernel(_tied_step_1) is not None:
            return cls(da, 1, corruption_level, learning_rate)
        return TiedSigmoidSGD(da, 1, corruption_level, learning_rate)

    def __init__(self, da, batch_size, corruption_level, learning_rate):
        super().__init__(da, 1, corruption_level, learning_rate)
        self.kernel = _kernel(_tied_step_1)
        self.y1, self.dy1, self.dz1 = self.y[0], self.dy[0], self.dz[0]

    def step(self, x):
        da = self.da
        self._mask(x)
        cost = self.kernel(x[0], self.tilde_x[0], da.W, da.b, da.b_prime, da.W.dtype.type(self.learning_rate),
                           self.y1, self.dy1, self.dz1)
        return self.xp.asarray(cost, dtype=da.W.dtype)


class SigmoidSoftmaxSGD1(SigmoidSoftmaxSGD):
    """``SigmoidSoftmaxSGD`` at batch size 1 through the kernels above (numba):
    ``SigmoidSoftmaxSGD1.make(weights, biases, lr, train_layers)`` gives this class when numba
    runs, else the NumPy class."""

    @classmethod
    def make(cls, weights, biases, learning_rate, train_layers=None):
        numpy_arrays = all(type(w).__module__ == "numpy" for w in weights)
        if numpy_arrays and _kernel(_dense_1) is not None:
            return cls(weights, biases, 1, learning_rate, train_layers)
        return SigmoidSoftmaxSGD(weights, biases, 1, learning_rate, train_layers)

    def __init__(self, weights, biases, batch_size, learning_rate, train_layers=None):
        super().__init__(weights, biases, 1, learning_rate, train_layers)
        self.dense, self.softmax_nll = _kernel(_dense_1), _kernel(_softmax_nll_1)
        self.backward_update = _kernel(_backward_update_1)
        L = len(weights) - 1
        lowest = min(self.train_layers, default=L + 1)
        self.plan = [(i, weights[i], biases[i], self.h[i][0], self.d[i][0], i < L, i > lowest, i in self.train_layers)
                     for i in range(L + 1)]

    def step(self, x, y):
        lr = self.weights[0].dtype.type(self.learning_rate)
        below = x[0]
        for i, W, b, h, _, hidden, _, _ in self.plan:
            self.dense(below, W, b, h, hidden)
            below = h
        last = self.plan[-1]
        cost = self.softmax_nll(last[3], int(y[0]), last[4])
        for i, W, b, _, d, _, need_below, train in reversed(self.plan):
            if not (train or need_below):
                break
            h_below = self.h[i - 1][0] if i > 0 else x[0]
            d_below = self.d[i - 1][0] if i > 0 else d
            if train:
                self.backward_update(d, W, b, h_below, lr, d_below, need_below)
            else:   # a frozen layer between trained ones: only its error passes down
                d_below[:] = (W @ d) * h_below * (1 - h_below)
        return self.xp.asarray(cost, dtype=self.weights[0].dtype)
