"""The conv autoencoder tutorial runs end to end on a small slice and writes its files."""
import json

import numpy
from PIL import Image

import conv_autoencoder_tutorial as tutorial
import dae


def test_tutorial_small_run(tmp_path, capsys):
    out = tmp_path / "plots"
    results = tutorial.main(["--n-train", "64", "--n-test", "20", "--epochs", "2", "--batch-size", "16",
                             "--channels", "4,4,4", "--code-size", "8", "--patch-size", "8",
                             "--output-folder", str(out)])
    printed = capsys.readouterr().out
    assert "Training epoch 0, cost" in printed and "Training epoch 1, cost" in printed
    assert "PCA with 8 components" in printed
    for name in ("filters_layer1.png", "reconstructions.png", "learning_curve.png", "conv_autoencoder.npz",
                 "results.json"):
        assert (out / name).exists(), name
    # the filters: 4 colour filters of 5x5 in a 2x2 grid, 1-pixel gaps, enlarged 8 times
    filters = numpy.asarray(Image.open(out / "filters_layer1.png"))
    assert filters.shape == (11 * 8, 11 * 8, 4)
    # reconstructions: 3 rows (held-out, conv autoencoder, PCA) of 12 patches of 8x8, 2-pixel gaps, x3
    recon = numpy.asarray(Image.open(out / "reconstructions.png"))
    assert recon.shape == ((3 * 10 - 2) * 3, (12 * 10 - 2) * 3, 4)
    saved = json.loads((out / "results.json").read_text())
    assert saved["conv_error"] == results["conv_error"] and len(saved["epoch_costs"]) == 2
    assert len(saved["epoch_held_out_errors"]) == 2 and abs(saved["epoch_held_out_errors"][-1] - saved["conv_error"]) < 1e-4 * saved["conv_error"]
    model = dae.ConvAutoencoder.load(str(out / "conv_autoencoder.npz"))
    assert model.channels == (4, 4, 4) and model.code_size == 8


def test_pca_baseline_is_the_best_linear_reconstruction():
    rng = numpy.random.RandomState(0)
    x = rng.randn(200, 3) @ numpy.diag([3.0, 1.0, 0.1]) + 5.0
    mean, V = tutorial.pca_fit(x, 2)
    err = tutorial.sse_per_patch(x, tutorial.pca_reconstruct(mean, V, x))
    # the dropped direction carries the smallest variance: error = its variance * n / n
    centred = x - x.mean(axis=0)
    smallest = numpy.linalg.eigvalsh(centred.T @ centred / 200)[0]
    assert abs(err - smallest) < 1e-8
    # any other 2-D subspace does worse
    Q, _ = numpy.linalg.qr(rng.randn(3, 2))
    other = tutorial.sse_per_patch(x, mean + (x - mean) @ Q @ Q.T)
    assert other > err


def test_tutorial_rejects_bad_patch_size(tmp_path):
    import pytest
    with pytest.raises(ValueError, match="--patch-size must divide by 4"):
        tutorial.main(["--n-train", "16", "--n-test", "4", "--epochs", "1", "--patch-size", "30",
                       "--output-folder", str(tmp_path)])
