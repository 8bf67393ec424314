"""Grades softmax regression and one sigmoid hidden layer under it: the SdA's fine-tuning network."""
import numpy

from .. import _references as ref
from ..core import Exercise, Part
from ..grading import compare, numerical_gradient, unpack

SHAPES = [(6, 5, 4, 3), (4, 3, 3, 3), (7, 4, 6, 5)]  # (N, n_in, n_hidden, n_classes)
NO_ONEHOT = ("the one-hot target is not subtracted: dNLL/da = (softmax(a) - onehot(y)) / N, both terms")
NO_SIGMOID_GRAD = ("the hidden layer's sigmoid is skipped on the way back: multiply dcost/dh by "
                   "h (1 - h) before the hidden layer's weights")
ON_PRE_ACTIVATION = ("the sigmoid's derivative taken on the pre-activation: with a = x W1 + b1 and h = s(a), "
                     "s'(a) = h (1 - h), the output's h, not a (1 - a)")


def make_case(shape, seed):
    n, d, h, k = shape
    rng = numpy.random.RandomState(seed)
    return (rng.randn(d, h) * 0.7, rng.randn(h) * 0.3, rng.randn(h, k) * 0.7, rng.randn(k) * 0.3,
            rng.randn(n, d), rng.randint(0, k, n))


def softmax_cost(W, b, x, y):
    return float(ref.LogisticRegression(n_in=W.shape[0], n_out=W.shape[1], W=W, b=b).negative_log_likelihood(y, x))


def mlp_cost(W1, b1, W2, b2, x, y):
    hidden = ref.HiddenLayer(numpy.random.RandomState(0), n_in=W1.shape[0], n_out=W1.shape[1], W=W1, b=b1)
    return softmax_cost(W2, b2, hidden.output(x), y)


def _fd(cost, values, i, eps=1e-5):
    def f(v):
        vals = list(values)
        vals[i] = v
        return cost(*vals)
    return numerical_gradient(f, values[i], eps)


def _softmax(fns, case):
    shape, seed = case
    _, _, W, b, _, y = make_case(shape, seed)
    x = numpy.random.RandomState(seed + 50).randn(shape[0], W.shape[0])
    n = shape[0]
    got = unpack(fns["softmax_cost_and_grads"](W, b, x, y), ("cost", "gW", "gb"), "softmax_cost_and_grads")
    p = ref.LogisticRegression(n_in=W.shape[0], n_out=W.shape[1], W=W, b=b).p_y_given_x(x)
    want = _reference()["softmax_cost_and_grads"](W, b, x, y)
    out = [compare("softmax cost", got["cost"], want[0], n)]
    for i, name in ((0, "gW"), (1, "gb")):
        no_onehot = [x.T @ p / n, p.sum(axis=0) / n][i]
        out.append(compare(name, got[name], want[1 + i], n, [(NO_ONEHOT, no_onehot)],
                           estimate=lambda eps, i=i: _fd(lambda W_, b_: softmax_cost(W_, b_, x, y), [W, b], i, eps)))
    return out


def _mlp(fns, case):
    shape, seed = case
    W1, b1, W2, b2, x, y = make_case(shape, seed)
    n = shape[0]
    names = ("cost", "gW1", "gb1", "gW2", "gb2")
    got = unpack(fns["mlp_cost_and_grads"](W1, b1, W2, b2, x, y), names, "mlp_cost_and_grads")
    values = [W1, b1, W2, b2]
    # the network without the hidden sigmoid's derivative on the way back (a common slip)
    hidden = ref.HiddenLayer(numpy.random.RandomState(0), n_in=W1.shape[0], n_out=W1.shape[1], W=W1, b=b1)
    top = ref.LogisticRegression(n_in=W2.shape[0], n_out=W2.shape[1], W=W2, b=b2)
    h, _ = hidden.forward(x)
    _, cache = top.forward(h, target=y)
    dh, _ = top.backward(1.0, cache)
    want = _reference()["mlp_cost_and_grads"](W1, b1, W2, b2, x, y)
    a1 = x @ W1 + b1
    on_pre = dh * a1 * (1 - a1)
    out = [compare("mlp cost", got["cost"], want[0], n)]
    for i, name in enumerate(names[1:]):
        candidates = [[(NO_SIGMOID_GRAD, x.T @ dh), (ON_PRE_ACTIVATION, x.T @ on_pre)],
                      [(NO_SIGMOID_GRAD, dh.sum(axis=0)), (ON_PRE_ACTIVATION, on_pre.sum(axis=0))], [], []][i]
        out.append(compare(name, got[name], want[1 + i], n, candidates,
                           estimate=lambda eps, i=i: _fd(lambda *v: mlp_cost(*v, x, y), values, i, eps)))
    return out


def _reference():
    def softmax_cost_and_grads(W, b, x, y):
        layer = ref.LogisticRegression(n_in=W.shape[0], n_out=W.shape[1], W=W, b=b)
        cost, (gW, gb) = layer.cost_and_grads(x, y)
        return cost, gW, gb

    def mlp_cost_and_grads(W1, b1, W2, b2, x, y):
        hidden = ref.HiddenLayer(numpy.random.RandomState(0), n_in=W1.shape[0], n_out=W1.shape[1], W=W1, b=b1)
        top = ref.LogisticRegression(n_in=W2.shape[0], n_out=W2.shape[1], W=W2, b=b2)
        h, hidden_cache = hidden.forward(x)
        cost, top_cache = top.forward(h, target=y)
        dh, (gW2, gb2) = top.backward(1.0, top_cache)
        _, (gW1, gb1) = hidden.backward(dh, hidden_cache)
        return cost, gW1, gb1, gW2, gb2
    return {"softmax_cost_and_grads": softmax_cost_and_grads, "mlp_cost_and_grads": mlp_cost_and_grads}


EXERCISE = Exercise(
    "softmax_mlp", "tutorials/SdA_tutorial.py",
    "softmax regression and one hidden layer under it: the SdA's fine-tuning, forward and back",
    ["softmax_cost_and_grads", "mlp_cost_and_grads"],
    [Part(["softmax_cost_and_grads"], _softmax, [(s, 400 + i) for i, s in enumerate(SHAPES)]),
     Part(["mlp_cost_and_grads"], _mlp, [(s, 410 + i) for i, s in enumerate(SHAPES)])],
    _reference,
)
