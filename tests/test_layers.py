"""HiddenLayer and LogisticRegression: initialisation, forward values, analytic gradients (float64)."""
import math

import numpy
import pytest

import dae
from dae import functions
from dae.gradcheck import numerical_gradient
from dae.layers.dense import init_bound


def _rng(seed=0):
    return numpy.random.RandomState(seed)


# ----- HiddenLayer --------------------------------------------------------------------------------
@pytest.mark.parametrize("activation, expected", [
    ("tanh", math.sqrt(6.0 / 700)),
    ("sigmoid", 4 * math.sqrt(6.0 / 700)),
    ("relu", math.sqrt(6.0 / 400)),
])
def test_hidden_layer_initial_range(activation, expected):
    layer = dae.HiddenLayer(_rng(), n_in=400, n_out=300, activation=activation)
    assert init_bound(400, 300, activation) == pytest.approx(expected)
    w = layer.W
    assert w.dtype == numpy.float32 and w.shape == (400, 300)
    assert float(abs(w).max()) <= expected * (1 + 1e-6)
    assert float(abs(w).max()) > 0.99 * expected           # the whole range is used
    assert float(abs(w.mean())) < 0.01 * expected          # centred
    assert not layer.b.any() and layer.b.shape == (300,)


def test_hidden_layer_default_is_sigmoid_and_draws_like_the_tutorial():
    rng = _rng(7)
    layer = dae.HiddenLayer(rng, n_in=5, n_out=3)
    bound = 4 * math.sqrt(6.0 / 8)
    expected = numpy.asarray(_rng(7).uniform(-bound, bound, (5, 3)), dtype=numpy.float32)
    assert layer.activation == "sigmoid"
    numpy.testing.assert_array_equal(layer.W, expected)


@pytest.mark.parametrize("activation, f", [("sigmoid", lambda a: 1 / (1 + numpy.exp(-a))),
                                           ("tanh", numpy.tanh), ("relu", lambda a: numpy.maximum(a, 0))])
def test_hidden_layer_output(activation, f):
    with dae.config.floatX_as("float64"):
        layer = dae.HiddenLayer(_rng(), n_in=6, n_out=4, activation=activation)
    layer.b[...] = numpy.arange(4) * 0.1
    x = _rng(1).randn(3, 6)
    numpy.testing.assert_allclose(layer.output(x), f(x @ layer.W + layer.b), rtol=1e-12, atol=1e-12)


def test_hidden_layer_accepts_function_objects_and_shares_given_arrays():
    W = numpy.zeros((3, 2), dtype=numpy.float32)
    b = numpy.ones(2, dtype=numpy.float32)
    layer = dae.HiddenLayer(_rng(), n_in=3, n_out=2, W=W, b=b, activation=functions.tanh)
    assert layer.activation == "tanh"
    assert layer.W is W and layer.b is b and layer.params[0] is W and layer.params[1] is b
    W += 1.0  # in-place updates are seen by the layer
    assert float(layer.W.sum()) == 6.0


def test_hidden_layer_default_input():
    x = _rng(1).rand(2, 3).astype(numpy.float32)
    layer = dae.HiddenLayer(_rng(), input=x, n_in=3, n_out=2)
    numpy.testing.assert_allclose(layer.output(), layer.output(x))
    with pytest.raises(ValueError, match="input"):
        dae.HiddenLayer(_rng(), n_in=3, n_out=2).output()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_hidden_layer_gradcheck(activation):
    with dae.config.floatX_as("float64"):
        layer = dae.HiddenLayer(_rng(3), n_in=7, n_out=5, activation=activation)
    layer.b[...] = _rng(4).randn(5) * 0.1
    x = _rng(5).randn(4, 7)
    upstream = _rng(6).randn(4, 5)
    errors = dae.gradcheck(layer, x, upstream)
    assert set(errors) == {"W", "b"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_hidden_layer_input_gradient(activation):
    with dae.config.floatX_as("float64"):
        layer = dae.HiddenLayer(_rng(3), n_in=6, n_out=4, activation=activation)
    x = _rng(8).randn(3, 6)
    upstream = _rng(9).randn(3, 4)
    h, cache = layer.forward(x)
    dx, _ = layer.backward(upstream, cache)
    numeric = numerical_gradient(lambda v: float((layer.output(v) * upstream).sum()), x.copy())
    numpy.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-8)


def test_hidden_layer_validation():
    with pytest.raises(ValueError, match="activation"):
        dae.HiddenLayer(_rng(), n_in=3, n_out=2, activation="softsign")
    with pytest.raises(ValueError, match="n_out"):
        dae.HiddenLayer(_rng(), n_in=3, n_out=0)
    with pytest.raises(ValueError, match="W must have shape"):
        dae.HiddenLayer(_rng(), n_in=3, n_out=2, W=numpy.zeros((2, 3), dtype=numpy.float32))
    with pytest.raises(TypeError, match="rng"):
        dae.HiddenLayer(123, n_in=3, n_out=2)
    layer = dae.HiddenLayer(_rng(), n_in=3, n_out=2)
    with pytest.raises(ValueError, match="3 columns"):
        layer.output(numpy.zeros((2, 4), dtype=numpy.float32))
    with pytest.raises(ValueError, match="upstream"):
        layer.cost_and_grads(numpy.zeros((2, 3)), numpy.zeros((3, 2)))


# ----- LogisticRegression ---------------------------------------------------------------------------
def test_logistic_regression_starts_at_zero_and_uniform():
    clf = dae.LogisticRegression(n_in=5, n_out=4)
    assert not clf.W.any() and not clf.b.any() and clf.W.dtype == numpy.float32
    x = _rng().rand(3, 5).astype(numpy.float32)
    numpy.testing.assert_allclose(clf.p_y_given_x(x), numpy.full((3, 4), 0.25), rtol=1e-6)
    y = numpy.array([0, 3, 1])
    assert float(clf.negative_log_likelihood(y, x)) == pytest.approx(math.log(4), rel=1e-6)


def test_logistic_regression_members_match_the_formulas():
    with dae.config.floatX_as("float64"):
        clf = dae.LogisticRegression(n_in=5, n_out=3)
    clf.W[...] = _rng(1).randn(5, 3)
    clf.b[...] = _rng(2).randn(3)
    x = _rng(3).randn(8, 5)
    a = x @ clf.W + clf.b
    p = numpy.exp(a) / numpy.exp(a).sum(axis=1, keepdims=True)
    numpy.testing.assert_allclose(clf.p_y_given_x(x), p, rtol=1e-12)
    numpy.testing.assert_array_equal(clf.y_pred(x), p.argmax(axis=1))
    y = numpy.array([0, 1, 2, 0, 1, 2, 0, 1])
    assert float(clf.negative_log_likelihood(y, x)) == pytest.approx(-numpy.log(p[numpy.arange(8), y]).mean())
    assert float(clf.errors(y, x)) == pytest.approx((p.argmax(axis=1) != y).mean())


def test_logistic_regression_default_input_like_the_tutorial():
    x = _rng(3).rand(4, 2).astype(numpy.float32)
    clf = dae.LogisticRegression(input=x, n_in=2, n_out=3)
    clf.W[...] = numpy.array([[1, 0, -1], [0, 2, 0]], dtype=numpy.float32)
    y = clf.y_pred()
    assert float(clf.errors(y)) == 0.0
    assert float(clf.negative_log_likelihood(y)) == pytest.approx(float(clf.negative_log_likelihood(y, x)))


def test_logistic_regression_is_stable_for_huge_scores():
    with dae.config.floatX_as("float64"):
        clf = dae.LogisticRegression(n_in=2, n_out=2)
    clf.W[...] = numpy.array([[1000.0, -1000.0], [0.0, 0.0]])
    x = numpy.array([[1.0, 0.0]])
    assert float(clf.negative_log_likelihood(numpy.array([1]), x)) == pytest.approx(2000.0)
    assert numpy.isfinite(clf.p_y_given_x(x)).all()


def test_logistic_regression_gradcheck():
    with dae.config.floatX_as("float64"):
        clf = dae.LogisticRegression(n_in=6, n_out=4)
    clf.W[...] = _rng(1).randn(6, 4)  # away from the symmetric zero start
    clf.b[...] = _rng(2).randn(4)
    x = _rng(3).randn(5, 6)
    y = numpy.array([0, 1, 2, 3, 1])
    errors = dae.gradcheck(clf, x, y)
    assert set(errors) == {"W", "b"}
    assert max(errors.values()) < 1e-6, errors


def test_logistic_regression_input_gradient():
    with dae.config.floatX_as("float64"):
        clf = dae.LogisticRegression(n_in=4, n_out=3)
    clf.W[...] = _rng(1).randn(4, 3)
    x = _rng(3).randn(5, 4)
    y = numpy.array([2, 1, 0, 0, 1])
    _, cache = clf.forward(x, target=y)
    dx, _ = clf.backward(1.0, cache)
    numeric = numerical_gradient(lambda v: float(clf.negative_log_likelihood(y, v)), x.copy())
    numpy.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)


def test_logistic_regression_label_errors():
    clf = dae.LogisticRegression(n_in=3, n_out=4)
    x = numpy.zeros((3, 3), dtype=numpy.float32)
    with pytest.raises(ValueError, match=r"y must lie in \[0, 4\)"):
        clf.cost_and_grads(x, numpy.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"y must lie in \[0, 4\)"):
        clf.errors(numpy.array([0, -1, 1]), x)
    with pytest.raises(ValueError, match="y must hold one label per example"):
        clf.negative_log_likelihood(numpy.array([0, 1]), x)
    with pytest.raises(TypeError, match="integer"):
        clf.errors(numpy.array([0.0, 1.0, 1.0]), x)
    with pytest.raises(ValueError, match="input"):
        clf.p_y_given_x()


# ----- Dense: the one affine layer every network is built from ----------------------------------
def test_dense_forward_backward_and_input_gradient():
    from dae.layers import Dense
    rng = _rng(11)
    W, b = rng.randn(5, 3), rng.randn(3)
    layer = Dense(W, b)
    assert layer.params[0] is W and layer.params[1] is b
    x, dout = rng.randn(4, 5), rng.randn(4, 3)
    a, cache = layer.forward(x)
    numpy.testing.assert_allclose(a, x @ W + b, rtol=1e-14)
    dx, (gW, gb) = layer.backward(dout, cache)

    def probe(v):
        return float((Dense(W, b).forward(v)[0] * dout).sum())
    numpy.testing.assert_allclose(dx, numerical_gradient(probe, x.copy()), rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(gW, numerical_gradient(lambda w: float(((x @ w + b) * dout).sum()), W.copy()),
                                  rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(gb, dout.sum(axis=0), rtol=1e-14)
    none, grads = Dense(W, b, need_dx=False).backward(dout, cache)
    assert none is None
    numpy.testing.assert_array_equal(grads[0], gW)


def test_hidden_layer_is_a_dense_then_its_activation():
    layer = dae.HiddenLayer(_rng(3), n_in=4, n_out=3, activation="tanh")
    assert layer.dense.W is layer.W and layer.act.name == "tanh"
    x = _rng(4).rand(2, 4).astype(numpy.float32)
    numpy.testing.assert_array_equal(layer.output(x), numpy.tanh(x @ layer.W + layer.b))
