"""tutorials/SdA_tutorial.py run as a script on a small slice: the tutorial's lines, its files, its flags."""
import os
import re

import numpy
import pytest

import dae
from dae import cli
from dae.tutorial import run_script
from _chapter import (assert_prints_the_same_again, assert_stop_until_trained, index_of, run_cell, run_cells,
                      small_namespace)

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
    assert re.search(r"^The pretraining code for file SdA_tutorial.py ran for \d+\.\d\dm$", out, re.M)
    assert re.search(r"^The training code for file SdA_tutorial.py ran for \d+\.\d\dm$", out, re.M)
    assert re.search(r"^fine-tuning epochs run: 3$", out, re.M)
    assert err == ""   # timings go to stdout: nothing shows as an error box in a notebook
    # the code it teaches is shown, read from the live objects
    assert "\ndef pretraining_functions(self, train_set_x, batch_size" in out
    assert "# dae/layers/dense.py: HiddenLayer.forward" in out
    for name in ("filters_layer0.png", "filters_pretrained.png"):
        assert (tmp_path / name).stat().st_size > 0
    # the saved model is the best-validation one: it reproduces the reported validation error
    sda = dae.load_model(tmp_path / "sda.npz")
    assert sda.errors(ns["valid_set_x"], ns["valid_set_y"]) == pytest.approx(ns["best_validation_loss"])
    capsys.readouterr()
    assert cli.main(["info", str(tmp_path / "sda.npz")]) == 0  # the one model file: dae info reads it
    assert "model:    SdA " in capsys.readouterr().out


def test_the_loop_is_the_tutorials_pretraining_functions(tmp_path, capsys):
    """The chapter's costs are those of the tutorial's pretraining_functions loop run here, with
    cached codes and with the lower layers recomputed for every minibatch."""
    ns = run(tmp_path)
    sda = dae.SdA(numpy.random.RandomState(89677), n_ins=784, hidden_layers_sizes=[30, 20])
    fns = sda.pretraining_functions(ns["train_set_x"], batch_size=20, cache_codes=False)
    costs = [[float(numpy.mean([float(f(index=b, corruption=level, lr=ns["pretrain_lr"]))
                                for b in range(f.n_batches)])) for _ in range(2)]
             for f, level in zip(fns, [0.1, 0.2])]
    numpy.testing.assert_allclose(ns["pretraining_costs"], costs, rtol=1e-5)
    recomputed = run(tmp_path, "--no-cache-codes")
    numpy.testing.assert_allclose(recomputed["pretraining_costs"], costs, rtol=1e-5)


def test_no_pretraining_and_top_only(tmp_path, capsys):
    run(tmp_path, "--no-pretraining", "--finetune", "top")
    out, _ = capsys.readouterr()
    assert "Pre-training layer" not in out
    assert "Optimization complete" in out
    sda = dae.load_model(tmp_path / "sda.npz")
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
    explicit = run_script(SCRIPT, ["--faithful", "--n-train", "25", "--hidden-layers-sizes", "5",
                                   "--corruption-levels", "0.1", "--training-epochs", "1", "--batch-size", "5",
                                   "--no-pretraining", "--output-folder", str(tmp_path)])
    assert (explicit["batch_size"], explicit["pretrain_batch_size"], explicit["training_epochs"]) == (5, 1, 1)
    top = run_script(SCRIPT, quick + ["--no-pretraining", "--finetune", "top"])
    assert top["finetune_options"]["augment"] is None   # fixed codes: nothing to shift


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


# ----- the chapter as a notebook: cells re-run cleanly, figure cells name the cell to run first ------------
def _run_cell(cell, ns, capsys):
    return run_cell(SCRIPT, cell, ns, capsys)


def _small_namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=400, hidden_layers_sizes=[30, 20],
                           corruption_levels=[0.1, 0.2], pretraining_epochs=2, training_epochs=3, batch_size=20,
                           pretrain_batch_size=20, output_folder=str(tmp_path))


def test_training_cells_give_the_same_lines_when_run_again(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    outputs = run_cells(SCRIPT, cells, ns, capsys)
    pretraining = index_of(cells, "pretraining_fns = sda.pretraining_functions")
    finetuning = index_of(cells, "while epoch < training_epochs")
    assert any(line.startswith("Pre-training layer 1, epoch 1") for line in outputs[pretraining - 1])
    assert any("test error of best model" in line for line in outputs[finetuning - 1])
    assert_prints_the_same_again(SCRIPT, cells, ns, capsys, outputs,
                                 (finetuning, pretraining, finetuning, finetuning + 1))


def test_figure_and_summary_cells_before_training_name_the_cell_to_run(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    pretraining = index_of(cells, "pretraining_fns = sda.pretraining_functions")
    later = cells[pretraining + 1:]
    assert_stop_until_trained(SCRIPT, cells, ns, capsys, pretraining, [c for c in later if "dae.tutorial.need(" in c],
                              r"^run the (pretraining cell \(step 1\)|fine-tuning cell \(steps 2 and 3\)) first")
    assert not (tmp_path / "filters_pretrained.png").exists()
    _run_cell(cells[pretraining], ns, capsys)
    summary = [c for c in later if "Optimization complete" in c][0]
    with pytest.raises(dae.tutorial.RunFirst, match="fine-tuning cell"):
        _run_cell(summary, ns, capsys)
    assert dae.tutorial.RunFirst("x")._render_traceback_() == ["RunFirst: x"]   # one line in Jupyter


def test_quick_and_faithful_keep_what_papermill_set(monkeypatch):
    """In a kernel, the values papermill injected (its '# Parameters' cell) count as set: neither
    the quick slice nor a preset replaces them; the rest of both apply."""
    import types

    import IPython
    shell = types.SimpleNamespace(user_ns={"In": ["", "n_train = None\nquick = False\n",
                                                  "# Parameters\nquick = True\nfaithful = True\nn_train = 600\n"]})
    monkeypatch.setattr(dae.tutorial, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert dae.tutorial.injected_parameters() == {"quick", "faithful", "n_train"}
    ns = {"quick": True, "faithful": True, "n_train": 600, "batch_size": 50, "epochs": 30}
    given = dae.tutorial.parameters(ns, quick={"n_train": 1000, "epochs": 2}, presets={"faithful": {"batch_size": 1}})
    assert given == {"quick": True, "faithful": True, "n_train": 600}
    assert (ns["n_train"], ns["epochs"], ns["batch_size"]) == (600, 2, 1)


def test_show_source_prints_the_live_code_in_a_script(capsys):
    dae.tutorial.show_source(dae.SdA.pretraining_functions)
    out = capsys.readouterr().out
    assert out.startswith("# dae/models/sda.py: SdA.pretraining_functions\ndef pretraining_functions(self,")
    import inspect
    assert inspect.getsource(dae.SdA.pretraining_functions).strip().splitlines()[-1].strip() in out
