"""dae.recipes and dae.phases: the deep autoencoder's and the SdA's multi-phase training, run
resumably, one checkpoint per phase."""
import numpy
import pytest

import dae
from dae import backend, recipes
from dae.models.deep import DeepAutoencoder
from dae.phases import run_phases

SIZES = [12, 8, 5, 3]


def deep_phases(model, rng, **kw):
    settings = dict(pretraining_epochs=2, pretrain_lr=1e-2, corruption_level=0.2, pretrain_batch_size=20, epochs=3,
                    learning_rate=1e-2, batch_size=20)
    settings.update(kw)
    return recipes.deep_autoencoder_phases(model, rng, **settings)


def host(model):
    return [backend.to_host(p).copy() for p in model.params]


# ----- the deep autoencoder --------------------------------------------------------------------
def test_pretraining_layers_share_the_encoder_arrays():
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    first, top = recipes.deep_pretraining_layer(model, 0), recipes.deep_pretraining_layer(model, 2)
    assert isinstance(first, dae.Autoencoder) and isinstance(top, dae.Autoencoder)
    assert (first.activation, top.activation) == ("sigmoid", "linear")
    assert first.W is model.encoder_W[0] and first.b is model.encoder_b[0]
    assert first.b_prime is model.visible_b[0]
    assert top.W is model.encoder_W[2] and top.b_prime is model.visible_b[2]
    with pytest.raises(ValueError, match="layer index"):
        recipes.deep_pretraining_layer(model, 3)


def test_pretraining_lowers_every_layer_cost_then_fine_tuning_starts_unrolled():
    x = (numpy.random.RandomState(0).rand(200, 12) > 0.5).astype(numpy.float32)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    encoder_before = host(model)[0:6:2]
    phases = deep_phases(model, numpy.random.RandomState(1), pretraining_epochs=6, epochs=1)
    assert [p.name for p in phases] == ["pretrain0", "pretrain1", "pretrain2", "finetune"]
    trainers, trained = run_phases(phases[:3], x, display=dae.train.Display("none"))
    assert trained
    for name, trainer in trainers.items():
        costs = [m["train_cost"] for m in trainer.history]
        assert len(costs) == 6 and costs[-1] < costs[0], name
    for i in range(3):
        assert not numpy.allclose(encoder_before[i], model.encoder_W[i])
    phases[3].before(model)
    for i in range(3):
        numpy.testing.assert_array_equal(model.decoder_W[2 - i], model.encoder_W[i].T)


def test_fine_tuning_lowers_the_squared_error_and_passes_the_trainers_options(capsys):
    x = numpy.random.RandomState(0).rand(60, 12).astype(numpy.float32)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    phases = deep_phases(model, numpy.random.RandomState(1), pretraining_epochs=0, epochs=3,
                         schedule=dae.train.schedules.exponential(1e-2, 0.5))
    assert [p.name for p in phases] == ["finetune"]
    phases[0].evaluate = lambda t: {"squared_error": model.reconstruction_error(x)}
    model.unroll()
    before = model.reconstruction_error(x)
    trainers, _ = run_phases(phases, x, valid_x=x[:10], display=dae.train.Display("plain"))
    history = trainers["finetune"].history
    assert [h["learning_rate"] for h in history] == pytest.approx([1e-2, 5e-3, 2.5e-3])
    assert all(h["valid_cost"] is not None and "squared_error" in h["extra"] for h in history)
    assert "Fine-tuning epoch 2, cost" in capsys.readouterr().out
    assert model.reconstruction_error(x) < before


def test_fine_tuning_trains_on_what_augment_returns():
    x = numpy.random.RandomState(1).rand(60, 12).astype(numpy.float32)
    calls = []

    def identity(batch, rng):
        calls.append(batch.shape[0])
        return batch

    def fit(augment):
        model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
        run_phases(deep_phases(model, numpy.random.RandomState(4), pretraining_epochs=0, epochs=2, augment=augment),
                   x, display=dae.train.Display("none"))
        return host(model)

    plain, same = fit(None), fit(identity)
    assert calls == [20] * 6  # once per minibatch, with the minibatch
    assert all(numpy.array_equal(a, b) for a, b in zip(plain, same))
    flipped = fit(lambda batch, rng: 1.0 - batch)  # a different training set: different weights
    assert not numpy.allclose(plain[0], flipped[0])


def _deep_run(x, folder=None, resume=False):
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    phases = deep_phases(model, numpy.random.RandomState(1), finetune_corruption=0.1,
                         augment=dae.augment.random_shifts(1, img_shape=(3, 4)))
    run_phases(phases, x, folder=folder, resume=resume, display=dae.train.Display("none"))
    return host(model)


# 110 rows in minibatches of 20: 12 calls per pretrained layer; the code layer is the third dA
@pytest.mark.parametrize("cls,call", [(dae.Autoencoder, 15), (dae.Autoencoder, 27), (DeepAutoencoder, 10)])
def test_an_interrupted_run_resumed_ends_with_the_uninterrupted_parameters(tmp_path, ctrl_c_at, cls, call):
    x = numpy.random.RandomState(0).rand(110, 12).astype(dae.config.floatX)
    whole = _deep_run(x)
    restore = ctrl_c_at(cls, call)   # Ctrl-C in layer 1, the code layer or fine-tuning
    with pytest.raises(dae.train.TrainingInterrupted) as info:
        _deep_run(x, tmp_path)
    assert info.value.checkpoint is not None
    restore()
    resumed = _deep_run(x, tmp_path, resume=True)
    for a, b in zip(whole, resumed):
        numpy.testing.assert_array_equal(a, b)
    # without resume the checkpoints are overwritten, not used: a fresh run, the same numbers
    for a, b in zip(whole, _deep_run(x, tmp_path)):
        numpy.testing.assert_array_equal(a, b)


def test_each_phase_prints_its_lines_and_writes_its_checkpoint(tmp_path, capsys):
    x = (numpy.random.RandomState(0).rand(40, 12) > 0.5).astype(numpy.float32)
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    phases = deep_phases(model, numpy.random.RandomState(1), pretraining_epochs=[1, 0, 2], epochs=1)
    run_phases(phases, x, folder=tmp_path, display=dae.train.Display("plain"))
    out = capsys.readouterr().out.splitlines()
    assert [line.split(", cost")[0] for line in out] == [
        "Pre-training layer 0 (12-8), epoch 0", "Pre-training layer 2 (5-3), epoch 0",
        "Pre-training layer 2 (5-3), epoch 1", "Fine-tuning epoch 0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint_finetune.npz", "checkpoint_pretrain0.npz", "checkpoint_pretrain2.npz"]
    # every checkpoint names its model: the fine-tuning's is the whole deep autoencoder
    loaded = dae.load_model(tmp_path / "checkpoint_finetune.npz")
    for a, b in zip(host(loaded), host(model)):
        numpy.testing.assert_array_equal(a, b)
    assert isinstance(dae.load_model(tmp_path / "checkpoint_pretrain0.npz"), dae.Autoencoder)


def test_bad_recipe_settings_are_refused():
    model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
    with pytest.raises(ValueError, match="pretraining_epochs"):
        deep_phases(model, numpy.random.RandomState(0), pretraining_epochs=[1, 1])
    with pytest.raises(ValueError, match="optimizer"):
        deep_phases(model, numpy.random.RandomState(0), optimizer="lbfgs")
    x = numpy.random.RandomState(0).rand(20, 12).astype(numpy.float32)
    with pytest.raises(ValueError, match="corruption_level"):
        run_phases(deep_phases(model, numpy.random.RandomState(0), corruption_level=1.5), x,
                   display=dae.train.Display("none"))


# ----- the SdA ---------------------------------------------------------------------------------
def test_sda_phases_pretrain_each_layer_on_the_codes_below_then_fine_tune_with_early_stopping():
    rs = numpy.random.RandomState(0)
    x, y = rs.rand(60, 12).astype(numpy.float32), rs.randint(0, 3, 60)
    sda = dae.SdA(numpy.random.RandomState(1), n_ins=12, hidden_layers_sizes=[6, 4], n_outs=3)
    phases = recipes.sda_phases(sda, corruption_levels=[0.1, 0.2], pretraining_epochs=2, pretrain_lr=0.1, epochs=3,
                                learning_rate=0.1, batch_size=10, validation=(x[:20], y[:20]))
    assert [p.name for p in phases] == ["pretrain0", "pretrain1", "finetune"]
    assert all(p.rng is sda.theano_rng for p in phases)
    numpy.testing.assert_array_equal(phases[1].transform(x), sda.get_codes(x, layer=0))
    trainers, _ = run_phases(phases, x, valid_x=x[:20], train_y=y, valid_y=y[:20], display=dae.train.Display("none"))
    assert len(trainers["pretrain1"].history) == 2
    es = trainers["finetune"].early_stopping
    assert es is phases[2].early_stopping and es.best == pytest.approx(sda.errors(x[:20], y[:20]))


def test_run_phases_calls_the_epoch_hook_once_per_epoch_and_the_phase_hook_once_per_phase(tmp_path):
    x = (numpy.random.RandomState(0).rand(40, 12) > 0.5).astype(numpy.float32)

    def run(resume):
        model = DeepAutoencoder(numpy.random.RandomState(0), SIZES)
        epochs, ends = [], []
        phases = deep_phases(model, numpy.random.RandomState(1), pretraining_epochs=[2, 0, 0], epochs=1)
        _, trained = run_phases(phases, x, folder=tmp_path, resume=resume, display=dae.train.Display("none"),
                                on_epoch_end=lambda p, t, m: epochs.append((p.name, m["epoch"])),
                                on_phase_end=lambda p, t: ends.append(p.name))
        return epochs, ends, trained

    assert run(False) == ([("pretrain0", 0), ("pretrain0", 1), ("finetune", 0)], ["pretrain0", "finetune"], True)
    assert run(True) == ([], ["pretrain0", "finetune"], False)   # both found finished: nothing trained
