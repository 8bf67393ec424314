"""dae.layers.activations: each layer's backward is its forward's derivative; in place = not in place."""
import numpy
import pytest

from dae import functions
from dae.gradcheck import numerical_gradient
from dae.layers import ACTIVATIONS, activation

SLOPES = {"sigmoid": lambda h: h * (1.0 - h), "tanh": lambda h: 1.0 - h * h, "relu": lambda h: (h > 0) * 1.0}


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_backward_is_the_derivative_of_forward(name):
    layer = activation(name)
    rng = numpy.random.RandomState(0)
    a = rng.randn(4, 5) * 2 + 0.05          # away from relu's kink at 0
    upstream = rng.randn(4, 5)
    h, cache = layer.forward(a)
    da, grads = layer.backward(upstream, cache)
    assert grads == []
    numeric = numerical_gradient(lambda v: float((layer.forward(v)[0] * upstream).sum()), a.copy())
    numpy.testing.assert_allclose(da, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_bit_identical_to_dae_functions_in_and_out_of_place(name, dtype):
    f = getattr(functions, name)
    layer, in_place = ACTIVATIONS[name](), ACTIVATIONS[name](inplace=True)
    rng = numpy.random.RandomState(1)
    a = (rng.randn(6, 7) * 5).astype(dtype)
    dh = rng.randn(6, 7).astype(dtype)
    h, cache = layer.forward(a)
    assert h is not a
    numpy.testing.assert_array_equal(h, f(a))
    expected_da = SLOPES[name](h).astype(dtype) * dh
    da, _ = layer.backward(dh, cache)
    numpy.testing.assert_array_equal(da, expected_da)
    a2, dh2 = a.copy(), dh.copy()
    h2, cache2 = in_place.forward(a2)
    assert h2 is a2
    numpy.testing.assert_array_equal(h2, h)
    da2, _ = in_place.backward(dh2, cache2)
    assert da2 is dh2
    numpy.testing.assert_array_equal(da2, expected_da)


def test_sigmoid_saturates_without_overflow():
    with numpy.errstate(all="raise"):
        h, _ = activation("sigmoid").forward(numpy.array([[-1000.0, 0.0, 1000.0]], dtype=numpy.float32))
    numpy.testing.assert_array_equal(h, [[0.0, 0.5, 1.0]])


def test_in_place_slope_buffer_is_made_once_per_shape():
    layer = activation("sigmoid", inplace=True)
    h = numpy.full((2, 3), 0.25)
    first, _ = layer.backward(numpy.ones((2, 3)), h)
    buffers = list(layer._work.values())
    second, _ = layer.backward(numpy.ones((2, 3)), h)
    assert list(layer._work.values()) == buffers and len(buffers) == 1
    numpy.testing.assert_allclose(first, 0.1875)
    numpy.testing.assert_allclose(second, 0.1875)


def test_one_table_and_a_clear_error_for_an_unknown_name():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "linear"}
    with pytest.raises(ValueError, match="activation must be one of"):
        activation("softsign")
