"""The cA tutorial run as a script, shortened."""
import os

import numpy
import pytest
from PIL import Image

import dae
from dae.tutorial import read_parameters, run_script

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "cA_tutorial.py")


def test_short_run_writes_filters_and_learns(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--n-train", "200", "--training-epochs", "3", "--n-hidden", "16",
                             "--output-folder", tmp_path])
    image = Image.open(tmp_path / "cae_filters.png")
    assert image.size == (4 * 29 - 1, 4 * 29 - 1)  # 16 filters: a 4 x 4 mosaic of 28 x 28 tiles
    history = ns["history"]
    assert len(history) == 3
    assert history[-1][0] < history[0][0]  # the reconstruction cost falls
    assert all(numpy.isfinite(v) for pair in history for v in pair)
    out = capsys.readouterr().out
    assert "Training epoch 0, reconstruction cost" in out and "jacobian norm" in out


def test_defaults_are_the_tutorials():
    with open(SCRIPT, encoding="utf-8") as f:
        defaults = {p.name: p.default for p in read_parameters(f.read())}
    assert (defaults["learning_rate"], defaults["training_epochs"], defaults["batch_size"], defaults["n_hidden"],
            defaults["contraction_level"], defaults["output_folder"], defaults["quick"]) == \
        (0.01, 20, 10, 500, 0.1, "cA_plots", False)


@pytest.mark.parametrize("argv", [["--training-epochs", "0"], ["--n-train", "5"], ["--learning-rate", "0"],
                                  ["--contraction-level", "-1"], ["--optimizer", "rmsprop"]])
def test_bad_flags(argv, tmp_path):
    with pytest.raises((SystemExit, ValueError)):
        run_script(SCRIPT, argv + ["--output-folder", tmp_path])


def test_sgd_path_is_the_tutorials_update(tmp_path):
    """Training through the tutorial's get_cost_updates + apply_updates gives the same W."""
    ns = run_script(SCRIPT, ["--n-train", "30", "--training-epochs", "1", "--n-hidden", "8", "--output-folder", tmp_path])
    ca = ns["ca"]
    (train_x, _), _, _ = dae.load_data()
    ref = dae.cA(numpy.random.RandomState(123), n_visible=784, n_hidden=8, n_batchsize=10)
    for i in range(3):
        _, updates = ref.get_cost_updates(train_x[i * 10:(i + 1) * 10], contraction_level=0.1, learning_rate=0.01)
        dae.apply_updates(updates)
    assert numpy.array_equal(ref.W, ca.W) and numpy.array_equal(ref.b, ca.b)


def test_adam_flag(tmp_path):
    ns = run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "2", "--n-hidden", "8",
                             "--optimizer", "adam", "--learning-rate", "0.003", "--output-folder", tmp_path])
    assert isinstance(ns["opt"], dae.optim.Adam)
    assert ns["history"][1][0] < ns["history"][0][0]
