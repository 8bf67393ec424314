"""Reliability, round three (issue 28, first part): files trusted no further than they deserve,
writes that never follow a planted link, one-line errors naming the argument or environment
variable, SIGTERM/SIGHUP saving like Ctrl-C, quiet ends on a closed pipe, images read right."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dae
from dae import cli, io as dae_io, model_files
from dae.io import CorruptFileError, load_arrays, save_arrays
from dae.registry import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
ENV.pop("DAE_FLOATX", None)
ENV.pop("DAE_BACKEND", None)


def tiny_da(**kw):
    return dae.dA(numpy.random.RandomState(0), n_visible=6, n_hidden=3, **kw)


def rewrite(path, out, arrays=None, meta=None):
    """``path``'s file written again to ``out`` with its arrays/meta changed (a valid checksum)."""
    old_arrays, old_meta = load_arrays(path)
    old_arrays.update(arrays or {})
    old_meta.update(meta or {})
    save_arrays(out, old_arrays, old_meta)
    return out


# ----- model files ---------------------------------------------------------------------------------
def test_a_future_format_version_is_refused_naming_it_and_the_version_read(tmp_path):
    raw = dae_io.to_bytes({"W": numpy.zeros((6, 3))}, {"format": "dae-npz-99", "kind": "dae-model"})
    (tmp_path / "future.npz").write_bytes(raw)
    with pytest.raises(CorruptFileError, match=r"'dae-npz-99'.*reads 'dae-npz-1'"):
        dae.load_model(tmp_path / "future.npz")


def test_an_unknown_file_kind_is_refused_naming_it(tmp_path):
    save_arrays(tmp_path / "k.npz", {"W": numpy.zeros((6, 3))}, {"kind": "dae-model-v7", "model": "dA"})
    with pytest.raises(CorruptFileError, match=r"'dae-model-v7'.*'dae-model'"):
        dae.load_model(tmp_path / "k.npz")


def test_an_unknown_config_key_is_refused_naming_it(tmp_path):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    cfg = load_arrays(tmp_path / "m.npz")[1]["config"]
    rewrite(tmp_path / "m.npz", tmp_path / "ln.npz", meta={"config": dict(cfg, layer_norm=True)})
    with pytest.raises(CorruptFileError, match="'layer_norm'"):
        dae.load_model(tmp_path / "ln.npz")
    assert cli.main(["info", str(tmp_path / "ln.npz")]) == 1


def test_extra_arrays_are_refused_naming_them(tmp_path):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    rewrite(tmp_path / "m.npz", tmp_path / "x.npz", arrays={"backdoor": numpy.zeros(3)})
    with pytest.raises(CorruptFileError, match="backdoor"):
        dae.load_model(tmp_path / "x.npz")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(big=st.floats(min_value=3.5e38, max_value=1e308), where=st.integers(0, 17), sign=st.sampled_from([1, -1]))
def test_float64_values_beyond_float32_are_refused_not_cast_to_inf(tmp_path, big, where, sign):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    W = numpy.zeros((6, 3), dtype=numpy.float64)
    W.flat[where] = sign * big
    rewrite(tmp_path / "m.npz", tmp_path / "big.npz", arrays={"W": W})
    with pytest.raises(CorruptFileError, match=r"'W'.*float32"):
        dae.load_model(tmp_path / "big.npz")


def test_a_huge_configuration_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    cfg = load_arrays(tmp_path / "m.npz")[1]["config"]
    rewrite(tmp_path / "m.npz", tmp_path / "huge.npz", meta={"config": dict(cfg, n_hidden=10 ** 12)})
    built = []
    monkeypatch.setattr(model_files, "build_model", lambda *a, **k: built.append(a))
    with pytest.raises(CorruptFileError, match=r"'W' has shape \(6, 3\).*\(6, 1000000000000\)"):
        dae.load_model(tmp_path / "huge.npz")
    assert built == []


def _small_configs():
    sizes = st.integers(1, 5)
    return st.one_of(
        st.builds(lambda n, h, tied: ("dA", {"n_visible": n, "n_hidden": h, "tied_weights": tied}), sizes, sizes,
                  st.booleans()),
        st.builds(lambda n, h: ("cA", {"n_visible": n, "n_hidden": h}), sizes, sizes),
        st.builds(lambda n, hs, o: ("SdA", {"n_visible": n, "hidden_layers_sizes": hs, "n_outs": o}), sizes,
                  st.lists(sizes, min_size=1, max_size=3), st.integers(2, 4)),
        st.builds(lambda n, ls: ("deep", {"n_visible": n, "layer_sizes": ls}), sizes,
                  st.lists(sizes, min_size=1, max_size=3)),
        st.builds(lambda n, hs, z: ("vae", {"n_visible": n, "hidden_layers_sizes": hs, "n_latent": z}), sizes,
                  st.lists(sizes, min_size=1, max_size=3), sizes),
        st.builds(lambda c, h, w, ch, code: ("conv", {"n_visible": c * 4 * h * 4 * w, "input_shape": [c, 4 * h, 4 * w],
                                                      "channels": ch, "code_size": code, "kernel_sizes": [3, 1, 3]}),
                  st.sampled_from([1, 3]), st.integers(1, 3), st.integers(1, 3),
                  st.lists(st.integers(1, 3), min_size=3, max_size=3), sizes))


@settings(max_examples=40, deadline=None)
@given(case=_small_configs())
def test_the_shapes_checked_before_building_are_the_built_models(case):
    name, cfg = case
    model = model_files.build_model(name, cfg)
    full = dict(MODELS[name].defaults(), **cfg)
    built = {k: tuple(v.shape) for k, v in MODELS[name].arrays(model).items()}
    assert model_files.expected_arrays(name, full) == built


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_small_configs(), grow=st.integers(1, 10 ** 9))
def test_any_enlarged_size_in_a_file_is_refused_before_building(tmp_path, monkeypatch, case, grow):
    name, cfg = case
    dae.save_model(model_files.build_model(name, cfg), tmp_path / "m.npz")
    stored = load_arrays(tmp_path / "m.npz")[1]["config"]
    key = {"dA": "n_hidden", "cA": "n_hidden", "SdA": "n_outs", "deep": "layer_sizes", "vae": "n_latent",
           "conv": "code_size"}[name]
    stored[key] = [v + grow for v in stored[key]] if isinstance(stored[key], list) else stored[key] + grow
    rewrite(tmp_path / "m.npz", tmp_path / "grown.npz", meta={"config": stored})
    with monkeypatch.context() as m:
        m.setattr(model_files, "build_model", lambda *a, **k: pytest.fail("built before its arrays were checked"))
        with pytest.raises(CorruptFileError, match="grown.npz: parameter .* has shape"):
            dae.load_model(tmp_path / "grown.npz")


def test_load_model_of_none_names_the_argument():
    with pytest.raises(TypeError, match="path must be a file name.*None"):
        dae.load_model(None)


# ----- atomic writes -------------------------------------------------------------------------------
def test_saving_onto_a_folder_names_the_folder_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    for path in (target, str(target) + os.sep):
        with pytest.raises(IsADirectoryError, match="run.*is a folder"):
            dae.save_model(tiny_da(), path)
    assert os.listdir(tmp_path) == ["run"] and os.listdir(target) == []


def test_a_checkpoint_path_that_is_a_folder_names_it(tmp_path):
    from dae.train import Trainer

    from dae.optim import SGD

    trainer = Trainer(tiny_da(), SGD(0.1), batch_size=4, checkpoint_path=str(tmp_path), progress=False,
                      cost_kwargs={"corruption_level": 0.0})
    x = numpy.random.RandomState(0).rand(8, 6)
    with pytest.raises(IsADirectoryError, match=f"{tmp_path}.*folder"):
        trainer.fit(x, epochs=1)
    assert os.listdir(tmp_path) == []
    assert not [f for f in os.listdir(os.path.dirname(tmp_path)) if f.endswith(".tmp")]


def test_saving_where_no_file_can_be_created_names_the_target(tmp_path):
    os.chmod(tmp_path, 0o500)
    try:
        target = "/proc/m.npz" if os.geteuid() == 0 else str(tmp_path / "m.npz")
        with pytest.raises(OSError) as info:
            dae.save_model(tiny_da(), target)
        assert target in str(info.value) and ".tmp" not in str(info.value)
    finally:
        os.chmod(tmp_path, 0o700)


def test_writes_replace_a_planted_symlink_instead_of_following_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "m.npz").symlink_to(victim)
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "m.npz").is_symlink()
    assert isinstance(dae.load_model(tmp_path / "m.npz"), dae.dA)
