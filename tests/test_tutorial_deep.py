"""The deep autoencoder tutorial on a small slice, and its PCA / k-NN / schedule helpers."""
import math

import numpy
import pytest

import dae
from dae import cli
import deep_autoencoder_tutorial as tut


def test_tutorial_runs_on_a_small_slice(tmp_path, capsys):
    result = tut.main(["--n-train", "300", "--n-test", "200", "--hidden-sizes", "16", "8",
                       "--code-size", "5", "--pretrain-epochs", "1", "--epochs", "2", "--epochs-2d", "1",
                       "--eval-every", "1", "--knn", "3", "--output-folder", str(tmp_path)])
    out = capsys.readouterr().out
    for name in ("reconstructions.png", "codes_2d.png", "deep_autoencoder_5.npz"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert "PCA with 5 components: test squared error" in out
    assert "fine-tuning epoch 1" in out and "2-D codes, 3-NN test accuracy" in out
    assert result["epochs"] == 2
    assert f"training {result['train_error']:.2f}" in out
    assert 0.0 <= result["knn_deep"] <= 1.0 and 0.0 <= result["knn_pca"] <= 1.0
    # the saved model is the trained one: same test error when loaded back
    (_, _), _, (test_x, _) = dae.load_data()
    test_x = numpy.minimum(test_x[:200] * numpy.float32(256 / 255), 1)
    loaded = dae.DeepAutoencoder.load(tmp_path / "deep_autoencoder_5.npz")
    assert cli.main(["info", str(tmp_path / "deep_autoencoder_5.npz")]) == 0  # the one model file: dae info and dae.load_model read it
    assert "model:    deep " in capsys.readouterr().out
    assert loaded.layer_sizes == [784, 16, 8, 5]
    assert loaded.squared_error(test_x) == pytest.approx(result["deep_error"], rel=1e-6)
    (train_x, _), _, _ = dae.load_data()  # the first 300 training digits, on the same scale
    train_x = numpy.minimum(train_x[:300] * numpy.float32(256 / 255), 1)
    assert loaded.squared_error(train_x) == pytest.approx(result["train_error"], rel=1e-6)


def test_time_budget_stops_fine_tuning(tmp_path, capsys):
    result = tut.main(["--n-train", "200", "--n-test", "50", "--hidden-sizes", "8", "--code-size", "3",
                       "--pretrain-epochs", "0", "--minutes", "1e-9", "--skip-2d",
                       "--output-folder", str(tmp_path)])
    assert result["epochs"] == 1  # a 60 ns budget: one step, then stopped as soon as it was spent
    assert not (tmp_path / "codes_2d.png").exists()


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        tut.parse_args(["--batch-size", "0"])
    with pytest.raises(SystemExit):
        tut.parse_args(["--epochs", "-1"])
    with pytest.raises(SystemExit):
        tut.parse_args(["--optimizer", "lbfgs"])
    with pytest.raises(SystemExit):
        tut.parse_args(["--finetune-corruption", "1.0"])
    assert tut.parse_args([]).finetune_corruption == 0.0
    for bad in (["--max-shift", "-1"], ["--max-shift", "28"], ["--shift-probability", "1.5"],
                ["--weight-decay", "-1"]):
        with pytest.raises(SystemExit):
            tut.parse_args(bad)
    defaults = tut.parse_args([])
    assert defaults.max_shift == 1 and defaults.shift_probability == tut.SHIFT_PROBABILITY


def test_shifts_and_weight_decay_change_the_training(tmp_path):
    common = ["--n-train", "200", "--n-test", "50", "--hidden-sizes", "8", "--code-size", "3",
              "--pretrain-epochs", "0", "--epochs", "2", "--skip-2d", "--output-folder", str(tmp_path)]
    plain = tut.main(common + ["--max-shift", "0"])["deep_error"]
    assert tut.main(common + ["--max-shift", "0"])["deep_error"] == plain  # deterministic
    assert tut.main(common + ["--shift-probability", "0"])["deep_error"] == plain  # no shift drawn
    assert tut.main(common)["deep_error"] != plain
    assert tut.main(common + ["--max-shift", "0", "--optimizer", "adamw",
                              "--weight-decay", "0.5"])["deep_error"] != plain


def test_pca_by_svd_is_exact_on_low_rank_data_and_matches_the_eigenvalues():
    rng = numpy.random.RandomState(0)
    x = rng.randn(200, 3) @ rng.randn(3, 20) + rng.randn(20)
    mean, comps = tut.fit_pca(x, 3)
    assert comps.shape == (3, 20)
    numpy.testing.assert_allclose(comps @ comps.T, numpy.eye(3), atol=1e-10)
    numpy.testing.assert_allclose(tut.pca_reconstruct(x, mean, comps), x, atol=1e-9)
    # with fewer components, the training error is the sum of the discarded eigenvalues
    noisy = x + 0.1 * rng.randn(*x.shape)
    mean, comps = tut.fit_pca(noisy, 2)
    eig = numpy.linalg.eigvalsh(numpy.cov(noisy.T, bias=True))[::-1]
    err = tut.squared_error_per_image(noisy, tut.pca_reconstruct(noisy, mean, comps))
    assert err == pytest.approx(eig[2:].sum(), rel=1e-9)


def test_pca_30_gives_the_papers_13_87_on_the_value_over_255_scale():
    # The tutorial's fit (centred, on the 60,000 training digits: the tutorial's training and
    # validation sets) by way of the covariance's eigenvectors (the same subspace as the SVD,
    # cheaper for a test).
    (train_x, _), (valid_x, _), (test_x, _) = dae.load_data()
    train_x = numpy.concatenate([train_x, valid_x])
    s = 256.0 / 255.0
    x = train_x.astype(numpy.float64) * s
    t = test_x.astype(numpy.float64) * s
    mean = x.mean(axis=0)
    xc = x - mean
    _, vecs = numpy.linalg.eigh(xc.T @ xc)
    comps = vecs[:, ::-1][:, :30].T
    err = tut.squared_error_per_image(t, tut.pca_reconstruct(t, mean, comps))
    assert round(err, 2) == 13.87
    # on dae.load_data's value/256 scale the same fit gives 13.76
    assert round(err / s ** 2, 2) == 13.76


def test_knn_accuracy():
    train = numpy.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [0.0, 0.1], [5.0, 5.1]])
    labels = numpy.array([0, 0, 1, 1, 0, 1])
    test = numpy.array([[0.05, 0.05], [4.9, 5.0], [0.2, 0.1]])
    assert tut.knn_accuracy(train, labels, test, numpy.array([0, 1, 0]), k=3, chunk=2) == 1.0
    assert tut.knn_accuracy(train, labels, test, numpy.array([1, 1, 1]), k=3) == pytest.approx(1 / 3)
    # k = 1 on the training points themselves is perfect
    assert tut.knn_accuracy(train, labels, train, labels, k=1) == 1.0


def test_learning_rate_schedule():
    assert tut.learning_rate_at(0.0, 1e-3, "cosine") == pytest.approx(1e-3)
    assert tut.learning_rate_at(1.0, 1e-3, "cosine") == pytest.approx(1e-5)
    assert tut.learning_rate_at(0.5, 1e-3, "cosine") == pytest.approx(1e-3 * (0.01 + 0.99 * 0.5))
    assert tut.learning_rate_at(2.0, 1e-3, "cosine") == pytest.approx(1e-5)
    assert tut.learning_rate_at(0.7, 1e-3, "constant") == 1e-3
    values = [tut.learning_rate_at(p / 10, 1.0, "cosine") for p in range(11)]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert not math.isnan(values[-1])
