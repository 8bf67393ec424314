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
    for option in ({"tied_weights": False}, {"activation": "tanh"}, {"loss": "squared_error"}, {"noise": "gaussian"},
                   {"sparsity": "l1"}):
        family = dae.Autoencoder(numpy.random.RandomState(1), n_visible=784, n_hidden=10, **option)
        with pytest.raises(ValueError, match="needs the tutorial's model"):
            TiedSigmoidSGD(family, 20, 0.3, 0.1)


def test_fast_step_trains_the_family_model_with_its_defaults_as_the_tutorials():
    """dae.Autoencoder with its defaults is the tutorial's model: the fused step gives it dA's numbers."""
    x = dae.load_data()[0][0][:20]
    models = [cls(numpy.random.RandomState(123), n_visible=784, n_hidden=10) for cls in (dae.dA, dae.Autoencoder)]
    costs = [float(TiedSigmoidSGD(m, 20, 0.3, 0.1)(x)) for m in models]
    assert costs[0] == costs[1]
    for a, b in zip(*(m.params for m in models)):
        numpy.testing.assert_array_equal(a, b)


def test_gemm_update_is_c_plus_alpha_a_transpose_b():
    rng = numpy.random.RandomState(0)
    for dtype in (numpy.float32, numpy.float64):
        A, B, C = (rng.rand(*s).astype(dtype) for s in ((6, 7), (6, 5), (7, 5)))
        expected = C + 0.25 * A.T @ B
        out = dae.backend.gemm_update(0.25, A, B, C)
        assert out is C
        numpy.testing.assert_allclose(C, expected, rtol=1e-6)
        work = numpy.full_like(C, numpy.nan)
        again = expected + 0.25 * A.T @ B
        assert dae.backend.gemm_update(0.25, A, B, C, work) is C
        numpy.testing.assert_allclose(C, again, rtol=1e-6)


def test_gemm_update_in_place_path_and_fallbacks_agree(monkeypatch):
    """NumPy's own BLAS (beta = 1, in place), and the matmul-into-a-buffer fallback used
    where that BLAS is not found, give C + alpha A^T B; views and aliasing take the fallback."""
    rng = numpy.random.RandomState(1)
    for dtype in (numpy.float32, numpy.float64):
        A, B, C = (rng.rand(*s).astype(dtype) for s in ((40, 784), (40, 500), (784, 500)))
        expected = C.astype(numpy.float64) - 0.003 * A.T.astype(numpy.float64) @ B
        for cblas in (dae.backend._cblas, None):
            monkeypatch.setattr(dae.backend, "_cblas", cblas)
            got = C.copy()
            dae.backend.gemm_update(-0.003, A, B, got, numpy.empty_like(C))
            tol = 1e-5 if dtype == numpy.float32 else 1e-12
            numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
        monkeypatch.setattr(dae.backend, "_cblas", dae.backend._find_numpy_cblas())
        # a non-contiguous B (every other row) and C updated with a factor taken from itself
        got = C.copy()
        dae.backend.gemm_update(0.5, A[::2], B[::2], got)
        numpy.testing.assert_allclose(got, C + 0.5 * A[::2].T @ B[::2], rtol=1e-5)
        square = rng.rand(6, 6).astype(dtype)
        want = square + square.T @ square
        dae.backend.gemm_update(1.0, square, square, square)
        numpy.testing.assert_allclose(square, want, rtol=1e-5)


def test_numpy_blas_is_found_on_numpys_wheel():
    """The bundled OpenBLAS of NumPy's wheel is found (if this fails, the fast path silently
    falls back to matmul + add: correct, but slower)."""
    import glob
    import os
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs",
                                  "libscipy_openblas64_*"))
    if len(libs) != 1:
        pytest.skip("this NumPy is not the PyPI wheel with its bundled OpenBLAS")
    assert dae.backend._cblas is not None


def _mlp(sizes, seed=0, dtype=numpy.float64):
    rng = numpy.random.RandomState(seed)
    Ws = [rng.uniform(-0.5, 0.5, (a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.uniform(-0.1, 0.1, b).astype(dtype) for b in sizes[1:]]
    return Ws, bs


def _mlp_cost_and_grads(Ws, bs, x, y):
    """The same network written plainly: forward, then backward with explicit gradients."""
    hs = [x]
    for W, b in zip(Ws[:-1], bs[:-1]):
        hs.append(1 / (1 + numpy.exp(-(hs[-1] @ W + b))))
    a = hs[-1] @ Ws[-1] + bs[-1]
    a = a - a.max(axis=1, keepdims=True)
    p = numpy.exp(a) / numpy.exp(a).sum(axis=1, keepdims=True)
    n = x.shape[0]
    cost = -numpy.log(p[numpy.arange(n), y]).mean()
    d = p.copy()
    d[numpy.arange(n), y] -= 1
    d /= n
    gWs, gbs = [], []
    for i in range(len(Ws) - 1, -1, -1):
        gWs.insert(0, hs[i].T @ d)
        gbs.insert(0, d.sum(axis=0))
        if i > 0:
            d = (d @ Ws[i].T) * hs[i] * (1 - hs[i])
    return cost, gWs, gbs


@pytest.mark.parametrize("train_layers", [None, [2]])
def test_mlp_step_is_one_sgd_step_on_the_plain_gradients(train_layers):
    from dae.fast import SigmoidSoftmaxSGD

    Ws, bs = _mlp([7, 6, 5, 3])
    x = numpy.random.RandomState(1).rand(4, 7)
    y = numpy.array([0, 2, 1, 2])
    cost, gWs, gbs = _mlp_cost_and_grads(Ws, bs, x, y)
    expected_W = [W - 0.3 * g if train_layers is None or i in train_layers else W.copy()
                  for i, (W, g) in enumerate(zip(Ws, gWs))]
    expected_b = [b - 0.3 * g if train_layers is None or i in train_layers else b.copy()
                  for i, (b, g) in enumerate(zip(bs, gbs))]
    step = SigmoidSoftmaxSGD(Ws, bs, 4, 0.3, train_layers=train_layers)
    assert float(step(x, y)) == pytest.approx(cost, rel=1e-12)
    for got, want in zip(Ws + bs, expected_W + expected_b):
        numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_mlp_plain_gradients_match_finite_differences():
    """The reference used above is itself checked, so the fast step's test can fail."""
    Ws, bs = _mlp([5, 4, 3])
    x = numpy.random.RandomState(2).rand(3, 5)
    y = numpy.array([0, 1, 2])
    _, gWs, _ = _mlp_cost_and_grads(Ws, bs, x, y)
    numeric = dae.gradcheck.numerical_gradient(lambda W: _mlp_cost_and_grads([W, Ws[1]], bs, x, y)[0], Ws[0])
    numpy.testing.assert_allclose(gWs[0], numeric, rtol=1e-6, atol=1e-9)


# ----- batch size 1: the kernels read each weight matrix once or twice ---------------------------------
def _digits(n):
    return dae.load_data()[0][0][:n]   # MNIST: mostly zeros, which the first layer's kernels skip


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
@pytest.mark.parametrize("level", [0.0, 0.3])
def test_batch_1_dA_step_equals_the_batched_class(kernels, level):
    """TiedSigmoidSGD1 (numba) and TiedSigmoidSGD at batch size 1 give the same costs, masks and
    parameters (float32 rounding apart), on digits whose zero pixels the kernel skips."""
    if kernels == "numba":
        pytest.importorskip("numba")
    x = _digits(30)
    runs = []
    for cls in (dae.fast.TiedSigmoidSGD1, TiedSigmoidSGD):
        rng = numpy.random.RandomState(5)
        da = dae.dA(rng, dae.RandomStreams(rng.randint(2 ** 30)), n_visible=784, n_hidden=40)
        with dae.config.kernels_as(kernels):
            step = cls.make(da, level, 0.05) if cls is dae.fast.TiedSigmoidSGD1 else cls(da, 1, level, 0.05)
        assert isinstance(step, dae.fast.TiedSigmoidSGD1) == (cls is dae.fast.TiedSigmoidSGD1 and kernels == "numba")
        costs = [float(step(x[i:i + 1])) for i in range(30)]
        runs.append((costs, [p.copy() for p in da.params]))
    numpy.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-5)
    for p, q in zip(runs[0][1], runs[1][1]):
        numpy.testing.assert_allclose(p, q, rtol=0, atol=1e-5)
    fresh = dae.dA(numpy.random.RandomState(5), n_visible=784, n_hidden=40)
    assert numpy.abs(runs[0][1][0] - fresh.W).max() > 1e-3   # it did train


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
@pytest.mark.parametrize("train_layers", [None, [2], [0, 2]])
def test_batch_1_fine_tuning_step_equals_the_batched_class(kernels, train_layers):
    """SigmoidSoftmaxSGD1 and SigmoidSoftmaxSGD at batch size 1: same costs and weights, with
    every layer trained, the classifier alone, or a frozen layer between two trained ones."""
    if kernels == "numba":
        pytest.importorskip("numba")
    x, labels = _digits(25), dae.load_data()[0][1][:25]
    rng = numpy.random.RandomState(3)
    shapes = [(784, 30), (30, 20), (20, 10)]
    start = [(rng.uniform(-0.3, 0.3, s).astype(numpy.float32), rng.uniform(-0.1, 0.1, s[1]).astype(numpy.float32))
             for s in shapes]
    runs = []
    for one in (True, False):
        weights, biases = [w.copy() for w, _ in start], [b.copy() for _, b in start]
        with dae.config.kernels_as(kernels):
            step = dae.fast.SigmoidSoftmaxSGD1.make(weights, biases, 0.2, train_layers) if one else \
                dae.fast.SigmoidSoftmaxSGD(weights, biases, 1, 0.2, train_layers)
        assert isinstance(step, dae.fast.SigmoidSoftmaxSGD1) == (one and kernels == "numba")
        costs = [float(step(x[i:i + 1], labels[i:i + 1])) for i in range(25)]
        runs.append((costs, weights + biases))
    numpy.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-5)
    for p, q in zip(runs[0][1], runs[1][1]):
        numpy.testing.assert_allclose(p, q, rtol=0, atol=1e-5)
    trained = set(range(3)) if train_layers is None else set(train_layers)
    for i, (w, _) in enumerate(start):
        assert numpy.array_equal(runs[0][1][i], w) == (i not in trained)
