"""tutorials/SdA_tutorial.py on a small slice: the tutorial's lines, its files, its flags."""
import re

import numpy
import pytest

import dae
from dae import cli
import SdA_tutorial

SMALL = ["--n-train", "400", "--hidden-layers-sizes", "30", "20", "--corruption-levels", "0.1", "0.2",
         "--pretraining-epochs", "2", "--training-epochs", "3", "--batch-size", "20", "--pretrain-batch-size", "20",
         "--finetune-lr", "0.1"]


def test_small_run_prints_the_tutorial_lines_and_writes_its_files(tmp_path, capsys):
    result = SdA_tutorial.main(SMALL + ["--output-folder", str(tmp_path)])
    out, err = capsys.readouterr()
    pre = re.findall(r"^Pre-training layer (\d), epoch (\d), cost ([\d.]+)$", out, re.M)
    assert [(int(i), int(e)) for i, e, _ in pre] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert re.search(r"^epoch 1, minibatch 20/20, validation error [\d.]+ %$", out, re.M)
    assert re.search(r"^     epoch 1, minibatch 20/20, test error of best model [\d.]+ %$", out, re.M)
    final = re.search(r"^Optimization complete with best validation score of ([\d.]+) %, on iteration (\d+), "
                      r"with test performance ([\d.]+) %$", out, re.M)
    assert final
    assert float(final.group(1)) == pytest.approx(100 * result["best_validation_error"], abs=1e-4)
    assert float(final.group(3)) == pytest.approx(100 * result["test_error"], abs=1e-4)
    assert result["test_error"] < 0.5  # 10 classes: far better than chance after 3 epochs
    assert re.search(r"The pretraining code for file SdA_tutorial.py ran for \d+\.\d\dm", err)
    assert re.search(r"The training code for file SdA_tutorial.py ran for \d+\.\d\dm", err)
    assert (tmp_path / "filters_layer0.png").stat().st_size > 0
    # the saved model is the best-validation one: it reproduces the reported validation error
    sda = dae.SdA.load(tmp_path / "sda.npz")
    assert cli.main(["info", str(tmp_path / "sda.npz")]) == 0  # the one model file: dae info reads it
    assert "model:    SdA " in capsys.readouterr().out
    (_, _), (vx, vy), _ = SdA_tutorial.load_datasets(400)
    assert sda.errors(vx, vy) == pytest.approx(result["best_validation_error"])


def test_no_pretraining_and_top_only(tmp_path, capsys):
    SdA_tutorial.main(SMALL + ["--no-pretraining", "--finetune", "top", "--output-folder", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert "Pre-training layer" not in out
    assert "Optimization complete" in out
    sda = dae.SdA.load(tmp_path / "sda.npz")
    fresh = dae.SdA(numpy.random.RandomState(89677), n_ins=784, hidden_layers_sizes=[30, 20],
                    corruption_levels=[0.1, 0.2])
    numpy.testing.assert_array_equal(sda.params[0], fresh.params[0])  # hidden layers untouched
    assert sda.logLayer.W.any()


def test_flags_fast_and_faithful_recipes():
    fast = SdA_tutorial.parse_args([])
    assert fast.hidden_layers_sizes == [1000, 1000, 1000] and fast.corruption_levels == [0.1, 0.2, 0.3]
    assert fast.batch_size == SdA_tutorial.FAST["batch_size"] and fast.momentum > 0
    faithful = SdA_tutorial.parse_args(["--faithful"])
    assert (faithful.batch_size, faithful.pretrain_batch_size, faithful.pretrain_lr, faithful.finetune_lr,
            faithful.pretraining_epochs, faithful.training_epochs, faithful.momentum, faithful.lr_decay) == \
        (1, 1, 0.001, 0.1, 15, 1000, 0.0, 1.0)
    assert SdA_tutorial.parse_args(["--faithful", "--batch-size", "5"]).batch_size == 5
    assert (fast.max_shift, faithful.max_shift, faithful.dropout) == (1, 0, 0.0)
    assert SdA_tutorial.parse_args(["--finetune", "top"]).max_shift == 0


def test_bad_flags():
    with pytest.raises(SystemExit):
        SdA_tutorial.parse_args(["--hidden-layers-sizes", "10", "10", "--corruption-levels", "0.1"])
    with pytest.raises(SystemExit):
        SdA_tutorial.parse_args(["--finetune", "middle"])


def test_batch_size_larger_than_the_data(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        SdA_tutorial.main(["--n-train", "50", "--hidden-layers-sizes", "5", "--corruption-levels", "0.1",
                           "--batch-size", "60", "--pretrain-batch-size", "60", "--output-folder", str(tmp_path)])
