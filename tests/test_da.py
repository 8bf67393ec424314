"""dae/da.py: the tutorial's dA: initialisation order, shapes, sharing, gradients, updates, errors."""
import math

import numpy
import pytest

import dae
from dae.functions import sigmoid


def make_da(n_visible=12, n_hidden=5, seed=123, **kw):
    return dae.dA(numpy.random.RandomState(seed), n_visible=n_visible, n_hidden=n_hidden, **kw)


def batch(n=6, d=12, seed=0, dtype=numpy.float32):
    return numpy.random.RandomState(seed).rand(n, d).astype(dtype)


def test_initialisation_follows_the_tutorials_order():
    da = make_da(784, 500)
    rng = numpy.random.RandomState(123)
    seed = rng.randint(2 ** 30)  # theano_rng's seed is drawn first...
    bound = 4 * math.sqrt(6.0 / (784 + 500))
    expected = rng.uniform(-bound, bound, (784, 500)).astype("float32")  # ...then W
    assert da.W.dtype == numpy.float32 and da.W.shape == (784, 500)
    numpy.testing.assert_array_equal(da.W, expected)
    assert da.theano_rng.seed == seed
    assert float(numpy.abs(da.W).max()) <= bound
    assert not da.b.any() and not da.b_prime.any()
    assert da.b.shape == (500,) and da.b_prime.shape == (784,)


def test_given_theano_rng_draws_nothing_from_numpy_rng_before_W():
    rng = numpy.random.RandomState(7)
    da = dae.dA(rng, theano_rng=dae.RandomStreams(5), n_visible=4, n_hidden=3)
    bound = 4 * math.sqrt(6.0 / 7)
    numpy.testing.assert_array_equal(da.W, numpy.random.RandomState(7).uniform(-bound, bound, (4, 3)).astype("float32"))


def test_params_are_shared_and_updated_in_place():
    W = numpy.random.RandomState(3).uniform(-1, 1, (12, 5)).astype(numpy.float32)
    b = numpy.zeros(5, dtype=numpy.float32)
    da = make_da(W=W, bhid=b)
    assert da.W is W and da.b is b and da.params[0] is W and da.params[1] is b
    cost, updates = da.get_cost_updates(batch(), corruption_level=0.2, learning_rate=0.5)
    dae.apply_updates(updates)
    assert da.W is W and W.any() and b.any()
    assert numpy.shares_memory(da.W_prime, da.W)
    numpy.testing.assert_array_equal(da.W_prime, W.T)


def test_forward_matches_the_tutorials_formulas():
    da = make_da()
    x = batch()
    y = da.get_hidden_values(x)
    z = da.get_reconstructed_input(y)
    numpy.testing.assert_allclose(y, 1 / (1 + numpy.exp(-(x @ da.W + da.b))), rtol=1e-5)
    numpy.testing.assert_allclose(z, 1 / (1 + numpy.exp(-(y @ da.W.T + da.b_prime))), rtol=1e-5)
    cost, _ = da.cost_and_grads(x, corruption_level=0.0, rng=da.theano_rng)
    naive = numpy.mean(-numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1))
    assert float(cost) == pytest.approx(float(naive), rel=1e-5)


@pytest.mark.parametrize("level", [0.0, 0.3, 0.75])
def test_gradients_match_finite_differences_in_float64(level):
    with dae.config.floatX_as("float64"):
        da = make_da()
    da.b[:] = numpy.random.RandomState(1).randn(5) * 0.1
    da.b_prime[:] = numpy.random.RandomState(2).randn(12) * 0.1
    errors = dae.gradcheck(da, batch(dtype=numpy.float64), corruption_level=level)
    assert set(errors) == {"W", "b", "b_prime"}
    assert max(errors.values()) < 1e-6, errors


def test_get_cost_updates_is_a_gradient_step():
    da = make_da()
    x = batch()
    rng_state = da.theano_rng
    cost, grads = da.cost_and_grads(x, corruption_level=0.3, rng=numpy.random.RandomState(9))
    da2 = make_da()
    da2.theano_rng = numpy.random.RandomState(9)
    cost2, updates = da2.get_cost_updates(x, corruption_level=0.3, learning_rate=0.1)
    assert float(cost) == float(cost2)
    for (param, new), p, g in zip(updates, da.params, grads):
        numpy.testing.assert_allclose(new, p - 0.1 * g, rtol=1e-6)
    assert rng_state is da.theano_rng


def test_corruption_masks_are_the_tutorials_binomial_draws():
    da = make_da(n_visible=30)
    x = numpy.ones((8, 30), dtype=numpy.float32)
    theano_seed = numpy.random.RandomState(123).randint(2 ** 30)
    stream_seed = numpy.random.RandomState(theano_seed).randint(2 ** 30)
    expected_state = numpy.random.RandomState(stream_seed)
    for _ in range(3):
        tilde = da.get_corrupted_input(x, 0.3)
        numpy.testing.assert_array_equal(tilde, expected_state.binomial(1, 0.7, (8, 30)).astype("float32"))


def test_cost_stays_finite_when_units_saturate():
    da = make_da()
    da.W[...] = 60.0  # every unit saturated: z is 0 or 1 to float32 precision
    da.b_prime[...] = -500.0
    x = batch()
    cost, grads = da.cost_and_grads(x, rng=da.theano_rng)
    assert numpy.isfinite(float(cost)) and float(cost) > 100
    assert all(numpy.isfinite(g).all() for g in grads)


def test_same_seed_same_result_bit_for_bit():
    results = []
    for _ in range(2):
        da = make_da()
        for i in range(5):
            _, updates = da.get_cost_updates(batch(seed=i), 0.3, 0.1)
            dae.apply_updates(updates)
        results.append(da.W.copy())
    numpy.testing.assert_array_equal(*results)


@pytest.mark.parametrize("bad, exc, words", [
    (numpy.ones((6, 11), numpy.float32), ValueError, "12 columns"),
    (numpy.ones((2, 3, 12), numpy.float32), ValueError, "2-D"),
    (numpy.ones((6, 12), numpy.int64), TypeError, "floating"),
    (numpy.full((6, 12), numpy.nan, numpy.float32), ValueError, "NaN"),
    (numpy.full((6, 12), 255.0, numpy.float32), ValueError, "[0, 1]"),
    ([[0.5] * 12], TypeError, "array"),
])
def test_bad_minibatch_is_refused_with_a_named_error(bad, exc, words):
    da = make_da()
    with pytest.raises(exc) as info:
        da.cost_and_grads(bad, rng=da.theano_rng)
    assert "x" in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("level", [1.0, -0.1, float("nan"), "0.3"])
def test_bad_corruption_level(level):
    da = make_da()
    with pytest.raises((ValueError, TypeError), match="corruption_level"):
        da.get_cost_updates(batch(), corruption_level=level, learning_rate=0.1)


@pytest.mark.parametrize("kwargs, words", [
    ({"n_hidden": 0}, "n_hidden"),
    ({"n_visible": -3}, "n_visible"),
    ({"n_hidden": 2.5}, "n_hidden"),
    ({"W": numpy.zeros((3, 3), numpy.float32)}, "W must have shape"),
    ({"bhid": numpy.zeros(4, numpy.float32)}, "bhid"),
])
def test_bad_constructor_arguments(kwargs, words):
    with pytest.raises((ValueError, TypeError), match=words):
        make_da(**kwargs)


def test_a_numpy_generator_works_as_numpy_rng_drawing_the_stream_seed_first():
    da = dae.dA(numpy.random.default_rng(5), n_visible=7, n_hidden=3)
    rng = numpy.random.default_rng(5)
    seed = int(rng.integers(2 ** 30))
    bound = 4 * math.sqrt(6.0 / 10)
    assert da.theano_rng.seed == seed
    numpy.testing.assert_array_equal(da.W, rng.uniform(-bound, bound, (7, 3)).astype("float32"))
    cost, grads = da.cost_and_grads(batch(d=7), rng=da.theano_rng, corruption_level=0.3)
    assert numpy.isfinite(float(cost)) and [g.shape for g in grads] == [(7, 3), (3,), (7,)]


def test_the_class_is_the_tutorials_size_with_its_methods():
    import inspect
    from dae.models import da as module
    assert len(inspect.getsource(module).splitlines()) <= 250
    for name in ("get_corrupted_input", "get_hidden_values", "get_reconstructed_input", "get_cost_updates",
                 "cost_and_grads"):
        assert callable(getattr(dae.dA, name)), name
    assert list(inspect.signature(dae.dA).parameters)[:8] == [
        "numpy_rng", "theano_rng", "input", "n_visible", "n_hidden", "W", "bhid", "bvis"]


def test_numpy_rng_must_be_a_random_state():
    with pytest.raises(TypeError, match="numpy_rng"):
        dae.dA(123, n_visible=4, n_hidden=2)


def test_learning_rate_must_be_positive():
    with pytest.raises(ValueError, match="learning_rate"):
        make_da().get_cost_updates(batch(), 0.0, learning_rate=0.0)


def test_reconstruct_is_the_clean_forward_pass():
    da = make_da()
    x = batch()
    numpy.testing.assert_allclose(da.reconstruct(x), sigmoid(sigmoid(x @ da.W + da.b) @ da.W.T + da.b_prime), rtol=1e-6)
