"""dae train --model dA|cA|SdA|deep|conv|vae on a tiny dataset of the user's, then info, encode,
reconstruct, plot, sample, and --resume after an interruption in the middle of a phase."""
import json

import numpy
import pytest

import dae
from dae import cli, registry
from dae.io import load_arrays

N, SIDE = 60, 8


def grey(seed=0):
    """(N, 8, 8) in [0, 1]: a bright row (its index / 2 is the label) on a dim ground."""
    rs = numpy.random.RandomState(seed)
    x = rs.rand(N, SIDE, SIDE).astype(numpy.float32) * 0.3
    y = rs.randint(0, 3, N)
    for i in range(N):
        x[i, 2 * y[i], :] = 0.9
    return x, y


def run(capsys, *argv):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def files(tmp_path):
    x, y = grey()
    numpy.save(tmp_path / "x.npy", x)
    numpy.save(tmp_path / "y.npy", y)
    numpy.save(tmp_path / "rgb.npy", numpy.random.RandomState(1).rand(N, SIDE, SIDE, 3).astype(numpy.float32))
    return tmp_path


COMMON = ("--epochs", "2", "--batch-size", "10", "--seed", "4", "--valid-fraction", "0.2")
# model -> (data file, its flags, the class it trains, the phases' checkpoints)
MODELS = {
    "dA": ("x.npy", ("--n-hidden", "6"), dae.Autoencoder, ["checkpoint.npz"]),
    "cA": ("x.npy", ("--n-hidden", "6", "--learning-rate", "0.05"), dae.cA, ["checkpoint.npz"]),
    "SdA": ("x.npy", ("--labels", "y.npy", "--hidden-layers-sizes", "10,6", "--pretraining-epochs", "2",
                      "--pretrain-lr", "0.1"), dae.SdA,
            ["checkpoint_pretrain0.npz", "checkpoint_pretrain1.npz", "checkpoint_finetune.npz"]),
    "deep": ("x.npy", ("--layer-sizes", "16,8,2", "--pretraining-epochs", "1"), dae.DeepAutoencoder,
             ["checkpoint_pretrain0.npz", "checkpoint_pretrain1.npz", "checkpoint_pretrain2.npz",
              "checkpoint_finetune.npz"]),
    "conv": ("rgb.npy", ("--channels", "2,3,2", "--code-size", "4", "--optimizer", "adam", "--learning-rate", "0.01"),
             dae.ConvAutoencoder, ["checkpoint.npz"]),
    "vae": ("x.npy", ("--hidden-layers-sizes", "10", "--n-latent", "2", "--optimizer", "adam",
                      "--learning-rate", "0.01"), dae.VAE, ["checkpoint.npz"]),
}


def train(capsys, files, name, folder, *extra):
    data, flags, _, _ = MODELS[name]
    flags = [files / f if f.endswith(".npy") else f for f in flags]
    return run(capsys, "train", "--model", name, "--data", files / data, *COMMON, *flags,
               "--output-dir", files / folder, *extra)


@pytest.mark.parametrize("name", list(MODELS))
def test_train_info_encode_reconstruct_plot(name, files, capsys):
    rc, out, err = train(capsys, files, name, "run")
    assert rc == 0, err
    run_dir = files / "run"
    for f in ["model.npz", "config.json", "metrics.json"] + MODELS[name][3]:
        assert (run_dir / f).exists(), f
    figures = sorted(p.name for p in (run_dir / "figures").iterdir())
    assert "learning_curves.png" in figures and "reconstructions.png" in figures
    model, meta = dae.load_model(run_dir / "model.npz", return_meta=True)
    assert type(model) is MODELS[name][2] and meta["model"] == name
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert [p["phase"] for p in metrics["phases"]] == [f[len("checkpoint_"):-4] if "_" in f else "train" for f in MODELS[name][3]]
    assert [m["epoch"] for m in metrics["epochs"]] == [0, 1]

    rc, out, err = run(capsys, "info", run_dir)
    assert rc == 0 and f"model:    {name} " in out and "checksum OK" in out, err
    for checkpoint in MODELS[name][3]:  # every phase's checkpoint is readable too
        rc, out, err = run(capsys, "info", run_dir / checkpoint)
        assert rc == 0 and "training checkpoint" in out, err

    kind = registry.get_model_kind(name)
    x = numpy.load(files / MODELS[name][0]).reshape(N, -1)
    for command, fn in (("encode", kind.encode), ("reconstruct", kind.reconstruct)):
        rc, out, err = run(capsys, command, run_dir, files / MODELS[name][0], "-o", files / f"{command}.npy")
        assert rc == 0, err
        numpy.testing.assert_allclose(numpy.load(files / f"{command}.npy"), fn(model, x), rtol=1e-5, atol=1e-6)
    assert numpy.load(files / "reconstruct.npy").shape == (N, x.shape[1])

    rc, out, err = run(capsys, "plot", run_dir)
    assert rc == 0 and "learning_curves.png" in out, err
    rc, out, err = run(capsys, "sample", run_dir, "-n", "5", "-o", files / "s.npy")
    if name == "vae":
        assert rc == 0 and numpy.load(files / "s.npy").shape == (5, x.shape[1]), err
        assert run(capsys, "sample", run_dir, "-n", "5", "-o", files / "s.png")[0] == 0
    else:
        assert rc == 1 and "needs a generative model" in err


# model -> (the class whose cost to interrupt, the call on which Ctrl-C comes, a condition on the model)
INTERRUPT = {
    "SdA": (dae.dA, 5, lambda m: m.n_visible == 10),             # in the second layer's pretraining
    "deep": (dae.DeepAutoencoder, 4, lambda m: True),             # in the fine-tuning
    "conv": (dae.ConvAutoencoder, 7, lambda m: True),             # in the first epoch
    "vae": (dae.VAE, 13, lambda m: True),                         # in the second epoch
}


@pytest.mark.parametrize("name", list(INTERRUPT))
def test_resume_after_ctrl_c_mid_phase_gives_the_uninterrupted_model(name, files, capsys, ctrl_c_at):
    assert train(capsys, files, name, "full", "--quiet", "--no-plots")[0] == 0
    cls, at, which = INTERRUPT[name]
    restore = ctrl_c_at(cls, at, when=which)
    rc, out, err = train(capsys, files, name, "part", "--quiet", "--no-plots")
    assert rc == 130 and "continue with: dae train --resume" in err, err
    restore()
    rc, out, err = run(capsys, "train", "--resume", files / "part", "--no-plots")
    assert rc == 0 and "Resuming" in out, err
    a, _ = load_arrays(files / "full" / "model.npz")
    b, _ = load_arrays(files / "part" / "model.npz")
    assert sorted(a) == sorted(b)
    for key in a:
        assert numpy.array_equal(a[key], b[key]), key
    rc, out, err = run(capsys, "train", "--resume", files / "part")
    assert rc == 0 and "nothing to do" in out, err


def test_labels_are_for_the_SdA_only_and_the_SdA_needs_them(files, capsys):
    rc, out, err = run(capsys, "train", "--model", "SdA", "--data", files / "x.npy", *COMMON,
                       "--output-dir", files / "a")
    assert rc == 1 and "give --labels FILE.npy" in err and err.count("\n") == 1
    rc, out, err = run(capsys, "train", "--model", "dA", "--data", files / "x.npy", "--labels", files / "y.npy",
                       *COMMON, "--output-dir", files / "b")
    assert rc == 1 and "--labels applies to --model SdA only" in err
    numpy.save(files / "short.npy", numpy.zeros(5, numpy.int64))
    rc, out, err = run(capsys, "train", "--model", "SdA", "--data", files / "x.npy", "--labels", files / "short.npy",
                       *COMMON, "--output-dir", files / "c")
    assert rc == 1 and "5 labels for 60 examples" in err
    numpy.save(files / "flat.npy", numpy.zeros(10, numpy.float32))
    rc, out, err = run(capsys, "train", "--data", files / "flat.npy", *COMMON, "--output-dir", files / "d")
    assert rc == 1 and "reshape it" in err
    assert not any((files / f).exists() for f in "abcd")


def test_conv_needs_sides_divisible_by_four(files, capsys):
    numpy.save(files / "odd.npy", numpy.random.RandomState(0).rand(N, 6, 6).astype(numpy.float32))
    rc, out, err = run(capsys, "train", "--model", "conv", "--data", files / "odd.npy", *COMMON,
                       "--output-dir", files / "o")
    assert rc == 1 and "divide by 4" in err and err.count("\n") == 1


def test_SdA_fine_tuning_stops_early_and_keeps_the_best_validation_model(files, capsys):
    flags = ("--model", "SdA", "--data", files / "x.npy", "--labels", files / "y.npy", "--valid-fraction", "0.2",
             "--hidden-layers-sizes", "10", "--pretraining-epochs", "1", "--batch-size", "8",
             "--learning-rate", "0.5", "--no-plots")
    rc, out, err = run(capsys, "train", *flags, "--epochs", "40", "--patience", "12", "--output-dir", files / "es")
    assert rc == 0 and "early stopping: patience ran out" in out, err
    history = json.loads((files / "es" / "metrics.json").read_text())["epochs"]
    assert len(history) < 40
    best = max(m["epoch"] for m in history if m.get("best"))
    # the same run trained only up to its best epoch ends with the parameters the early-stopped run kept
    rc, out, err = run(capsys, "train", *flags, "--epochs", str(best + 1), "--output-dir", files / "upto")
    assert rc == 0, err
    a, _ = load_arrays(files / "es" / "model.npz")
    b, _ = load_arrays(files / "upto" / "model.npz")
    assert all(numpy.array_equal(a[k], b[k]) for k in a)
    rc, out, err = run(capsys, "train", "--resume", files / "es")
    assert rc == 0 and "nothing to do" in out, err


@pytest.mark.parametrize("name,expected", [("dA", ("sgd", 0.1, 20)), ("deep", ("adam", 0.001, 20)),
                                           ("conv", ("adam", 0.001, 20)), ("vae", ("adam", 0.001, 20))])
def test_each_model_starts_from_training_settings_that_suit_it_and_flags_win(name, expected, files, capsys):
    data = {"conv": "rgb.npy"}.get(name, "x.npy")
    small = {"deep": ("--layer-sizes", "16,8,2", "--pretraining-epochs", "1"),
             "conv": ("--channels", "2,3,2", "--code-size", "4"),
             "vae": ("--hidden-layers-sizes", "10", "--n-latent", "2")}.get(name, ())
    rc, out, err = run(capsys, "train", "--model", name, "--data", files / data, "--epochs", "1", *small,
                       "--output-dir", files / "d", "--quiet", "--no-plots")
    assert rc == 0, err
    cfg = json.loads((files / "d" / "config.json").read_text())
    assert (cfg["optimizer"], cfg["learning_rate"], cfg["batch_size"]) == expected
    rc, out, err = run(capsys, "train", "--model", name, "--data", files / data, "--epochs", "1", *small,
                       "--optimizer", "momentum", "--learning-rate", "0.02", "--batch-size", "7",
                       "--output-dir", files / "e", "--quiet", "--no-plots")
    assert rc == 0, err
    cfg = json.loads((files / "e" / "config.json").read_text())
    assert (cfg["optimizer"], cfg["learning_rate"], cfg["batch_size"]) == ("momentum", 0.02, 7)
