"""DeepAutoencoder: gradients of the unrolled net, exact unrolling, pretraining, I/O, validation."""
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


# ----- pretraining -------------------------------------------------------------------------------
def test_pretraining_layers_share_the_encoder_arrays():
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    first, top = model.pretraining_layer(0), model.pretraining_layer(2)
    assert isinstance(first, dae.Autoencoder) and isinstance(top, dae.Autoencoder)
    assert (first.activation, top.activation) == ("sigmoid", "linear")
    assert first.W is model.encoder_W[0] and first.b is model.encoder_b[0]
    assert first.b_prime is model.visible_b[0]
    assert top.W is model.encoder_W[2] and top.b_prime is model.visible_b[2]
    with pytest.raises(ValueError, match="layer index"):
        model.pretraining_layer(3)


def test_pretrain_lowers_every_layer_cost_then_unrolls():
    x = backend.asarray(numpy.random.RandomState(0).rand(200, 12) > 0.5)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    encoder_before = [backend.to_host(W).copy() for W in model.encoder_W]
    history = model.pretrain(x, epochs=[6, 6, 6], batch_size=20, corruption_level=0.2,
                             learning_rate=1e-2, rng=numpy.random.RandomState(1), verbose=False)
    assert len(history) == 3
    for costs in history:
        assert len(costs) == 6 and costs[-1] < costs[0]
    for i in range(3):
        assert not numpy.allclose(encoder_before[i], model.encoder_W[i])
        numpy.testing.assert_array_equal(model.decoder_W[2 - i], model.encoder_W[i].T)


def test_finetune_lowers_cost_and_squared_error():
    x = backend.asarray(numpy.random.RandomState(0).rand(120, 12))
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    model.pretrain(x, epochs=1, batch_size=20, verbose=False)
    before = model.reconstruction_error(x)
    seen = []
    costs = model.finetune(x, 15, batch_size=20, optimizer=dae.optim.Adam(1e-2),
                           callback=lambda e, c, opt: seen.append((e, c)))
    assert [e for e, _ in seen] == list(range(15)) and [c for _, c in seen] == costs
    assert costs[-1] < costs[0]
    assert model.reconstruction_error(x) < before



def test_finetune_trains_on_what_augment_returns():
    x = backend.asarray(numpy.random.RandomState(1).rand(60, 12))
    calls = []

    def identity(batch, rng):
        calls.append(batch.shape[0])
        return batch

    def fit(augment):
        model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
        model.unroll()
        model.finetune(x, 2, batch_size=20, optimizer=dae.optim.Adam(1e-2),
                       rng=numpy.random.RandomState(4), augment=augment)
        return [backend.to_host(p).copy() for p in model.params]

    plain, same = fit(None), fit(identity)
    assert calls == [20] * 6  # once per minibatch, with the minibatch
    assert all(numpy.array_equal(a, b) for a, b in zip(plain, same))
    flipped = fit(lambda batch, rng: 1.0 - batch)  # a different training set: different weights
    assert not numpy.allclose(plain[0], flipped[0])
    with pytest.raises(TypeError, match="augment"):
        DeepAutoencoder(numpy.random.RandomState(0), SIZES).finetune(x, 1, augment="shift")

# ----- the one training loop: checkpoints, resume, its options -----------------------------------
def _pretrain_and_finetune(x, path=None, resume=False):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    rng = numpy.random.RandomState(1)
    model.pretrain(x, epochs=2, batch_size=20, corruption_level=0.2, learning_rate=1e-2, rng=rng, verbose=False,
                   checkpoint_path=None if path is None else path / "pre.npz", resume=resume)
    model.finetune(x, 3, batch_size=20, optimizer=dae.optim.Adam(1e-2), rng=rng, corruption_level=0.1,
                   augment=dae.augment.random_shifts(1, img_shape=(3, 4)),
                   checkpoint_path=None if path is None else path / "fine.npz", resume=resume)
    return [backend.to_host(p).copy() for p in model.params]


# 110 rows in minibatches of 20: 12 calls per pretrained layer; the code layer is the third dA
@pytest.mark.parametrize("cls,call", [(dae.Autoencoder, 15), (dae.Autoencoder, 27), (DeepAutoencoder, 10)])
def test_an_interrupted_run_resumed_ends_with_the_uninterrupted_parameters(tmp_path, ctrl_c_at, cls, call):
    x = backend.asarray(numpy.random.RandomState(0).rand(110, 12), dtype=dae.config.floatX)
    whole = _pretrain_and_finetune(x)
    restore = ctrl_c_at(cls, call)   # Ctrl-C in layer 1, the code layer or fine-tuning
    with pytest.raises(dae.train.TrainingInterrupted) as info:
        _pretrain_and_finetune(x, tmp_path)
    assert info.value.checkpoint is not None
    restore()
    resumed = _pretrain_and_finetune(x, tmp_path, resume=True)
    for a, b in zip(whole, resumed):
        numpy.testing.assert_array_equal(a, b)
    # without resume=True the checkpoints are overwritten, not used: a fresh run, the same numbers
    for a, b in zip(whole, _pretrain_and_finetune(x, tmp_path)):
        numpy.testing.assert_array_equal(a, b)


def test_finetune_passes_the_trainers_options_through(tmp_path, capsys):
    x = backend.asarray(numpy.random.RandomState(0).rand(60, 12), dtype=dae.config.floatX)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES).unroll()
    rates = []
    opt = dae.optim.Adam(1e-2)
    costs = model.finetune(x, 3, batch_size=20, optimizer=opt, schedule=dae.train.schedules.exponential(1e-2, 0.5),
                           evaluate=lambda t: {"squared_error": model.reconstruction_error(x)},
                           callback=lambda e, c, o: rates.append(o.learning_rate), valid_x=x[:10],
                           checkpoint_path=tmp_path / "ck.npz", progress="plain")
    assert rates == pytest.approx([1e-2, 5e-3, 2.5e-3])
    history = model.last_trainer.history
    assert [h["train_cost"] for h in history] == costs
    assert all(h["valid_cost"] is not None and "squared_error" in h["extra"] for h in history)
    assert "Training epoch 2, cost" in capsys.readouterr().out
    assert (tmp_path / "ck.npz").exists()
    # a time budget stops after the first minibatch
    model.finetune(x, 100, batch_size=20, max_minutes=1e-9)
    assert model.last_trainer.stopped == "time" and len(model.last_trainer.history) == 1


def test_pretrain_prints_its_lines_and_writes_a_checkpoint_per_layer(tmp_path, capsys):
    x = backend.asarray(numpy.random.RandomState(0).rand(40, 12) > 0.5)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    model.pretrain(x, epochs=[1, 0, 2], batch_size=20, checkpoint_path=tmp_path / "run.npz")
    out = capsys.readouterr().out.splitlines()
    assert [line.split(", cost")[0] for line in out] == [
        "Pre-training layer 0 (12-8), epoch 0", "Pre-training layer 2 (5-3), epoch 0",
        "Pre-training layer 2 (5-3), epoch 1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_layer0.npz", "run_layer2.npz"]


# ----- files -------------------------------------------------------------------------------------
def test_save_load_roundtrip(tmp_path):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES, loss="squared_error")
    _random_params(model)
    path = tmp_path / "deep.npz"
    model.save(path)
    loaded = DeepAutoencoder.load(path)
    assert loaded.layer_sizes == SIZES and loaded.loss == "squared_error"
    for a, b in zip(model.params + model.visible_b, loaded.params + loaded.visible_b):
        numpy.testing.assert_array_equal(a, b)
    x = _data(4, 12)
    numpy.testing.assert_array_equal(model.reconstruct(x), loaded.reconstruct(x))


def test_load_refuses_a_damaged_file(tmp_path):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    path = tmp_path / "deep.npz"
    model.save(path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(dae.CorruptFileError):
        DeepAutoencoder.load(path)


def test_load_refuses_another_models_file(tmp_path):
    path = tmp_path / "other.npz"
    dae.save_model(dae.dA(numpy.random.RandomState(0), n_visible=4, n_hidden=2), path)
    with pytest.raises(ValueError, match="holds a Autoencoder, not a DeepAutoencoder"):
        DeepAutoencoder.load(path)


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
    with pytest.raises(ValueError, match="epochs"):
        model.pretrain(_data(10, 12), epochs=[1, 1])
    with pytest.raises(ValueError, match="corruption_level"):
        model.pretrain(_data(10, 12), corruption_level=1.5)
    with pytest.raises(ValueError, match="optimizer"):
        model.pretrain(_data(10, 12), optimizer="lbfgs")
    with pytest.raises(TypeError, match="optimizer"):
        model.finetune(_data(10, 12), 1, optimizer="adam")
    # a squared-error model accepts data outside [0, 1]
    DeepAutoencoder(numpy.random.RandomState(0), SIZES, loss="squared_error").cost_and_grads(
        numpy.full((3, 12), 2.0, dtype="float32"), rng=numpy.random.RandomState(0))
