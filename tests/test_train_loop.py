"""dae.train.Trainer's options: the dA's own stream as rng, example shuffles, schedules,
augmentation, transforms, labels, the time budget, early stopping, and resume of all of them."""
import numpy
import pytest

import dae
from dae import optim
from dae.train import Checkpointing, Display, EarlyStopping, Stopping, Trainer, schedules


def data(n=120, d=36, seed=0):
    rs = numpy.random.RandomState(seed)
    return (rs.rand(n, d) < 0.3).astype(numpy.float32) * rs.rand(n, d).astype(numpy.float32)


def tutorial_dA(d=36, h=8):
    rng = numpy.random.RandomState(123)
    theano_rng = dae.RandomStreams(rng.randint(2 ** 30))
    return dae.dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=d, n_hidden=h)


def host(model):
    return [numpy.array(p) for p in model.params]


def test_the_dAs_stream_as_rng_gives_the_tutorials_loop_bit_for_bit():
    x = data()
    da = tutorial_dA()
    costs = []
    for epoch in range(2):            # the tutorial's loop: get_cost_updates + apply_updates
        c = []
        for i in range(len(x) // 20):
            cost, updates = da.get_cost_updates(x[i * 20:(i + 1) * 20], corruption_level=0.3, learning_rate=0.1)
            dae.apply_updates(updates)
            c.append(float(cost))
        costs.append(numpy.mean(c))
    twin = tutorial_dA()
    history = Trainer(twin, optim.SGD(0.1), batch_size=20, cost_kwargs={"corruption_level": 0.3},
                      rng=twin.theano_rng, display=Display("none")).fit(x, 2)
    for a, b in zip(host(da), host(twin)):
        numpy.testing.assert_array_equal(a, b)
    numpy.testing.assert_allclose([h["train_cost"] for h in history], costs, rtol=1e-12)


@pytest.mark.parametrize("shuffle", ["examples", "batches", False])
def test_resume_with_a_RandomStreams_rng_is_bit_exact(tmp_path, shuffle):
    x = data(110)
    whole = tutorial_dA()
    Trainer(whole, optim.Adam(1e-2), batch_size=20, cost_kwargs={"corruption_level": 0.3}, rng=whole.theano_rng,
            shuffle=shuffle, display=Display("none")).fit(x, 3)
    first = tutorial_dA()
    path = tmp_path / "ck.npz"
    Trainer(first, optim.Adam(1e-2), batch_size=20, cost_kwargs={"corruption_level": 0.3}, rng=first.theano_rng,
            shuffle=shuffle, display=Display("none"), checkpoint=Checkpointing(path)).fit(x, 1)
    second = tutorial_dA()
    second.W[...] = 0                 # whatever it starts from, the checkpoint replaces it
    t = Trainer(second, optim.Adam(1e-2), batch_size=20, cost_kwargs={"corruption_level": 0.3},
                rng=second.theano_rng, shuffle=shuffle, display=Display("none"), checkpoint=Checkpointing(path))
    assert t.resume() and t.epoch == 1
    t.fit(x, 3)
    for a, b in zip(host(whole), host(second)):
        numpy.testing.assert_array_equal(a, b)


def test_resume_without_a_checkpoint_says_so(tmp_path):
    da = tutorial_dA()
    assert Trainer(da, optim.SGD(0.1), rng=da.theano_rng,
                   checkpoint=Checkpointing(tmp_path / "none.npz")).resume() is False


def test_example_shuffle_is_a_fresh_permutation_each_epoch_then_slices():
    x = data(50)
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    twin = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    rng = numpy.random.RandomState(7)
    opt = optim.SGD(0.1)
    for epoch in range(2):
        order = rng.permutation(50)
        for start in range(0, 50, 16):         # 4 minibatches, the last one of 2 examples
            cost, grads = model.cost_and_grads(x[order[start:start + 16]], corruption_level=0.2, rng=rng)
            opt.step(model.params, grads)
    Trainer(twin, optim.SGD(0.1), batch_size=16, cost_kwargs={"corruption_level": 0.2}, rng=7,
            shuffle="examples", display=Display("none")).fit(x, 2)
    for a, b in zip(host(model), host(twin)):
        numpy.testing.assert_array_equal(a, b)


def test_schedules_set_the_rate_before_every_step():
    seen = []

    class Spy(optim.SGD):
        def step(self, params, grads):
            seen.append(self.learning_rate)
            super().step(params, grads)

    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    Trainer(model, Spy(1.0), batch_size=40, rng=0, display=Display("none"),
            schedule=schedules.exponential(0.1, 0.5)).fit(data(), 3)
    assert seen == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025] * 3)
    seen.clear()
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    Trainer(model, Spy(1.0), batch_size=40, rng=0, display=Display("none"),
            schedule=schedules.cosine(0.1, floor=0.0)).fit(data(), 2)
    # fraction done before step k of 6 is k / 6: cos decay from 0.1
    assert seen == pytest.approx([0.1 * 0.5 * (1 + numpy.cos(numpy.pi * k / 6)) for k in range(6)])


def test_augment_and_transform_see_every_minibatch_in_order():
    calls = []

    def augment(batch, rng):
        calls.append(("augment", batch.shape[0]))
        return batch[:, ::-1].copy()

    lower = dae.dA(numpy.random.RandomState(2), n_visible=36, n_hidden=12)

    def transform(batch):
        calls.append(("transform", batch.shape[0]))
        return lower.get_hidden_values(batch)

    upper = dae.dA(numpy.random.RandomState(3), n_visible=12, n_hidden=5)
    Trainer(upper, optim.SGD(0.1), batch_size=50, rng=0, display=Display("none"), augment=augment,
            transform=transform).fit(data(), 1)
    assert calls == [("augment", 50), ("transform", 50)] * 2 + [("augment", 20), ("transform", 20)]
    with pytest.raises(TypeError, match="augment must be a function augment"):
        Trainer(upper, optim.SGD(0.1), augment="shifts")


def test_labels_train_a_supervised_model_like_a_hand_written_loop():
    rs = numpy.random.RandomState(0)
    x = rs.rand(60, 10).astype("float32")
    y = rs.randint(0, 3, size=60)
    hand = dae.LogisticRegression(n_in=10, n_out=3)
    opt = optim.SGD(0.5)
    for start in range(0, 60, 20):
        cost, grads = hand.cost_and_grads(x[start:start + 20], y[start:start + 20])
        opt.step(hand.params, grads)
    model = dae.LogisticRegression(n_in=10, n_out=3)
    history = Trainer(model, optim.SGD(0.5), batch_size=20, rng=0, display=Display("none")).fit(
        x, 1, valid_x=x[:30], train_y=y, valid_y=y[:30])
    for a, b in zip(host(hand), host(model)):
        numpy.testing.assert_array_equal(a, b)
    assert history[0]["valid_cost"] == pytest.approx(float(model.negative_log_likelihood(y[:30], x[:30])), rel=1e-5)
    with pytest.raises(ValueError, match="train_y must hold one label per row"):
        Trainer(model, optim.SGD(0.5), batch_size=20, display=Display("none")).fit(x, 1, train_y=y[:10])


def test_the_time_budget_stops_mid_epoch_and_holds_across_resume(tmp_path):
    x = data(200)
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    path = tmp_path / "ck.npz"
    t = Trainer(model, optim.SGD(0.1), batch_size=10, rng=0,
                display=Display("none"), stopping=Stopping(max_minutes=1e-9), checkpoint=Checkpointing(path))
    history = t.fit(x, 5)
    assert t.stopped == "time" and t.steps == 1 and len(history) == 1 and history[0]["partial"]
    again = Trainer(model, optim.SGD(0.1), batch_size=10, rng=0,
                    display=Display("none"), stopping=Stopping(max_minutes=1e-9), checkpoint=Checkpointing(path))
    assert again.resume()
    before = host(model)
    again.fit(x, 5)                                  # the budget is spent: nothing more happens
    assert again.steps == 1 and again.stopped == "time"
    for a, b in zip(before, host(model)):
        numpy.testing.assert_array_equal(a, b)


def test_early_stopping_follows_the_tutorials_patience_rule(tmp_path):
    # scripted validation errors: improvements at epochs 0, 1 (significant) and 2 (not significant)
    scores = iter([0.5, 0.4, 0.399, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45])
    tests = []
    x = data(100)                                     # 10 minibatches of 10: iteration = 10 epoch + 9
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    es = EarlyStopping(lambda trainer: next(scores), patience=20,
                       on_best=lambda trainer: tests.append(trainer.epoch) or 0.25, restore_best=True)
    t = Trainer(model, optim.SGD(0.1), batch_size=10, rng=0,
                display=Display("none"), stopping=Stopping(early_stopping=es))
    t.fit(x, 10)
    # epoch 0 at it=9: patience max(20, 18) = 20; epoch 1 at it=19: 38; epoch 2 (0.399 > 0.4 * 0.995): stays 38
    assert tests == [0, 1, 2] and es.best == 0.399 and es.best_iter == 29 and es.patience == 38
    assert t.stopped == "patience" and t.steps == 39   # stopped as soon as patience <= iteration 38
    assert es.best_extra == 0.25


def test_early_stopping_restores_the_best_parameters_and_resumes(tmp_path):
    x = data(100)

    def run(path=None, epochs=6, resume=False):
        model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
        epochs_scores = {0: 0.5, 1: 0.3, 2: 0.4, 3: 0.35, 4: 0.6, 5: 0.7}
        es = EarlyStopping(lambda tr: epochs_scores[tr.epoch], patience=1000, restore_best=True)
        t = Trainer(model, optim.SGD(0.1), batch_size=10, rng=0,
                    display=Display("none"), stopping=Stopping(early_stopping=es), checkpoint=Checkpointing(path))
        if resume:
            assert t.resume()
        t.fit(x, epochs)
        return model, es
    reference = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    Trainer(reference, optim.SGD(0.1), batch_size=10, rng=0, display=Display("none")).fit(x, 2)
    model, es = run()
    assert es.best == 0.3
    for a, b in zip(host(reference), host(model)):       # the parameters after epoch 1
        numpy.testing.assert_array_equal(a, b)
    run(tmp_path / "ck.npz", epochs=3)
    resumed, es2 = run(tmp_path / "ck.npz", epochs=6, resume=True)
    assert es2.best == 0.3 and es2.best_iter == 19
    for a, b in zip(host(model), host(resumed)):
        numpy.testing.assert_array_equal(a, b)


def test_evaluate_adds_metrics_to_history_and_to_the_printed_line(capsys):
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    history = Trainer(model, optim.SGD(0.1), batch_size=40, rng=0, display=Display("plain"),
                      evaluate=lambda trainer: {"test_error": 0.125}).fit(data(), 1)
    assert history[0]["extra"] == {"test_error": 0.125}
    line = capsys.readouterr().out.strip()
    assert line.startswith("Training epoch 0, cost ") and line.endswith(", test error 0.125")


def test_checkpoint_minutes_saves_inside_an_epoch(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    saved = []
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    t = Trainer(model, optim.SGD(0.1), batch_size=10, rng=0,
                display=Display("none"), checkpoint=Checkpointing(path, every_minutes=1e-12))
    original = t.save_checkpoint
    monkeypatch.setattr(t, "save_checkpoint", lambda p=None: saved.append(t.batch) or original(p))
    t.fit(data(40), 1)
    assert saved == [1, 2, 3, 4, 0]      # after every minibatch, then the epoch's own checkpoint


def test_blas_threads_are_chosen_for_the_largest_product_and_restored(monkeypatch):
    from threadpoolctl import threadpool_info
    chosen, seen = [], []

    def choose(rows, n_in, n_out, cores=None, load=None):
        chosen.append((rows, n_in, n_out))
        return 1

    monkeypatch.setattr(dae.threads, "threads_for_size", choose)
    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    class Spy(optim.SGD):
        def step(self, params, grads):
            seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
            super().step(params, grads)

    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    Trainer(model, Spy(0.1), batch_size=40, rng=0, display=Display("none")).fit(data(), 1)
    assert chosen == [(40, 36, 8)] and all(s == [1] * len(before) for s in seen)
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before
    with pytest.raises(ValueError, match="blas_threads must be 'auto', 'load', a positive int or None"):
        Trainer(model, optim.SGD(0.1), blas_threads=0)


def test_the_default_thread_rule_depends_on_the_sizes_only(monkeypatch):
    # "auto" never samples the load (the numbers of a run must not depend on what else runs)
    monkeypatch.setattr(dae.threads, "busy_cores", lambda *a, **k: pytest.fail("auto must not read the load"))
    assert dae.threads.threads_for_size(10, 36, 8) == 1
    assert dae.threads.threads_for_size(200, 1000, 784) is None
    model = dae.dA(numpy.random.RandomState(1), n_visible=36, n_hidden=8)
    Trainer(model, optim.SGD(0.1), batch_size=40, rng=0, display=Display("none")).fit(data(), 1)
