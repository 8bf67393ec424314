"""dae/fast.py: the fast dA step computes what get_cost_updates + apply_updates compute."""
import numpy
import pytest

import dae
from dae.fast import TiedSigmoidSGD, masking_threshold


@pytest.mark.parametrize("level", [0.0, 0.1, 0.3, 0.5, 0.8])
def test_threshold_masks_equal_numpys_binomial_draws(level):
    t, keep_below = masking_threshold(level)
    u = numpy.random.RandomState(11).random_sample((300, 784))
    mask = (u <= t) if keep_below else (u > t)
    numpy.testing.assert_array_equal(mask, numpy.random.RandomState(11).binomial(1, 1 - level, (300, 784)) == 1)


def _train(level, fast, steps=40, batch_size=10, n_visible=784, n_hidden=50):
    x = dae.load_data()[0][0][: steps * batch_size]
    rng = numpy.random.RandomState(123)
    da = dae.dA(rng, dae.RandomStreams(rng.randint(2 ** 30)), n_visible=n_visible, n_hidden=n_hidden)
    step = TiedSigmoidSGD(da, batch_size, level, 0.1)
    costs = []
    for i in range(steps):
        xb = x[i * batch_size:(i + 1) * batch_size]
        if fast:
            costs.append(float(step(xb)))
        else:
            cost, updates = da.get_cost_updates(xb, level, 0.1)
            dae.apply_updates(updates)
            costs.append(float(cost))
    return numpy.array(costs), [p.copy() for p in da.params]


@pytest.mark.parametrize("level", [0.0, 0.3])
def test_fast_step_equals_the_readable_step_to_float32_rounding(level):
    slow_costs, slow_params = _train(level, fast=False)
    fast_costs, fast_params = _train(level, fast=True)
    numpy.testing.assert_allclose(fast_costs, slow_costs, rtol=2e-6)
    for a, b in zip(fast_params, slow_params):
        numpy.testing.assert_allclose(a, b, rtol=0, atol=2e-6)
    assert numpy.abs(fast_params[0] - _train(level, True, steps=1)[1][0]).max() > 1e-3  # it did train


def test_fast_step_refuses_a_wrong_batch():
    da = dae.dA(numpy.random.RandomState(1), n_visible=784, n_hidden=10)
    step = TiedSigmoidSGD(da, 20, 0.3, 0.1)
    with pytest.raises(ValueError, match="batch_size=20"):
        step(numpy.zeros((19, 784), numpy.float32))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        step(numpy.full((20, 784), 2.0, numpy.float32))
    with pytest.raises(ValueError, match="corruption_level"):
        TiedSigmoidSGD(da, 20, 1.0, 0.1)


def test_gemm_update_is_c_plus_alpha_a_transpose_b():
    rng = numpy.random.RandomState(0)
    for dtype in (numpy.float32, numpy.float64):
        A, B, C = (rng.rand(*s).astype(dtype) for s in ((6, 7), (6, 5), (7, 5)))
        expected = C + 0.25 * A.T @ B
        out = dae.backend.gemm_update(0.25, A, B, C)
        assert out is C
        numpy.testing.assert_allclose(C, expected, rtol=1e-6)
