"""Reliability, round three (issue 28, the rest): a rising cost reported, the tutorial loop stopped
on a non-finite cost, flags checked before the run folder is made, --resume checking its data,
one-line errors naming train_y / valid_x / valid_y, a Generator as numpy_rng, and the wording of
what dae train prints."""
import json
import re
import warnings

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dae
from dae import cli, divergence, optim, train
from dae.cli.run_checks import data_fingerprint, mean_prediction_cost, stuck_above
from dae.io import CorruptFileError, load_arrays, save_arrays
from dae.registry.core import float_list, int_list

QUIET = train.Display("none")


def data(n=60, d=6, seed=0):
    return numpy.random.RandomState(seed).rand(n, d).astype(numpy.float32)


def tiny_da():
    return dae.dA(numpy.random.RandomState(0), n_visible=6, n_hidden=3)


def tiny_sda():
    return dae.SdA(numpy.random.RandomState(0), n_ins=6, hidden_layers_sizes=[4], n_outs=3)


def run_cli(capsys, *args):
    try:
        rc = cli.main(list(map(str, args)))
    except SystemExit as exc:          # argparse's refusal of a flag's value
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def write_data(folder, n=200, d=20, seed=0):
    rs = numpy.random.RandomState(seed)
    numpy.save(folder / "x.npy", rs.rand(n, d).astype(numpy.float32))
    numpy.save(folder / "y.npy", rs.randint(0, 3, n))


# ----- a rising cost is reported -------------------------------------------------------------------
class Uphill:
    """A protocol model whose gradient points uphill: every SGD step multiplies p by ``growth``, so
    the cost p.p rises by growth**2 per minibatch (finite, under the blow-up factor)."""

    def __init__(self, growth):
        self.params = [numpy.ones(3)]
        self.param_names = ["p"]
        self.growth = growth

    def cost_and_grads(self, x, *, rng=None):
        p = self.params[0]
        return float(p @ p), [-(self.growth - 1.0) / 0.1 * p]


@settings(max_examples=20, deadline=None)
@given(growth=st.floats(1.05, 1.2), epochs=st.integers(2, 3), decay=st.sampled_from([0.0, 1e-3]))
def test_a_cost_that_rose_ends_in_a_warning_naming_the_learning_rate(growth, epochs, decay):
    model = Uphill(growth)
    trainer = train.Trainer(model, optim.SGD(0.1, weight_decay=decay), 10, rng=0, display=QUIET)
    with pytest.warns(train.CostRoseWarning) as caught:
        history = trainer.fit(data(40), epochs)
    assert len(history) == epochs                      # it finishes: a warning, not an error
    message = str(caught[0].message)
    assert message == trainer.warning
    assert "cost rose" in message and "smaller learning rate (now 0.1; try 0.01)" in message
    assert ("weight_decay" in message) == (decay > 0)   # the 1-D p takes no decay, but a set one is named


@settings(max_examples=10, deadline=None)
@given(lr=st.floats(0.01, 0.5), epochs=st.integers(1, 3))
def test_a_cost_that_fell_ends_without_a_warning(lr, epochs):
    trainer = train.Trainer(tiny_da(), optim.SGD(lr), 10, rng=0, cost_kwargs={"corruption_level": 0.3},
                            display=QUIET)
    with warnings.catch_warnings():
        warnings.simplefilter("error", train.CostRoseWarning)
        history = trainer.fit(data(), epochs)
    assert trainer.warning is None and history[-1]["train_cost"] < trainer.first_cost


def mean_warning(capsys, folder, n_train, n_hidden, lr):
    """Train a dA on MNIST at learning rate ``lr``; its one warning line, which must say the cost
    ended above predicting the data's mean and suggest a learning rate ten times smaller."""
    rc, out, err = run_cli(capsys, "train", "--data", "mnist", "--n-train", n_train, "--epochs", 3, "--n-hidden",
                           n_hidden, "--learning-rate", lr, "--output-dir", folder, "--no-plots")
    assert rc == 0
    warning = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "above what predicting the data's mean costs" in warning[0], out
    assert f"smaller learning rate (now {lr}; try {lr // 10})" in warning[0]
    return warning[0], out


def test_the_command_line_reports_the_issues_rising_run_in_its_output_and_metrics(tmp_path, capsys):
    # its epochs fall a little (840, 785, 785) but end far above predicting the mean (about 200)
    warning, out = mean_warning(capsys, tmp_path / "run", 2000, 100, 30)
    assert "Trained 3 epochs" in out and "see the warning above" in out.splitlines()[-1]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["warnings"] == [{"phase": "train", "warning": warning}]
    rc, out, err = run_cli(capsys, "train", "--data", "mnist", "--n-train", 2000, "--epochs", 3, "--n-hidden", 100,
                           "--learning-rate", 30, "--output-dir", tmp_path / "quiet", "--no-plots", "--quiet")
    assert rc == 0 and out == "" and err.startswith("dae: warning: the training cost")


def test_a_run_stuck_above_the_cost_of_predicting_the_mean_ends_in_a_warning(tmp_path, capsys):
    warning, _ = mean_warning(capsys, tmp_path / "run", 500, 20, 10)
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["warnings"][0]["warning"] == warning


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 30), d=st.integers(1, 8), seed=st.integers(0, 1000))
def test_the_mean_prediction_cost_is_what_a_da_that_learned_only_the_mean_costs(n, d, seed):
    x = numpy.random.RandomState(seed).rand(n, d)
    m = numpy.clip(x.mean(axis=0), 1e-7, 1 - 1e-7)
    model = dae.dA(numpy.random.RandomState(0), n_visible=d, n_hidden=2)
    model.W[...] = 0.0
    model.b_prime[...] = numpy.log(m / (1 - m))
    cost, _ = model.cost_and_grads(x.astype(model.W.dtype), rng=numpy.random.RandomState(0), corruption_level=0.0)
    assert mean_prediction_cost(x, chunk=7) == pytest.approx(float(cost), rel=1e-4, abs=1e-4)


def test_stuck_above_needs_a_plateau_above_the_mean():
    epochs = [{"train_cost": c} for c in (300.0, 250.0, 249.0)]
    assert stuck_above(epochs, 650.0, 200.0)                       # fell from 650, then stopped above 200
    assert not stuck_above(epochs[:2], 650.0, 200.0)               # still falling
    assert not stuck_above(epochs, 650.0, 240.0)                   # within 5 % of the mean's cost
    assert stuck_above(epochs, 240.0, 200.0)                       # rose from its start, then stopped above 200
    assert not stuck_above(epochs[:1], 650.0, 200.0)               # one epoch says nothing of a plateau
    assert not stuck_above(epochs + [{"train_cost": 240.0, "partial": True}][:0], 650.0, None)


def test_a_divergence_under_a_large_weight_decay_names_the_weight_decay():
    trainer = train.Trainer(tiny_da(), optim.SGD(0.1, weight_decay=1e6), 10, rng=0, display=QUIET,
                            cost_kwargs={"corruption_level": 0.0})
    with pytest.raises(train.DivergenceError, match=r"smaller learning rate \(now 0.1; try 0.01\) or a smaller "
                                                    r"weight_decay \(now 1e\+06"):
        trainer.fit(data(), 5)
    quiet = train.Trainer(tiny_da(), optim.SGD(1e9), 10, rng=0, display=QUIET)
    with pytest.raises(train.DivergenceError) as caught:
        quiet.fit(data(), 5)
    assert "weight_decay" not in str(caught.value)     # not blamed when it is not set


# ----- the tutorial's loop -------------------------------------------------------------------------
@pytest.mark.parametrize("make,levels", [
    (tiny_da, {"corruption_level": 0.3}),
    (lambda: dae.cA(numpy.random.RandomState(0), n_visible=6, n_hidden=3), {"contraction_level": 0.1})])
@pytest.mark.parametrize("value", [3e38, numpy.inf, numpy.nan])
def test_get_cost_updates_raises_the_divergence_error_on_a_non_finite_cost(make, levels, value):
    model = make()
    model.b_prime[...] = value            # the reconstruction's bias: the cost overflows (or is NaN)
    before = [numpy.array(p, copy=True) for p in model.params]
    with numpy.errstate(all="ignore"):
        with pytest.raises(train.DivergenceError, match=r"cost is (nan|inf).*smaller learning rate \(now 0.5"):
            model.get_cost_updates(data(), learning_rate=0.5, **levels)
    for p, b in zip(model.params, before):
        assert numpy.array_equal(p, b, equal_nan=True)        # nothing updated
    assert train.DivergenceError is divergence.DivergenceError


# ----- bad flags, found before the run folder is made ----------------------------------------------
@pytest.mark.parametrize("flags,words", [
    (["--model", "SdA", "--labels", "y.npy", "--valid-fraction", "0.2", "--patience", "0"], "--patience must be"),
    (["--model", "SdA", "--labels", "y.npy", "--valid-fraction", "0.2", "--patience", "-5"], "--patience must be"),
    (["--model", "SdA", "--labels", "y.npy", "--patience", "5"], "--patience 5 needs validation data"),
    (["--model", "SdA", "--labels", "y.npy", "--hidden-layers-sizes", "4,,4"], "--hidden-layers-sizes.*empty item"),
    (["--model", "SdA", "--labels", "y.npy", "--hidden-layers-sizes", "4,"], "--hidden-layers-sizes.*empty item"),
    (["--model", "SdA", "--labels", "y.npy", "--corruption-levels", "0.1,,0.2"], "--corruption-levels.*empty item"),
    (["--model", "deep", "--layer-sizes", ",8"], "--layer-sizes.*empty item"),
    (["--n-hidden", "4", "--force-data"], "--force-data applies with --resume only"),
    (["--n-hidden", "4", "--n-valid", "5"], "--n-valid 5 needs validation data"),
    (["--model", "SdA", "--labels", "y.npy", "--valid-labels", "y.npy"], "--valid-labels applies with --valid-data"),
    (["--model", "SdA", "--labels", "y.npy", "--hidden-layers-sizes", "4,3", "--corruption-levels", "0.1"],
     r"--corruption-levels must give one level per hidden layer \(2, .*got 1"),
    (["--model", "SdA", "--labels", "y.npy", "--hidden-layers-sizes", "4,3", "--corruption-levels", "0.1,0.2,0.3"],
     r"--corruption-levels must give one level per hidden layer \(2, .*got 3"),
])
def test_bad_flags_are_refused_before_any_file_is_written(tmp_path, capsys, monkeypatch, flags, words):
    write_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli(capsys, "train", "--data", "x.npy", *flags, "--output-dir", "run")
    assert rc in (1, 2) and err.count("\n") == 1 and re.search(words, err), err
    assert not (tmp_path / "run").exists()


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(1, 10 ** 6), min_size=1, max_size=5), where=st.integers(0, 5))
def test_list_options_refuse_any_empty_item_and_read_the_rest_exactly(values, where):
    text = ",".join(map(str, values))
    assert int_list(text) == values and float_list(text) == [float(v) for v in values]
    items = text.split(",")
    items.insert(where % (len(items) + 1), "")
    with pytest.raises(ValueError, match="empty item"):
        int_list(",".join(items))
    with pytest.raises(ValueError, match="empty item"):
        float_list(",".join(items))


def test_resume_may_change_the_patience(tmp_path, capsys):
    write_data(tmp_path)
    args = ["train", "--model", "SdA", "--data", tmp_path / "x.npy", "--labels", tmp_path / "y.npy",
            "--valid-fraction", "0.2", "--hidden-layers-sizes", "4", "--pretraining-epochs", "1", "--epochs", "1",
            "--patience", "100", "--output-dir", tmp_path / "run", "--no-plots", "--quiet"]
    assert run_cli(capsys, *args)[0] == 0
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", "2", "--patience", "200",
                           "--quiet")
    assert rc == 0, err
    assert json.loads((tmp_path / "run" / "config.json").read_text())["patience"] == 200


# ----- --resume checks its data ----------------------------------------------------------------------
def _start(tmp_path, capsys, *extra):
    write_data(tmp_path)
    rc, out, err = run_cli(capsys, "train", "--data", tmp_path / "x.npy", "--n-hidden", 4, "--epochs", 1,
                           "--output-dir", tmp_path / "run", "--no-plots", *extra)
    assert rc == 0, err
    return out


@pytest.mark.parametrize("change,words", [
    (lambda x: numpy.concatenate([x, x[:100]]), r"now 300 x 20 float32, was 200 x 20 float32"),
    (lambda x: x.astype(numpy.float64), r"now 200 x 20 float64, was 200 x 20 float32"),
    (lambda x: numpy.where(numpy.arange(x.size).reshape(x.shape) == 1234, 0.5, x).astype(x.dtype),
     "its values differ"),
])
def test_resume_refuses_changed_data_and_force_data_goes_on(tmp_path, capsys, change, words):
    _start(tmp_path, capsys)
    checkpoint = (tmp_path / "run" / "checkpoint.npz").read_bytes()
    numpy.save(tmp_path / "x.npy", change(numpy.load(tmp_path / "x.npy")))
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 2)
    assert rc == 1 and "the data changed since the run started" in err and "--force-data" in err, err
    assert re.search(words, err), err
    assert (tmp_path / "run" / "checkpoint.npz").read_bytes() == checkpoint       # nothing trained or written
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 2, "--force-data")
    assert rc == 0, err
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 3)
    assert rc == 0, err                      # the forced data is the run's data from then on


@settings(max_examples=40, deadline=None)
@given(row=st.integers(0, 199), col=st.integers(0, 19), value=st.floats(0, 1, width=32))
def test_the_fingerprint_sees_any_one_value_changed(row, col, value):
    x = numpy.random.RandomState(0).rand(200, 20).astype(numpy.float32)
    before = data_fingerprint(Dataset(x))
    changed = x.copy()
    changed[row, col] = value
    assert (data_fingerprint(Dataset(changed)) == before) == (changed[row, col] == x[row, col])


class Dataset:
    def __init__(self, x):
        self.x, self.valid_x, self.y, self.valid_y = x, None, None, None


def test_resume_with_a_column_more_blames_the_data_even_when_forced(tmp_path, capsys):
    _start(tmp_path, capsys)
    x = numpy.load(tmp_path / "x.npy")
    numpy.save(tmp_path / "x.npy", numpy.concatenate([x, x[:, :1]], axis=1))
    for extra in ([], ["--force-data"]):
        rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 2, *extra)
        assert rc == 1 and "the data changed" in err and "21 values per example" in err and "reads 20" in err, err
        assert "checkpoint" not in err


def test_resume_of_a_config_asking_for_a_huge_model_is_refused_before_building_it(tmp_path, capsys, monkeypatch):
    _start(tmp_path, capsys)
    path = tmp_path / "run" / "config.json"
    cfg = json.loads(path.read_text())
    path.write_text(json.dumps(dict(cfg, n_hidden=10 ** 12)))
    built = []
    kind = dae.registry.MODELS["dA"]
    monkeypatch.setattr(kind, "build", lambda *a: built.append(a))
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 2)
    assert rc == 1 and "config.json does not describe the model" in err and "1000000000000" in err, err
    assert built == []


# ----- one-line errors naming the argument --------------------------------------------------------------
def test_labels_given_to_an_unsupervised_model_or_missing_for_a_supervised_one_name_train_y():
    y = numpy.random.RandomState(0).randint(0, 3, 60)
    for model in (tiny_da(), dae.cA(numpy.random.RandomState(0), n_visible=6, n_hidden=3), tiny_sda().dA_layers[0]):
        with pytest.raises(TypeError, match=r"train_y is given, but .*learns without labels"):
            train.Trainer(model, optim.SGD(0.1), 10, display=QUIET).fit(data(), 1, train_y=y)
    with pytest.raises(TypeError, match=r"valid_y is given, but dA.cost_and_grads"):
        train.Trainer(tiny_da(), optim.SGD(0.1), 10, display=QUIET).fit(data(), 1, valid_x=data(9), valid_y=y[:9])
    for model in (tiny_sda(), dae.LogisticRegression(n_in=6, n_out=3)):
        with pytest.raises(TypeError, match=r"train_y is missing: .*learns from labels"):
            train.Trainer(model, optim.SGD(0.1), 10, display=QUIET).fit(data(), 1)


@settings(max_examples=20, deadline=None)
@given(row=st.integers(0, 8), col=st.integers(0, 5), bad=st.sampled_from([numpy.nan, numpy.inf, -numpy.inf]))
def test_non_finite_validation_data_names_valid_x_or_valid_y(row, col, bad):
    valid_x = data(9, seed=1)
    valid_x[row, col] = bad
    with pytest.raises(ValueError, match="^valid_x must be finite"):
        train.Trainer(tiny_da(), optim.SGD(0.1), 10, display=QUIET).fit(data(), 1, valid_x=valid_x)
    y = numpy.random.RandomState(0).randint(0, 3, 60)
    valid_y = numpy.zeros(9)
    valid_y[row] = bad
    with pytest.raises(ValueError, match="^valid_y must be finite"):
        train.Trainer(tiny_sda(), optim.SGD(0.1), 10, display=QUIET).fit(data(), 1, train_y=y, valid_x=data(9),
                                                                         valid_y=valid_y)


@pytest.mark.parametrize("build", [
    lambda g: dae.SdA(g, n_ins=6, hidden_layers_sizes=[4, 3], n_outs=3),
    lambda g: dae.dA(g, n_visible=6, n_hidden=3),
    lambda g: dae.Autoencoder(g, n_visible=6, n_hidden=3),
    lambda g: dae.HiddenLayer(g, n_in=6, n_out=3),
    lambda g: dae.DeepAutoencoder(g, [6, 4, 2]),
    lambda g: dae.ConvAutoencoder(g, input_shape=(1, 8, 8)),
    lambda g: dae.cA(g, n_visible=6, n_hidden=3),
    lambda g: dae.VAE(g, n_visible=6),
])
def test_a_numpy_generator_is_a_valid_numpy_rng(build):
    model = build(numpy.random.default_rng(0))
    again = build(numpy.random.default_rng(0))
    for a, b in zip(model.params, again.params):      # drawn from it, reproducibly
        assert numpy.array_equal(a, b)
    assert any(numpy.any(p != 0) for p in model.params)


# ----- wording -------------------------------------------------------------------------------------------
def test_epoch_counts_are_singular_and_a_resume_says_what_this_session_trained(tmp_path, capsys):
    out = _start(tmp_path, capsys)
    assert "Trained 1 epoch in " in out
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 3)
    assert rc == 0 and "Trained epochs 2-3 (2 this session) in " in out, out
    rc, out, err = run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 3)
    assert rc == 0 and "has already trained 3 epochs" in out


def test_the_sda_reports_its_validation_error_in_per_cent(tmp_path, capsys):
    write_data(tmp_path)
    rc, out, err = run_cli(capsys, "train", "--model", "SdA", "--data", tmp_path / "x.npy", "--labels",
                           tmp_path / "y.npy", "--valid-fraction", "0.2", "--hidden-layers-sizes", "4",
                           "--pretraining-epochs", "1", "--epochs", "2", "--output-dir", tmp_path / "run",
                           "--no-plots")
    assert rc == 0, err
    lines = re.findall(r"^Fine-tuning epoch \d, .*validation error ([\d.]+) %$", out, re.M)
    assert len(lines) == 2 and "validation score" not in out
    history = json.loads((tmp_path / "run" / "metrics.json").read_text())["epochs"]
    assert float(lines[0]) == pytest.approx(100 * history[0]["extra"]["validation_error"], rel=1e-3)


def test_a_resumed_run_keeps_no_plots_unless_told_otherwise(tmp_path, capsys):
    _start(tmp_path, capsys)
    assert run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 2)[0] == 0
    assert not (tmp_path / "run" / "figures").exists()
    assert run_cli(capsys, "train", "--resume", tmp_path / "run", "--epochs", 3, "--plots")[0] == 0
    assert (tmp_path / "run" / "figures" / "learning_curves.png").exists()


def test_checkpoint_optimiser_state_is_range_checked_naming_the_array(tmp_path):
    x = data()
    trainer = train.Trainer(tiny_da(), optim.Adam(0.01), 10, rng=0, display=QUIET,
                            checkpoint=train.Checkpointing(tmp_path / "c.npz"))
    trainer.fit(x, 1)
    arrays, meta = load_arrays(tmp_path / "c.npz")
    for bad, words in ((1e300, r"'opt/1' holds values up to 1e\+300.*float32"), (numpy.nan, "'opt/1' holds NaN")):
        changed = dict(arrays)
        changed["opt/1"] = numpy.full(arrays["opt/1"].shape, bad, dtype=numpy.float64)
        save_arrays(tmp_path / "bad.npz", changed, meta)
        fresh = train.Trainer(tiny_da(), optim.Adam(0.01), 10, rng=0, display=QUIET)
        with pytest.raises(CorruptFileError, match=words):
            fresh.load_checkpoint(tmp_path / "bad.npz")
    changed = dict(arrays)
    changed["opt/1"] = numpy.zeros((2, 2), dtype=numpy.float32)
    save_arrays(tmp_path / "shape.npz", changed, meta)
    with pytest.raises(CorruptFileError, match=r"shape.npz: its optimiser state does not fit"):
        train.Trainer(tiny_da(), optim.Adam(0.01), 10, rng=0, display=QUIET).load_checkpoint(tmp_path / "shape.npz")


def test_a_symlink_planted_on_the_figures_folder_is_replaced_not_followed(tmp_path, capsys):
    write_data(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "figures").symlink_to(outside, target_is_directory=True)
    rc, out, err = run_cli(capsys, "train", "--data", tmp_path / "x.npy", "--n-hidden", 4, "--epochs", 1,
                           "--output-dir", tmp_path / "run", "--overwrite")
    assert rc == 0, err
    assert list(outside.iterdir()) == []
    figures = tmp_path / "run" / "figures"
    assert figures.is_dir() and not figures.is_symlink() and (figures / "learning_curves.png").exists()
    (tmp_path / "run" / "figures" / "learning_curves.png").unlink()
    figures.rmdir()
    figures.symlink_to(outside, target_is_directory=True)
    assert run_cli(capsys, "plot", tmp_path / "run", "--quiet")[0] == 0
    assert list(outside.iterdir()) == [] and not figures.is_symlink()
