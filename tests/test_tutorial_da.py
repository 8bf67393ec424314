"""tutorials/dA_tutorial.py run as a script on a small slice, its flags, and its first epochs on
the full data against the original Theano graph's costs (dae.reference)."""
import os

import numpy
import pytest
from PIL import Image

import dae
from dae.tutorial import run_script

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "dA_tutorial.py")


def _costs(out):
    return [float(line.split("cost ")[1]) for line in out.splitlines() if line.startswith("Training epoch")]


def test_runs_on_a_slice_and_writes_both_filter_images(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--n-train", "200", "--training-epochs", "2", "--output-folder", tmp_path])
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.startswith("Training epoch")]
    assert [line.split(",")[0] for line in lines] == ["Training epoch 0", "Training epoch 1"] * 2
    assert _costs(out) == ns["costs_0"] + ns["costs_30"] and all(c > 0 for c in _costs(out))
    assert "The no corruption code for file dA_tutorial.py ran for" in err
    assert "The 30% corruption code for file dA_tutorial.py ran for" in err
    assert "NOT the full default size" in out
    for name in ("filters_corruption_0.png", "filters_corruption_30.png"):
        image = Image.open(tmp_path / name)
        assert image.size == (289, 289) and image.mode == "L"
    assert ns["fast"] is False and ns["train_set_x"].shape == (200, 784)


def test_readable_default_and_fast_option_print_the_same_costs(tmp_path, capsys):
    run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "1", "--output-folder", tmp_path])
    readable = _costs(capsys.readouterr().out)
    ns = run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "1", "--output-folder", tmp_path, "--fast"])
    fast = _costs(capsys.readouterr().out)
    assert ns["fast"] is True and len(readable) == len(fast) == 2
    numpy.testing.assert_allclose(fast, readable, rtol=1e-5)


def test_quick_flag_and_explicit_flags_win(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--quick", "--training-epochs", "1", "--output-folder", tmp_path])
    assert (ns["n_train"], ns["training_epochs"], ns["quick"]) == (1000, 1, True)
    assert len(_costs(capsys.readouterr().out)) == 2


def test_the_removed_readable_alias_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--readable", "--output-folder", tmp_path])
    ns = run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--no-fast", "--output-folder", tmp_path])
    assert ns["fast"] is False


def test_first_epochs_are_the_original_graphs():
    """The original Theano graph (dae.reference) printed 63.289169 and 55.786657 for corruption 0."""
    train_x = dae.load_data()[0][0]
    rng = numpy.random.RandomState(123)
    da = dae.dA(numpy_rng=rng, theano_rng=dae.RandomStreams(rng.randint(2 ** 30)), n_visible=784, n_hidden=500)
    costs = []
    for epoch in range(2):
        c = []
        for i in range(train_x.shape[0] // 20):
            cost, updates = da.get_cost_updates(train_x[i * 20:(i + 1) * 20], corruption_level=0.0, learning_rate=0.1)
            dae.apply_updates(updates)
            c.append(cost)
        costs.append(float(numpy.mean(numpy.asarray(c, dtype="float64"))))
    reference = dae.reference.original_graph_costs()
    assert costs[0] == pytest.approx(63.2891, rel=1e-5)  # the tutorial page's line
    numpy.testing.assert_allclose(costs, reference[:2], rtol=1e-6)


@pytest.mark.slow
def test_full_run_matches_the_original_graph_tile_by_tile(tmp_path, capsys):
    """15 epochs at the tutorial's size (about a minute): the costs and every filter are the
    original graph's (per-tile correlation above 0.9999; pixels within one grey level)."""
    ns = run_script(SCRIPT, ["--output-folder", tmp_path])
    numpy.testing.assert_allclose(ns["costs_0"], dae.reference.original_graph_costs(), rtol=1e-6)
    ours = numpy.asarray(Image.open(tmp_path / "filters_corruption_0.png"))
    theirs = dae.reference.original_graph_filters()
    agreement = dae.reference.tile_correlations(ours, theirs)
    assert agreement.shape == (100,) and agreement.min() > 0.9999
    assert numpy.abs(ours.astype(int) - theirs).max() <= 1
    assert "tiles above 0.99: 100 of 100" in capsys.readouterr().out


def test_batch_larger_than_the_data_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        run_script(SCRIPT, ["--n-train", "10", "--batch-size", "20", "--output-folder", tmp_path])


@pytest.mark.parametrize("argv", [["--training-epochs", "0"], ["--learning-rate", "-1"], ["--backend", "tpu"],
                                  ["--n-train", "many"]])
def test_bad_flags_exit_with_a_message(argv, capsys):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, argv)
    assert "error" in capsys.readouterr().err
