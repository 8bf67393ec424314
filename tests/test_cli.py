"""The dae command: train / encode / reconstruct / plot / info, and one-line errors on bad input."""
import json
import os
import re
import subprocess
import sys

import numpy
import pytest

from dae import cli, training
from dae.io import load_arrays

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def images(n=60, side=6, seed=0):
    """(n, side, side) float32 'images' in [0, 1]: bright bars on a dark ground."""
    rs = numpy.random.RandomState(seed)
    x = rs.rand(n, side, side).astype(numpy.float32) * 0.2
    for i in range(n):
        x[i, rs.randint(side), :] = 0.9
    return x


def run(capsys, *argv):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


TRAIN = ("train", "--epochs", "2", "--batch-size", "10", "--n-hidden", "8", "--seed", "7")


@pytest.fixture
def npy(tmp_path):
    path = tmp_path / "x.npy"
    numpy.save(path, images())
    return path


@pytest.fixture
def trained(tmp_path, npy, capsys):
    run_dir = tmp_path / "run"
    rc, out, err = run(capsys, *TRAIN, "--data", npy, "--output-dir", run_dir, "--valid-fraction", "0.2")
    assert rc == 0, err
    return run_dir


def test_help_lists_every_subcommand_and_the_model_flags(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for word in ("train", "encode", "reconstruct", "plot", "info"):
        assert word in text
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for flag in ("--model", "--data", "--epochs", "--batch-size", "--learning-rate", "--optimizer", "--backend",
                 "--seed", "--output-dir", "--resume", "--quiet", "--n-hidden", "--corruption-level"):
        assert flag in text


def test_train_writes_the_run_folder(trained):
    for name in ("model.npz", "checkpoint.npz", "config.json", "metrics.json"):
        assert (trained / name).exists()
    cfg = json.loads((trained / "config.json").read_text())
    assert cfg["model"] == "dA" and cfg["n_hidden"] == 8 and cfg["epochs"] == 2 and cfg["seed"] == 7
    assert cfg["n_visible"] == 36 and cfg["image_shape"] == [6, 6] and cfg["corruption_level"] == 0.3
    metrics = json.loads((trained / "metrics.json").read_text())["epochs"]
    assert [m["epoch"] for m in metrics] == [0, 1] and all(m["valid_cost"] is not None for m in metrics)
    from PIL import Image

    sizes = {name: Image.open(trained / "figures" / name).size for name in os.listdir(trained / "figures")}
    assert sizes == {"learning_curves.png": (600, 400), "filters.png": (8 * 7 - 1, 6),
                     "reconstructions.png": (10 * 7 - 1, 2 * 7 - 1)}


def test_encode_reconstruct_info_plot(trained, npy, tmp_path, capsys):
    rc, out, err = run(capsys, "encode", trained / "model.npz", npy, "-o", tmp_path / "codes.npy")
    assert rc == 0, err
    codes = numpy.load(tmp_path / "codes.npy")
    model = training.load_model(trained / "model.npz")
    x = images().reshape(60, 36)
    assert codes.shape == (60, 8) and numpy.allclose(codes, model.get_hidden_values(x))
    rc, out, err = run(capsys, "reconstruct", trained, npy, "-o", tmp_path / "recon.npy", "--batch-size", "7")
    assert rc == 0, err
    assert numpy.allclose(numpy.load(tmp_path / "recon.npy"), model.reconstruct(x))
    rc, out, err = run(capsys, "info", trained / "model.npz")
    assert rc == 0 and "dA" in out and "(36, 8)" in out and "checksum OK" in out
    rc, out, err = run(capsys, "info", trained / "checkpoint.npz")
    assert rc == 0 and "epoch 2, minibatch 0" in out
    os.remove(trained / "figures" / "filters.png")
    rc, out, err = run(capsys, "plot", trained)
    assert rc == 0 and (trained / "figures" / "filters.png").stat().st_size > 100


def test_train_on_mnist_slice_and_quiet(tmp_path, capsys):
    rc, out, err = run(capsys, "train", "--data", "mnist", "--n-train", "200", "--n-valid", "50", "--epochs", "1",
                       "--n-hidden", "16", "--optimizer", "adam", "--learning-rate", "0.01",
                       "--output-dir", tmp_path / "m", "--quiet", "--no-plots")
    assert rc == 0, err
    assert out == "" and err == ""
    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    assert cfg["data"] == "mnist" and cfg["n_visible"] == 784 and cfg["optimizer"] == "adam"


def test_plain_progress_lines(tmp_path, npy, capsys):
    rc, out, err = run(capsys, *TRAIN, "--data", npy, "--output-dir", tmp_path / "p", "--no-plots")
    lines = [line for line in out.splitlines() if line.startswith("Training epoch")]
    assert rc == 0 and len(lines) == 2 and lines[1].startswith("Training epoch 1, cost ")


def test_resume_continues_to_the_same_parameters(tmp_path, npy, capsys):
    base = ("--data", npy, "--no-plots", "--quiet", "--optimizer", "momentum", "--shuffle")
    assert run(capsys, *TRAIN, *base, "--output-dir", tmp_path / "full")[0] == 0
    rc, out, err = run(capsys, *TRAIN[:2], "1", *TRAIN[3:], *base, "--output-dir", tmp_path / "part")
    assert rc == 0, err
    rc, out, err = run(capsys, "train", "--resume", tmp_path / "part", "--epochs", "2", "--quiet", "--no-plots")
    assert rc == 0, err
    a, _ = load_arrays(tmp_path / "full" / "model.npz")
    b, _ = load_arrays(tmp_path / "part" / "model.npz")
    assert all(numpy.array_equal(a[k], b[k]) for k in a)
    rc, out, err = run(capsys, "train", "--resume", tmp_path / "part", "--epochs", "2")
    assert rc == 0 and "nothing to do" in out
    rc, out, err = run(capsys, "train", "--resume", tmp_path / "part", "--n-hidden", "9")
    assert rc == 1 and "keeps its configuration" in err


def test_image_folder_grey_and_rgb(tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    rs = numpy.random.RandomState(0)
    for i in range(6):
        size = (10, 8) if i % 2 else (12, 9)
        Image.fromarray((rs.rand(size[1], size[0], 3) * 255).astype(numpy.uint8)).save(folder / f"{i}.png")
    rc, out, err = run(capsys, "train", "--data", folder, "--epochs", "1", "--batch-size", "3", "--n-hidden", "4",
                       "--output-dir", tmp_path / "r", "--quiet")
    assert rc == 0, err
    cfg = json.loads((tmp_path / "r" / "config.json").read_text())
    assert cfg["image_shape"] == [9, 12, 3] and cfg["n_visible"] == 9 * 12 * 3
    assert (tmp_path / "r" / "figures" / "reconstructions.png").exists()
    data = cli.load_dataset(str(folder))
    assert data.x.shape == (6, 324) and 0 <= data.x.min() and data.x.max() <= 1
    grey = tmp_path / "grey"
    grey.mkdir()
    Image.fromarray((rs.rand(5, 4) * 255).astype(numpy.uint8)).save(grey / "a.png")
    assert cli.load_dataset(str(grey)).image_shape == (5, 4)


def one_line_error(capsys, *argv, rc=1):
    code = cli.main([str(a) for a in argv]) if rc != 2 else None
    if rc == 2:
        with pytest.raises(SystemExit) as info:
            cli.main([str(a) for a in argv])
        code = info.value.code
    out, err = capsys.readouterr()
    assert code == rc, (code, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_bad_input_gives_one_line_errors(tmp_path, npy, trained, capsys):
    numpy.save(tmp_path / "flat.npy", numpy.zeros(10, numpy.float32))
    numpy.save(tmp_path / "big.npy", numpy.full((30, 36), 255.0, numpy.float32))
    numpy.save(tmp_path / "ints.npy", numpy.zeros((30, 36), numpy.uint8))
    numpy.save(tmp_path / "wide.npy", numpy.zeros((30, 37), numpy.float32))
    numpy.savez(tmp_path / "foreign.npz", W=numpy.zeros((36, 8)))
    (tmp_path / "junk.npy").write_bytes(b"not numpy at all")
    numpy.save(tmp_path / "pickled.npy", numpy.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    raw = (trained / "model.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[:len(raw) - 100])
    new = tmp_path / "new"
    cases = [
        (("train", "--model", "nope", "--data", npy, "--output-dir", new), "unknown model"),
        (("train", "--data", tmp_path / "missing.npy", "--output-dir", new), "not found"),
        (("train", "--data", tmp_path / "flat.npy", "--output-dir", new), "shape"),
        (("train", "--data", tmp_path / "big.npy", "--output-dir", new), "[0, 1]"),
        (("train", "--data", tmp_path / "ints.npy", "--output-dir", new), "floating-point"),
        (("train", "--data", tmp_path / "junk.npy", "--output-dir", new), "not a readable .npy"),
        (("train", "--data", tmp_path / "pickled.npy", "--output-dir", new), "Python objects"),
        (("train", "--data", npy, "--output-dir", new, "--learning-rate", "-1"), "learning-rate"),
        (("train", "--data", npy, "--output-dir", new, "--epochs", "0"), "epochs"),
        (("train", "--data", npy, "--output-dir", new, "--batch-size", "1000"), "batch-size"),
        (("train", "--data", npy, "--output-dir", new, "--corruption-level", "1.5"), "corruption_level"),
        (("train", "--data", npy), "--output-dir"),
        (("train", "--resume", tmp_path / "nowhere"), "nothing to resume"),
        (("train", "--data", npy, "--output-dir", tmp_path / "div", "--learning-rate", "1e37"), "diverged at epoch 0"),
        (("encode", trained / "model.npz", tmp_path / "wide.npy", "-o", tmp_path / "c.npy"), "36 columns"),
        (("encode", tmp_path / "foreign.npz", npy, "-o", tmp_path / "c.npy"), "not a dae file"),
        (("encode", tmp_path / "cut.npz", npy, "-o", tmp_path / "c.npy"), "corrupted"),
        (("encode", tmp_path / "nothing.npz", npy, "-o", tmp_path / "c.npy"), "not found"),
        (("encode", trained / "model.npz", npy, "-o", tmp_path / "c.txt"), ".npy"),
        (("encode", trained / "model.npz", trained / "model.npz", "-o", tmp_path / "c.npy"), "model or checkpoint"),
        (("info", tmp_path / "cut.npz"), "corrupted"),
        (("info", tmp_path / "foreign.npz"), "not a dae file"),
        (("info", npy), "not a complete .npz archive"),
        (("info", tmp_path / "junk.npy"), "not a complete .npz archive"),
        (("plot", tmp_path / "nowhere"), "not a run folder"),
    ]
    for argv, words in cases:
        err = one_line_error(capsys, *argv)
        assert words in err, (argv, err)
    assert not os.path.exists(tmp_path / "c.npy") and not os.path.exists(new)
    err = one_line_error(capsys, "train", "--optimizer", "rmsprop", rc=2)
    assert "invalid choice" in err
    err = one_line_error(capsys, "train", "--epochs", "three", rc=2)
    assert "invalid int" in err


def test_an_existing_run_is_never_overwritten(trained, npy, capsys):
    before = {name: (trained / name).read_bytes() for name in ("model.npz", "config.json", "metrics.json")}
    err = one_line_error(capsys, *TRAIN, "--data", npy, "--output-dir", trained, "--n-hidden", "5")
    assert "--resume" in err and "--overwrite" in err
    assert before == {name: (trained / name).read_bytes() for name in before}
    codes = trained / "codes.npy"
    codes.write_bytes(b"keep me")
    err = one_line_error(capsys, "encode", trained, npy, "-o", codes)
    assert "--overwrite" in err and codes.read_bytes() == b"keep me"
    rc, out, err = run(capsys, *TRAIN, "--data", npy, "--output-dir", trained, "--overwrite", "--n-hidden", "5",
                       "--quiet", "--no-plots")
    assert rc == 0 and json.loads((trained / "config.json").read_text())["n_hidden"] == 5
    assert codes.read_bytes() == b"keep me"  # --overwrite replaces run files only


def test_the_real_command_prints_one_line_and_no_traceback(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "dae", "info", str(tmp_path / "none.npz")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "none.npz" in proc.stderr


def test_cupy_backend_without_a_gpu_is_a_one_line_error(tmp_path, npy, capsys):
    from dae import backend

    if backend.is_gpu_available():
        pytest.skip("a GPU is present: the cupy backend works here")
    err = one_line_error(capsys, *TRAIN, "--data", npy, "--backend", "cupy", "--output-dir", tmp_path / "g")
    assert "cupy" in err.lower() and not (tmp_path / "g").exists()
    assert backend.name == "numpy"


def test_resume_finds_relative_data_from_another_folder(tmp_path, capsys, monkeypatch):
    numpy.save(tmp_path / "rel.npy", images())
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, *TRAIN[:2], "1", *TRAIN[3:], "--data", "rel.npy", "--output-dir", "r", "--quiet",
                       "--no-plots")
    assert rc == 0, err
    assert json.loads((tmp_path / "r" / "config.json").read_text())["data"] == str(tmp_path / "rel.npy")
    monkeypatch.chdir(tmp_path.parent)
    rc, out, err = run(capsys, "train", "--resume", tmp_path / "r", "--epochs", "2", "--quiet", "--no-plots")
    assert rc == 0, err


def test_divergence_keeps_the_last_good_checkpoint_and_resume_can_lower_the_rate(tmp_path, npy, capsys):
    run_dir = tmp_path / "d"
    err = one_line_error(capsys, *TRAIN, "--data", npy, "--output-dir", run_dir, "--learning-rate", "1e37")
    assert re.search(r"diverged at epoch 0, minibatch \d+: the cost is (inf|\S+, more than 100 times)", err) and "smaller learning rate" in err
    assert f"dae train --resume {run_dir} --learning-rate 1e+36" in err
    good = training.load_model(run_dir / "checkpoint.npz")
    assert all(numpy.isfinite(p).all() for p in good.params)
    rc, out, err = run(capsys, "train", "--resume", run_dir, "--learning-rate", "0.1", "--quiet", "--no-plots")
    assert rc == 0, err
    assert json.loads((run_dir / "config.json").read_text())["learning_rate"] == 0.1
