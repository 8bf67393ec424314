"""dae.layers.losses: costs equal their textbook formulas; backward is their derivative."""
import numpy
import pytest

from dae import functions
from dae.gradcheck import numerical_gradient
from dae.layers import SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError


def _rng(seed=0):
    return numpy.random.RandomState(seed)


def test_sigmoid_cross_entropy_is_the_mean_summed_bernoulli_cross_entropy():
    a = _rng().randn(5, 6) * 3
    x = _rng(1).rand(5, 6)
    cost, cache = SigmoidCrossEntropy().forward(a, target=x)
    z = 1 / (1 + numpy.exp(-a))
    assert cost == pytest.approx(-(x * numpy.log(z) + (1 - x) * numpy.log(1 - z)).sum(axis=1).mean(), rel=1e-12)
    assert cost == pytest.approx(functions.cross_entropy_from_logits(x, a).mean(), rel=1e-12)
    numpy.testing.assert_allclose(cache.z, z, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss,target", [
    (SigmoidCrossEntropy(), lambda: _rng(1).rand(4, 5)),
    (SquaredError(), lambda: _rng(1).rand(4, 5)),
])
def test_backward_is_the_derivative(loss, target):
    a = _rng().randn(4, 5) * 2
    x = target()
    cost, cache = loss.forward(a, target=x)
    da, grads = loss.backward(1.0, cache)
    assert grads == []
    numeric = numerical_gradient(lambda v: float(loss.forward(v, target=x)[0]), a.copy())
    numpy.testing.assert_allclose(da, numeric, rtol=1e-6, atol=1e-9)
    da3, _ = loss.backward(3.0, cache)                     # the chain rule's dcost factor
    numpy.testing.assert_allclose(da3, 3.0 * da, rtol=1e-14)


def test_softmax_cross_entropy_derivative_and_value():
    a = _rng().randn(5, 4)
    y = numpy.array([0, 3, 1, 1, 2])
    loss = SoftmaxCrossEntropy()
    cost, cache = loss.forward(a, target=y)
    p = numpy.exp(a) / numpy.exp(a).sum(axis=1, keepdims=True)
    assert cost == pytest.approx(-numpy.log(p[numpy.arange(5), y]).mean(), rel=1e-12)
    da, _ = loss.backward(1.0, cache)
    numeric = numerical_gradient(lambda v: float(loss.forward(v, target=y)[0]), a.copy())
    numpy.testing.assert_allclose(da, numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_cross_entropy_stays_finite_for_saturated_logits():
    a = numpy.array([[-200.0, 200.0, 0.0]], dtype=numpy.float32)
    x = numpy.array([[1.0, 0.0, 1.0]], dtype=numpy.float32)
    with numpy.errstate(all="raise"):
        cost, cache = SigmoidCrossEntropy().forward(a, target=x)
    assert cost == pytest.approx(400.0 + numpy.log(2.0), rel=1e-6)
    numpy.testing.assert_array_equal(cache.z, numpy.array([[0.0, 1.0, 0.5]], dtype=numpy.float32))


def test_one_table_of_losses_by_name():
    from dae.layers import LOSSES, loss
    assert LOSSES == {"cross_entropy": SigmoidCrossEntropy, "squared_error": SquaredError,
                      "negative_log_likelihood": SoftmaxCrossEntropy}
    assert isinstance(loss("squared_error"), SquaredError)
    with pytest.raises(ValueError, match="loss must be one of"):
        loss("hinge")
