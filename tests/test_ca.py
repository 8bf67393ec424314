"""The tutorial's contractive autoencoder: cost against the explicit Jacobian, gradients by
finite differences (penalty alone and in full), the tutorial's interface, errors."""
import numpy
import pytest

import dae
from dae import config
from dae.models.ca import cA
from dae.gradcheck import gradcheck, numerical_gradient

N_VIS, N_HID, N = 6, 4, 5


def _model(seed=0):
    rng = numpy.random.RandomState(seed)
    ca = cA(rng, n_visible=N_VIS, n_hidden=N_HID, n_batchsize=N)
    ca.b[...] = rng.uniform(-0.5, 0.5, N_HID)
    ca.b_prime[...] = rng.uniform(-0.5, 0.5, N_VIS)
    return ca


def _x(seed=1):
    return numpy.random.RandomState(seed).uniform(0, 1, (N, N_VIS))


def test_public_name():
    assert dae.cA is cA


def test_jacobian_matches_finite_differences_of_the_code():
    with config.floatX_as("float64"):
        ca = _model()
        x = _x()
        J = ca.get_jacobian(ca.get_hidden_values(x), ca.W)
        assert J.shape == (N, N_VIS, N_HID)
        for n in range(N):
            for j in range(N_HID):
                row = x[n].copy()
                num = numerical_gradient(lambda v: ca.get_hidden_values(v[None])[0, j], row)
                assert numpy.allclose(J[n, :, j], num, atol=1e-8)


def test_cost_terms_match_the_explicit_jacobian():
    with config.floatX_as("float64"):
        ca = _model()
        x = _x()
        (rec, jac), _ = ca.cost_terms_and_grads(x, 0.1)
        h = ca.get_hidden_values(x)
        z = ca.get_reconstructed_input(h)
        J = ca.get_jacobian(h, ca.W)
        expected_rec = numpy.mean(-numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1))
        expected_jac = numpy.mean(numpy.sum(J ** 2, axis=(1, 2)))
        assert rec == pytest.approx(expected_rec, rel=1e-12)
        assert jac == pytest.approx(expected_jac, rel=1e-12)
        cost, _ = ca.cost_and_grads(x, contraction_level=0.7)
        assert cost == pytest.approx(expected_rec + 0.7 * expected_jac, rel=1e-12)
        assert numpy.allclose(ca.jacobian_norm(x) ** 2, numpy.sum(J ** 2, axis=(1, 2)))


@pytest.mark.parametrize("level", [0.0, 0.1, 3.0])
def test_gradcheck(level):
    with config.floatX_as("float64"):
        errors = gradcheck(_model(), _x(), contraction_level=level)
    assert max(errors.values()) < 1e-6, errors


def test_penalty_gradient_alone():
    """The contraction term's analytic gradient (cost at level c minus cost at 0, over c)
    against finite differences of the explicit-Jacobian penalty."""
    with config.floatX_as("float64"):
        ca = _model()
        x = _x()
        _, g0 = ca.cost_and_grads(x, contraction_level=0.0)
        _, g1 = ca.cost_and_grads(x, contraction_level=1.0)
        analytic = {name: a - b for name, a, b in zip(ca.param_names, g1, g0)}

        def penalty(_):
            h = ca.get_hidden_values(x)
            return numpy.mean(numpy.sum(ca.get_jacobian(h, ca.W) ** 2, axis=(1, 2)))

        for name, param in zip(ca.param_names, ca.params):
            numeric = numerical_gradient(penalty, param)
            if name == "b_prime":
                assert numpy.allclose(analytic[name], 0.0) and numpy.allclose(numeric, 0.0, atol=1e-8)
                continue
            err = numpy.linalg.norm(analytic[name] - numeric) / (numpy.linalg.norm(analytic[name]) + numpy.linalg.norm(numeric))
            assert err < 1e-6, (name, err)


def test_get_cost_updates_is_one_sgd_step_and_contracts():
    ca = _model()
    x = _x().astype(ca.W.dtype)
    W0 = ca.W.copy()
    cost, grads = ca.cost_and_grads(x, contraction_level=0.1)
    cost2, updates = ca.get_cost_updates(x, contraction_level=0.1, learning_rate=0.01)
    assert cost == cost2
    assert [u[0] for u in updates] == ca.params
    dae.apply_updates(updates)
    assert numpy.allclose(ca.W, W0 - 0.01 * grads[0])
    # training with a strong contraction lowers the Jacobian norm
    before = float(ca.jacobian_norm(x).mean())
    for _ in range(200):
        _, updates = ca.get_cost_updates(x, contraction_level=5.0, learning_rate=0.05)
        dae.apply_updates(updates)
    assert float(ca.jacobian_norm(x).mean()) < 0.5 * before


def test_initialisation_like_the_tutorial():
    ca = cA(numpy.random.RandomState(123), n_visible=784, n_hidden=500, n_batchsize=10)
    expected = numpy.random.RandomState(123).uniform(-4 * numpy.sqrt(6 / 1284), 4 * numpy.sqrt(6 / 1284), (784, 500))
    assert numpy.array_equal(ca.W, expected.astype(config.floatX))
    assert ca.W.dtype == numpy.dtype(config.floatX)
    assert ca.param_names == ["W", "b", "b_prime"] and ca.n_batchsize == 10
    assert numpy.shares_memory(ca.W_prime, ca.W)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: cA(None), TypeError, "numpy_rng"),
    (lambda: cA(numpy.random.RandomState(0), n_hidden=0), ValueError, "n_hidden"),
    (lambda: cA(numpy.random.RandomState(0), n_batchsize=2.5), TypeError, "n_batchsize"),
    (lambda: cA(numpy.random.RandomState(0), n_visible=4, n_hidden=2, W=numpy.zeros((2, 4))), ValueError, "W"),
    (lambda: _model().cost_and_grads(_x() * 3), ValueError, r"\[0, 1\]"),
    (lambda: _model().cost_and_grads(_x(), contraction_level=-1.0), ValueError, "contraction_level"),
    (lambda: _model().cost_and_grads(numpy.zeros((2, 3))), ValueError, "columns"),
    (lambda: _model().get_cost_updates(_x(), 0.1, learning_rate=0.0), ValueError, "learning_rate"),
    (lambda: _model().get_jacobian(numpy.zeros((2, 3)), _model().W), ValueError, "hidden"),
])
def test_invalid_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
