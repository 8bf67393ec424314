"""Grades ``dA_cost_and_grads(W, b, b_prime, x, x_tilde)``: the tutorial's tied-weight dA."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

NAMES = ("cost", "gW", "gb", "gb_prime")
SHAPES = [(5, 6, 4), (7, 8, 3), (4, 5, 5)]  # (N, n_visible, n_hidden); the last is square

DECODER_FORGOTTEN = ("the decoder's use of the tied W is forgotten: z = s(y W^T + b') depends on W too, "
                     "so gW is the encoder's term plus the decoder's term")
ENCODER_FORGOTTEN = "only the decoder's term: the encoder y = s(x_tilde W + b) uses W as well"
SWAPPED = ("the corrupted and the clean input are swapped: encode the corrupted x_tilde, and compare the "
           "reconstruction z with the clean x")
NO_CLEAN = "x_tilde used everywhere: the cross-entropy compares z with the clean x, not with x_tilde"
NO_TILDE = "x used everywhere: the encoder reads the corrupted x_tilde, not the clean x"
CLEAN_IN_GW = ("the clean x in gW's encoder term: the encoder reads x_tilde, so its term is built from "
               "x_tilde (the decoder's term from y)")
NO_SIGMOID = ("the encoder's sigmoid is skipped on the way back: dcost/dy must go through y = s(.) "
              "(s' = y (1 - y)) before it reaches W and b")
ON_PRE_ACTIVATION = ("the sigmoid's derivative taken on the pre-activation: with a = x_tilde W + b and y = s(a), "
                     "s'(a) = y (1 - y), the output's y, not a (1 - a)")


def make_case(shape, seed):
    n, v, h = shape
    rng = numpy.random.RandomState(seed)
    W = rng.randn(v, h) * 0.5
    b, b_prime = rng.randn(h) * 0.2, rng.randn(v) * 0.2
    x = rng.uniform(0, 1, (n, v))
    x_tilde = x * (rng.uniform(0, 1, (n, v)) > 0.3)  # masking noise, 30%
    return W, b, b_prime, x, x_tilde


def cost(W, b, b_prime, x, x_tilde):
    return float(ref.tied_cost_and_grads(W, b, b_prime, x, x_tilde)[0])


def _untied_cost(W_enc, W_dec, b, b_prime, x, x_tilde):
    """The same cost with the encoder's and the decoder's W apart (to tell the two terms apart)."""
    a = ref.sigmoid(x_tilde @ W_enc + b) @ W_dec + b_prime
    return float(ref.cross_entropy_from_logits(x, a).mean())


def _grade(fns, case):
    shape, seed = case
    W, b, b_prime, x, x_tilde = make_case(shape, seed)
    n = shape[0]
    got = unpack(fns["dA_cost_and_grads"](W, b, b_prime, x, x_tilde), NAMES, "dA_cost_and_grads")
    params = {"gW": W, "gb": b, "gb_prime": b_prime}
    args = {"gW": 0, "gb": 1, "gb_prime": 2}

    def wrong(xa, xb):
        c, g = ref.tied_cost_and_grads(W, b, b_prime, xa, xb)
        return [c] + list(g)
    swapped, tilde_only, clean_only = wrong(x_tilde, x), wrong(x_tilde, x_tilde), wrong(x, x)
    # dcost/d(pre-activation) of the encoder and of the decoder, by finite differences
    y = ref.sigmoid(x_tilde @ W + b)
    d_pre = numerical_gradient(lambda A: float(ref.cross_entropy_from_logits(x, ref.sigmoid(A) @ W.T + b_prime).mean()),
                               x_tilde @ W + b)
    d_out = numerical_gradient(lambda A: float(ref.cross_entropy_from_logits(x, A).mean()), y @ W.T + b_prime)
    want_cost, want_grads = ref.tied_cost_and_grads(W, b, b_prime, x, x_tilde)
    out = [compare("cost", got["cost"], want_cost, n, [
        (f"the sum over the rows: a missing 1/N (the cost is the mean over the N = {n} rows)", n * want_cost),
        (SWAPPED, swapped[0]), (NO_CLEAN, tilde_only[0]), (NO_TILDE, clean_only[0])])]
    pre = x_tilde @ W + b
    d_on_pre = (d_out @ W) * pre * (1 - pre)
    for k, (name, p) in enumerate(params.items(), start=1):
        def f(value, i=args[name]):
            values = [W, b, b_prime]
            values[i] = value
            return cost(*values, x, x_tilde)
        candidates = [(SWAPPED, swapped[k]), (NO_CLEAN, tilde_only[k]), (NO_TILDE, clean_only[k])]
        if name == "gW":
            enc = numerical_gradient(lambda We: _untied_cost(We, W.T, b, b_prime, x, x_tilde), W)
            dec = numerical_gradient(lambda Wd: _untied_cost(W, Wd, b, b_prime, x, x_tilde), W.T).T
            candidates = [(DECODER_FORGOTTEN, enc), (ENCODER_FORGOTTEN, dec), (CLEAN_IN_GW, x.T @ d_pre + dec),
                          (NO_SIGMOID, x_tilde.T @ (d_out @ W) + dec),
                          (ON_PRE_ACTIVATION, x_tilde.T @ d_on_pre + dec)] + candidates
        if name == "gb":
            candidates += [(NO_SIGMOID, (d_out @ W).sum(axis=0)), (ON_PRE_ACTIVATION, d_on_pre.sum(axis=0))]
        out.append(compare(name, got[name], want_grads[k - 1], n, candidates,
                           estimate=lambda eps, f=f, p=p: numerical_gradient(f, p, eps)))
    return out


def _reference():
    def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
        c, (gW, gb, gb_prime) = ref.tied_cost_and_grads(W, b, b_prime, x, x_tilde)
        return c, gW, gb, gb_prime
    return {"dA_cost_and_grads": dA_cost_and_grads}


EXERCISE = Exercise(
    "dA_gradients", "tutorials/dA_tutorial.py",
    "the denoising autoencoder's cost and its three gradients, by hand",
    ["dA_cost_and_grads"],
    [Part(["dA_cost_and_grads"], _grade, [(s, 200 + i) for i, s in enumerate(SHAPES)])],
    _reference,
)
