"""dae.train: the minibatch loop, checkpoints, bit-exact resume, divergence, Ctrl-C, progress."""
import io
import os
import signal

import numpy
import pytest

import dae
from dae import optim, train
from dae.train import Checkpointing, Display, Stopping
from dae.io import load_arrays


def data(n=120, d=36, seed=0):
    rs = numpy.random.RandomState(seed)
    return (rs.rand(n, d) < 0.3).astype(numpy.float32) * rs.rand(n, d).astype(numpy.float32)


def make(opt="sgd", seed=1, d=36, h=8, lr=0.1, **kw):
    model = dae.dA(numpy.random.RandomState(seed), n_visible=d, n_hidden=h)
    kw.setdefault("display", Display("none"))
    trainer = train.Trainer(model, optim.make(opt, learning_rate=lr), batch_size=10,
                               cost_kwargs={"corruption_level": 0.3}, eval_kwargs={"corruption_level": 0.0},
                               rng=5, **kw)
    return model, trainer


def params(model):
    return [numpy.array(p) for p in model.params]


def assert_same(a, b):
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and numpy.array_equal(x, y)


def test_training_lowers_the_cost_and_records_metrics():
    x = data()
    model, trainer = make()
    history = trainer.fit(x, 4, valid_x=data(40, seed=1))
    assert [m["epoch"] for m in history] == [0, 1, 2, 3]
    assert history[-1]["train_cost"] < history[0]["train_cost"]
    assert all(m["valid_cost"] is not None and m["examples_per_second"] > 0 for m in history)
    assert trainer.epoch == 4 and trainer.batch == 0


@pytest.mark.parametrize("opt,shuffle", [("sgd", False), ("adam", True), ("momentum", True)])
def test_resume_from_an_epoch_checkpoint_is_bit_identical(tmp_path, opt, shuffle):
    x = data()
    reference, t = make(opt, shuffle=shuffle)
    t.fit(x, 3)
    model, t = make(opt, shuffle=shuffle, checkpoint=Checkpointing(tmp_path / "ck.npz"))
    t.fit(x, 1)
    resumed, t2 = make(opt, seed=99, shuffle=shuffle)  # different initial weights: all come from the file
    t2.load_checkpoint(tmp_path / "ck.npz")
    assert t2.epoch == 1 and t2.optimizer.t == t.optimizer.t
    t2.fit(x, 3)
    assert_same(params(resumed), params(reference))
    assert [m["train_cost"] for m in t2.history] == [m["train_cost"] for m in t.history] + \
        [m["train_cost"] for m in t2.history[1:]]


class Interrupting:
    """Wraps a model; its cost_and_grads misbehaves at the k-th call."""

    def __init__(self, model, k, action):
        self.model, self.k, self.action, self.calls = model, k, action, 0
        self.params, self.param_names, self.n_visible = model.params, model.param_names, model.n_visible

    def cost_and_grads(self, x, **kw):
        self.calls += 1
        if self.calls == self.k and self.action == "raise":
            raise KeyboardInterrupt
        if self.calls == self.k and self.action == "signal":
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C: the minibatch finishes first
        cost, grads = self.model.cost_and_grads(x, **kw)
        if self.calls == self.k and self.action == "nan":
            grads[0] = grads[0] * numpy.float32("nan")
        return cost, grads


@pytest.mark.parametrize("action", ["raise", "signal"])
def test_ctrl_c_saves_a_checkpoint_and_resuming_matches(tmp_path, action):
    x = data()
    reference, t = make("momentum")
    t.fit(x, 2)
    model, t = make("momentum", checkpoint=Checkpointing(tmp_path / "ck.npz"))
    t.model = Interrupting(model, 17, action)
    with pytest.raises(train.TrainingInterrupted) as info:
        t.fit(x, 2)
    expected_batch = 16 - 12 if action == "raise" else 17 - 12  # 12 minibatches per epoch
    assert (info.value.epoch, info.value.batch) == (1, expected_batch)
    assert info.value.checkpoint == os.fspath(tmp_path / "ck.npz")
    resumed, t2 = make("momentum", seed=42)
    meta = t2.load_checkpoint(tmp_path / "ck.npz")
    assert (meta["epoch"], meta["batch"]) == (1, expected_batch)
    t2.fit(x, 2)
    assert_same(params(resumed), params(reference))


def test_interrupt_inside_an_update_keeps_the_previous_checkpoint(tmp_path):
    x = data()
    model, t = make(checkpoint=Checkpointing(tmp_path / "ck.npz"))
    t.fit(x, 1)
    before = load_arrays(tmp_path / "ck.npz")[0]["param/W"]

    class Breaking(optim.SGD):
        def step(self, params, grads):
            params[0][0, 0] += 1.0  # half an update, then Ctrl-C
            raise KeyboardInterrupt

    t.optimizer = Breaking(0.1)
    t.optimizer.t = 12
    with pytest.raises(train.TrainingInterrupted, match="previous checkpoint"):
        t.fit(x, 2)
    assert numpy.array_equal(load_arrays(tmp_path / "ck.npz")[0]["param/W"], before)


def test_divergence_names_epoch_and_minibatch_and_keeps_good_state(tmp_path):
    x = data()
    model, t = make(checkpoint=Checkpointing(tmp_path / "ck.npz"))
    t.fit(x, 1)
    saved = open(tmp_path / "ck.npz", "rb").read()
    t.model = Interrupting(model, 5, "nan")
    with pytest.raises(train.DivergenceError) as info:
        t.fit(x, 3)
    message = str(info.value)
    assert "epoch 1, minibatch 4" in message and "smaller learning rate" in message and "ck.npz" in message
    assert open(tmp_path / "ck.npz", "rb").read() == saved  # the last good checkpoint is untouched
    assert all(numpy.isfinite(p).all() for p in model.params)  # the bad update was never applied


def test_a_real_learning_rate_blow_up_is_caught():
    model, t = make(lr=1e37)
    with pytest.raises(train.DivergenceError, match=r"epoch 0, minibatch 1: the cost is \S+, more than 100 "
                                                       r"times the first minibatch's .*blowing up.*1e\+36"):
        t.fit(data(), 2)
    assert all(numpy.isfinite(p).all() for p in model.params)


def test_a_finite_blow_up_stops_like_a_nan_and_can_be_switched_off():
    # the cost stays finite but explodes: the same one-line divergence error as a NaN, before the update
    model, t = make(lr=1e6)
    with pytest.raises(train.DivergenceError, match="blowing up.*smaller learning rate"):
        t.fit(data(), 2)
    model, t = make(lr=1e6)
    t.blowup = None
    try:
        with pytest.warns(train.CostRoseWarning, match="cost rose"):   # it finishes, but not as a plain success
            t.fit(data(), 2)
    except train.DivergenceError as exc:     # only a real NaN/inf may stop it now
        assert "blowing up" not in str(exc)


def test_memmap_training_equals_in_memory_training(tmp_path):
    x = data()
    numpy.save(tmp_path / "x.npy", x)
    mm = numpy.load(tmp_path / "x.npy", mmap_mode="r")
    a, t = make()
    t.fit(x, 2)
    b, t = make()
    t.fit(mm, 2)
    assert_same(params(a), params(b))


def test_progress_modes():
    x = data(40)
    out = io.StringIO()
    make(display=Display("plain", out))[1].fit(x, 2, valid_x=x)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Training epoch 0, cost ") and "validation cost" in lines[0]
    out = io.StringIO()
    make(display=Display("none", out))[1].fit(x, 1)
    assert out.getvalue() == ""
    pytest.importorskip("tqdm")

    class TTY(io.StringIO):
        def isatty(self):
            return True

    out = TTY()
    make(display=Display("auto", out))[1].fit(x, 1, valid_x=x)
    text = out.getvalue()
    assert "epoch 0" in text and "4/4" in text and "ex/s=" in text and "valid=" in text and "cost=" in text
    assert "Training epoch" not in text


@pytest.mark.parametrize("bad,exc,words", [
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
    (dict(rng=-1), ValueError, "rng"),
    (dict(rng="x"), TypeError, "rng"),
    (dict(rng=numpy.random.default_rng(0)), TypeError, "rng"),
    (dict(display="plain"), TypeError, "display must be a dae.train.Display"),
    (dict(stopping={"max_minutes": 1}), TypeError, "stopping must be a dae.train.Stopping"),
    (dict(checkpoint="run/c.npz"), TypeError, "checkpoint must be a dae.train.Checkpointing"),
])
def test_trainer_rejects_bad_arguments(bad, exc, words):
    model = dae.dA(numpy.random.RandomState(0), n_visible=4, n_hidden=2)
    kw = dict(batch_size=2)
    kw.update(bad)
    with pytest.raises(exc, match=words):
        train.Trainer(model, optim.SGD(0.1), **kw)
    with pytest.raises(TypeError, match="optimizer"):
        train.Trainer(model, "sgd")
    with pytest.raises(TypeError, match="gradient protocol"):
        train.Trainer(object(), optim.SGD(0.1))


@pytest.mark.parametrize("make_option,exc,words", [
    (lambda: Display("loud"), ValueError, "display mode"),
    (lambda: Stopping(max_minutes=0), ValueError, "max_minutes"),
    (lambda: Stopping(early_stopping=3), TypeError, "early_stopping"),
    (lambda: Stopping(blowup=0.5), ValueError, "blowup"),
    (lambda: Checkpointing("c.npz", every_minutes=-1), ValueError, "every_minutes"),
])
def test_the_option_groups_check_their_values(make_option, exc, words):
    with pytest.raises(exc, match=words):
        make_option()


def test_checkpointing_names_the_model_in_every_file():
    meta = Checkpointing("c.npz", meta={"phase": "train"}, model_kind="dA", model_config={"n_hidden": 2}).file_meta()
    assert meta == {"phase": "train", "model": "dA", "model_config": {"n_hidden": 2}}
    assert Checkpointing("c.npz").file_meta() == {}


@pytest.mark.parametrize("x,exc,words", [
    (numpy.zeros((10, 5), numpy.float32), ValueError, "36 columns"),
    (numpy.zeros(36, numpy.float32), ValueError, "2-D"),
    (numpy.zeros((10, 36), numpy.uint8), TypeError, "floating-point"),
    (numpy.full((10, 36), numpy.nan, numpy.float32), ValueError, "finite"),
    (numpy.zeros((3, 36), numpy.float32), ValueError, "batch_size"),
    (numpy.full((20, 36), 2.0, numpy.float32), ValueError, r"\[0, 1\]"),
    ([[0.0] * 36] * 20, TypeError, "array"),
])
def test_fit_rejects_bad_data_before_any_update(x, exc, words):
    model, t = make(unit_interval=True)
    before = params(model)
    with pytest.raises(exc, match=words):
        t.fit(x, 1)
    with pytest.raises(ValueError, match="epochs"):
        t.fit(data(), 0)
    assert_same(params(model), before)
