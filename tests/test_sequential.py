"""dae.layers.Sequential: the forwards in order, the backwards in reverse, grads aligned with params."""
import numpy

from dae.gradcheck import numerical_gradient
from dae.layers import Dense, Dropout, Sequential, Sigmoid, Tanh


def _net(rng):
    W1, b1, W2, b2 = rng.randn(4, 3), rng.randn(3), rng.randn(3, 2), rng.randn(2)
    return Sequential([Dense(W1, b1), Sigmoid(), Dense(W2, b2), Tanh()]), [W1, b1, W2, b2]


def test_params_are_the_layers_in_order_and_backward_is_the_gradient():
    rng = numpy.random.RandomState(0)
    net, arrays = _net(rng)
    assert all(p is a for p, a in zip(net.params, arrays)) and len(net.params) == 4
    assert net.param_names == ["layer0_W", "layer0_b", "layer2_W", "layer2_b"]
    x, g = rng.randn(5, 4), rng.randn(5, 2)
    out, cache = net.forward(x)
    numpy.testing.assert_array_equal(out, net.run(x))
    assert len(cache) == 4
    dx, grads = net.backward(g, cache)
    for p, grad in zip(net.params, grads):
        numeric = numerical_gradient(lambda _: float((net.run(x) * g).sum()), p)
        numpy.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(dx, numerical_gradient(lambda v: float((net.run(v) * g).sum()), x.copy()),
                                  rtol=1e-6, atol=1e-9)


def test_slices_share_the_layers():
    net, _ = _net(numpy.random.RandomState(1))
    x = numpy.random.RandomState(2).randn(3, 4)
    numpy.testing.assert_allclose(net[2:].run(net[:2].run(x)), net.run(x), rtol=1e-15)
    assert net[0] is net.layers[0]


def test_dropout_draws_from_the_given_rng_and_scales_by_the_kept_fraction():
    x = numpy.ones((200, 50))
    out, mask = Dropout(0.25, numpy.random.RandomState(3)).forward(x)
    assert set(numpy.unique(out)) <= {0.0, 1.0 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.02
    again, _ = Dropout(0.25, numpy.random.RandomState(3)).forward(x)
    numpy.testing.assert_array_equal(out, again)
    dx, grads = Dropout(0.25, None).backward(numpy.full_like(x, 2.0), mask)
    numpy.testing.assert_array_equal(dx, 2.0 * mask)
    assert grads == []
