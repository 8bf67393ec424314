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
        xp, da = self.xp, self.da
        x = check_matrix(x, "x", da.n_visible, xp, unit_interval=True)
        if x.shape[0] != self.batch_size:
            raise ValueError(f"x must hold batch_size={self.batch_size} rows, got {x.shape[0]}")
        x = x.astype(da.W.dtype, copy=False)
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
        xp, n = self.xp, self.batch_size
        x = check_matrix(x, "x", self.weights[0].shape[0], xp).astype(self.weights[0].dtype, copy=False)
        if y.shape != (n,) or x.shape[0] != n:
            raise ValueError(f"x and y must hold batch_size={n} rows, got {x.shape[0]} and {y.shape}")
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
