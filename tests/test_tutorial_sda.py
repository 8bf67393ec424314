"""tutorials/SdA_tutorial.py run as a script on a small slice: the tutorial's lines, its files, its flags."""
import os
import re

import numpy
import pytest

import dae
from dae import cli
from dae.tutorial import run_script

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "SdA_tutorial.py")
SMALL = ["--n-train", "400", "--hidden-layers-sizes", "30", "20", "--corruption-levels", "0.1", "0.2",
         "--pretraining-epochs", "2", "--training-epochs", "3", "--batch-size", "20", "--pretrain-batch-size", "20",
         "--finetune-lr", "0.1"]


def run(tmp_path, *flags):
    return run_script(SCRIPT, SMALL + list(flags) + ["--output-folder", str(tmp_path)])


def test_small_run_prints_the_tutorial_lines_and_writes_its_files(tmp_path, capsys):
    ns = run(tmp_path)
    out, err = capsys.readouterr()
    pre = re.findall(r"^Pre-training layer (\d), epoch (\d), cost ([\d.]+)$", out, re.M)
    assert [(int(i), int(e)) for i, e, _ in pre] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [float(c) for _, _, c in pre] == pytest.approx(sum(ns["pretraining_costs"], []), abs=1e-6)
    assert re.search(r"^epoch 1, minibatch 20/20, validation error [\d.]+ %$", out, re.M)
    assert re.search(r"^     epoch 1, minibatch 20/20, test error of best model [\d.]+ %$", out, re.M)
    final = re.search(r"^Optimization complete with best validation score of ([\d.]+) %, on iteration (\d+), "
                      r"with test performance ([\d.]+) %$", out, re.M)
    assert final
    assert float(final.group(1)) == pytest.approx(100 * ns["best_validation_loss"], abs=1e-4)
    assert float(final.group(3)) == pytest.approx(100 * ns["test_score"], abs=1e-4)
    assert int(final.group(2)) == ns["best_iter"] + 1
    assert ns["test_score"] < 0.5  # 10 classes: far better than chance after 3 epochs
    assert re.search(r"The pretraining code for file SdA_tutorial.py ran for \d+\.\d\dm", err)
    assert re.search(r"The training code for file SdA_tutorial.py ran for \d+\.\d\dm", err)
    for name in ("filters_layer0.png", "filters_pretrained.png"):
        assert (tmp_path / name).stat().st_size > 0
    # the saved model is the best-validation one: it reproduces the reported validation error
    sda = dae.SdA.load(tmp_path / "sda.npz")
    assert sda.errors(ns["valid_set_x"], ns["valid_set_y"]) == pytest.approx(ns["best_validation_loss"])
    capsys.readouterr()
    assert cli.main(["info", str(tmp_path / "sda.npz")]) == 0  # the one model file: dae info reads it
    assert "model:    SdA " in capsys.readouterr().out


def test_the_loop_is_the_tutorials_pretraining_functions(tmp_path, capsys):
    """Pretraining through dae.Trainer gives the costs of the tutorial's pretraining_functions loop,
    with cached codes and with the lower layers recomputed per minibatch (the trainer's transform)."""
    ns = run(tmp_path)
    sda = dae.SdA(numpy.random.RandomState(89677), n_ins=784, hidden_layers_sizes=[30, 20])
    fns = sda.pretraining_functions(ns["train_set_x"], batch_size=20, cache_codes=True)
    costs = [[float(numpy.mean([float(f(index=b, corruption=level, lr=ns["pretrain_lr"]))
                                for b in range(f.n_batches)])) for _ in range(2)]
             for f, level in zip(fns, [0.1, 0.2])]
    numpy.testing.assert_allclose(ns["pretraining_costs"], costs, rtol=1e-6)
    recomputed = run(tmp_path, "--no-cache-codes")
    numpy.testing.assert_allclose(recomputed["pretraining_costs"], costs, rtol=1e-5)


def test_no_pretraining_and_top_only(tmp_path, capsys):
    run(tmp_path, "--no-pretraining", "--finetune", "top")
    out, _ = capsys.readouterr()
    assert "Pre-training layer" not in out
    assert "Optimization complete" in out
    sda = dae.SdA.load(tmp_path / "sda.npz")
    fresh = dae.SdA(numpy.random.RandomState(89677), n_ins=784, hidden_layers_sizes=[30, 20])
    numpy.testing.assert_array_equal(sda.params[0], fresh.params[0])  # hidden layers untouched
    assert sda.logLayer.W.any()


def test_fast_and_faithful_recipes(tmp_path, capsys):
    quick = ["--quick", "--output-folder", str(tmp_path), "--training-epochs", "1", "--pretraining-epochs", "1"]
    fast = run_script(SCRIPT, quick + ["--no-pretraining"])
    assert fast["hidden_layers_sizes"] == [100, 100, 100] and fast["corruption_levels"] == [0.1, 0.2, 0.3]
    assert (fast["batch_size"], fast["momentum"], fast["max_shift"]) == (50, 0.9, 1)
    faithful = run_script(SCRIPT, ["--faithful", "--n-train", "20", "--hidden-layers-sizes", "5",
                                   "--corruption-levels", "0.1", "--training-epochs", "1", "--pretraining-epochs", "1",
                                   "--output-folder", str(tmp_path)])
    assert (faithful["batch_size"], faithful["pretrain_batch_size"], faithful["pretrain_lr"], faithful["finetune_lr"],
            faithful["momentum"], faithful["lr_decay"], faithful["max_shift"]) == (1, 1, 0.001, 0.1, 0.0, 1.0, 0)
    explicit = run_script(SCRIPT, ["--faithful", "--n-train", "20", "--hidden-layers-sizes", "5",
                                   "--corruption-levels", "0.1", "--training-epochs", "1", "--batch-size", "5",
                                   "--no-pretraining", "--output-folder", str(tmp_path)])
    assert (explicit["batch_size"], explicit["pretrain_batch_size"], explicit["training_epochs"]) == (5, 5, 1)
    top = run_script(SCRIPT, quick + ["--no-pretraining", "--finetune", "top"])
    assert top["max_shift"] == 0


def test_bad_flags(tmp_path):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--hidden-layers-sizes", "10", "10", "--corruption-levels", "0.1"])
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--finetune", "middle"])
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--batch-size", "0"])


def test_batch_size_larger_than_the_data(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        run_script(SCRIPT, ["--n-train", "50", "--hidden-layers-sizes", "5", "--corruption-levels", "0.1",
                            "--batch-size", "60", "--pretrain-batch-size", "60", "--output-folder", str(tmp_path)])
