"""dae.model_files: one file format and one loader for the six models; clear errors for bad files."""
import numpy
import pytest

import dae
from dae import model_files, registry
from dae.io import CorruptFileError, load_arrays, save_arrays


def tiny(name):
    """A tiny model of each kind, its weights moved away from their initial values."""
    rs = numpy.random.RandomState(3)
    models = {
        "dA": lambda: dae.Autoencoder(rs, n_visible=16, n_hidden=5, tied_weights=False, loss="squared_error",
                                      activation="tanh", decoder="linear", noise="gaussian", sparsity="l1"),
        "cA": lambda: dae.cA(rs, n_visible=16, n_hidden=5),
        "SdA": lambda: dae.SdA(rs, n_ins=16, hidden_layers_sizes=[6, 4], n_outs=3),
        "deep": lambda: dae.DeepAutoencoder(rs, [16, 6, 2], loss="squared_error"),
        "conv": lambda: dae.ConvAutoencoder(rs, input_shape=(3, 8, 8), channels=(2, 3, 2), code_size=4,
                                            noise="masking", output="sigmoid"),
        "vae": lambda: dae.VAE(rs, n_visible=16, n_hidden=[7, 5], n_latent=2, activation="relu"),
    }
    model = models[name]()
    for a in registry.get_model_kind(name).arrays(model).values():
        a[...] += numpy.asarray(rs.uniform(-0.1, 0.1, a.shape), dtype=a.dtype)
    return model


def host_arrays(name, model):
    return {k: numpy.array(v) for k, v in registry.get_model_kind(name).arrays(model).items()}


@pytest.mark.parametrize("name", list(registry.MODELS))
def test_every_model_round_trips_through_one_file(name, tmp_path):
    model = tiny(name)
    path = tmp_path / "m.npz"
    model_files.save_model(model, path, extra_meta={"note": "x"})
    loaded, meta = dae.load_model(path, return_meta=True)
    assert type(loaded) is type(model)
    assert meta["model"] == name and meta["note"] == "x"
    assert meta["config"] == registry.get_model_kind(name).config_of(model)
    before, after = host_arrays(name, model), host_arrays(name, loaded)
    assert set(before) == set(after)
    for key in before:
        assert before[key].dtype == after[key].dtype and numpy.array_equal(before[key], after[key]), key
    # no pickle: the file is a plain npz NumPy can open without it
    arrays, meta = load_arrays(path)
    assert set(arrays) == set(before)


@pytest.mark.parametrize("name", ["dA", "cA", "SdA", "deep", "conv", "vae"])
def test_no_model_class_has_its_own_save_or_load(name):
    """One way to save and load: dae.save_model / dae.load_model, not methods of the classes."""
    model = tiny(name)
    assert not hasattr(model, "save") and not hasattr(type(model), "load")


def test_float64_models_stay_float64(tmp_path):
    with dae.config.floatX_as("float64"):
        model = dae.VAE(numpy.random.RandomState(0), n_visible=6, n_hidden=[3], n_latent=2)
    model_files.save_model(model, tmp_path / "m.npz")
    assert dae.load_model(tmp_path / "m.npz").params[0].dtype == numpy.float64


def test_checkpoints_are_readable_as_models(tmp_path):
    model = tiny("deep")
    kind = registry.get_model_kind("deep")
    arrays = {f"param/{n}": p for n, p in zip(model.param_names, model.params)}
    save_arrays(tmp_path / "ck.npz", arrays, {"kind": "dae-checkpoint", "model": "deep",
                                              "model_config": kind.config_of(model), "dtype": "float32"})
    loaded = dae.load_model(tmp_path / "ck.npz")
    for a, b in zip(model.params, loaded.params):
        assert numpy.array_equal(a, b)
    del arrays["param/encoder_W0"]
    save_arrays(tmp_path / "bad.npz", arrays, {"kind": "dae-checkpoint", "model": "deep",
                                               "model_config": kind.config_of(model)})
    with pytest.raises(CorruptFileError, match="'param/encoder_W0' is missing"):
        dae.load_model(tmp_path / "bad.npz")


def test_a_file_without_a_model_file_kind_is_refused(tmp_path):
    save_arrays(tmp_path / "old_vae.npz", {"W": numpy.zeros((2, 2), "float32")}, {"model": "VAE", "n_latent": 2})
    with pytest.raises(CorruptFileError, match="not a model or checkpoint"):
        dae.load_model(tmp_path / "old_vae.npz")


def test_bad_files_are_one_line_errors(tmp_path):
    model_files.save_model(tiny("SdA"), tmp_path / "m.npz")
    raw = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    flipped = bytearray(raw)
    flipped[len(raw) // 3] ^= 0xFF
    (tmp_path / "flip.npz").write_bytes(bytes(flipped))
    (tmp_path / "text.npz").write_text("hello")
    numpy.savez(tmp_path / "plain.npz", W=numpy.zeros((3, 2)))
    save_arrays(tmp_path / "other.npz", {"a": numpy.zeros(3)}, {"kind": "something else"})
    save_arrays(tmp_path / "alien.npz", {"a": numpy.zeros(3)}, {"kind": "dae-model", "model": "GAN",
                                                                "config": {"n_visible": 3}})
    save_arrays(tmp_path / "badcfg.npz", {"a": numpy.zeros(3)}, {"kind": "dae-model", "model": "SdA",
                                                                 "config": {"n_visible": 3, "n_outs": -1}})
    cases = {"cut.npz": "truncated", "flip.npz": "checksum", "text.npz": "not a readable dae",
             "plain.npz": "not a dae file", "other.npz": "not a model", "alien.npz": "does not know",
             "badcfg.npz": "configuration is invalid"}
    for name, words in cases.items():
        with pytest.raises(CorruptFileError, match=words) as info:
            dae.load_model(tmp_path / name)
        assert "\n" not in str(info.value)
    with pytest.raises(FileNotFoundError):
        dae.load_model(tmp_path / "missing.npz")
    with pytest.raises(IsADirectoryError):
        dae.load_model(tmp_path)
    with pytest.raises(TypeError, match="not a model kind"):
        model_files.save_model(object(), tmp_path / "x.npz")
