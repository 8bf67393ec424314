"""dae/gradcheck.py: the checker passes right gradients and catches wrong ones."""
import numpy
import pytest

import dae
from dae.gradcheck import numerical_gradient


class Quadratic:
    """cost = sum((A w - t)^2) + noise . w ; the noise drawn from rng, to test the reseeding."""

    def __init__(self, wrong=False):
        rng = numpy.random.RandomState(0)
        self.A = rng.randn(4, 3)
        self.w = rng.randn(3)
        self.params, self.param_names, self.wrong = [self.w], ["w"], wrong

    def cost_and_grads(self, t, rng=None):
        noise = rng.randn(3)
        r = self.A @ self.w - t
        grad = 2 * self.A.T @ r + noise
        if self.wrong:
            grad = grad * 1.01
        return float(r @ r + noise @ self.w), [grad]


def test_right_gradient_passes_and_wrong_one_is_caught():
    t = numpy.ones(4)
    assert dae.gradcheck(Quadratic(), t)["w"] < 1e-8
    assert dae.gradcheck(Quadratic(wrong=True), t)["w"] > 1e-3
    with pytest.raises(AssertionError, match="w"):
        dae.gradcheck.assert_gradients_close(Quadratic(wrong=True), t)


def test_float32_models_are_refused():
    da = dae.dA(numpy.random.RandomState(0), n_visible=3, n_hidden=2)
    with pytest.raises(TypeError, match="float64"):
        dae.gradcheck(da, numpy.zeros((2, 3)))


def test_not_a_model():
    with pytest.raises(TypeError, match="gradient protocol"):
        dae.gradcheck(object(), 1)


def test_numerical_gradient_of_a_function():
    x = numpy.array([1.0, -2.0, 0.5])
    g = numerical_gradient(lambda v: (v ** 3).sum(), x)
    numpy.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-8)
    numpy.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored


def test_only_a_subset_is_checked_for_large_parameters():
    with dae.config.floatX_as("float64"):
        da = dae.dA(numpy.random.RandomState(0), n_visible=40, n_hidden=30)
    x = numpy.random.RandomState(1).rand(3, 40)
    errors = dae.gradcheck(da, x, max_entries=20, corruption_level=0.2)
    assert max(errors.values()) < 1e-6


def test_a_non_contiguous_parameter_is_perturbed_in_place():
    # a parameter that is a transposed view (as a tied decoder's W.T is): a reshape would copy it
    class Quadratic:
        def __init__(self):
            self.base = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
            self.params = [self.base.T]
            self.param_names = ["Wt"]

        def cost_and_grads(self, x, *, rng):
            return float((self.params[0] ** 2).sum()), [2 * self.params[0]]

    errors = dae.gradcheck(Quadratic(), None)
    assert errors["Wt"] < 1e-8

    class Wrong(Quadratic):
        def cost_and_grads(self, x, *, rng):
            return float((self.params[0] ** 2).sum()), [self.params[0]]

    assert dae.gradcheck(Wrong(), None)["Wt"] > 0.1
