"""dae.layers.conv/pool/activation and dae.models.conv_ae: every layer against finite differences and a direct computation, the whole
ConvAutoencoder against finite differences, and the errors for bad shapes."""
import numpy
import pytest
from hypothesis import given, settings, strategies as st
from scipy.signal import correlate

import dae
from dae.layers import Conv2D, MaxPool2D, MaxUnpool2D, ReLU, Upsample2D, col2im, im2col
from dae.models.conv_ae import ConvAutoencoder, _dense
from dae.gradcheck import numerical_gradient


def f64(*shape, seed=0):
    return numpy.random.RandomState(seed).randn(*shape)


def conv_reference(x, W, b, stride, padding):
    """y[n, f] = b[f] + sum_c correlate(xpad[n, c], W[f, c], 'valid'), subsampled by stride."""
    xpad = numpy.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, f = x.shape[0], W.shape[0]
    out = []
    for i in range(n):
        maps = []
        for j in range(f):
            full = sum(correlate(xpad[i, c], W[j, c], mode="valid") for c in range(x.shape[1]))
            maps.append(full[::stride, ::stride] + b[j])
        out.append(maps)
    return numpy.array(out)


def make_conv(c, f, k, stride, padding, seed=0, need_dx=True):
    with dae.config.floatX_as("float64"):
        layer = Conv2D(numpy.random.RandomState(seed), c, f, k, stride=stride, padding=padding, need_dx=need_dx)
    layer.b[...] = numpy.random.RandomState(seed + 1).randn(f)
    return layer


# ----- convolution -----------------------------------------------------------------------
@pytest.mark.parametrize("c,f,k,stride,padding", [
    (3, 4, 3, 1, 1),        # input-side im2col path (f >= c)
    (3, 5, (3, 2), 2, 1),   # rectangular kernel, stride 2
    (5, 2, 3, 1, 1),        # output-side shift-and-add path (f < c)
    (4, 1, (2, 3), 2, 0),   # output side, stride 2, no padding
    (2, 2, 5, 3, 2),        # stride 3, padding 2
])
def test_conv_forward_matches_scipy_correlate(c, f, k, stride, padding):
    layer = make_conv(c, f, k, stride, padding)
    x = f64(2, c, 7, 6, seed=3)
    y, _ = layer.forward(x)
    ref = conv_reference(x, layer.W, layer.b, stride, padding)
    assert y.shape == ref.shape
    numpy.testing.assert_allclose(y, ref, rtol=1e-10, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 4), f=st.integers(1, 4), kh=st.integers(1, 4), kw=st.integers(1, 4),
       stride=st.integers(1, 3), padding=st.integers(0, 2), h=st.integers(4, 8), w=st.integers(4, 8),
       seed=st.integers(0, 1000))
def test_conv_forward_matches_naive_loop(n, c, f, kh, kw, stride, padding, h, w, seed):
    layer = make_conv(c, f, (kh, kw), stride, padding, seed)
    x = f64(n, c, h, w, seed=seed)
    y, _ = layer.forward(x)
    xpad = numpy.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ref = numpy.zeros(y.shape)
    for p in range(y.shape[2]):
        for q in range(y.shape[3]):
            window = xpad[:, :, p * stride:p * stride + kh, q * stride:q * stride + kw]
            ref[:, :, p, q] = numpy.einsum("ncij,fcij->nf", window, layer.W) + layer.b
    numpy.testing.assert_allclose(y, ref, rtol=1e-10, atol=1e-10)


def test_shifted_copies_and_correlate_flat_read_the_padded_grid_flattened():
    from dae.layers.conv import correlate_flat, pad_cn, shifted_copies
    a = f64(3, 20, seed=3)
    S = shifted_copies(a, (2, 3), 5, 7, start=1, rows=2)
    flat = a.reshape(-1)
    for r in range(2):
        for i in range(2):
            for j in range(3):
                assert numpy.array_equal(S[(r * 2 + i) * 3 + j], flat[r * 20 + 1 + i * 5 + j:][:7])
    xpad = pad_cn(f64(4, 2, 5, 6, seed=4), 1)
    for f in (2, 6):   # output side (F < C) and input side
        W = f64(f, 4, 3, 3, seed=5)
        Y, X = correlate_flat(xpad, W)
        assert (X is None) == (f < 4)
        for n in range(2):
            for ff in range(f):
                direct = sum(correlate(xpad[c, n], W[ff, c], mode="valid") for c in range(4))
                assert numpy.allclose(Y[ff, n, :5, :6], direct, atol=1e-10)



def test_product_long_and_product_wide_are_the_plain_products(monkeypatch):
    from dae.layers import conv as conv_layers
    monkeypatch.setattr(conv_layers, "PRODUCT_RUN", 5)
    a, b = f64(3, 23, seed=1), f64(23, 4, seed=2)           # a long shared axis: runs of 5, added
    numpy.testing.assert_allclose(conv_layers.product_long(a, b), a @ b, rtol=1e-13)
    a, b = f64(3, 4, seed=3), f64(4, 23, seed=4)            # a long output axis: runs of 5 columns
    numpy.testing.assert_allclose(conv_layers.product_wide(a, b), a @ b, rtol=1e-13)
    out = numpy.full((3, 30), numpy.nan)[:, :23]            # a strided view, as correlate_flat passes
    assert conv_layers.product_wide(a, b, out=out) is out
    numpy.testing.assert_allclose(out, a @ b, rtol=1e-13)


@pytest.mark.parametrize("c,f,k", [(2, 3, 3), (3, 2, 3), (3, 2, 5), (4, 4, 3)])
def test_products_in_runs_give_the_same_convolution_and_gradients(monkeypatch, c, f, k):
    """With PRODUCT_RUN shorter than every product, the stride-1 NumPy path (both sides) computes
    the same outputs and gradients as with each product in one call."""
    from dae.layers import conv as conv_layers
    layer = make_conv(c, f, k, 1, k // 2)
    x = f64(2, c, 6, 7, seed=4)
    g = f64(2, f, 6, 7, seed=5)
    results = []
    with dae.config.kernels_as("numpy"):
        for run in (10 ** 9, 7):
            monkeypatch.setattr(conv_layers, "PRODUCT_RUN", run)
            y, cache = layer.forward(x)
            dx, (dW, db) = layer.backward(g, cache)
            results.append((y, dx, dW, db))
    for one_call, in_runs in zip(*results):
        numpy.testing.assert_allclose(in_runs, one_call, rtol=1e-12, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    x = f64(2, 3, 6, 5, seed=1)
    cols = im2col(x, (3, 2), 2, 1)
    c = f64(*cols.shape, seed=2)
    lhs = (cols * c).sum()
    rhs = (x * col2im(c, x.shape, (3, 2), 2, 1)).sum()
    assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


@pytest.mark.parametrize("c,f,k,stride,padding", [
    (2, 3, 3, 1, 1),        # input side; dx as a convolution (output side of the adjoint)
    (3, 2, 3, 1, 1),        # output side; dx as a convolution (input side of the adjoint)
    (3, 2, (3, 5), 1, 0),   # no padding: dY padded by k - 1
    (2, 2, 3, 1, 3),        # padding > k - 1: dx through col2im
    (3, 2, (2, 3), 2, 1),   # stride 2: dx through col2im
    (3, 1, 3, 2, 0),
])
@pytest.mark.parametrize("layout", ["NCHW", "CNHW"])
def test_conv_gradients_match_finite_differences(c, f, k, stride, padding, layout):
    layer = make_conv(c, f, k, stride, padding)
    layer.layout = layout
    x = f64(2, c, 5, 6, seed=4)
    if layout == "CNHW":
        x = numpy.ascontiguousarray(x.transpose(1, 0, 2, 3))
    y, cache = layer.forward(x)
    g = f64(*y.shape, seed=5)  # cost = sum(g * y): dcost/dy = g

    def cost(_):
        return (layer.forward(x)[0] * g).sum()

    dx, (dW, db) = layer.backward(g, cache)
    for analytic, wrt in ((dx, x), (dW, layer.W), (db, layer.b)):
        numeric = numerical_gradient(cost, wrt)
        err = numpy.linalg.norm(analytic - numeric) / (numpy.linalg.norm(analytic) + numpy.linalg.norm(numeric))
        assert err < 1e-7


def test_channel_major_layout_is_the_same_convolution():
    layer = make_conv(3, 4, 3, 1, 1)
    x = f64(2, 3, 5, 4, seed=3)
    y, _ = layer.forward(x)
    layer.layout = "CNHW"
    y_cn, _ = layer.forward(x.transpose(1, 0, 2, 3))
    numpy.testing.assert_allclose(y_cn.transpose(1, 0, 2, 3), y, rtol=1e-12)
    with pytest.raises(ValueError, match=r"x must have 3 channels \(axis 0\)"):
        layer.forward(x)
    with pytest.raises(ValueError, match="layout must be one of"):
        Conv2D(numpy.random.RandomState(0), 3, 4, 3, layout="NHWC")


def test_conv_backward_can_skip_the_input_gradient():
    layer, full = make_conv(3, 4, 3, 1, 1, need_dx=False), make_conv(3, 4, 3, 1, 1)
    x = f64(2, 3, 4, 4)
    y, cache = layer.forward(x)
    dx, (dW, _) = layer.backward(numpy.ones_like(y), cache)
    _, (dW_full, _) = full.backward(numpy.ones_like(y), full.forward(x)[1])
    assert dx is None
    numpy.testing.assert_allclose(dW, dW_full)


# ----- pooling, unpooling, ReLU, dense -------------------------------------------------------
def test_maxpool_forward_and_switches_match_a_loop():
    x = f64(2, 3, 4, 6, seed=6)
    y, switches = MaxPool2D(2).forward(x)
    for n in range(2):
        for c in range(3):
            for p in range(2):
                for q in range(3):
                    window = x[n, c, 2 * p:2 * p + 2, 2 * q:2 * q + 2].reshape(-1)
                    assert y[n, c, p, q] == window.max()
                    assert switches[n, c, p, q] == window.argmax()


def test_maxpool_ties_go_to_the_first_position_and_size_3_works():
    x = numpy.zeros((1, 1, 2, 4))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = 1.0   # window 0: a tie between positions 1 and 3
    y, switches = MaxPool2D(2).forward(x)
    assert switches[0, 0, 0, 0] == 1 and switches[0, 0, 0, 1] == 0   # the all-zero window: position 0
    x3 = f64(2, 2, 6, 3, seed=14)
    y3, s3 = MaxPool2D(3).forward(x3)
    windows = x3.reshape(2, 2, 2, 3, 1, 3).transpose(0, 1, 2, 4, 3, 5).reshape(2, 2, 2, 1, 9)
    numpy.testing.assert_array_equal(y3, windows.max(axis=-1))
    numpy.testing.assert_array_equal(s3, windows.argmax(axis=-1))
    up, _ = MaxUnpool2D(3).forward(y3, switches=s3)
    numpy.testing.assert_array_equal(up, numpy.where(up != 0, x3, 0.0))
    numpy.testing.assert_array_equal(MaxUnpool2D(3).backward(x3, s3)[0], y3)


def test_relu_in_place_overwrites_its_input_and_gradient():
    relu = ReLU(inplace=True)
    x = f64(2, 3, seed=15)
    expected = numpy.maximum(x, 0)
    y, cache = relu.forward(x)
    assert y is x and numpy.array_equal(x, expected)
    g = f64(2, 3, seed=16)
    dx, grads = relu.backward(g, cache)
    assert dx is g and grads == []
    numpy.testing.assert_array_equal(dx, f64(2, 3, seed=16) * (expected > 0))


def gradcheck_function(forward, backward, x, seed=7):
    y = forward(x)
    g = f64(*y.shape, seed=seed)
    numeric = numerical_gradient(lambda _: (forward(x) * g).sum(), x)
    analytic = backward(g)
    return numpy.linalg.norm(analytic - numeric) / (numpy.linalg.norm(analytic) + numpy.linalg.norm(numeric))


def test_maxpool_gradient():
    pool = MaxPool2D(2)
    x = f64(2, 2, 4, 4, seed=8)
    _, switches = pool.forward(x)
    assert gradcheck_function(lambda a: pool.forward(a)[0], lambda g: pool.backward(g, switches)[0], x) < 1e-8


def test_unpool_puts_values_at_the_switches_and_its_gradient_gathers():
    pool, unpool = MaxPool2D(2), MaxUnpool2D(2)
    x = numpy.abs(f64(2, 2, 4, 6, seed=9)) + 0.1
    y, switches = pool.forward(x)
    up, _ = unpool.forward(y, switches=switches)
    # every maximum back in its place, zeros elsewhere
    numpy.testing.assert_array_equal(up, numpy.where(up != 0, x, 0.0))
    assert (up != 0).sum() == y.size
    err = gradcheck_function(lambda a: unpool.forward(a, switches=switches)[0], lambda g: unpool.backward(g, switches)[0], y)
    assert err < 1e-8


def test_upsample_gradient():
    up = Upsample2D(2)
    y = f64(2, 3, 2, 3, seed=10)
    out, _ = up.forward(y)
    numpy.testing.assert_array_equal(out[:, :, ::2, ::2], y)
    numpy.testing.assert_array_equal(out[:, :, 1::2, 1::2], y)
    assert gradcheck_function(lambda a: up.forward(a)[0], lambda g: up.backward(g, None)[0], y) < 1e-8


def test_relu_gradient():
    relu = ReLU()
    x = f64(3, 2, 4, 4, seed=11)
    x[numpy.abs(x) < 1e-3] = 0.5  # keep away from the kink
    _, mask = relu.forward(x)
    assert gradcheck_function(lambda a: relu.forward(a)[0], lambda g: relu.backward(g, mask)[0], x) < 1e-8


def test_dense_gradients():
    with dae.config.floatX_as("float64"):
        layer = _dense(numpy.random.RandomState(0), 5, 3)
    layer.b[...] = [0.1, -0.2, 0.3]
    x = f64(4, 5, seed=12)
    y, cache = layer.forward(x)
    numpy.testing.assert_allclose(y, x @ layer.W + layer.b)
    g = f64(*y.shape, seed=13)
    dx, (dW, db) = layer.backward(g, cache)
    for analytic, wrt in ((dx, x), (dW, layer.W), (db, layer.b)):
        numeric = numerical_gradient(lambda _: (layer.forward(x)[0] * g).sum(), wrt)
        assert numpy.linalg.norm(analytic - numeric) / numpy.linalg.norm(numeric) < 1e-8


# ----- the whole network -----------------------------------------------------------------
def tiny_model(**kw):
    kw.setdefault("channels", (2, 3, 4))
    kw.setdefault("code_size", 5)
    kw.setdefault("kernel_sizes", (3, 3, 3))
    with dae.config.floatX_as("float64"):
        return ConvAutoencoder(numpy.random.RandomState(1), input_shape=(3, 8, 8), **kw)


def tiny_batch(n=3, seed=2):
    return numpy.random.RandomState(seed).uniform(0.05, 0.95, size=(n, 3, 8, 8))


@pytest.mark.parametrize("kw", [
    {},
    {"output": "sigmoid", "noise": "masking", "corruption_level": 0.3},
    {"noise": "gaussian", "corruption_level": 0.1, "kernel_sizes": (5, 3, 1)},
    {"unpooling": "nearest", "output": "sigmoid"},
])
def test_whole_network_gradcheck(kw):
    kw = dict(kw)
    level = kw.pop("corruption_level", 0.0)   # the noise is the model's, its level the call's
    model = tiny_model(**kw)
    for p in model.params:  # non-zero biases, so every bias gradient is exercised
        if p.ndim == 1:
            p[...] = numpy.random.RandomState(p.size).uniform(-0.1, 0.1, p.shape)
    errors = dae.gradcheck(model, tiny_batch(), max_entries=40, corruption_level=level)
    assert set(errors) == set(model.param_names)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("kw", [{}, {"output": "sigmoid", "noise": "masking", "corruption_level": 0.3}])
def test_blocks_give_the_whole_minibatchs_cost_and_gradients(kw):
    kw = dict(kw)
    level = kw.pop("corruption_level", 0.0)
    model = tiny_model(**kw)
    x = tiny_batch(7)
    model.block_size = 7
    with dae.config.kernels_as("numpy"):   # (the compiled kernels take the whole minibatch at once)
        cost, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(3), corruption_level=level)
        model.block_size = 2   # blocks of 2, 2, 2, 1
        assert len(model._blocks(7)) == 4
        cost_b, grads_b = model.cost_and_grads(x, rng=numpy.random.RandomState(3), corruption_level=level)
    assert abs(float(cost_b) - float(cost)) < 1e-10 * abs(float(cost))
    for g, gb in zip(grads, grads_b):
        numpy.testing.assert_allclose(gb, g, rtol=1e-10, atol=1e-12)
    numpy.testing.assert_allclose(model.encode(x), tiny_model(**kw).encode(x), rtol=1e-12)



def test_the_model_runs_its_products_on_blas_threads_of_its_own(monkeypatch):
    """On the CPU the model's products run on ``blas_threads`` (1) BLAS threads, and the count is
    restored after the call; None leaves the process's count alone."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def counts():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    before = counts()
    if not before:
        pytest.skip("no BLAS library that threadpoolctl can see")
    model = tiny_model()
    seen = []
    block = model._block_cost_and_grads
    monkeypatch.setattr(model, "_block_cost_and_grads", lambda *a: (seen.append(counts()), block(*a))[1])
    with dae.threads.blas_threads(2):
        model.cost_and_grads(tiny_batch(), rng=numpy.random.RandomState(0))
        assert model.blas_threads == 1 and seen[-1] == [1] * len(before)
        assert counts() == [2] * len(before)
        model.blas_threads = None
        model.cost_and_grads(tiny_batch(), rng=numpy.random.RandomState(0))
        assert seen[-1] == [2] * len(before)
    assert counts() == before


def test_gradcheck_catches_a_wrong_gradient():
    model = tiny_model()
    original = model.cost_and_grads

    def broken(x, *, rng, corruption_level=0.0):
        cost, grads = original(x, rng=rng, corruption_level=corruption_level)
        grads[2] = grads[2] * 1.01  # enc2_W off by 1%
        return cost, grads

    model.cost_and_grads = broken
    errors = dae.gradcheck(model, tiny_batch(), max_entries=20)
    assert errors["enc2_W"] > 1e-3


def test_param_names_and_shapes():
    model = tiny_model()
    assert model.param_names == ["enc1_W", "enc1_b", "enc2_W", "enc2_b", "enc3_W", "enc3_b", "code_W", "code_b",
                                 "expand_W", "expand_b", "dec3_W", "dec3_b", "dec2_W", "dec2_b",
                                 "dec1_W", "dec1_b"]
    shapes = dict(zip(model.param_names, [p.shape for p in model.params]))
    assert shapes["enc1_W"] == (2, 3, 3, 3) and shapes["code_W"] == (4 * 2 * 2, 5)
    assert shapes["dec1_W"] == (3, 2, 3, 3) and shapes["dec3_W"] == (3, 4, 3, 3)


def test_float32_by_default_and_shapes_of_outputs():
    model = ConvAutoencoder(numpy.random.RandomState(0), input_shape=(3, 8, 12), channels=(2, 2, 2), code_size=4,
                            kernel_sizes=(3, 3, 3))
    x = numpy.random.RandomState(1).rand(5, 3, 8, 12).astype("float32")
    cost, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    assert all(g.dtype == numpy.float32 for g in grads)
    assert all(p.dtype == numpy.float32 for p in model.params)
    assert model.encode(x).shape == (5, 4)
    assert model.reconstruct(x).shape == (5, 3, 8, 12)
    # a flattened batch is accepted too
    numpy.testing.assert_allclose(model.reconstruct(x.reshape(5, -1)), model.reconstruct(x))


def test_training_lowers_the_cost():
    model = tiny_model()
    x = tiny_batch(16)
    opt = dae.optim.Adam(learning_rate=1e-2)
    first, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    for _ in range(60):
        _, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
        opt.step(model.params, grads)
    last, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    assert float(last) < 0.5 * float(first)


def test_switches_travel_to_the_decoder():
    """With switch unpooling the reconstruction depends on where the maxima were, not only on the
    code: two inputs with the same code but different switches decode differently."""
    model = tiny_model()
    x = tiny_batch(1)
    y, enc = model._encode(x)
    s2, s3 = (enc[i] for i in model.switch_at)
    a1, _ = model._decode(y, [s2, s3])
    flipped = (s2 + 1) % 4
    a2, _ = model._decode(y, [flipped, s3])
    assert not numpy.allclose(a1, a2)


def test_noise_is_drawn_from_the_rng():
    model = tiny_model(noise="masking")
    x = tiny_batch()
    c1, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(5), corruption_level=0.5)
    c2, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(5), corruption_level=0.5)
    c3, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(6), corruption_level=0.5)
    clean, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(5))
    assert c1 == c2 and c1 != c3 and clean != c1


@pytest.mark.parametrize("noise,level,match", [
    ("masking", 1.0, r"corruption_level must be in \[0.0, 1.0\)"),
    ("gaussian", -0.1, "corruption_level must be in"),
    (None, 0.3, r"corruption_level must be in \[0.0, 0.0\]"),   # nothing to corrupt with
])
def test_the_corruption_level_is_checked_against_the_models_noise(noise, level, match):
    with pytest.raises(ValueError, match=match):
        tiny_model(noise=noise).cost_and_grads(tiny_batch(), rng=numpy.random.RandomState(0), corruption_level=level)


def test_save_and_load_round_trip(tmp_path):
    model = tiny_model(output="sigmoid", unpooling="nearest")
    path = tmp_path / "conv.npz"
    dae.save_model(model, path)
    loaded = dae.load_model(path)
    assert loaded.config() == model.config()
    x = tiny_batch()
    numpy.testing.assert_array_equal(loaded.reconstruct(x), model.reconstruct(x))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(dae.CorruptFileError):
        dae.load_model(path)


# ----- errors for bad shapes and arguments ---------------------------------------------------
def test_kernel_larger_than_padded_input():
    layer = make_conv(1, 1, 5, 1, 1)
    with pytest.raises(ValueError, match=r"kernel_size \(5, 5\) is larger than the padded input \(4, 4\)"):
        layer.forward(f64(1, 1, 2, 2))


def test_channel_mismatch():
    layer = make_conv(3, 2, 3, 1, 1)
    with pytest.raises(ValueError, match="x must have 3 channels"):
        layer.forward(f64(1, 4, 5, 5))
    model = tiny_model()
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3, 8, 8\)"):
        model.cost_and_grads(numpy.zeros((2, 1, 8, 8)), rng=numpy.random.RandomState(0))
    with pytest.raises(ValueError, match="x must be a 4-D array"):
        layer.forward(f64(4, 5))


def test_sizes_pooling_cannot_mirror():
    with pytest.raises(ValueError, match="input_shape height and width must divide by 4"):
        ConvAutoencoder(numpy.random.RandomState(0), input_shape=(3, 30, 32))
    with pytest.raises(ValueError, match="cannot be max-pooled with size 2"):
        MaxPool2D(2).forward(f64(1, 1, 5, 4))
    with pytest.raises(ValueError, match="switches must have the shape of y"):
        MaxUnpool2D(2).forward(f64(1, 1, 2, 2), switches=numpy.zeros((1, 1, 3, 2), dtype=int))


@pytest.mark.parametrize("kw,match", [
    ({"kernel_sizes": (4, 3, 3)}, "kernel_sizes must be odd"),
    ({"channels": (2, 3)}, "channels must be three ints"),
    ({"channels": (2, 0, 3)}, "channels must be a positive integer"),
    ({"code_size": 0}, "code_size"),
    ({"noise": "salt"}, "noise must be one of"),
    ({"output": "relu"}, "output must be one of"),
    ({"unpooling": "bilinear"}, "unpooling must be one of"),
    ({"input_shape": (3, 32)}, "input_shape must be"),
])
def test_bad_constructor_arguments(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ConvAutoencoder(numpy.random.RandomState(0), **kw)


def test_bad_inputs():
    model = tiny_model(output="sigmoid")
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        model.cost_and_grads(tiny_batch() * 2, rng=numpy.random.RandomState(0))
    with pytest.raises(TypeError, match="floating-point"):
        model.cost_and_grads(numpy.zeros((2, 3, 8, 8), dtype=numpy.uint8), rng=numpy.random.RandomState(0))
    bad = tiny_batch()
    bad[0, 0, 0, 0] = numpy.nan
    with pytest.raises(ValueError, match="finite"):
        model.encode(bad)
    with pytest.raises(TypeError, match="numpy_rng"):
        ConvAutoencoder(123)
