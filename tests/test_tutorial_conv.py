"""The conv autoencoder tutorial run as a script on a small slice: its lines, files and flags."""
import json
import os

import numpy
import pytest
from PIL import Image

import dae
from dae import cli
from dae.tutorial import run_script
from _chapter import (assert_prints_the_same_again, assert_stop_until_trained, index_of, run_cell, run_cells,
                      small_namespace)

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials",
                      "conv_autoencoder_tutorial.py")
SMALL = ["--n-train", "64", "--n-test", "20", "--epochs", "2", "--batch-size", "16", "--channels", "4,4,4",
         "--code-size", "8", "--patch-size", "8"]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("conv") / "plots"
    return out, run_script(SCRIPT, SMALL + ["--output-folder", str(out)])


def test_tutorial_small_run(small_run, capsys):
    out, ns = small_run
    results = ns["results"]
    for name in ("filters_layer1.png", "reconstructions.png", "learning_curve.png", "conv_autoencoder.npz",
                 "results.json"):
        assert (out / name).exists(), name
    # the filters: 4 colour filters of 5x5 in a 2x2 grid, 1-pixel gaps, enlarged 16 times
    filters = numpy.asarray(Image.open(out / "filters_layer1.png"))
    assert filters.shape == (11 * 16, 11 * 16, 4)
    # reconstructions: 3 rows (held-out, conv autoencoder, PCA) of 12 patches of 8x8, 2-pixel gaps, x3
    recon = numpy.asarray(Image.open(out / "reconstructions.png"))
    assert recon.shape == ((3 * 10 - 2) * 3, (12 * 10 - 2) * 3, 4)
    saved = json.loads((out / "results.json").read_text())
    assert saved["conv_error"] == results["conv_error"] and len(saved["epoch_costs"]) == 2
    assert saved["epoch_held_out_errors"][-1] == pytest.approx(results["conv_error"], rel=1e-5)
    model = dae.load_model(str(out / "conv_autoencoder.npz"))
    assert model.channels == (4, 4, 4) and model.code_size == 8
    capsys.readouterr()
    assert cli.main(["info", str(out / "conv_autoencoder.npz")]) == 0  # the one model file: dae info reads it
    assert "model:    conv " in capsys.readouterr().out


def test_tutorial_prints_its_lines(tmp_path, capsys):
    run_script(SCRIPT, SMALL + ["--epochs", "1", "--output-folder", str(tmp_path)])
    printed = capsys.readouterr()
    assert "Training epoch 0, cost" in printed.out and ", held-out error " in printed.out
    assert "PCA with 8 components" in printed.out and "error ratio" in printed.out
    assert "The training code for file conv_autoencoder_tutorial.py ran for" in printed.out
    assert printed.err == ""   # timings go to stdout: nothing shows as an error box in a notebook
    assert "first epoch with a held-out error below PCA's: " in printed.out
    # the code it teaches, read from the live objects, and which kernels ran it
    assert "# dae/layers/conv.py: Conv2D.backward" in printed.out and "# dae/layers/pool.py: gather" in printed.out
    assert f"dae.config.kernels = {dae.config.kernels!r} (DAE_KERNELS)" in printed.out


def test_pca_baseline_is_the_best_linear_reconstruction(small_run):
    _, ns = small_run
    pca_fit, pca_reconstruct, sse_per_patch = ns["pca_fit"], ns["pca_reconstruct"], ns["sse_per_patch"]
    rng = numpy.random.RandomState(0)
    x = rng.randn(200, 3) @ numpy.diag([3.0, 1.0, 0.1]) + 5.0
    mean, V = pca_fit(x, 2)
    err = sse_per_patch(x, pca_reconstruct(mean, V, x))
    # the dropped direction carries the smallest variance: error = its variance * n / n
    centred = x - x.mean(axis=0)
    smallest = numpy.linalg.eigvalsh(centred.T @ centred / 200)[0]
    assert abs(err - smallest) < 1e-8
    # any other 2-D subspace does worse
    Q, _ = numpy.linalg.qr(rng.randn(3, 2))
    other = sse_per_patch(x, mean + (x - mean) @ Q @ Q.T)
    assert other > err


def test_quick_is_a_small_slice(tmp_path):
    ns = run_script(SCRIPT, ["--quick", "--epochs", "1", "--output-folder", str(tmp_path)])
    assert (ns["n_train"], ns["patch_size"], ns["epochs"]) == (640, 16, 1)


def test_tutorial_rejects_bad_patch_size_and_flags(tmp_path):
    with pytest.raises(ValueError, match="--patch-size must divide by 4"):
        run_script(SCRIPT, ["--n-train", "16", "--n-test", "4", "--epochs", "1", "--patch-size", "30",
                            "--output-folder", str(tmp_path)])
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--unpooling", "bilinear"])


# ----- the chapter as a notebook: cells re-run cleanly, later cells name the cell to run first ------------
def _run_cell(cell, ns, capsys):
    return run_cell(SCRIPT, cell, ns, capsys)


def _small_namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=64, n_test=20, epochs=2, batch_size=16, channels="4,4,4",
                           code_size=8, patch_size=8, output_folder=str(tmp_path))


def test_the_training_cell_gives_the_same_lines_when_run_again(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    outputs = run_cells(SCRIPT, cells, ns, capsys)
    training = index_of(cells, "trainer.fit(")
    assert any(line.startswith("Training epoch 1, cost") for line in outputs[training - 1])
    # training again, then every cell after it
    assert_prints_the_same_again(SCRIPT, cells, ns, capsys, outputs, range(training, len(cells)))


def test_cells_after_training_run_before_it_name_the_training_cell(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    training = index_of(cells, "trainer.fit(")
    later = [c for c in cells[training + 1:] if "dae.exercises" not in c and "your code here" not in c]  # the exercises stand alone
    assert len(later) >= 4 and all(c.lstrip().startswith('dae.tutorial.need(globals(), "trained_model"') for c in later)
    assert_stop_until_trained(SCRIPT, cells, ns, capsys, training, later, r"^run the training cell first")
    assert not (tmp_path / "filters_layer1.png").exists() and not (tmp_path / "conv_autoencoder.npz").exists()
