"""Optimisers: small objects that update ``params`` in place from ``grads``.

All follow one call, so a learner can swap them in any training loop::

    opt = dae.optim.Adam(learning_rate=1e-3)
    cost, grads = model.cost_and_grads(x, rng=rng)
    opt.step(model.params, grads)

Updates (g is the gradient, plus ``weight_decay * p`` for weight matrices when asked)::

    SGD:        p <- p - lr g                                  (the tutorial's)
    Momentum:   v <- mu v - lr g ;  p <- p + v
    Nesterov:   v <- mu v - lr g ;  p <- p + mu v - lr g
    Adam:       m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
                p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    AdamW:      W <- (1 - lr wd) W  (weights only), then Adam's step with the plain gradient

Weight decay (L2) applies to parameters with two or more dimensions (weights, filters), not
to biases. It is added to the gradient (``g + weight_decay * p``) before any optimiser's
arithmetic, i.e. coupled L2 regularisation of ``cost + weight_decay / 2 * ||W||^2``; for Adam
this is the original paper's L2. ``AdamW`` (Loshchilov & Hutter, 2019) instead *decouples* the
decay from the gradient: the weights shrink by the factor (1 - lr * weight_decay) each step,
whatever Adam's per-coordinate scaling does to the gradient. State is kept per parameter position and can be saved with ``get_state`` /
restored with ``set_state`` (plain arrays, for checkpoints).
"""
import math

from . import backend
from .divergence import check_step
from .validation import check_float


def sgd_update(param, grad, learning_rate, out):
    """``out <- param - learning_rate * grad``, the tutorial's update, written into ``out``:
    ``param`` itself (:class:`SGD`'s step in place) or ``grad``'s own buffer (a fresh gradient
    used once, as in :func:`sgd_updates`). The same numbers either way, bit for bit."""
    xp = backend.array_module(param)
    step = xp.multiply(grad, -learning_rate, out=grad if out is grad else None)
    return xp.add(param, step, out=out)


def sgd_updates(params, grads, learning_rate, cost=None):
    """The tutorial's SGD updates ``[(param, param - learning_rate * gparam), ...]``, what
    ``get_cost_updates`` returns and :func:`apply_updates` applies. The new values are computed
    in the gradients' buffers (no weight-sized temporary): pass fresh gradients, used once.
    With the minibatch's ``cost``: a non-finite cost or gradient raises
    :class:`dae.divergence.DivergenceError` first (the loop stops instead of running on to inf)."""
    learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
    if cost is not None:
        check_step(cost, grads, [f"params[{i}]" for i in range(len(params))], learning_rate)
    return [(param, sgd_update(param, gparam, learning_rate, out=gparam)) for param, gparam in zip(params, grads)]


def apply_updates(updates):
    """Apply the tutorial's ``[(param, new_value), ...]`` pairs in place (what Theano's
    ``theano.function(..., updates=updates)`` did after each call)."""
    updates = list(updates)
    for i, pair in enumerate(updates):
        param, new_value = pair if isinstance(pair, (tuple, list)) and len(pair) == 2 else (None, None)
        if param is None or not hasattr(param, "shape") or not hasattr(new_value, "shape"):
            raise TypeError(f"updates[{i}] must be a (param, new_value) pair of arrays, got "
                            f"{type(pair).__name__ if param is None else (type(param).__name__, type(new_value).__name__)}")
        if tuple(new_value.shape) != tuple(param.shape):
            raise ValueError(f"updates[{i}]: the new value has shape {tuple(new_value.shape)}, but its parameter "
                             f"has shape {tuple(param.shape)}")
    for param, new_value in updates:
        param[...] = new_value


class Optimizer:
    def __init__(self, learning_rate, weight_decay=0.0):
        self.learning_rate = check_float(learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        self.weight_decay = check_float(weight_decay, "weight_decay", 0.0, None)
        self.t = 0
        self.state = None

    def _grad(self, param, grad):
        if self.weight_decay and param.ndim >= 2:
            return grad + self.weight_decay * param
        return grad

    def _check(self, params, grads):
        if len(params) != len(grads):
            raise ValueError(f"grads must align with params: {len(params)} params, {len(grads)} grads")
        for i, (p, g) in enumerate(zip(params, grads)):
            if tuple(p.shape) != tuple(g.shape):
                raise ValueError(f"grads[{i}] has shape {tuple(g.shape)}, expected {tuple(p.shape)}")

    def step(self, params, grads):
        self._check(params, grads)
        if self.state is None:
            self.state = self._init_state(params)
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            self._update(i, p, self._grad(p, g))

    def _init_state(self, params):
        return []

    def get_state(self):
        """{'t': steps taken, 'state': list of host arrays (copies)}, for a checkpoint.

        The arrays are copies: later steps do not change a state already taken."""
        flat = [] if self.state is None else [backend.to_host(s).copy() for group in self.state for s in group]
        return {"t": self.t, "state": flat}

    def set_state(self, saved, params):
        """Restore what ``get_state`` returned, for the given params (copied in, so the saved
        state stays as it was). Raises ValueError when it does not fit ``params``."""
        if not isinstance(saved, dict) or "t" not in saved or "state" not in saved:
            raise TypeError(f"saved must be the dict that get_state returned, got {type(saved).__name__}")
        t = int(saved["t"])
        if t < 0:
            raise ValueError(f"saved['t'] must be >= 0, got {t}")
        template = self._init_state(params)
        per = len(template[0]) if template else 0
        n_saved = len(saved["state"])
        if t > 0 and per and n_saved != per * len(params):
            raise ValueError(
                f"saved state holds {n_saved} arrays, expected {per * len(params)} "
                f"({per} per parameter for {len(params)} params of {type(self).__name__})"
            )
        self.t = t
        if t == 0 or not per or n_saved == 0:
            self.state = None
            return
        state = []
        for i, p in enumerate(params):
            group = []
            for j in range(per):
                a = saved["state"][i * per + j]
                if tuple(a.shape) != tuple(p.shape):
                    raise ValueError(f"saved state {i * per + j} has shape {tuple(a.shape)}, expected {tuple(p.shape)} (params[{i}])")
                group.append(backend.asarray(a, dtype=p.dtype).copy())
            state.append(group)
        self.state = state

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate}, weight_decay={self.weight_decay})"


class SGD(Optimizer):
    """p <- p - lr g (plain stochastic gradient descent, the tutorial's update)."""

    def _init_state(self, params):
        return [[] for _ in params]

    def _update(self, i, p, g):
        sgd_update(p, g, self.learning_rate, out=p)


class Momentum(Optimizer):
    """Heavy-ball momentum (or Nesterov's variant with ``nesterov=True``)."""

    def __init__(self, learning_rate, momentum=0.9, nesterov=False, weight_decay=0.0):
        super().__init__(learning_rate, weight_decay)
        self.momentum = check_float(momentum, "momentum", 0.0, 1.0, high_inclusive=False)
        self.nesterov = bool(nesterov)

    def _init_state(self, params):
        return [[backend.xp.zeros_like(p)] for p in params]

    def _update(self, i, p, g):
        (v,) = self.state[i]
        v *= self.momentum
        v -= self.learning_rate * g
        if self.nesterov:
            p += self.momentum * v - self.learning_rate * g
        else:
            p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias-corrected moment estimates."""

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.0):
        super().__init__(learning_rate, weight_decay)
        self.beta1 = check_float(beta1, "beta1", 0.0, 1.0, high_inclusive=False)
        self.beta2 = check_float(beta2, "beta2", 0.0, 1.0, high_inclusive=False)
        self.epsilon = check_float(epsilon, "epsilon", 0.0, None, low_inclusive=False)

    def _init_state(self, params):
        xp = backend.xp
        return [[xp.zeros_like(p), xp.zeros_like(p)] for p in params]

    # Elements per block: the arithmetic runs block by block so that the eleven passes below
    # stay in the core's cache (4 arrays x 256 KiB) instead of streaming every array from memory
    # eleven times; the result is the same, element for element.
    BLOCK = 65536

    def _update(self, i, p, g):
        m, v = self.state[i]
        xp = backend.xp
        if getattr(self, "_scratch", None) is None or self._scratch.dtype != p.dtype:
            self._scratch = xp.empty(self.BLOCK, dtype=p.dtype)  # a work buffer, not state: never saved
        step = self.learning_rate * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        eps_hat = self.epsilon * math.sqrt(1 - self.beta2 ** self.t)
        flat = all(a.flags.c_contiguous for a in (p, g, m, v)) and g.dtype == p.dtype
        if not flat or p.size <= self.BLOCK:
            self._block(p, g, m, v, xp.empty_like(p) if p.size > self.BLOCK else self._scratch[:p.size].reshape(p.shape),
                        step, eps_hat)
            return
        p1, g1, m1, v1 = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
        for start in range(0, p1.size, self.BLOCK):
            rows = slice(start, start + self.BLOCK)
            self._block(p1[rows], g1[rows], m1[rows], v1[rows], self._scratch[:p1[rows].size], step, eps_hat)

    def _block(self, p, g, m, v, tmp, step, eps_hat):
        """The class docstring's arithmetic, in place on (a block of) one parameter."""
        xp = backend.xp
        m *= self.beta1
        xp.multiply(g, 1 - self.beta1, out=tmp)
        m += tmp                                  # m <- b1 m + (1 - b1) g
        v *= self.beta2
        xp.multiply(g, g, out=tmp)
        tmp *= 1 - self.beta2
        v += tmp                                  # v <- b2 v + (1 - b2) g^2
        xp.sqrt(v, out=tmp)
        tmp += eps_hat
        xp.divide(m, tmp, out=tmp)
        tmp *= step
        p -= tmp                                  # p <- p - lr m^ / (sqrt(v^) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    W <- (1 - lr * weight_decay) W for every weight matrix (not the biases), then Adam's step
    on the plain gradient. With coupled L2 (``Adam(weight_decay=...)``) the decay term is
    divided by Adam's sqrt(v) like the rest of the gradient, so weights whose gradients are
    large hardly decay; here every weight decays at the same relative rate.
    """

    def _grad(self, param, grad):
        return grad

    def _update(self, i, p, g):
        if self.weight_decay and p.ndim >= 2:
            p *= 1.0 - self.learning_rate * self.weight_decay
        super()._update(i, p, g)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": lambda **kw: Momentum(nesterov=True, **kw), "adam": Adam,
              "adamw": AdamW}


def make(name, **kwargs):
    """An optimiser by name: 'sgd', 'momentum', 'nesterov', 'adam' or 'adamw'."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](**kwargs)
