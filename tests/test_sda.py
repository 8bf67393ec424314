"""SdA: the tutorial's construction, shared parameters, pretraining (with and without cached
codes), fine-tuning, gradients of the whole network, argument checks, save/load, filters."""
import numpy
import pytest

import dae


def _rng(seed=0):
    return numpy.random.RandomState(seed)


def _data(n=120, n_ins=16, n_outs=3, seed=0):
    """Separable toy data in [0, 1]: each class lights up its own block of inputs."""
    rng = _rng(seed)
    y = rng.randint(n_outs, size=n).astype(numpy.int64)
    x = rng.rand(n, n_ins) * 0.3
    block = n_ins // n_outs
    for k in range(n_outs):
        x[y == k, k * block:(k + 1) * block] += 0.6
    return x.astype(numpy.float32), y


def _small(seed=1, **kw):
    kw.setdefault("n_ins", 16)
    kw.setdefault("hidden_layers_sizes", [10, 8])
    kw.setdefault("n_outs", 3)
    return dae.SdA(_rng(seed), **kw)


# ----- construction ---------------------------------------------------------------------------------
def test_construction_follows_the_tutorial_order():
    sda = _small(seed=5)
    rng = _rng(5)
    seed = rng.randint(2 ** 30)                      # theano_rng's seed first
    h0 = dae.HiddenLayer(rng, n_in=16, n_out=10)     # then each layer's W, in order
    h1 = dae.HiddenLayer(rng, n_in=10, n_out=8)
    assert sda.theano_rng.seed == seed
    numpy.testing.assert_array_equal(sda.sigmoid_layers[0].W, h0.W)
    numpy.testing.assert_array_equal(sda.sigmoid_layers[1].W, h1.W)
    assert not sda.logLayer.W.any() and sda.logLayer.W.shape == (8, 3)
    assert sda.param_names == ["layer0_W", "layer0_b", "layer1_W", "layer1_b", "log_W", "log_b"]
    assert len(sda.params) == 6 and sda.n_layers == 2
    assert all(layer.activation == "sigmoid" for layer in sda.sigmoid_layers)


def test_given_theano_rng_is_used_and_numpy_rng_not_drawn_for_it():
    streams = dae.RandomStreams(42)
    sda = dae.SdA(_rng(5), theano_rng=streams, n_ins=16, hidden_layers_sizes=[10], n_outs=3)
    assert sda.theano_rng is streams and sda.dA_layers[0].theano_rng is streams
    numpy.testing.assert_array_equal(sda.sigmoid_layers[0].W, dae.HiddenLayer(_rng(5), n_in=16, n_out=10).W)


def test_dA_layers_share_the_hidden_layers_arrays():
    sda = _small()
    for layer, da in zip(sda.sigmoid_layers, sda.dA_layers):
        assert da.W is layer.W and da.b is layer.b
        assert da.params[0] is layer.params[0] and da.params[1] is layer.params[1]
    assert sda.params[0] is sda.sigmoid_layers[0].W and sda.params[-2] is sda.logLayer.W
    # an in-place update through one is seen by the other
    sda.dA_layers[1].W += 1.0
    sda.sigmoid_layers[1].b -= 2.0
    numpy.testing.assert_array_equal(sda.sigmoid_layers[1].W, sda.dA_layers[1].W)
    assert float(sda.dA_layers[1].b.mean()) == -2.0
    numpy.testing.assert_array_equal(sda.dA_layers[1].W_prime, sda.sigmoid_layers[1].W.T)


def test_each_dA_has_its_own_corruption_stream():
    sda = _small()
    sites = [da.corruption_site for da in sda.dA_layers]
    assert len(set(sites)) == 2
    x, _ = _data()
    sda.pretraining_functions(x, 10)
    s0, s1 = (sda.theano_rng.state(site) for site in sites)
    assert s0 is not s1


def test_constructor_validation():
    with pytest.raises(TypeError, match="corruption_levels"):  # a keyword of each pretraining call now
        _small(corruption_levels=[0.1, 0.2])
    with pytest.raises(ValueError, match="hidden_layers_sizes"):
        _small(hidden_layers_sizes=[])
    with pytest.raises(ValueError, match=r"hidden_layers_sizes\[1\]"):
        _small(hidden_layers_sizes=[4, 0])
    with pytest.raises(ValueError, match="n_outs must be at least 2 classes"):
        _small(n_outs=1)
    with pytest.raises(TypeError, match="numpy_rng"):
        dae.SdA(3)


# ----- gradients -----------------------------------------------------------------------------------
def test_finetuning_network_gradcheck():
    with dae.config.floatX_as("float64"):
        sda = _small(n_ins=9, hidden_layers_sizes=[6, 5, 4])
    sda.logLayer.W[...] = _rng(2).randn(4, 3)  # off the zero start, so every gradient is non-trivial
    for layer in sda.sigmoid_layers:
        layer.b[...] = _rng(3).randn(layer.n_out) * 0.5
    x = _rng(4).rand(7, 9)
    y = numpy.array([0, 1, 2, 2, 1, 0, 1])
    errors = dae.gradcheck(sda, x, y)
    assert set(errors) == set(sda.param_names)
    assert max(errors.values()) < 1e-6, errors


def test_finetuning_network_gradcheck_with_dropout():
    with dae.config.floatX_as("float64"):
        sda = _small(n_ins=9, hidden_layers_sizes=[6, 5])
    sda.logLayer.W[...] = _rng(2).randn(5, 3)
    x = _rng(4).rand(7, 9)
    y = numpy.array([0, 1, 2, 2, 1, 0, 1])
    errors = dae.gradcheck(sda, x, y, dropout=0.4, input_dropout=0.3)
    assert max(errors.values()) < 1e-6, errors
    # the masks really act: the cost differs from the cost without dropout
    rng = numpy.random.RandomState(0)
    assert float(sda.cost_and_grads(x, y, rng=rng, dropout=0.4)[0]) != float(sda.cost_and_grads(x, y, rng=sda.theano_rng)[0])


def test_dropout_mask_is_inverted_and_has_the_right_rate():
    like = numpy.ones((200, 100), dtype=numpy.float32)
    _, mask = dae.layers.Dropout(0.25, numpy.random.RandomState(0), "dropout0").forward(like)
    assert mask.dtype == numpy.float32
    assert set(numpy.unique(mask)) == {0.0, numpy.float32(1 / 0.75)}
    assert abs(float((mask == 0).mean()) - 0.25) < 0.01
    assert abs(float(mask.mean()) - 1.0) < 0.02


def test_top_only_gradients_equal_the_full_ones_for_the_classifier():
    with dae.config.floatX_as("float64"):
        sda = _small()
    sda.logLayer.W[...] = _rng(2).randn(8, 3)
    x, y = _data(20)
    cost, grads = sda.cost_and_grads(x.astype(numpy.float64), y, rng=sda.theano_rng)
    top_cost, top_grads = sda.logLayer.cost_and_grads(sda.get_codes(x.astype(numpy.float64)), y)
    assert float(cost) == float(top_cost)
    for g, t in zip(grads[-2:], top_grads):
        numpy.testing.assert_allclose(g, t, rtol=1e-12)


# ----- pretraining ----------------------------------------------------------------------------------
def test_pretraining_functions_lower_each_layers_cost_and_leave_others_alone():
    sda = _small()
    x, _ = _data(200)
    fns = sda.pretraining_functions(train_set_x=x, batch_size=20)
    assert len(fns) == 2 and fns[0].n_batches == 10
    for k, fn in enumerate(fns):
        before = [numpy.array(p) for p in sda.params]
        first = numpy.mean([fn(i, lr=0.1) for i in range(fn.n_batches)])
        for _ in range(8):
            last = numpy.mean([fn(index=i, corruption=0.2, lr=0.1) for i in range(fn.n_batches)])
        assert last < first
        changed = [not numpy.array_equal(b, p) for b, p in zip(before, sda.params)]
        assert changed == [i // 2 == k for i in range(6)]  # only layer k's W and b move


def _pretrain(sda, x, cache_codes, schedule):
    fns = sda.pretraining_functions(x, 25, cache_codes=cache_codes)
    costs = []
    for k in schedule:
        costs.append([float(fns[k](i)) for i in range(fns[k].n_batches)])
    return costs


@pytest.mark.parametrize("schedule", [[0, 1, 1], [0, 1, 0, 1]])
def test_cached_codes_give_the_same_training_as_recomputing(schedule):
    """The tutorial's tip changes the cost of pretraining, not its result; training layer 0 again
    after layer 1 has cached its inputs must refresh the cache."""
    x, _ = _data(100)
    a, b = _small(seed=3), _small(seed=3)
    costs_a = _pretrain(a, x, False, schedule)
    costs_b = _pretrain(b, x, True, schedule)
    numpy.testing.assert_allclose(costs_a, costs_b, rtol=1e-5)
    for pa, pb in zip(a.params, b.params):
        numpy.testing.assert_allclose(pa, pb, rtol=1e-5, atol=1e-6)


def test_pretraining_validation():
    sda = _small()
    x, _ = _data(30)
    with pytest.raises(ValueError, match="batch_size"):
        sda.pretraining_functions(x, 31)
    with pytest.raises(ValueError, match="train_set_x must have 16 columns"):
        sda.pretraining_functions(x[:, :5], 10)
    with pytest.raises(ValueError, match=r"train_set_x must lie in \[0, 1\]"):
        sda.pretraining_functions(x * 3, 10)
    fn = sda.pretraining_functions(x, 10)[0]
    with pytest.raises(ValueError, match=r"index must be in \[0, 3\)"):
        fn(3)
    with pytest.raises(ValueError, match="corruption_level"):
        fn(0, corruption=1.5)
    with pytest.raises(ValueError, match="lr"):
        fn(0, lr=-1.0)


# ----- fine-tuning ----------------------------------------------------------------------------------
def _datasets(n=150):
    x, y = _data(n, seed=0)
    vx, vy = _data(50, seed=1)
    tx, ty = _data(40, seed=2)
    return [(x, y), (vx, vy), (tx, ty)]


def test_build_finetune_functions_learns_and_scores_per_minibatch():
    sda = _small()
    datasets = _datasets()
    train_fn, valid_score, test_score = sda.build_finetune_functions(datasets, batch_size=10, learning_rate=0.5)
    assert train_fn.n_batches == 15
    v0 = valid_score()
    assert len(v0) == 5 and len(test_score()) == 4
    assert all(0.0 <= e <= 1.0 for e in v0)
    first = float(train_fn(0))
    assert first == pytest.approx(numpy.log(3), rel=1e-5)  # zero classifier: uniform
    for _ in range(30):
        costs = [float(train_fn(i)) for i in range(train_fn.n_batches)]
    assert numpy.mean(costs) < 0.2
    vx, vy = datasets[1]
    assert numpy.mean(valid_score()) == pytest.approx(sda.errors(vx, vy))
    assert numpy.mean(valid_score()) < 0.1


def test_finetune_top_trains_the_classifier_only():
    sda = _small()
    before = [numpy.array(p) for p in sda.params]
    train_fn, valid_score, _ = sda.build_finetune_functions(_datasets(), 10, learning_rate=0.5, finetune="top")
    for _ in range(20):
        for i in range(train_fn.n_batches):
            train_fn(i)
    for b, p in zip(before[:-2], sda.params[:-2]):
        numpy.testing.assert_array_equal(b, p)
    assert sda.logLayer.W.any()
    assert numpy.mean(valid_score()) < 0.2


def test_augment_hook_sees_each_training_minibatch():
    sda = _small()
    seen = []

    def augment(x, rng):
        seen.append(x.shape)
        return x[:, ::-1].copy()  # a visible change: the same minibatch, mirrored

    (x, y), valid, test = _datasets()
    train_fn, _, _ = sda.build_finetune_functions([(x, y), valid, test], 10, augment=augment)
    reference = _small()  # same seed: the same weights as sda before its step
    cost = float(train_fn(2))
    expected = float(reference.cost_and_grads(x[20:30, ::-1].copy(), y[20:30], rng=reference.theano_rng)[0])
    assert seen == [(10, 16)] and cost == pytest.approx(expected)
    with pytest.raises(TypeError, match="augment"):
        sda.build_finetune_functions([(x, y), valid, test], 10, augment="shift")
    with pytest.raises(ValueError, match="augment"):
        sda.build_finetune_functions([(x, y), valid, test], 10, finetune="top", augment=augment)


def test_momentum_fine_tuning_is_cost_and_grads_then_dae_optim():
    sda, reference = _small(), _small()
    (x, y), valid, test = _datasets()
    train_fn, _, _ = sda.build_finetune_functions([(x, y), valid, test], 10, learning_rate=0.5, momentum=0.9)
    assert isinstance(train_fn.optimizer, dae.optim.Momentum)
    opt = dae.optim.Momentum(learning_rate=0.5, momentum=0.9)
    for i in (0, 3, 1):
        cost = train_fn(i)
        expected, grads = reference.cost_and_grads(x[10 * i:10 * i + 10], y[10 * i:10 * i + 10], rng=reference.theano_rng)
        opt.step(reference.params, grads)
        assert float(cost) == float(expected)
    for p, r in zip(sda.params, reference.params):
        numpy.testing.assert_array_equal(p, r)


def test_finetune_validation():
    sda = _small()
    (x, y), valid, test = _datasets()
    bad = y.copy()
    bad[3] = 3
    with pytest.raises(ValueError, match=r"train_set_y must lie in \[0, 3\)"):
        sda.build_finetune_functions([(x, bad), valid, test], 10)
    with pytest.raises(ValueError, match="valid_set_y must lie"):
        sda.build_finetune_functions([(x, y), (valid[0], valid[1] - 1), test], 10)
    with pytest.raises(ValueError, match=r"train_set_y must hold one label per example \(150\), got 149"):
        sda.build_finetune_functions([(x, y[:-1]), valid, test], 10)
    with pytest.raises(ValueError, match=r"batch_size \(41\) is larger than the 40 examples of test_set_x"):
        sda.build_finetune_functions([(x, y), valid, test], 41)
    with pytest.raises(ValueError, match="finetune must be one of"):
        sda.build_finetune_functions([(x, y), valid, test], 10, finetune="middle")
    with pytest.raises(ValueError, match="dropout"):
        sda.build_finetune_functions([(x, y), valid, test], 10, finetune="top", dropout=0.5)
    with pytest.raises(ValueError, match="input_dropout"):
        sda.build_finetune_functions([(x, y), valid, test], 10, input_dropout=1.0)
    with pytest.raises(ValueError, match="datasets"):
        sda.build_finetune_functions([(x, y), valid], 10)
    with pytest.raises(ValueError, match="y must lie"):
        sda.cost_and_grads(x, y + 1, rng=sda.theano_rng)
    with pytest.raises(ValueError, match="one label per example"):
        sda.errors(x, y[:3])
    train_fn, _, _ = sda.build_finetune_functions([(x, y), valid, test], 10)
    with pytest.raises(ValueError, match="minibatch_index"):
        train_fn(15)


# ----- files and pictures -----------------------------------------------------------------------------
def test_save_load_round_trip(tmp_path):
    sda = _small()
    x, y = _data(60)
    fns = sda.pretraining_functions(x, 20)
    for fn in fns:
        fn(0)
    train_fn, _, _ = sda.build_finetune_functions([(x, y), (x, y), (x, y)], 20, learning_rate=0.5)
    train_fn(1)
    path = tmp_path / "sda.npz"
    sda.save(path)
    loaded = dae.SdA.load(path)
    assert loaded.hidden_layers_sizes == [10, 8] and loaded.n_outs == 3
    for a, b in zip(sda.params, loaded.params):
        numpy.testing.assert_array_equal(a, b)
    for a, b in zip(sda.dA_layers, loaded.dA_layers):
        numpy.testing.assert_array_equal(a.b_prime, b.b_prime)
        assert b.W is loaded.sigmoid_layers[sda.dA_layers.index(a)].W
    numpy.testing.assert_array_equal(sda.predict(x), loaded.predict(x))


def test_load_float64_and_corrupt_file(tmp_path):
    with dae.config.floatX_as("float64"):
        sda = _small()
    sda.save(tmp_path / "a.npz")
    loaded = dae.SdA.load(tmp_path / "a.npz")
    assert all(p.dtype == numpy.float64 for p in loaded.params)
    raw = bytearray((tmp_path / "a.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "b.npz").write_bytes(bytes(raw))
    with pytest.raises(dae.CorruptFileError):
        dae.SdA.load(tmp_path / "b.npz")


def test_filters_image():
    sda = dae.SdA(_rng(), n_ins=784, hidden_layers_sizes=[100], n_outs=10)
    image = sda.filters_image()
    assert image.shape == (289, 289) and image.dtype == numpy.uint8
    # every tile is scaled to [0, 1] on its own: its brightest pixel is (1 - 1e-8) * 255 -> 254
    assert image.min() == 0 and image.max() == 254


# ----- the tutorial's functions run fused, with the readable path's numbers ----------------------------
@pytest.mark.parametrize("batch_size", [1, 7])
def test_fused_pretraining_equals_cost_and_grads_then_sgd(batch_size):
    """The fused step (dae.fast.TiedSigmoidSGD) gives the costs and parameters of the readable
    one, dA.cost_and_grads then dae.optim.SGD, with the same masks: float32 rounding apart."""
    x, _ = _data(42)
    fused, readable = _small(seed=4), _small(seed=4)
    runs = []
    for sda, kind in ((fused, True), (readable, False)):
        fns = sda.pretraining_functions(x, batch_size, cache_codes=True, fused=kind)
        runs.append([[float(fns[k](i, corruption=level, lr=0.1)) for i in range(fns[k].n_batches)]
                     for k, level in ((0, 0.1), (1, 0.3), (0, 0.2))])
    numpy.testing.assert_allclose(runs[0], runs[1], rtol=2e-5)
    for a, b in zip(fused.dA_layers, readable.dA_layers):
        for p, q in zip(a.params, b.params):
            numpy.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)
    assert not numpy.array_equal(fused.dA_layers[1].b_prime, _small(seed=4).dA_layers[1].b_prime)


@pytest.mark.parametrize("finetune", ["all", "top"])
@pytest.mark.parametrize("batch_size", [1, 10])
def test_fused_fine_tuning_equals_cost_and_grads_then_sgd(batch_size, finetune):
    fused, readable = _small(seed=6), _small(seed=6)
    for sda in (fused, readable):   # off the zero classifier, so every layer's gradient is non-trivial
        sda.logLayer.W[...] = _rng(2).randn(8, 3).astype(numpy.float32)
    datasets = _datasets()
    costs = []
    for sda, kind in ((fused, True), (readable, False)):
        train_fn, valid_score, _ = sda.build_finetune_functions(datasets, batch_size, learning_rate=0.3,
                                                                finetune=finetune, fused=kind)
        costs.append([float(train_fn(i)) for i in list(range(0, train_fn.n_batches, 3)) * 2])
    assert isinstance(fused.build_finetune_functions(datasets, batch_size)[0].optimizer, dae.fast.SigmoidSoftmaxSGD)
    numpy.testing.assert_allclose(costs[0], costs[1], rtol=1e-5)
    for p, q in zip(fused.params, readable.params):
        numpy.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-6)
    moved = [not numpy.array_equal(p, q) for p, q in zip(fused.params, _small(seed=6).params)]
    assert moved == ([True] * 6 if finetune == "all" else [False] * 4 + [True] * 2)


def test_the_learning_rate_of_a_fused_step_can_change_between_epochs():
    a, b = _small(seed=7), _small(seed=7)
    datasets = _datasets()
    fa, _, _ = a.build_finetune_functions(datasets, 5, learning_rate=0.5)
    fb, _, _ = b.build_finetune_functions(datasets, 5, learning_rate=0.25, fused=False)
    fa.optimizer.learning_rate = 0.25
    for i in range(4):
        assert float(fa(i)) == pytest.approx(float(fb(i)), rel=1e-5)
