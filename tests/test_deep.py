"""DeepAutoencoder: gradients of the unrolled net, exact unrolling, I/O, validation (its training: test_recipes.py)."""
import numpy
import pytest

import dae
from dae import backend
from dae.models.deep import DeepAutoencoder

SIZES = [12, 8, 5, 3]


def _random_params(model, seed=2, scale=1.0):
    rng = numpy.random.RandomState(seed)
    for p in model.params + getattr(model, "visible_b", []):
        p[...] = backend.asarray(rng.uniform(-scale, scale, p.shape), dtype=p.dtype)


def _data(n=9, d=12, seed=3):
    return backend.asarray(numpy.random.RandomState(seed).rand(n, d), dtype=dae.config.floatX)


# ----- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
@pytest.mark.parametrize("sizes", [SIZES, [7, 2], [10, 6, 2]])
def test_gradcheck_unrolled_network(loss, sizes):
    with dae.config.floatX_as("float64"):
        model = DeepAutoencoder(numpy.random.RandomState(1), sizes, loss=loss)
        _random_params(model)
        x = _data(6, sizes[0])
    errors = dae.gradcheck(model, x)
    assert set(errors) == set(model.param_names)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("make,n_in,level", [
    (lambda rng: dae.Autoencoder(rng, n_visible=10, n_hidden=4, activation="linear"), 10, 0.3),  # the code layer's
    (lambda rng: DeepAutoencoder(rng, SIZES), SIZES[0], 0.4),  # denoising fine-tuning
])
def test_gradcheck_with_masking_noise(make, n_in, level):
    with dae.config.floatX_as("float64"):
        model = make(numpy.random.RandomState(1))
        _random_params(model)
        x = _data(6, n_in)
    errors = dae.gradcheck(model, x, corruption_level=level)
    assert set(errors) == set(model.param_names)
    assert max(errors.values()) < 1e-6, errors


def test_denoising_fine_tuning_reads_the_masked_input_and_scores_the_clean_one():
    with dae.config.floatX_as("float64"):
        model = DeepAutoencoder(numpy.random.RandomState(1), SIZES)
        _random_params(model)
        x = _data(8, SIZES[0])
    cost, grads = model.cost_and_grads(x, corruption_level=0.5, rng=numpy.random.RandomState(7))
    # the mask the model drew: the same generator, the same draw
    mask = dae.corruption.corrupt(numpy.ones_like(x), 0.5, "masking", numpy.random.RandomState(7))
    assert 0 < mask.mean() < 1
    z = model.reconstruct(mask * x)
    expected = -(x * numpy.log(z) + (1 - x) * numpy.log(1 - z)).sum(axis=1).mean()
    assert cost == pytest.approx(expected, rel=1e-10)
    clean_cost, clean_grads = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    assert cost != pytest.approx(clean_cost, rel=1e-6)
    # level 0 with a generator draws nothing and is the clean cost
    rng = numpy.random.RandomState(7)
    assert model.cost_and_grads(x, corruption_level=0.0, rng=rng)[0] == clean_cost
    assert rng.randint(2**30) == numpy.random.RandomState(7).randint(2**30)
    with pytest.raises(TypeError, match="rng"):          # the caller always passes the generator
        model.cost_and_grads(x, corruption_level=0.2)
    with pytest.raises(ValueError, match="corruption_level"):
        model.cost_and_grads(x, corruption_level=1.0, rng=rng)


def test_gradient_is_not_trivially_zero_and_matches_one_hand_derivative():
    # sizes [4, 2]: linear code c = x W + b, output z = s(c V + d)
    with dae.config.floatX_as("float64"):
        model = DeepAutoencoder(numpy.random.RandomState(0), [4, 2])
        _random_params(model)
        x = _data(5, 4)
    W, b, V, d = model.params
    c = x @ W + b
    a = c @ V + d
    z = 1 / (1 + numpy.exp(-a))
    cost, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    expected_cost = numpy.mean(numpy.sum(numpy.logaddexp(0, a) - x * a, axis=1))
    assert cost == pytest.approx(expected_cost, rel=1e-12)
    dz = (z - x) / 5
    numpy.testing.assert_allclose(grads[2], c.T @ dz, rtol=1e-12)
    numpy.testing.assert_allclose(grads[0], x.T @ (dz @ V.T), rtol=1e-12)


# ----- architecture ------------------------------------------------------------------------------
def test_default_architecture_is_hinton_784_1000_500_250_30():
    model = DeepAutoencoder(numpy.random.RandomState(0))
    assert model.layer_sizes == [784, 1000, 500, 250, 30]
    shapes = [tuple(p.shape) for p in model.params]
    assert shapes[0::2] == [(784, 1000), (1000, 500), (500, 250), (250, 30),
                            (30, 250), (250, 500), (500, 1000), (1000, 784)]
    assert all(p.dtype == numpy.float32 for p in model.params)
    assert len(model.param_names) == len(model.params) == 16


def test_code_is_linear_and_reconstruction_is_sigmoid():
    with dae.config.floatX_as("float64"):
        model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
        _random_params(model, scale=3.0)
        x = _data(20, 12)
    code = model.encode(x)
    assert code.shape == (20, 3)
    assert code.min() < 0 or code.max() > 1  # linear: not squashed into (0, 1)
    h = 1 / (1 + numpy.exp(-(1 / (1 + numpy.exp(-(x @ model.encoder_W[0] + model.encoder_b[0]))) @ model.encoder_W[1]
                              + model.encoder_b[1])))
    numpy.testing.assert_allclose(code, h @ model.encoder_W[2] + model.encoder_b[2], rtol=1e-12)
    z = model.decode(code)
    assert z.shape == (20, 12) and z.min() > 0 and z.max() < 1
    numpy.testing.assert_array_equal(model.reconstruct(x), z)
    assert model.reconstruction_error(x, batch_size=7) == pytest.approx(float(((z - x) ** 2).sum(axis=1).mean()), rel=1e-12)


# ----- unrolling ---------------------------------------------------------------------------------
def test_unroll_sets_decoder_from_transposed_encoder_exactly():
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    _random_params(model)
    before = [backend.to_host(W).copy() for W in model.decoder_W]
    model.unroll()
    L = model.n_layers
    for j in range(L):
        assert not numpy.array_equal(before[j], model.decoder_W[j])
        numpy.testing.assert_array_equal(model.decoder_W[j], model.encoder_W[L - 1 - j].T)
        numpy.testing.assert_array_equal(model.decoder_b[j], model.visible_b[L - 1 - j])
    # the decoder holds copies: fine-tuning unties the weights
    model.encoder_W[0] += 1.0
    assert not numpy.array_equal(model.decoder_W[L - 1], model.encoder_W[0].T)


def test_from_encoder_builds_the_exact_unrolled_network():
    rng = numpy.random.RandomState(5)
    sizes = [9, 6, 4, 2]
    W = [rng.randn(sizes[i], sizes[i + 1]).astype("float32") for i in range(3)]
    b = [rng.randn(sizes[i + 1]).astype("float32") for i in range(3)]
    c = [rng.randn(sizes[i]).astype("float32") for i in range(3)]
    model = DeepAutoencoder.from_encoder(W, b, c)
    assert model.layer_sizes == sizes
    for i in range(3):
        numpy.testing.assert_array_equal(model.encoder_W[i], W[i])
        numpy.testing.assert_array_equal(model.encoder_b[i], b[i])
        numpy.testing.assert_array_equal(model.decoder_W[2 - i], W[i].T)
        numpy.testing.assert_array_equal(model.decoder_b[2 - i], c[i])
    # copies, not aliases
    W[0][0, 0] += 1
    assert model.encoder_W[0][0, 0] != W[0][0, 0]
    with pytest.raises(ValueError, match="hidden_biases\\[1\\]"):
        DeepAutoencoder.from_encoder(W, [b[0], b[0], b[2]], c)
    with pytest.raises(ValueError, match="same length"):
        DeepAutoencoder.from_encoder(W, b[:2], c)


def test_the_linear_code_layer_is_the_linear_dA_of_the_old_LinearCodeLayer():
    """Autoencoder(activation="linear") computes what the removed LinearCodeLayer did: c = x~ W + b,
    z = s(c W^T + b'), dz = (z - x) / N, dc = dz W, gW = x~^T dc + dz^T c (written out here)."""
    with dae.config.floatX_as("float64"):
        layer = dae.Autoencoder(numpy.random.RandomState(1), n_visible=10, n_hidden=4, activation="linear")
        bound = numpy.sqrt(6.0 / 14)             # gain 1: Glorot's range, as LinearCodeLayer drew it
        assert numpy.abs(layer.W).max() <= bound and numpy.abs(layer.W).max() > 0.5 * bound
        _random_params(layer)
        x = _data(6, 10)
    cost, grads = layer.cost_and_grads(x, corruption_level=0.3, rng=numpy.random.RandomState(5))
    tilde = dae.corruption.corrupt(x, 0.3, "masking", numpy.random.RandomState(5), "corruption")
    c = tilde @ layer.W + layer.b
    a = c @ layer.W.T + layer.b_prime
    z = 1 / (1 + numpy.exp(-a))
    dz = (z - x) / 6
    dc = dz @ layer.W
    expected = [tilde.T @ dc + dz.T @ c, dc.sum(axis=0), dz.sum(axis=0)]
    assert cost == pytest.approx((numpy.logaddexp(0, a) - x * a).sum(axis=1).mean(), rel=1e-12)
    for g, e in zip(grads, expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-15)


# ----- files -------------------------------------------------------------------------------------
def test_save_load_roundtrip(tmp_path):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES, loss="squared_error")
    _random_params(model)
    path = tmp_path / "deep.npz"
    dae.save_model(model, path)
    loaded = dae.load_model(path)
    assert loaded.layer_sizes == SIZES and loaded.loss == "squared_error"
    for a, b in zip(model.params + model.visible_b, loaded.params + loaded.visible_b):
        numpy.testing.assert_array_equal(a, b)
    x = _data(4, 12)
    numpy.testing.assert_array_equal(model.reconstruct(x), loaded.reconstruct(x))


def test_load_refuses_a_damaged_file(tmp_path):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    path = tmp_path / "deep.npz"
    dae.save_model(model, path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(dae.CorruptFileError):
        dae.load_model(path)


# ----- validation --------------------------------------------------------------------------------
def test_constructor_validation():
    rng = numpy.random.RandomState(0)
    with pytest.raises(TypeError, match="numpy_rng"):
        DeepAutoencoder(123)
    with pytest.raises(ValueError, match="at least 2"):
        DeepAutoencoder(rng, [784])
    with pytest.raises(ValueError, match="layer_sizes\\[1\\]"):
        DeepAutoencoder(rng, [784, 0, 30])
    with pytest.raises(TypeError, match="layer_sizes"):
        DeepAutoencoder(rng, "784-30")
    with pytest.raises(ValueError, match="loss"):
        DeepAutoencoder(rng, [4, 2], loss="hinge")


def test_method_validation():
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    with pytest.raises(ValueError, match="12 columns"):
        model.cost_and_grads(numpy.zeros((3, 11), dtype="float32"), rng=numpy.random.RandomState(0))
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        model.cost_and_grads(numpy.full((3, 12), 2.0, dtype="float32"), rng=numpy.random.RandomState(0))
    with pytest.raises(ValueError, match="code must have 3 columns"):
        model.decode(numpy.zeros((2, 4), dtype="float32"))
    # a squared-error model accepts data outside [0, 1]
    DeepAutoencoder(numpy.random.RandomState(0), SIZES, loss="squared_error").cost_and_grads(
        numpy.full((3, 12), 2.0, dtype="float32"), rng=numpy.random.RandomState(0))
