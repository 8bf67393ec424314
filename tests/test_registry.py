"""dae.registry: the six kinds build from their defaults, describe themselves, and split training
into the phases the tutorials use."""
import numpy
import pytest

import dae
from dae import registry


def cfg_for(name, **kw):
    kind = registry.get_model_kind(name)
    cfg = dict(kind.defaults(), n_visible=64, epochs=2, learning_rate=0.1, batch_size=10, image_shape=[8, 8],
               seed=1)
    small = {"dA": {"n_hidden": 5}, "cA": {"n_hidden": 5}, "SdA": {"hidden_layers_sizes": [6, 4], "n_outs": 3},
             "deep": {"layer_sizes": [6, 2]}, "conv": {"channels": [2, 2, 2], "code_size": 3},
             "vae": {"hidden_layers_sizes": [5], "n_latent": 2}}
    cfg.update(small[name], **kw)
    return kind, cfg


class Data:
    def __init__(self):
        rs = numpy.random.RandomState(0)
        self.x = rs.rand(20, 64).astype(numpy.float32)
        self.y = rs.randint(0, 3, 20)
        self.valid_x, self.valid_y = self.x[:10], self.y[:10]


@pytest.mark.parametrize("name", list(registry.MODELS))
def test_each_kind_builds_encodes_reconstructs_and_knows_its_config(name):
    kind, cfg = cfg_for(name)
    model = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
    assert registry.kind_of(model) is kind
    assert kind.config_of(model) == kind.model_config(cfg)
    x = numpy.random.RandomState(1).rand(3, 64).astype(numpy.float32)
    assert kind.encode(model, x).shape[0] == 3
    assert kind.reconstruct(model, x).reshape(3, -1).shape == (3, 64)
    if kind.filters is not None:
        assert kind.filters(model).shape[1] == 64
    if kind.sample is not None:
        assert kind.sample(model, 4, dae.RandomStreams(0)).shape == (4, 64)
    # each name of the arrays a file holds is unique and every param is among them
    arrays = kind.arrays(model)
    assert all(any(a is p for a in arrays.values()) for p in model.params)


def test_single_phase_kinds_train_the_model_itself():
    for name in ("dA", "cA", "conv", "vae"):
        kind, cfg = cfg_for(name)
        model = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
        (phase,) = kind.phases(model, cfg, Data())
        assert phase.model is model and phase.epochs == 2 and phase.kind == name
    kind, cfg = cfg_for("dA")
    model = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
    assert kind.phases(model, cfg, Data())[0].rng is model.theano_rng  # the tutorial's masks


def test_SdA_pretrains_each_dA_on_the_codes_below_then_fine_tunes_with_labels():
    kind, cfg = cfg_for("SdA", pretraining_epochs=3, pretrain_lr=0.01)
    sda = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
    phases = kind.phases(sda, cfg, Data())
    assert [p.name for p in phases] == ["pretrain0", "pretrain1", "finetune"]
    for i, phase in enumerate(phases[:2]):
        assert phase.model is sda.dA_layers[i] and phase.kind == "dA" and phase.epochs == 3
        # the default levels: 0.1 per layer upwards, keywords of each layer's pretraining call
        assert phase.cost_kwargs == {"corruption_level": [0.1, 0.2][i]} and phase.learning_rate == 0.01
    assert phases[0].transform is None
    x = Data().x
    numpy.testing.assert_array_equal(phases[1].transform(x), sda.get_codes(x, layer=0))
    fine = phases[2]
    assert fine.model is sda and fine.supervised and fine.early_stopping is not None
    assert fine.early_stopping(Data()).initial_patience is None  # the tutorial's 10 epochs' worth


def test_deep_pretrains_then_unrolls_and_fine_tunes():
    kind, cfg = cfg_for("deep")
    model = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
    phases = kind.phases(model, cfg, Data())
    assert [p.name for p in phases] == ["pretrain0", "pretrain1", "finetune"]
    assert phases[0].model.W is model.encoder_W[0] and phases[1].model.W is model.encoder_W[1]
    phases[2].before(model)
    numpy.testing.assert_array_equal(model.decoder_W[0], model.encoder_W[1].T)


def test_conv_takes_the_command_lines_colour_rows_in_its_own_order():
    kind, cfg = cfg_for("conv", image_shape=[8, 8, 3], n_visible=192)
    model = kind.build(kind.model_config(cfg), numpy.random.RandomState(0))
    assert model.input_shape == (3, 8, 8)
    hwc = numpy.random.RandomState(2).rand(2, 8, 8, 3).astype(numpy.float32)
    chw = hwc.transpose(0, 3, 1, 2)
    numpy.testing.assert_array_equal(kind.to_model(hwc.reshape(2, -1), model), chw.reshape(2, -1))
    numpy.testing.assert_allclose(kind.reconstruct(model, hwc.reshape(2, -1)),
                                  model.reconstruct(chw).transpose(0, 2, 3, 1).reshape(2, -1))
    with pytest.raises(ValueError, match="needs images"):
        kind.model_config(dict(cfg, image_shape=None))


def test_options_and_lists():
    assert registry.int_list("1000, 500,30") == [1000, 500, 30]
    assert registry.float_list("0.1,0.2") == [0.1, 0.2]
    with pytest.raises(ValueError, match="comma-separated integers"):
        registry.int_list("10,x")
    with pytest.raises(ValueError, match="model must be one of"):
        registry.get_model_kind("nope")
    with pytest.raises(TypeError):
        registry.register_model("dA")
    with pytest.raises(TypeError, match="not a model kind"):
        registry.kind_of(object())
