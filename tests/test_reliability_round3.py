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
    return dae.Autoencoder(numpy.random.RandomState(0), n_visible=6, n_hidden=3, **kw)


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
    from dae.optim import SGD
    from dae.train import Checkpointing, Display, Trainer

    trainer = Trainer(tiny_da(), SGD(0.1), batch_size=4, checkpoint=Checkpointing(str(tmp_path)),
                      display=Display("none"),
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
    assert isinstance(dae.load_model(tmp_path / "m.npz"), dae.Autoencoder)


# ----- SIGTERM and SIGHUP save like Ctrl-C -----------------------------------------------------------
def _labelled_data(folder):
    rs = numpy.random.RandomState(0)
    numpy.save(folder / "x.npy", (rs.rand(300, 16) * (rs.rand(300, 16) < 0.5)).astype(numpy.float32))
    numpy.save(folder / "y.npy", rs.randint(0, 3, 300))


SIGNAL_RUNS = {
    "deep": ["--model", "deep", "--layer-sizes", "8,4"],
    "SdA": ["--model", "SdA", "--labels", "y.npy", "--valid-fraction", "0.1", "--hidden-layers-sizes", "8,4"],
    "dA": ["--model", "dA", "--n-hidden", "5", "--shuffle"],
}
SIGNAL_CASES = [("deep", "SIGTERM"), ("SdA", "SIGTERM")] + ([("dA", "SIGHUP")] if hasattr(signal, "SIGHUP") else [])


@pytest.mark.parametrize("model,signame", SIGNAL_CASES)
def test_sigterm_and_sighup_save_a_checkpoint_and_resume_bit_identically(tmp_path, model, signame):
    _labelled_data(tmp_path)
    args = ["train", "--data", "x.npy", *SIGNAL_RUNS[model], "--epochs", "5", "--batch-size", "1", "--seed", "4",
            "--no-plots"] + (["--pretraining-epochs", "2"] if model != "dA" else [])
    reference = subprocess.run([sys.executable, "-m", "dae", *args, "--quiet", "--output-dir", "full"], env=ENV,
                               cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert reference.returncode == 0, reference.stderr
    proc = subprocess.Popen([sys.executable, "-m", "dae", *args, "--output-dir", "part"], env=ENV, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    first = tmp_path / "part" / ("checkpoint.npz" if model == "dA" else "checkpoint_pretrain0.npz")
    while proc.poll() is None and time.time() < deadline and not first.exists():
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(getattr(signal, signame))
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    # 0: it had finished before the signal came; -signum: the signal came as the finished command's
    # interpreter shut down, after dae had put the default handlers back (the model was saved)
    if proc.returncode == -getattr(signal, signame):
        assert (tmp_path / "part" / "model.npz").exists() and err == ""
    elif proc.returncode != 0:
        assert proc.returncode == 128 + getattr(signal, signame), (proc.returncode, err)
        assert err.count("\n") == 1 and "interrupted" in err and f"--resume part" in err, err
    resumed = subprocess.run([sys.executable, "-m", "dae", "train", "--resume", "part", "--quiet", "--no-plots"],
                             env=ENV, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = load_arrays(tmp_path / "full" / "model.npz")[0], load_arrays(tmp_path / "part" / "model.npz")[0]
    assert sorted(a) == sorted(b)
    for name in a:
        assert numpy.array_equal(a[name], b[name]), name


def test_a_sigterm_in_the_training_loop_is_deferred_to_the_end_of_the_minibatch():
    from dae.train.interrupt import DeferredInterrupt

    steps = []
    with pytest.raises(KeyboardInterrupt):
        with DeferredInterrupt() as interrupt:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
            steps.append("finished the minibatch")     # the first signal only asks
            assert interrupt.requested and interrupt.signum == signal.SIGTERM
        steps.append("never")                          # a request is never dropped at the end of a loop
    assert steps == ["finished the minibatch"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    with pytest.raises(KeyboardInterrupt):
        with DeferredInterrupt():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGTERM)       # a second one raises at once
            time.sleep(0.01)
            steps.append("never")
    assert steps == ["finished the minibatch"]


# ----- closed pipes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["info", "m.npz"], ["exercises", "list"], ["exercises", "check", "--solutions",
                                                                                   "dA_gradients"]])
def test_output_to_a_closed_pipe_ends_quietly(tmp_path, command):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    proc = subprocess.Popen([sys.executable, "-m", "dae", *command], env=ENV, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()       # the reader is gone before anything is written (`| head` that exited)
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == "" and proc.returncode == 141, (proc.returncode, err)


# ----- environment variables -------------------------------------------------------------------------
@pytest.mark.parametrize("variable,value,accepts", [("DAE_FLOATX", "float16", "float32 or float64"),
                                                    ("DAE_FLOATX", "int8", "float32 or float64"),
                                                    ("DAE_BACKEND", "bogus", "numpy or cupy"),
                                                    ("DAE_BACKEND", "cupy", "numpy or cupy")])
def test_a_bad_environment_variable_is_one_line_naming_it(tmp_path, variable, value, accepts):
    env = dict(ENV, **{variable: value})
    if value == "cupy":
        try:
            import cupy  # noqa: F401
            pytest.skip("CuPy is installed here")
        except ImportError:
            pass
    for argv in (["-m", "dae", "info", "m.npz"], ["-m", "dae", "--help"]):
        proc = subprocess.run([sys.executable, *argv], env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert f"{variable}={value!r}" in proc.stderr and accepts in proc.stderr, proc.stderr
    proc = subprocess.run([sys.executable, "-c", "try:\n    import dae\nexcept ValueError as e:\n    print(e)"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert variable in proc.stdout and accepts in proc.stdout, proc


# ----- writes never follow a planted symlink ---------------------------------------------------------
def test_a_forced_workbook_start_replaces_planted_symlinks_and_leaves_their_targets_alone(tmp_path):
    from dae.exercises import workbook

    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    wb = tmp_path / "wb"
    workbook.start(wb)
    names = workbook.template_files() + [workbook.MARKER]
    for name in names:
        (wb / name).unlink()
        (wb / name).symlink_to(outside)
    assert cli.main(["exercises", "start", str(wb), "--force"]) == 0
    assert outside.read_text() == "precious"
    for name in names:
        assert not (wb / name).is_symlink() and (wb / name).stat().st_size > 0, name
    assert (wb / "README.md").read_bytes() == open(os.path.join(workbook.TEMPLATES, "README.md"), "rb").read()


def test_run_files_and_outputs_replace_planted_symlinks(tmp_path):
    _labelled_data(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    run = tmp_path / "run"
    (run / "figures").mkdir(parents=True)
    for name in ("model.npz", "checkpoint.npz", "config.json", "metrics.json", "figures/learning_curves.png"):
        (run / name).symlink_to(outside)
    (tmp_path / "codes.npy").symlink_to(outside)
    assert cli.main(["train", "--data", str(tmp_path / "x.npy"), "--n-hidden", "3", "--epochs", "1", "--quiet",
                     "--output-dir", str(run), "--overwrite"]) == 0
    assert cli.main(["encode", str(run), str(tmp_path / "x.npy"), "-o", str(tmp_path / "codes.npy"), "--overwrite",
                     "--quiet"]) == 0
    assert outside.read_text() == "precious"
    assert numpy.load(tmp_path / "codes.npy").shape == (300, 3)
    for name in ("model.npz", "checkpoint.npz", "config.json", "metrics.json", "figures/learning_curves.png"):
        assert not (run / name).is_symlink(), name


# ----- inputs refused in one line naming the argument -------------------------------------------------
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_a_numpy_matrix_is_refused_naming_the_argument():
    da = dae.dA(numpy.random.RandomState(0), n_visible=20, n_hidden=4)
    x = numpy.matrix(numpy.random.RandomState(1).rand(40, 20))
    with pytest.raises(TypeError, match=r"x must be a numpy.ndarray, got a numpy.matrix.*numpy.asarray\(x\)"):
        da.cost_and_grads(x, rng=numpy.random.RandomState(0), corruption_level=0.1)
    from dae.optim import SGD
    from dae.train import Display, Trainer

    with pytest.raises(TypeError, match="train_x must be a numpy.ndarray, got a numpy.matrix"):
        Trainer(da, SGD(0.1), display=Display("none")).fit(x, 1)


@settings(max_examples=40, deadline=None)
@given(excess=st.floats(min_value=1e-15, max_value=1e-3), dtype=st.sampled_from(["float32", "float64"]),
       low=st.floats(min_value=1e-6, max_value=0.5))
def test_a_value_just_outside_the_unit_interval_is_shown_outside_it(excess, dtype, low):
    x = numpy.full((4, 5), 0.5, dtype=dtype)
    x[0, 0], x[1, 1] = 1 + excess, low
    hi, lo = float(x.max()), float(x.min())
    if hi <= 1.0:
        return   # 1 + excess rounds to 1 in this dtype: nothing to report
    from dae.validation import check_data, check_matrix

    for check in (lambda: check_data(x, "train_x", unit_interval=True),
                  lambda: check_matrix(x, "x", unit_interval=True)):
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\]") as info:
            check()
        shown = str(info.value).split("got values in [")[1].split("]")[0].split(", ")
        assert float(shown[1]) > 1.0 and float(shown[1]) == pytest.approx(hi, rel=1e-6), info.value
        assert float(shown[0]) == pytest.approx(lo, rel=1e-5), info.value


def test_apply_updates_refuses_a_wrong_shape_or_a_non_array_before_changing_anything():
    W, b = numpy.zeros((3, 2)), numpy.zeros(2)
    with pytest.raises(ValueError, match=r"updates\[1\].*shape \(3,\).*\(2,\)"):
        dae.apply_updates([(W, numpy.ones((3, 2))), (b, numpy.ones(3))])
    assert not W.any()
    for bad in ([(W, 1.0)], [(W,)], [W], [(W, [[1, 2]] * 3)]):
        with pytest.raises(TypeError, match=r"updates\[0\] must be a \(param, new_value\) pair of arrays"):
            dae.apply_updates(bad)
    dae.apply_updates([(W, numpy.ones((3, 2)))])
    assert W.all()


# ----- data read right -------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 16), top=st.integers(256, 65535))
def test_a_folder_of_16_bit_grey_pngs_is_scaled_by_its_own_range_not_clipped(tmp_path, seed, top):
    from PIL import Image
    from dae.cli.datasets import load_dataset

    folder = tmp_path / f"g16_{seed}_{top}"
    folder.mkdir()
    rs = numpy.random.RandomState(seed)
    pixels = [rs.randint(0, top + 1, size=(6, 5)).astype(numpy.uint16) for _ in range(3)]
    for i, a in enumerate(pixels):
        Image.fromarray(a).save(folder / f"{i}.png")
    data = load_dataset(str(folder))
    assert data.image_shape == (6, 5)
    expected = numpy.stack([a.reshape(-1) / 65535.0 for a in pixels])
    numpy.testing.assert_allclose(data.x, expected, rtol=1e-6, atol=1e-7)


def test_rgba_images_say_in_one_line_that_the_alpha_is_dropped(tmp_path, capsys):
    from PIL import Image
    from dae.cli.datasets import load_dataset

    rs = numpy.random.RandomState(0)
    rgba = (rs.rand(2, 4, 4, 4) * 255).astype(numpy.uint8)
    for i, a in enumerate(rgba):
        Image.fromarray(a, "RGBA").save(tmp_path / f"{i}.png")
    data = load_dataset(str(tmp_path))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "alpha channel" in err and "dropped" in err and str(tmp_path) in err
    assert data.image_shape == (4, 4, 3)
    numpy.testing.assert_allclose(data.x, rgba[..., :3].reshape(2, -1) / 255.0, rtol=1e-6)


def test_encode_refuses_0_255_data_through_a_cross_entropy_model_as_training_would(tmp_path, capsys):
    dae.save_model(tiny_da(), tmp_path / "m.npz")
    numpy.save(tmp_path / "pixels.npy", numpy.random.RandomState(0).randint(0, 256, (5, 6)).astype(numpy.float32))
    for command in ("encode", "reconstruct"):
        rc = cli.main([command, str(tmp_path / "m.npz"), str(tmp_path / "pixels.npy"), "-o", str(tmp_path / "o.npy")])
        err = capsys.readouterr().err
        assert rc == 1 and "pixels.npy" in err and "must lie in [0, 1]" in err, err
        assert not (tmp_path / "o.npy").exists()
    squared = dae.Autoencoder(numpy.random.RandomState(0), n_visible=6, n_hidden=3, loss="squared_error", decoder="linear")
    dae.save_model(squared, tmp_path / "sq.npz")
    assert cli.main(["encode", str(tmp_path / "sq.npz"), str(tmp_path / "pixels.npy"), "-o",
                     str(tmp_path / "o.npy"), "--quiet"]) == 0


@pytest.mark.parametrize("bad", [None, 5, "seed", object()])
def test_a_missing_or_wrong_rng_names_the_argument(bad):
    x = numpy.random.RandomState(0).rand(4, 6)
    models = [(tiny_da(), {"corruption_level": 0.3}),
              (tiny_da(noise="gaussian"), {"corruption_level": 0.3}),
              (tiny_da(noise="salt_and_pepper"), {"corruption_level": 0.3}),
              (tiny_da(), {"corruption_level": 0.0, "dropout": 0.5}),
              (dae.dA(numpy.random.RandomState(0), n_visible=6, n_hidden=3), {"corruption_level": 0.3})]
    for model, levels in models:
        with pytest.raises(TypeError, match=f"rng must be a random generator.*got {type(bad).__name__}"):
            model.cost_and_grads(x, rng=bad, **levels)


def test_encode_refuses_float64_values_a_float32_model_cannot_hold(tmp_path, capsys):
    squared = dae.Autoencoder(numpy.random.RandomState(0), n_visible=6, n_hidden=3, loss="squared_error", decoder="linear")
    dae.save_model(squared, tmp_path / "sq.npz")
    x = numpy.zeros((5, 6))
    x[4, 5] = -1e300
    numpy.save(tmp_path / "big.npy", x)
    rc = cli.main(["encode", str(tmp_path / "sq.npz"), str(tmp_path / "big.npy"), "-o", str(tmp_path / "o.npy")])
    err = capsys.readouterr().err
    assert rc == 1 and "big.npy" in err and "float32" in err and "1e+300" in err, err
    assert not (tmp_path / "o.npy").exists()


@pytest.mark.parametrize("call", [lambda: dae.save_model(tiny_da(), None), lambda: dae_io.load_arrays(None),
                                  lambda: dae_io.save_arrays(3, {"a": numpy.zeros(2)})])
def test_a_path_that_is_not_a_file_name_names_the_argument(call):
    with pytest.raises(TypeError, match="path must be a file name"):
        call()


def test_patches_take_a_generator_and_name_what_is_wrong(tmp_path):
    from dae import patches

    image = numpy.random.RandomState(0).rand(3, 10, 12).astype(numpy.float32)
    out = patches.sample_patches([image], 7, patch_size=4, rng=numpy.random.default_rng(0))
    assert out.shape == (7, 3, 4, 4)
    again = patches.sample_patches([image], 7, patch_size=4, rng=numpy.random.default_rng(0))
    assert numpy.array_equal(out, again)
    with pytest.raises(TypeError, match=r"images\[1\] must be a \(3, height, width\) array, got list"):
        patches.sample_patches([image, [[1, 2]]], 2, patch_size=4)
    (tmp_path / "fake.png").write_text("not a picture")
    with pytest.raises(ValueError, match="fake.png is not a readable image"):
        patches.load_image(str(tmp_path / "fake.png"))


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")
def test_an_ignored_sighup_stays_ignored_as_under_nohup():
    from dae.train.interrupt import DeferredInterrupt

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with DeferredInterrupt() as interrupt:
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.01)
            assert not interrupt.requested
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert cli.main(["exercises", "list"]) == 0
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_load_data_of_something_that_is_no_path_names_the_argument():
    with pytest.raises(TypeError, match="path must be None, a folder of MNIST IDX files or a mnist.pkl.gz"):
        dae.load_data(5)
