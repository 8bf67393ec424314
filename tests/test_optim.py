"""Optimisers: single steps against hand computations, Nesterov, weight decay only on matrices,
checkpoint round trips, and a convergence check on a quadratic."""
import numpy
import pytest

import dae
from dae import optim


def _problem():
    W = numpy.array([[1.0, -2.0], [0.5, 3.0]])
    b = numpy.array([0.25, -1.0])
    gW = numpy.array([[0.1, 0.2], [-0.3, 0.4]])
    gb = numpy.array([-0.5, 0.5])
    return [W, b], [gW, gb]


def test_sgd_single_step():
    params, grads = _problem()
    W0, b0 = (p.copy() for p in params)
    optim.SGD(learning_rate=0.1).step(params, grads)
    assert numpy.allclose(params[0], W0 - 0.1 * grads[0])
    assert numpy.allclose(params[1], b0 - 0.1 * grads[1])


def test_sgd_matches_the_tutorials_updates():
    rng = numpy.random.RandomState(0)
    x = rng.uniform(0, 1, (6, 5)).astype("float32")
    a = dae.dA(numpy.random.RandomState(1), n_visible=5, n_hidden=3)
    b = dae.dA(numpy.random.RandomState(1), n_visible=5, n_hidden=3)
    _, updates = a.get_cost_updates(x, 0.0, learning_rate=0.1)
    dae.apply_updates(updates)
    _, grads = b.cost_and_grads(x, corruption_level=0.0, rng=b.theano_rng)
    optim.SGD(learning_rate=0.1).step(b.params, grads)
    for p, q in zip(a.params, b.params):
        assert numpy.array_equal(p, q)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sgd_updates_are_the_tutorials_arithmetic_bit_for_bit(dtype):
    """param - lr * grad, computed in the gradient's buffer (sgd_updates) or in place (SGD.step):
    the same bits as the expression written out, for step sizes that are not powers of two."""
    rng = numpy.random.RandomState(3)
    for lr in (0.1, 0.013, 3.7):
        params = [rng.randn(7, 5).astype(dtype), rng.randn(5).astype(dtype)]
        grads = [rng.randn(*p.shape).astype(dtype) for p in params]
        expected = [p - lr * g for p, g in zip(params, grads)]
        stepped = [p.copy() for p in params]
        optim.SGD(learning_rate=lr).step(stepped, [g.copy() for g in grads])
        updates = optim.sgd_updates(params, [g.copy() for g in grads], lr)
        assert [u[0] for u in updates] == params  # the params themselves, paired with new values
        for (_, new), e, s in zip(updates, expected, stepped):
            assert new.dtype == numpy.dtype(dtype)
            numpy.testing.assert_array_equal(new, e)
            numpy.testing.assert_array_equal(s, e)
    grads = [numpy.ones(3)]
    (_, new), = optim.sgd_updates([numpy.zeros(3)], grads, 0.5)
    assert new is grads[0]  # no weight-sized temporary: the fresh gradient's buffer holds the new value
    with pytest.raises(ValueError, match="learning_rate"):
        optim.sgd_updates([numpy.zeros(3)], [numpy.ones(3)], 0.0)


def test_the_cAs_updates_are_one_sgd_step_bit_for_bit():
    x = numpy.random.RandomState(0).uniform(0, 1, (6, 5)).astype("float32")
    a = dae.cA(numpy.random.RandomState(1), n_visible=5, n_hidden=3)
    b = dae.cA(numpy.random.RandomState(1), n_visible=5, n_hidden=3)
    _, updates = a.get_cost_updates(x, contraction_level=0.2, learning_rate=0.07)
    dae.apply_updates(updates)
    _, grads = b.cost_and_grads(x, contraction_level=0.2, rng=None)
    optim.SGD(learning_rate=0.07).step(b.params, grads)
    for p, q in zip(a.params, b.params):
        numpy.testing.assert_array_equal(p, q)
    assert not numpy.array_equal(a.W, dae.cA(numpy.random.RandomState(1), n_visible=5, n_hidden=3).W)


def test_momentum_two_steps_by_hand():
    params, grads = _problem()
    W0 = params[0].copy()
    opt = optim.Momentum(learning_rate=0.1, momentum=0.9)
    opt.step(params, grads)
    v1 = -0.1 * grads[0]
    assert numpy.allclose(params[0], W0 + v1)
    opt.step(params, grads)
    v2 = 0.9 * v1 - 0.1 * grads[0]
    assert numpy.allclose(params[0], W0 + v1 + v2)


def test_nesterov_two_steps_by_hand():
    """v <- mu v - lr g ; p <- p + mu v - lr g (the look-ahead form)."""
    params, grads = _problem()
    W0 = params[0].copy()
    opt = optim.Momentum(learning_rate=0.1, momentum=0.9, nesterov=True)
    opt.step(params, grads)
    v1 = -0.1 * grads[0]
    W1 = W0 + 0.9 * v1 - 0.1 * grads[0]
    assert numpy.allclose(params[0], W1)
    opt.step(params, grads)
    v2 = 0.9 * v1 - 0.1 * grads[0]
    assert numpy.allclose(params[0], W1 + 0.9 * v2 - 0.1 * grads[0])


def test_nesterov_equals_gradient_at_the_look_ahead_point():
    """Sutskever et al.'s definition on f(p) = 0.5 a p^2: phi <- p + mu v; v <- mu v - lr f'(phi),
    tracked in the shifted variable phi, is what Momentum(nesterov=True) computes."""
    a, lr, mu = 3.0, 0.05, 0.8
    p = numpy.array([2.0])
    opt = optim.Momentum(learning_rate=lr, momentum=mu, nesterov=True)
    # reference: classical NAG on theta with velocity u
    theta, u = 2.0, 0.0
    for _ in range(5):
        opt.step([p], [a * p])
        u = mu * u - lr * a * (theta + mu * u)
        theta = theta + u
        assert p[0] == pytest.approx(theta + mu * u, rel=1e-12)


def test_adam_first_and_second_step_by_hand():
    params, grads = _problem()
    W0 = params[0].copy()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = optim.Adam(learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps)
    opt.step(params, grads)
    g = grads[0]
    m, v = (1 - b1) * g, (1 - b2) * g * g
    W1 = W0 - lr * (m / (1 - b1)) / (numpy.sqrt(v / (1 - b2)) + eps)
    assert numpy.allclose(params[0], W1, rtol=1e-12, atol=1e-15)
    # the first Adam step moves each entry by about lr * sign(g)
    assert numpy.allclose(W0 - params[0], lr * numpy.sign(g), rtol=1e-5)
    g2 = 2 * g
    opt.step(params, [g2, grads[1]])
    m = b1 * m + (1 - b1) * g2
    v = b2 * v + (1 - b2) * g2 * g2
    W2 = W1 - lr * (m / (1 - b1 ** 2)) / (numpy.sqrt(v / (1 - b2 ** 2)) + eps)
    assert numpy.allclose(params[0], W2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make", [
    lambda wd: optim.SGD(learning_rate=0.1, weight_decay=wd),
    lambda wd: optim.Momentum(learning_rate=0.1, momentum=0.5, weight_decay=wd),
    lambda wd: optim.Momentum(learning_rate=0.1, momentum=0.5, nesterov=True, weight_decay=wd),
    lambda wd: optim.Adam(learning_rate=0.1, weight_decay=wd),
])
def test_weight_decay_only_on_matrices(make):
    """With decay, the step equals the no-decay step with g + wd * W for W, and g for biases."""
    params, grads = _problem()
    decayed = [p.copy() for p in params]
    make(0.2).step(decayed, grads)
    reference = [p.copy() for p in params]
    make(0.0).step(reference, [grads[0] + 0.2 * params[0], grads[1]])
    assert numpy.allclose(decayed[0], reference[0])
    assert numpy.allclose(decayed[1], reference[1])
    plain = [p.copy() for p in params]
    make(0.0).step(plain, grads)
    assert numpy.array_equal(decayed[1], plain[1])      # the bias is not decayed
    assert not numpy.allclose(decayed[0], plain[0])     # the matrix is


def test_adamw_decays_weights_outside_adam_scaling():
    """AdamW: W <- (1 - lr wd) W, then Adam's step on the plain gradient; biases not decayed."""
    params, grads = _problem()
    lr, wd = 0.01, 0.5
    decayed = [p.copy() for p in params]
    opt = optim.AdamW(learning_rate=lr, weight_decay=wd)
    for _ in range(3):
        opt.step(decayed, grads)
    reference = [p.copy() for p in params]
    adam = optim.Adam(learning_rate=lr)
    for _ in range(3):
        reference[0] *= 1 - lr * wd
        adam.step(reference, grads)
    assert numpy.allclose(decayed[0], reference[0], rtol=1e-12, atol=1e-15)
    assert numpy.array_equal(decayed[1], reference[1])   # the bias: Adam's step only
    # coupled L2 would have gone through Adam's scaling: a different (and here smaller) pull
    coupled = [p.copy() for p in params]
    l2 = optim.Adam(learning_rate=lr, weight_decay=wd)
    for _ in range(3):
        l2.step(coupled, grads)
    assert not numpy.allclose(coupled[0], decayed[0])
    # with a zero gradient the weights shrink by exactly (1 - lr wd) per step
    w = [params[0].copy()]
    z = optim.make("adamw", learning_rate=lr, weight_decay=wd)
    z.step(w, [numpy.zeros_like(w[0])])
    assert numpy.allclose(w[0], params[0] * (1 - lr * wd), rtol=1e-12)
    # without decay AdamW is Adam
    a, b = [params[0].copy()], [params[0].copy()]
    optim.AdamW(learning_rate=lr).step(a, [grads[0]])
    optim.Adam(learning_rate=lr).step(b, [grads[0]])
    assert numpy.array_equal(a[0], b[0])


@pytest.mark.parametrize("name,kw", [("sgd", {}), ("momentum", {"momentum": 0.9}),
                                     ("nesterov", {"momentum": 0.9}), ("adam", {}),
                                     ("adamw", {"weight_decay": 0.1})])
def test_state_round_trip_resumes_identically(name, kw):
    params, grads = _problem()
    rng = numpy.random.RandomState(0)
    grad_seq = [[rng.normal(size=g.shape) for g in grads] for _ in range(6)]
    a = optim.make(name, learning_rate=0.05, **kw)
    pa = [p.copy() for p in params]
    for g in grad_seq[:3]:
        a.step(pa, g)
    saved = a.get_state()
    snapshot = [s.copy() for s in saved["state"]]
    pb = [p.copy() for p in pa]
    for g in grad_seq[3:]:
        a.step(pa, g)
    # the saved state was not changed by the later steps
    assert all(numpy.array_equal(s, t) for s, t in zip(saved["state"], snapshot))
    b = optim.make(name, learning_rate=0.05, **kw)
    b.set_state(saved, pb)
    assert b.t == 3
    for g in grad_seq[3:]:
        b.step(pb, g)
    for x, y in zip(pa, pb):
        assert numpy.array_equal(x, y)
    # and restoring did not alias the saved arrays either
    assert all(numpy.array_equal(s, t) for s, t in zip(saved["state"], snapshot))


def test_state_survives_save_arrays(tmp_path):
    params, grads = _problem()
    opt = optim.Adam(learning_rate=0.01)
    opt.step(params, grads)
    state = opt.get_state()
    path = str(tmp_path / "opt.npz")
    dae.io.save_arrays(path, {f"s{i}": a for i, a in enumerate(state["state"])}, {"t": state["t"]})
    arrays, meta = dae.io.load_arrays(path)
    restored = optim.Adam(learning_rate=0.01)
    restored.set_state({"t": meta["t"], "state": [arrays[f"s{i}"] for i in range(len(arrays))]}, params)
    p1, p2 = [p.copy() for p in params], [p.copy() for p in params]
    opt.step(p1, grads)
    restored.step(p2, grads)
    assert all(numpy.array_equal(x, y) for x, y in zip(p1, p2))


def test_set_state_refuses_a_state_that_does_not_fit():
    params, grads = _problem()
    opt = optim.Adam(learning_rate=0.01)
    opt.step(params, grads)
    saved = opt.get_state()
    with pytest.raises(ValueError, match="expected"):
        optim.Adam(learning_rate=0.01).set_state(saved, params[:1])
    with pytest.raises(ValueError, match="shape"):
        optim.Adam(learning_rate=0.01).set_state(saved, [params[1], params[0]])
    with pytest.raises(TypeError, match="get_state"):
        optim.Adam(learning_rate=0.01).set_state([1, 2], params)


@pytest.mark.parametrize("name,kw", [("sgd", {"learning_rate": 0.1}),
                                     ("momentum", {"learning_rate": 0.05, "momentum": 0.9}),
                                     ("nesterov", {"learning_rate": 0.05, "momentum": 0.9}),
                                     ("adam", {"learning_rate": 0.1})])
def test_each_optimiser_minimises_a_quadratic(name, kw):
    A = numpy.diag([1.0, 3.0])
    target = numpy.array([[1.0, -2.0], [0.5, 0.25]])
    W = numpy.zeros((2, 2))
    opt = optim.make(name, **kw)
    for _ in range(500):
        opt.step([W], [A @ (W - target)])
    assert numpy.allclose(W, target, atol=1e-3)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: optim.SGD(learning_rate=0.0), ValueError, "learning_rate"),
    (lambda: optim.SGD(learning_rate=0.1, weight_decay=-1), ValueError, "weight_decay"),
    (lambda: optim.Momentum(learning_rate=0.1, momentum=1.0), ValueError, "momentum"),
    (lambda: optim.Adam(beta1=1.0), ValueError, "beta1"),
    (lambda: optim.Adam(beta2=-0.1), ValueError, "beta2"),
    (lambda: optim.Adam(epsilon=0.0), ValueError, "epsilon"),
    (lambda: optim.make("rmsprop", learning_rate=0.1), ValueError, "optimizer"),
    (lambda: optim.SGD(learning_rate=0.1).step([numpy.zeros(2)], []), ValueError, "align"),
    (lambda: optim.SGD(learning_rate=0.1).step([numpy.zeros(2)], [numpy.zeros(3)]), ValueError, "shape"),
])
def test_invalid_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_updates_are_in_place():
    params, grads = _problem()
    ids = [id(p) for p in params]
    optim.Adam(learning_rate=0.1).step(params, grads)
    assert [id(p) for p in params] == ids

