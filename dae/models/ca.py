"""The contractive autoencoder (cA) of the deeplearning.net tutorial (Rifai et al., 2011), by hand.

A contractive autoencoder is trained to reconstruct its (uncorrupted) input while keeping the
code insensitive to small moves of the input: it penalises the squared Frobenius norm of the
encoder's Jacobian J = dh/dx. With tied weights and the sigmoid s::

    h   = s(x W + b)                                   (code, shape (N, n_hidden))
    z   = s(h W^T + b')                                (reconstruction)
    J_n = dh_n/dx_n,   J_n[j, i] = h_nj (1 - h_nj) W_ij
    ||J_n||_F^2 = sum_j (h_nj (1 - h_nj))^2 sum_i W_ij^2  =  sum_j s_nj w_j
                  with s_nj = (h_nj (1 - h_nj))^2 and w_j = sum_i W_ij^2
    L_rec = mean_n [ - sum_k x_nk log z_nk + (1 - x_nk) log(1 - z_nk) ]
    L_jac = mean_n ||J_n||_F^2
    cost  = L_rec + contraction_level * L_jac

The Jacobian is never built to compute the cost (N x n_visible x n_hidden numbers): the
identity above needs only s and w. The gradients, for a minibatch of N rows and
c = contraction_level::

    dz   = (z - x) / N                                  (reconstruction, at the decoder's logits)
    dh   = dz W                                         (back through the decoder)
         + c / N * w_j * 2 h(1 - h) (1 - 2h)            (the penalty through s_nj: d s/dh)
    da   = dh * h (1 - h)                               (through the encoder's sigmoid)
    gW   = x^T da + dz^T h                              (encoder + decoder: W is used twice)
         + c / N * 2 W * (sum_n s_nj)                   (the penalty through w_j, column j)
    gb   = sum_n da ,   gb' = sum_n dz

A note on faithfulness: the Theano tutorial wrote ``L_jacob = T.sum(J ** 2) // n_batchsize``;
``//`` is floor division, which rounds the penalty down to an integer (and has no gradient).
What the tutorial meant, and what is computed here, is the true mean over the minibatch.
"""


from .. import backend
from ..functions import sigmoid
from ..layers import Dense, Sigmoid, SigmoidCrossEntropy
from ..optim import sgd_updates
from ..validation import check_float, check_matrix, check_param, check_positive_int, check_rng
from .da import tied_parameters

_SIGMOID, _REC = Sigmoid(inplace=True), SigmoidCrossEntropy()


class cA:
    """Contractive autoencoder with tied weights (the tutorial's class).

    ``cA(numpy_rng, input=None, n_visible=784, n_hidden=100, n_batchsize=1, W=None,
    bhid=None, bvis=None)``

    - ``numpy_rng``: ``numpy.random.RandomState`` that initialises W.
    - ``input``: an optional default minibatch (the tutorial's symbolic ``x``); kept as ``self.x``.
    - ``n_batchsize``: the minibatch size the tutorial built its Jacobian's shape from; kept
      as an attribute (the computations here take the size from the data, so any batch works).
    - ``W``, ``bhid``, ``bvis``: arrays to share (updated in place).

    W is drawn uniform in +-4 sqrt(6 / (n_visible + n_hidden)), shape (n_visible, n_hidden);
    the biases start at zero. ``params = [W, b, b_prime]``. Equations: module docstring.
    """

    def __init__(self, numpy_rng, input=None, n_visible=784, n_hidden=100, n_batchsize=1,
                 W=None, bhid=None, bvis=None):
        check_rng(numpy_rng, "numpy_rng")
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        self.n_batchsize = check_positive_int(n_batchsize, "n_batchsize")
        self.xp = backend.xp
        W, bhid, bvis = tied_parameters(numpy_rng, n_visible, n_hidden, W, bhid, bvis)
        self.W = W
        self.b = bhid
        self.b_prime = bvis
        self.W_prime = self.W.T
        self._encoder, self._decoder = Dense(self.W, self.b), Dense(self.W_prime, self.b_prime)
        self.x = input
        self.params = [self.W, self.b, self.b_prime]
        self.param_names = ["W", "b", "b_prime"]

    def _input(self, x, name="input", unit_interval=False):
        return check_matrix(x, name, self.n_visible, self.xp, unit_interval).astype(self.W.dtype, copy=False)

    # ----- the tutorial's building blocks -------------------------------------------------
    def get_hidden_values(self, input):
        """h = s(x W + b)."""
        return sigmoid(self._input(input) @ self.W + self.b)

    def get_jacobian(self, hidden, W):
        """The Jacobians dh_n/dx_n of a minibatch: shape (N, n_visible, n_hidden), entry
        [n, i, j] = h_nj (1 - h_nj) W_ij (the tutorial's layout: W's, scaled per unit)."""
        hidden = check_matrix(hidden, "hidden", self.n_hidden, self.xp)
        W = check_param(W, "W", (self.n_visible, self.n_hidden), self.xp)
        return (hidden * (1 - hidden))[:, None, :] * W[None, :, :]

    def get_reconstructed_input(self, hidden):
        """z = s(h W' + b'), W' = W^T."""
        hidden = check_matrix(hidden, "hidden", self.n_hidden, self.xp)
        return sigmoid(hidden.astype(self.W.dtype, copy=False) @ self.W_prime + self.b_prime)

    # ----- cost and gradients (the gradient protocol) ---------------------------------------
    def cost_terms_and_grads(self, x, contraction_level=0.1):
        """``((L_rec, L_jac), grads)``: the tutorial's two printed terms (mean cross-entropy and
        mean ||J||_F^2) and the gradients of ``L_rec + contraction_level * L_jac``."""
        x = self._input(x, "x", unit_interval=True)
        c = check_float(contraction_level, "contraction_level", 0.0, None)
        n, xp = x.shape[0], self.xp

        # forward
        h, _ = _SIGMOID.forward(self._encoder.forward(x)[0])
        a_z, _ = self._decoder.forward(h)
        L_rec, (_, z) = _REC.forward(a_z, target=x)  # mean cross-entropy from the logits, and z = s(a_z)
        slope = h * (1.0 - h)             # dh/da, per unit
        s = slope * slope                 # s_nj
        w = xp.einsum("ij,ij->j", self.W, self.W)  # w_j = sum_i W_ij^2 (no W-sized temporary)
        L_jac = (s @ w).mean()

        # backward
        dz = (z - x) / n
        dh = dz @ self.W + (c / n) * w * 2.0 * slope * (1.0 - 2.0 * h)
        da = dh * slope
        # x^T da + dz^T h as one product over the stacked minibatch: [x; dz]^T [da; h]
        gW = xp.concatenate([x, dz]).T @ xp.concatenate([da, h])
        gW += self.W * ((2.0 * c / n) * s.sum(axis=0))
        gb = da.sum(axis=0)
        gb_prime = dz.sum(axis=0)
        return (L_rec, L_jac), [gW, gb, gb_prime]

    def cost_and_grads(self, x, *, rng=None, contraction_level=0.1):
        """``(cost, [gW, gb, gb_prime])`` with cost = L_rec + contraction_level * L_jac.
        ``rng`` is the protocol's; the cA draws nothing, so it may be left out."""
        (L_rec, L_jac), grads = self.cost_terms_and_grads(x, contraction_level)
        return L_rec + contraction_level * L_jac, grads

    def get_cost_updates(self, x, contraction_level, learning_rate):
        """The tutorial's ``get_cost_updates`` evaluated on the minibatch ``x``: returns
        ``(cost, [(param, param - learning_rate * gparam), ...])``; apply the updates with
        ``dae.apply_updates(updates)`` (``dae.optim.sgd_updates``)."""
        cost, grads = self.cost_and_grads(x, contraction_level=contraction_level)
        return cost, sgd_updates(self.params, grads, learning_rate, cost=cost)

    # ----- for users ----------------------------------------------------------------------
    def jacobian_norm(self, x):
        """||dh/dx||_F for each row of x (shape (N,)), without building the Jacobian."""
        h = self.get_hidden_values(x)
        slope = h * (1.0 - h)
        return self.xp.sqrt((slope * slope) @ (self.W * self.W).sum(axis=0))

    def reconstruct(self, x):
        """z for the input x."""
        return self.get_reconstructed_input(self.get_hidden_values(x))

    def __repr__(self):
        return f"cA(n_visible={self.n_visible}, n_hidden={self.n_hidden}, dtype={self.W.dtype})"
