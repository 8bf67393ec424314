"""dae train with the dA family's options and with --model cA: run folders, model files, encode,
reconstruct, info, resume and one-line errors for combinations that make no sense."""
import json
import os

import numpy
import pytest

import dae
from dae import cli, registry
from dae.io import load_arrays

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, SIDE = 200, 6
D = SIDE * SIDE


def unit_data(seed=0):
    """(N, SIDE, SIDE) float32 in [0, 1]: a bright bar on a dim ground."""
    rs = numpy.random.RandomState(seed)
    x = rs.rand(N, SIDE, SIDE).astype(numpy.float32) * 0.2
    for i in range(N):
        x[i, rs.randint(SIDE), :] = 0.9
    return x


def real_data(seed=1):
    """Standardised-looking features, far outside [0, 1]."""
    return (numpy.random.RandomState(seed).randn(N, D) * 2.0).astype(numpy.float32)


def run(capsys, *argv):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


BASE = ("train", "--epochs", "2", "--batch-size", "30", "--n-hidden", "8", "--seed", "5", "--valid-fraction", "0.2",
        "--quiet")


@pytest.fixture
def files(tmp_path):
    numpy.save(tmp_path / "unit.npy", unit_data())
    numpy.save(tmp_path / "real.npy", real_data())
    return tmp_path


def relu(a):
    return numpy.maximum(a, 0)


def sigmoid(a):
    return 1.0 / (1.0 + numpy.exp(-a))


# name -> (data file, flags, expected config entries, expected (codes, recon) from the loaded params)
VARIANTS = {
    "untied_squared_relu": (
        "real.npy",
        ("--no-tied-weights", "--loss", "squared_error", "--activation", "relu", "--decoder", "linear",
         "--optimizer", "adam", "--learning-rate", "0.001", "--noise", "gaussian", "--corruption-level", "0.5"),
        {"tied_weights": False, "loss": "squared_error", "activation": "relu", "decoder": "linear",
         "noise": "gaussian", "corruption_level": 0.5},
        lambda p, x: (relu(x @ p["W"] + p["b"]), relu(x @ p["W"] + p["b"]) @ p["W_prime"] + p["b_prime"])),
    "sparse_kl": (
        "unit.npy",
        ("--sparsity", "kl", "--sparsity-target", "0.2", "--sparsity-weight", "0.5"),
        {"sparsity": "kl", "sparsity_target": 0.2, "sparsity_weight": 0.5, "tied_weights": True},
        lambda p, x: (sigmoid(x @ p["W"] + p["b"]), sigmoid(sigmoid(x @ p["W"] + p["b"]) @ p["W"].T + p["b_prime"]))),
    "dropout": (
        "unit.npy",
        ("--dropout", "0.5", "--activation", "tanh", "--loss", "squared_error"),
        {"dropout": 0.5, "activation": "tanh", "loss": "squared_error", "decoder": "sigmoid", "sparsity": None},
        lambda p, x: (numpy.tanh(x @ p["W"] + p["b"]),
                      sigmoid(numpy.tanh(x @ p["W"] + p["b"]) @ p["W"].T + p["b_prime"]))),
    "cA": (
        "unit.npy",
        ("--model", "cA", "--contraction-level", "0.3", "--learning-rate", "0.05"),
        {"model": "cA", "contraction_level": 0.3},
        lambda p, x: (sigmoid(x @ p["W"] + p["b"]), sigmoid(sigmoid(x @ p["W"] + p["b"]) @ p["W"].T + p["b_prime"]))),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_trains_saves_encodes_and_describes_itself(name, files, capsys):
    data, flags, expected, forward = VARIANTS[name]
    run_dir = files / name
    rc, out, err = run(capsys, *BASE, "--data", files / data, *flags, "--output-dir", run_dir, "--no-plots")
    assert rc == 0, err
    for f in ("model.npz", "config.json", "metrics.json", "checkpoint.npz"):
        assert (run_dir / f).exists(), f
    cfg = json.loads((run_dir / "config.json").read_text())
    for key, value in expected.items():
        assert cfg[key] == value, (key, cfg[key])
    metrics = json.loads((run_dir / "metrics.json").read_text())["epochs"]
    assert len(metrics) == 2 and all(numpy.isfinite(m["train_cost"]) and m["valid_cost"] is not None for m in metrics)

    # the model file holds the options: load_model rebuilds the same kind of model
    model, meta = dae.load_model(run_dir / "model.npz", return_meta=True)
    assert type(model) is registry.get_model_kind(cfg["model"]).model_class
    for key in meta["config"]:
        if key not in ("n_visible", "n_hidden"):
            assert getattr(model, key) == cfg[key], key
    params, _ = load_arrays(run_dir / "model.npz")
    if cfg.get("tied_weights", True):
        assert sorted(params) == ["W", "b", "b_prime"]
    else:
        assert sorted(params) == ["W", "W_prime", "b", "b_prime"]
        assert params["W_prime"].shape == (8, D) and not numpy.allclose(params["W_prime"], params["W"].T)

    # encode / reconstruct on the saved model use these options (activation, untied decoder, ...)
    x = numpy.load(files / data).reshape(N, D).astype(numpy.float64)
    p = {k: v.astype(numpy.float64) for k, v in params.items()}
    codes, recon = forward(p, x)
    rc, out, err = run(capsys, "encode", run_dir / "model.npz", files / data, "-o", files / f"{name}_codes.npy")
    assert rc == 0, err
    assert numpy.allclose(numpy.load(files / f"{name}_codes.npy"), codes, atol=1e-5)
    rc, out, err = run(capsys, "reconstruct", run_dir, files / data, "-o", files / f"{name}_recon.npy",
                       "--batch-size", "64")
    assert rc == 0, err
    assert numpy.allclose(numpy.load(files / f"{name}_recon.npy"), recon, atol=1e-4)

    rc, out, err = run(capsys, "info", run_dir / "model.npz")
    assert rc == 0, err
    line = next(line for line in out.splitlines() if line.startswith("model:"))
    assert line.split()[1] == cfg["model"]
    saved = json.loads(line.split(None, 2)[2])
    for key in expected:
        if key in saved:
            assert saved[key] == expected[key], key
    assert set(saved) == {"n_visible"} | set(registry.get_model_kind(cfg["model"]).options)


def test_the_default_dA_is_the_tutorials_to_float32_rounding(tmp_path, capsys):
    """The tutorial's command line (dae.Autoencoder with its defaults) against the tutorial's own
    code path (tutorials/dA_tutorial.py: dae.dA, RandomState(123), theano_rng drawn first,
    get_cost_updates + apply_updates), on 400 digits: the same draws, the same numbers to float32
    rounding (the layers sum the same terms in another order)."""
    from dae.tutorial import run_script

    rc, out, err = run(capsys, "train", "--model", "dA", "--data", "mnist", "--n-train", "400", "--epochs", "2",
                       "--batch-size", "20", "--learning-rate", "0.1", "--optimizer", "sgd", "--seed", "123",
                       "--n-hidden", "500", "--corruption-level", "0.3", "--output-dir", tmp_path / "d", "--no-plots")
    assert rc == 0, err
    cfg = json.loads((tmp_path / "d" / "config.json").read_text())
    assert (cfg["tied_weights"], cfg["loss"], cfg["activation"], cfg["decoder"], cfg["noise"], cfg["sparsity"],
            cfg["dropout"]) == (True, "cross_entropy", "sigmoid", "sigmoid", "masking", None, 0.0)
    tutorial = run_script(os.path.join(ROOT, "tutorials", "dA_tutorial.py"),
                          ["--n-train", "400", "--training-epochs", "2", "--output-folder", tmp_path / "t"])
    assert tutorial["fast"] is False  # the readable path: get_cost_updates + apply_updates
    tutorial_lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Training epoch")]
    # (mnist brings its validation set: the command line adds the validation cost to each line)
    printed = [line.split(", validation")[0] for line in out.splitlines() if line.startswith("Training epoch")]
    assert [line.split(",")[0] for line in printed] == [line.split(",")[0] for line in tutorial_lines[2:]]
    costs = [float(line.split()[-1]) for line in printed]
    assert costs == pytest.approx(tutorial["costs_noisy"], rel=1e-6)  # the second run: corruption_level 0.3
    saved, _ = load_arrays(tmp_path / "d" / "model.npz")
    da = tutorial["da_noisy"]
    for name, param in zip(da.param_names, da.params):
        numpy.testing.assert_allclose(saved[name], param, rtol=0, atol=1e-5, err_msg=name)


def test_dropout_validation_cost_is_the_test_time_models(files, capsys):
    rc, out, err = run(capsys, *BASE, "--data", files / "unit.npy", "--dropout", "0.5", "--output-dir", files / "r",
                       "--no-plots")
    assert rc == 0, err
    assert json.loads((files / "r" / "config.json").read_text())["dropout"] == 0.5
    model = dae.load_model(files / "r" / "model.npz")
    valid = unit_data().reshape(N, D)[N - 40:]
    last = json.loads((files / "r" / "metrics.json").read_text())["epochs"][-1]["valid_cost"]
    clean, _ = model.cost_and_grads(valid, corruption_level=0.0, rng=numpy.random.RandomState(0))
    dropped, _ = model.cost_and_grads(valid, corruption_level=0.0, dropout=0.5, rng=numpy.random.RandomState(0))
    assert last == pytest.approx(float(clean), rel=1e-6) and abs(float(dropped) - float(clean)) > 1e-3


def test_cA_trains_with_a_partial_last_minibatch(files, capsys):
    # 160 training rows in minibatches of 30: the last has 10
    rc, out, err = run(capsys, *BASE, "--data", files / "unit.npy", "--model", "cA", "--output-dir", files / "c",
                       "--no-plots")
    assert rc == 0, err
    cfg = json.loads((files / "c" / "config.json").read_text())
    assert cfg["contraction_level"] == 0.1 and "corruption_level" not in cfg and "loss" not in cfg
    model = dae.load_model(files / "c" / "model.npz")
    assert isinstance(model, dae.cA)
    valid = unit_data().reshape(N, D)[N - 40:]
    cost, _ = model.cost_and_grads(valid, contraction_level=0.1, rng=numpy.random.RandomState(0))
    last = json.loads((files / "c" / "metrics.json").read_text())["epochs"][-1]["valid_cost"]
    assert last == pytest.approx(float(cost), rel=1e-6)


def test_resume_of_an_untied_dropout_run_is_bit_identical(files, capsys):
    flags = ("--data", files / "unit.npy", "--no-tied-weights", "--dropout", "0.3", "--noise", "salt_and_pepper",
             "--sparsity", "l1", "--optimizer", "momentum", "--shuffle", "--no-plots")
    assert run(capsys, *BASE, *flags, "--output-dir", files / "full")[0] == 0
    part = list(BASE)
    part[2] = "1"
    rc, out, err = run(capsys, *part, *flags, "--output-dir", files / "part")
    assert rc == 0, err
    # flags that repeat the saved configuration are accepted, a different one is refused
    rc, out, err = run(capsys, "train", "--resume", files / "part", "--epochs", "2", "--no-tied-weights",
                       "--sparsity", "l1", "--quiet", "--no-plots")
    assert rc == 0, err
    a, _ = load_arrays(files / "full" / "model.npz")
    b, _ = load_arrays(files / "part" / "model.npz")
    assert sorted(a) == ["W", "W_prime", "b", "b_prime"]
    assert all(numpy.array_equal(a[k], b[k]) for k in a)
    for argv, words in ((("--tied-weights",), "--tied-weights differs from the run's saved --no-tied-weights"),
                        (("--sparsity", "none"), "--sparsity none differs from the run's saved --sparsity l1"),
                        (("--contraction-level", "0.2"), "does not apply to this run's --model dA")):
        rc, out, err = run(capsys, "train", "--resume", files / "part", "--epochs", "3", *argv)
        assert rc == 1 and words in err and err.count("\n") == 1, err


def test_resume_of_a_run_saved_before_the_family_options(files, capsys):
    run_dir = files / "old"
    rc, out, err = run(capsys, *BASE[:2], "1", *BASE[3:], "--data", files / "unit.npy", "--output-dir", run_dir,
                       "--no-plots")
    assert rc == 0, err
    cfg = json.loads((run_dir / "config.json").read_text())
    for key in registry.DA_FAMILY:
        del cfg[key]
    (run_dir / "config.json").write_text(json.dumps(cfg))
    rc, out, err = run(capsys, "train", "--resume", run_dir, "--epochs", "2", "--quiet", "--no-plots")
    assert rc == 0, err
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["tied_weights"] is True and cfg["sparsity"] is None and cfg["loss"] == "cross_entropy"


@pytest.mark.parametrize("flags,words,code", [
    (("--decoder", "linear"), "--model dA: loss='cross_entropy' needs decoder='sigmoid'", 1),
    (("--sparsity", "kl", "--activation", "tanh"), "sparsity='kl' needs activation='sigmoid'", 1),
    (("--sparsity-target", "0.1"), "--sparsity-target applies only with --sparsity kl", 1),
    (("--sparsity", "l1", "--sparsity-target", "0.1"), "only with --sparsity kl (got --sparsity l1)", 1),
    (("--dropout", "1"), "dropout must be in [0.0, 1.0)", 1),
    (("--model", "cA", "--noise", "gaussian"), "--noise does not apply to --model cA", 1),
    (("--model", "cA", "--contraction-level", "-1"), "contraction_level", 1),
    (("--sparsity", "kl", "--sparsity-target", "1.5"), "sparsity_target", 1),
    (("--sparsity", "l2"), "invalid choice 'l2' (choose from none, l1, kl)", 2),
])
def test_invalid_combinations_are_one_line_errors(files, capsys, flags, words, code):
    argv = [str(a) for a in (*BASE, "--data", files / "unit.npy", *flags, "--output-dir", files / "bad")]
    if code == 2:
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        rc = info.value.code
        err = capsys.readouterr().err
    else:
        rc, out, err = run(capsys, *argv)
    assert rc == code and words in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (files / "bad").exists()


def test_the_unit_interval_check_follows_the_loss(files, capsys):
    rc, out, err = run(capsys, *BASE, "--data", files / "real.npy", "--output-dir", files / "ce")
    assert rc == 1 and "[0, 1] for the cross-entropy" in err and not (files / "ce").exists()
    assert "--loss squared_error --decoder linear" in err and err.count("\n") == 1
    rc, out, err = run(capsys, *BASE, "--data", files / "real.npy", "--loss", "squared_error", "--decoder", "linear",
                       "--output-dir", files / "se", "--no-plots")
    assert rc == 0, err


def test_train_help_lists_the_models_and_their_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for flag in ("--tied-weights", "--no-tied-weights", "--loss", "--activation", "--decoder", "--noise", "--sparsity",
                 "--sparsity-weight", "--sparsity-target", "--dropout", "--contraction-level", "{none,l1,kl}",
                 "{sigmoid,tanh,relu,linear}", "cA, contractive autoencoder"):
        assert flag in text, flag


def test_registry_entries_for_the_family_and_cA():
    da, ca = registry.get_model_kind("dA"), registry.get_model_kind("cA")
    assert da.unit_interval(da.defaults()) and not da.unit_interval(dict(da.defaults(),
                                                                                     loss="squared_error"))
    cfg = dict(ca.defaults(), n_visible=5, n_hidden=3, epochs=1, learning_rate=0.1, optimizer="sgd", batch_size=2,
               seed=0)
    (phase,) = ca.phases(ca.build(ca.model_config(cfg), numpy.random.RandomState(0)), cfg, None)
    assert ca.unit_interval(ca.defaults()) and phase.cost_kwargs == {"contraction_level": 0.1}
    cfg = dict(da.defaults(), n_visible=5, n_hidden=3, dropout=0.4, epochs=1, learning_rate=0.1, optimizer="sgd",
               batch_size=2, seed=0)
    model = da.build(da.model_config(cfg), numpy.random.RandomState(0))
    assert "dropout" not in da.model_config(cfg) and "dropout" in da.train_options
    (phase,) = da.phases(model, cfg, None)
    # dropout is a keyword of the training call; validation calls with neither noise
    assert phase.cost_kwargs == {"corruption_level": 0.3, "dropout": 0.4}
    assert phase.eval_kwargs == {"corruption_level": 0.0}
    assert phase.rng is model.theano_rng  # the tutorial's masks: the model's own stream
