"""The variants tutorial run as a script on a small slice, and its helpers (probe, sparsity,
Jacobian norms), taken from the namespace of a short run."""
import os

import numpy
import pytest
from PIL import Image

import dae
from dae import config
from dae.gradcheck import numerical_gradient
from dae.tutorial import run_script

from _chapter import (assert_prints_the_same_again, assert_stop_until_trained, code_cells, index_of, run_cells,
                      small_namespace)

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials",
                      "variants_tutorial.py")
SMALL = ["--n-train", "100", "--n-test", "50", "--epochs", "1", "--n-hidden", "8", "--probe-epochs", "1"]


@pytest.fixture(scope="module")
def vt(tmp_path_factory):
    """The tutorial's globals after a one-variant run (its functions, bound to that run)."""
    return run_script(SCRIPT, SMALL + ["--variants", "plain", "--output-folder", tmp_path_factory.mktemp("vt")])


def test_runs_every_variant_on_a_small_slice(tmp_path, capsys):
    out = tmp_path / "plots"
    ns = run_script(SCRIPT, ["--n-train", "200", "--n-test", "100", "--epochs", "1", "--n-hidden", "16",
                             "--probe-epochs", "2", "--output-folder", out])
    rows = ns["rows"]
    names = [r["variant"] for r in rows]
    assert names[:-1] == list(ns["VARIANTS"]) and names[-1].startswith("(raw pixels")
    for name in ns["VARIANTS"]:
        image = Image.open(ns["file_name"](name))
        assert image.size[0] > 300 and image.size[1] > 200
    assert (out / "variant_plain.png").exists() and (out / "variant_sparse_kl_0.05_1.png").exists()
    assert set(ns["curves"]) == set(ns["VARIANTS"]) and all(len(c) == 1 for c in ns["curves"].values())
    assert (out / "learning_curves.png").stat().st_size > 0
    for r in rows[:-1]:
        for key in ("recon", "denoise", "hoyer", "mean_abs_h", "jacobian", "probe"):
            assert numpy.isfinite(r[key]), (r["variant"], key)
        assert 0.0 <= r["hoyer"] <= 1.0 and 0.0 <= r["probe"] <= 1.0
    assert rows[-1]["probe"] > 0.5  # the raw-pixel probe learns something from 200 digits
    table = (out / "results.md").read_text()
    assert all(f"| {name} |" in table for name in ns["VARIANTS"])
    text, err = capsys.readouterr()
    assert "| plain |" in text and err == ""   # timings on stdout: no error box in a notebook
    assert "The sparse_kl variant for file variants_tutorial.py ran for " in text
    assert "# dae/models/autoencoder.py: kl_sparsity_penalty\ndef kl_sparsity_penalty(y, target, weight)" in text
    assert "# dae/layers/dropout.py: Dropout.forward" in text and "# dae/corruption.py: corrupt" in text


def test_optimizer_flag_reaches_training(tmp_path):
    ns = run_script(SCRIPT, SMALL + ["--variants", "denoising,linear", "--optimizer", "momentum",
                                     "--output-folder", tmp_path])
    assert [r["variant"] for r in ns["rows"][:-1]] == ["denoising", "linear"]
    assert ns["learning_rate"] == 0.01 and isinstance(ns["make_optimizer"](), dae.optim.Momentum)
    assert ns["make_optimizer"]("linear").learning_rate == pytest.approx(0.01 * ns["SGD_LEARNING_RATE_SCALE"]["linear"])
    ns = run_script(SCRIPT, SMALL + ["--variants", "linear", "--optimizer", "adam", "--output-folder", tmp_path])
    assert ns["make_optimizer"]("linear").learning_rate == 1e-3  # unscaled


def test_a_diverging_variant_is_reported_not_fatal(tmp_path, capsys):
    ns = run_script(SCRIPT, SMALL + ["--variants", "linear,plain", "--learning-rate", "1e6", "--output-folder", tmp_path])
    rows = ns["rows"]
    assert rows[0]["variant"] == "linear (diverged)" and rows[0]["recon"] is None
    out, err = capsys.readouterr()
    assert "linear diverged, no row: " in out and err == ""
    assert not (tmp_path / "variant_linear.png").exists()


@pytest.mark.parametrize("argv", [["--variants", "plain,bogus"], ["--epochs", "0"], ["--optimizer", "rmsprop"],
                                  ["--learning-rate", "-1"], ["--n-train", "5", "--batch-size", "20"]])
def test_bad_flags_are_errors(argv, tmp_path):
    with pytest.raises((SystemExit, ValueError)):
        run_script(SCRIPT, argv + ["--output-folder", tmp_path])


def test_probe_learns_a_separable_problem(vt):
    rng = numpy.random.RandomState(0)
    centres = rng.normal(0, 3, (3, 4))
    y = rng.randint(0, 3, 600)
    x = (centres[y] + rng.normal(0, 0.5, (600, 4))).astype("float32")
    acc = vt["probe_accuracy"](x[:400], y[:400], x[400:], y[400:], 20, 0)
    assert acc > 0.95


def test_masked_is_dae_corruptions_masking_noise(vt):
    x = numpy.random.RandomState(2).uniform(0, 1, (5, 784)).astype("float32")
    expected = x * numpy.random.RandomState(11).binomial(1, 0.7, x.shape)
    numpy.testing.assert_array_equal(vt["masked"](x, 0.3, 11), expected)


def test_hoyer_sparsity_extremes(vt):
    h = numpy.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert numpy.allclose(vt["hoyer_sparsity"](h), [0.0, 1.0, 1.0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_jacobian_norms_match_finite_differences(vt, activation):
    jacobian_norms = vt["jacobian_norms"]
    with config.floatX_as("float64"):
        da = dae.Autoencoder(numpy.random.RandomState(0), n_visible=6, n_hidden=4, activation=activation)
        x = numpy.random.RandomState(1).uniform(0, 1, (3, 6))
        norms = jacobian_norms(da, x)
        for n in range(3):
            row = x[n].copy()
            J = numpy.stack([numerical_gradient(lambda v: da.get_hidden_values(v[None])[0, j], row) for j in range(4)])
            assert norms[n] == pytest.approx(numpy.linalg.norm(J), rel=1e-6)
        ca = dae.cA(numpy.random.RandomState(0), n_visible=6, n_hidden=4)
        assert numpy.allclose(jacobian_norms(ca, x), ca.jacobian_norm(x))


def test_pca_error_is_the_best_rank_k_reconstruction(vt):
    x = numpy.random.RandomState(3).uniform(0, 1, (50, 6))
    mean = x.mean(axis=0)
    _, _, vt_ = numpy.linalg.svd(x - mean, full_matrices=False)
    x_hat = mean + (x - mean) @ vt_[:2].T @ vt_[:2]
    assert vt["pca_error"](x, 2) == pytest.approx(((x - x_hat) ** 2).sum(axis=1).mean())
    assert vt["pca_error"](x, 6) == pytest.approx(0.0, abs=1e-12)


def test_the_knobs_reach_labels_and_file_names(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--quick", "--n-train", "100", "--n-hidden", "8", "--probe-epochs", "1",
                             "--variants", "denoising,sparse_kl,dropout", "--corruption-level", "0.5",
                             "--kl-target", "0.1", "--kl-weight", "2", "--dropout", "0.25", "--output-folder", tmp_path])
    assert (ns["n_train"], ns["n_test"], ns["n_hidden"]) == (100, 200, 8)   # quick keeps what was set
    out = capsys.readouterr().out
    for label in ("denoising: denoising AE, masking noise 50%", "sparse_kl: sparse AE, KL to target rate 0.1 (weight 2)",
                  "dropout: plain AE with dropout 0.25 on the hidden units"):
        assert label in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "learning_curves.png", "results.md", "variant_denoising_0.5.png", "variant_dropout_0.25.png",
        "variant_sparse_kl_0.1_2.png"]
    assert "--kl-target 0.1 --kl-weight 2.0 --contraction-level 0.1 --dropout 0.25" in (tmp_path / "results.md").read_text()
    model = ns["build"]("sparse_kl")
    assert (model.sparsity_target, model.sparsity_weight) == (0.1, 2.0)


# ----- as a notebook ----------------------------------------------------------------------------
CELLS = code_cells(SCRIPT)
TRAINING = index_of(CELLS, "rows, curves, seconds = [], {}, {}")


def _namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=100, n_test=30, epochs=2, n_hidden=6, probe_epochs=1,
                           variants="plain,sparse_kl,linear", output_folder=str(tmp_path))[1]


def test_cells_run_again_print_the_same_lines(tmp_path, capsys):
    ns = _namespace(tmp_path, capsys)
    first = run_cells(SCRIPT, CELLS, ns, capsys)
    assert "  sparse_kl: training epoch 1, cost" in " ".join(first[TRAINING - 1])
    assert_prints_the_same_again(SCRIPT, CELLS, ns, capsys, first, range(TRAINING, len(CELLS)))


def test_cells_before_training_name_the_cell_to_run(tmp_path, capsys):
    later = [cell for cell in CELLS[TRAINING + 1:] if "dae.tutorial.need(" in cell]
    assert len(later) == 2
    assert_stop_until_trained(SCRIPT, CELLS, _namespace(tmp_path, capsys), capsys, TRAINING, later,
                              r"^run the cell that trains every variant first")
    assert not list(tmp_path.iterdir())
