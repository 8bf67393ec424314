"""The cA tutorial run as a script, shortened; and as a notebook: cells that re-run cleanly, figure
cells that name the cell to run first, knobs that reach labels and file names, maths that renders."""
import os

import numpy
import pytest

import dae
from dae.tutorial import read_parameters, run_script

from _chapter import (assert_prints_the_same_again, assert_stop_until_trained, code_cells, index_of, run_cells,
                      small_namespace)

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "cA_tutorial.py")


def test_short_run_writes_its_figures_and_learns(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--n-train", "200", "--training-epochs", "3", "--n-hidden", "16",
                             "--output-folder", tmp_path])
    out, err = capsys.readouterr()
    assert err == ""   # timings on stdout: no error box in a notebook
    for name in ("cae_filters_contraction_0.1.png", "learning_curve_contraction_0.1.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert [image.shape for image in ns["images"].values()] == [(4 * 29 - 1, 4 * 29 - 1)] * 2   # 16 filters: 4 x 4
    history, plain = ns["history"], ns["plain_history"]
    assert len(history) == len(plain) == 3
    assert history[-1][0] < history[0][0]  # the reconstruction cost falls
    assert history[-1][1] < plain[-1][1]   # the penalty holds the Jacobian norm below the reference run's
    assert all(numpy.isfinite(v) for epoch in history + plain for v in epoch)
    assert plain[-1][2] == 0.0 and history[-1][2] > 0.0
    assert "Training epoch 0, reconstruction cost" in out and "jacobian norm" in out
    assert "Reference (no penalty) epoch 2, reconstruction cost" in out
    assert "The contraction level 0.1 code for file cA_tutorial.py ran for " in out
    # the code it teaches, read from the live objects
    assert "# dae/models/ca.py: cA.cost_terms_and_grads\ndef cost_terms_and_grads(self, x" in out
    assert "# dae/models/ca.py: cA.jacobian_norm" in out


def test_defaults_are_the_tutorials():
    with open(SCRIPT, encoding="utf-8") as f:
        defaults = {p.name: p.default for p in read_parameters(f.read())}
    assert (defaults["learning_rate"], defaults["training_epochs"], defaults["batch_size"], defaults["n_hidden"],
            defaults["contraction_level"], defaults["seed"], defaults["output_folder"], defaults["quick"]) == \
        (0.01, 20, 10, 500, 0.1, 123, "cA_plots", False)


@pytest.mark.parametrize("argv", [["--training-epochs", "0"], ["--n-train", "5"], ["--learning-rate", "0"],
                                  ["--contraction-level", "-1"], ["--optimizer", "rmsprop"]])
def test_bad_flags(argv, tmp_path):
    with pytest.raises((SystemExit, ValueError)):
        run_script(SCRIPT, argv + ["--output-folder", tmp_path])


def test_sgd_path_is_the_tutorials_update(tmp_path):
    """Training through the tutorial's get_cost_updates + apply_updates gives the same W."""
    ns = run_script(SCRIPT, ["--n-train", "30", "--training-epochs", "1", "--n-hidden", "8", "--no-baseline",
                             "--output-folder", tmp_path])
    ca = ns["ca"]
    (train_x, _), _, _ = dae.load_data()
    ref = dae.cA(numpy.random.RandomState(123), n_visible=784, n_hidden=8, n_batchsize=10)
    for i in range(3):
        _, updates = ref.get_cost_updates(train_x[i * 10:(i + 1) * 10], contraction_level=0.1, learning_rate=0.01)
        dae.apply_updates(updates)
    assert numpy.array_equal(ref.W, ca.W) and numpy.array_equal(ref.b, ca.b)
    assert ns["plain_ca"] is None and not (tmp_path / "cae_filters.png").exists()


def test_adam_flag(tmp_path):
    flags = ["--n-train", "100", "--training-epochs", "2", "--n-hidden", "8", "--no-baseline", "--output-folder", tmp_path]
    adam = run_script(SCRIPT, flags + ["--optimizer", "adam", "--learning-rate", "0.003"])
    sgd = run_script(SCRIPT, flags + ["--learning-rate", "0.003"])
    assert adam["history"][1][0] < adam["history"][0][0]
    assert not numpy.allclose(adam["ca"].W, sgd["ca"].W)


def test_the_knobs_reach_labels_and_file_names(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--quick", "--training-epochs", "1", "--n-hidden", "9", "--contraction-level", "0.5",
                             "--output-folder", tmp_path])
    assert (ns["n_train"], ns["training_epochs"], ns["n_hidden"]) == (1000, 1, 9)   # quick keeps what was set
    out = capsys.readouterr().out
    assert "The contraction level 0.5 code for file cA_tutorial.py ran for" in out
    assert "epoch 0, contraction level 0.5: reconstruction cost" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cae_filters_contraction_0.5.png",
                                                          "learning_curve_contraction_0.5.png"]
    assert list(ns["images"]) == ["contraction level 0.5: first 9 filters", "no penalty (reference): first 9 filters"]
    assert ns["images"]["contraction level 0.5: first 9 filters"].shape == (3 * 29 - 1, 3 * 29 - 1)


# ----- as a notebook ----------------------------------------------------------------------------
CELLS = code_cells(SCRIPT)
TRAINING = index_of(CELLS, "ca, history = train_ca(contraction_level)")
REFERENCE = index_of(CELLS, "plain_ca, plain_history = None, None")


def _namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=60, training_epochs=2, n_hidden=6, output_folder=str(tmp_path))[1]


def test_cells_run_again_print_the_same_lines(tmp_path, capsys):
    ns = _namespace(tmp_path, capsys)
    first = run_cells(SCRIPT, CELLS, ns, capsys)
    assert any(line.startswith("Training epoch 1, reconstruction cost") for line in first[TRAINING - 1])
    assert_prints_the_same_again(SCRIPT, CELLS, ns, capsys, first,
                                 (TRAINING, REFERENCE, TRAINING, REFERENCE + 1, REFERENCE + 2))


def test_figure_cells_before_training_name_the_cell_to_run(tmp_path, capsys):
    later = [cell for cell in CELLS[TRAINING + 1:] if "dae.tutorial.need(" in cell]
    assert len(later) == 2
    assert_stop_until_trained(SCRIPT, CELLS, _namespace(tmp_path, capsys), capsys, TRAINING, later,
                              r"^run the training cell first")
    assert not list(tmp_path.iterdir())   # no figure of an untrained model
