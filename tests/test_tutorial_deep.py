"""The deep autoencoder tutorial run as a script on a small slice (its lines, files, flags, resume),
and its PCA / k-NN helpers."""
import os

import numpy
import pytest

import dae
from dae import cli
from dae.tutorial import run_script
from _chapter import run_cell, small_namespace

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials",
                      "deep_autoencoder_tutorial.py")
TINY = ["--n-train", "200", "--n-test", "50", "--hidden-sizes", "8", "--code-size", "3", "--pretrain-epochs", "0",
        "--epochs", "2", "--skip-2d"]


def run(tmp_path, *flags):
    return run_script(SCRIPT, list(flags) + ["--output-folder", str(tmp_path)])


@pytest.fixture(scope="module")
def tut(tmp_path_factory):
    """The tutorial's globals after a tiny run: its functions, to test them on their own."""
    return run(tmp_path_factory.mktemp("deep"), *TINY)


def test_tutorial_runs_on_a_small_slice(tmp_path, capsys):
    ns = run(tmp_path, "--n-train", "300", "--n-test", "200", "--hidden-sizes", "16", "8", "--code-size", "5",
             "--pretrain-epochs", "1", "--epochs", "2", "--epochs-2d", "1", "--eval-every", "1", "--knn", "3")
    out = capsys.readouterr().out
    for name in ("reconstructions.png", "codes_2d.png", "deep_autoencoder_5.npz", "deep_autoencoder_2.npz"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert "PCA with 5 components: test squared error" in out
    assert "Pre-training layer 2 (8-5), epoch 0, cost" in out
    assert "[5-D] fine-tuning epoch 1" in out and "2-D codes, 3-NN test accuracy" in out
    result = ns["result"]
    assert result["epochs"] == 2
    assert f"training {result['train_error']:.2f}" in out
    assert 0.0 <= result["knn_deep"] <= 1.0 and 0.0 <= result["knn_pca"] <= 1.0
    # the saved model is the trained one: same test and training errors when loaded back
    loaded = dae.load_model(tmp_path / "deep_autoencoder_5.npz")
    assert loaded.layer_sizes == [784, 16, 8, 5]
    assert loaded.reconstruction_error(ns["test_x"]) == pytest.approx(result["deep_error"], rel=1e-6)
    (train_x, _), _, _ = dae.load_data()  # the first 300 training digits, on the value/255 scale
    train_x = numpy.minimum(train_x[:300] * numpy.float32(256 / 255), 1)
    assert loaded.reconstruction_error(train_x) == pytest.approx(result["train_error"], rel=1e-6)
    capsys.readouterr()
    assert cli.main(["info", str(tmp_path / "deep_autoencoder_5.npz")]) == 0  # the one model file
    assert "model:    deep " in capsys.readouterr().out
    # the fine-tuning checkpoint is a model file too
    numpy.testing.assert_array_equal(dae.load_model(tmp_path / "checkpoints" / "deep_5" / "checkpoint_finetune.npz").params[0],
                                     loaded.params[0])


def test_quick_is_a_small_slice(tmp_path, capsys):
    ns = run(tmp_path, "--quick", "--epochs", "1", "--epochs-2d", "1", "--pretrain-epochs", "0")
    assert (ns["n_train"], ns["hidden_sizes"], ns["epochs"]) == (2000, [64, 32], 1)
    assert ns["train_x"].shape == (2000, 784) and (tmp_path / "codes_2d.png").exists()


def test_time_budget_stops_fine_tuning(tmp_path):
    ns = run(tmp_path, *TINY, "--minutes", "1e-9")
    assert ns["result"]["epochs"] == 1  # a 60 ns budget: one step, then stopped as soon as it was spent
    assert ns["trainer"].stopped == "time"
    assert not (tmp_path / "codes_2d.png").exists()


def test_an_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, ctrl_c_at, capsys):
    flags = ["--n-train", "200", "--n-test", "50", "--hidden-sizes", "8", "--code-size", "3", "--epochs", "3",
             "--batch-size", "100", "--skip-2d"]
    restore = ctrl_c_at(dae.DeepAutoencoder, 4)   # two minibatches per epoch: in the middle of epoch 1
    with pytest.raises(dae.train.TrainingInterrupted, match="checkpoint saved"):
        run(tmp_path / "cut", *flags)
    restore()
    whole = run(tmp_path / "whole", *flags)["model"]
    resumed_run = run(tmp_path / "cut", *flags, "--resume")
    resumed = resumed_run["model"]
    assert len(resumed_run["trainer"].history) == 3
    for a, b in zip(whole.params, resumed.params):
        numpy.testing.assert_array_equal(a, b)
    # a run stopped after an epoch's checkpoint (as by kill -9), resumed: a constant rate
    # makes 1 epoch then 2 more the same run as 3 straight
    constant = flags + ["--schedule", "constant"]
    run(tmp_path / "killed", *constant, "--epochs", "1")
    longer = run(tmp_path / "killed", *constant, "--resume")["model"]
    straight = run(tmp_path / "straight", *constant)["model"]
    for a, b in zip(straight.params, longer.params):
        numpy.testing.assert_array_equal(a, b)


def test_kill_9_then_resume_ends_with_the_uninterrupted_parameters(tmp_path, capsys):
    from _kill import run_until_checkpoint_then_kill

    flags = ["--n-train", "200", "--n-test", "50", "--hidden-sizes", "8", "--code-size", "3", "--epochs", "150",
             "--batch-size", "100", "--skip-2d", "--eval-every", "1000"]
    killed = tmp_path / "killed"
    assert run_until_checkpoint_then_kill(SCRIPT, flags + ["--output-folder", killed],
                                          killed / "checkpoints" / "deep_3" / "checkpoint_finetune.npz"), "it finished before the kill"
    resumed_run = run(killed, *flags, "--resume")
    resumed = resumed_run["model"]
    straight = run(tmp_path / "straight", *flags)["model"]
    assert len(resumed_run["trainer"].history) == 150
    for a, b in zip(straight.params, resumed.params):
        numpy.testing.assert_array_equal(a, b)


def test_bad_arguments_are_refused():
    for bad in (["--batch-size", "0"], ["--epochs", "-1"], ["--optimizer", "lbfgs"], ["--finetune-corruption", "1.0"],
                ["--max-shift", "-1"], ["--max-shift", "28"], ["--shift-probability", "1.5"], ["--weight-decay", "-1"]):
        with pytest.raises((SystemExit, ValueError)):
            run_script(SCRIPT, bad)


def test_shifts_and_weight_decay_change_the_training(tmp_path):
    def error(*flags):
        return run(tmp_path, *TINY, *flags)["result"]["deep_error"]
    plain = error("--max-shift", "0")
    assert error("--max-shift", "0") == plain  # deterministic
    assert error("--shift-probability", "0") == plain  # no shift drawn
    assert error() != plain
    assert error("--max-shift", "0", "--optimizer", "adamw", "--weight-decay", "0.5") != plain


def test_pca_by_svd_is_exact_on_low_rank_data_and_matches_the_eigenvalues(tut):
    rng = numpy.random.RandomState(0)
    x = rng.randn(200, 3) @ rng.randn(3, 20) + rng.randn(20)
    mean, comps = tut["fit_pca"](x, 3)
    assert comps.shape == (3, 20)
    numpy.testing.assert_allclose(comps @ comps.T, numpy.eye(3), atol=1e-10)
    numpy.testing.assert_allclose(tut["pca_reconstruct"](x, mean, comps), x, atol=1e-9)
    # with fewer components, the training error is the sum of the discarded eigenvalues
    noisy = x + 0.1 * rng.randn(*x.shape)
    mean, comps = tut["fit_pca"](noisy, 2)
    eig = numpy.linalg.eigvalsh(numpy.cov(noisy.T, bias=True))[::-1]
    err = tut["squared_error_per_image"](noisy, tut["pca_reconstruct"](noisy, mean, comps))
    assert err == pytest.approx(eig[2:].sum(), rel=1e-9)


def test_pca_30_gives_the_papers_13_87_on_the_value_over_255_scale(tut):
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
    err = tut["squared_error_per_image"](t, tut["pca_reconstruct"](t, mean, comps))
    assert round(err, 2) == 13.87
    # on dae.load_data's value/256 scale the same fit gives 13.76
    assert round(err / s ** 2, 2) == 13.76


def test_knn_accuracy(tut):
    knn_accuracy = tut["knn_accuracy"]
    train = numpy.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [0.0, 0.1], [5.0, 5.1]])
    labels = numpy.array([0, 0, 1, 1, 0, 1])
    test = numpy.array([[0.05, 0.05], [4.9, 5.0], [0.2, 0.1]])
    assert knn_accuracy(train, labels, test, numpy.array([0, 1, 0]), k=3, chunk=2) == 1.0
    assert knn_accuracy(train, labels, test, numpy.array([1, 1, 1]), k=3) == pytest.approx(1 / 3)
    # k = 1 on the training points themselves is perfect
    assert knn_accuracy(train, labels, train, labels, k=1) == 1.0


def test_the_learning_rate_follows_the_cosine_to_one_percent(tut):
    rates = []
    history = tut["trainer"].history
    assert history[-1]["learning_rate"] < history[0]["learning_rate"] == tut["learning_rate"]
    schedule = dae.train.schedules.cosine(1e-3)

    class At:
        def __init__(self, p):
            self.p = p

        def fraction_done(self):
            return self.p
    for p in (0.0, 0.5, 1.0, 2.0):
        rates.append(schedule(At(p)))
    assert rates == pytest.approx([1e-3, 1e-3 * (0.01 + 0.99 * 0.5), 1e-5, 1e-5])


# ----- the chapter as a notebook: cells re-run cleanly, later cells name the cell to run first ------------
def _run_cell(cell, ns, capsys):
    return run_cell(SCRIPT, cell, ns, capsys)


def _small_namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=200, n_test=60, hidden_sizes=[8], code_size=3, epochs=2,
                           epochs_2d=1, eval_every=1, output_folder=str(tmp_path))


def _index(cells, text):
    return next(i for i, c in enumerate(cells) if text in c)


def test_training_cells_give_the_same_lines_when_run_again(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    outputs = [_run_cell(cell, ns, capsys) for cell in cells[1:]]
    first, second = _index(cells, "= train_deep_autoencoder(sizes"), _index(cells, "model_2d = None")
    assert any(line.startswith("[3-D] fine-tuning epoch 1, cost") for line in outputs[first - 1])
    assert any(line.startswith("2-D codes, 5-NN test accuracy") for line in outputs[second - 1])
    assert any(line.startswith("first measured below PCA-3's") for line in outputs[first])
    for index in (first, first + 1, second, second + 1, first):
        assert _run_cell(cells[index], ns, capsys) == outputs[index - 1], f"cell {index} printed other lines"


def test_cells_after_training_run_before_it_name_the_training_cell(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    first = _index(cells, "= train_deep_autoencoder(sizes")
    for cell in cells[1:first]:
        _run_cell(cell, ns, capsys)
    for index in (first + 1, first + 2):
        with pytest.raises(dae.tutorial.RunFirst, match=r"^run the training cell of the first code first"):
            _run_cell(cells[index], ns, capsys)
    figure = _index(cells, "dae.plotting.codes_2d(")
    with pytest.raises(dae.tutorial.RunFirst, match=r"^run the 2-D training cell first"):
        _run_cell(cells[figure], ns, capsys)
    assert not any(tmp_path.glob("*.png"))


def test_the_chapter_shows_the_code_it_teaches(tmp_path, capsys):
    run(tmp_path, *TINY)
    out = capsys.readouterr().out
    for name in ("DeepAutoencoder._layers", "DeepAutoencoder.cost_and_grads", "DeepAutoencoder.unroll",
                 "SigmoidCrossEntropy.backward", "Sequential.backward", "Dense.backward", "Sigmoid.backward"):
        assert f": {name}\n" in out, name
    assert "\ndef unroll(self):" in out
