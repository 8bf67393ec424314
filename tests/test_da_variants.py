"""dae.Autoencoder, the family: every combination that changes the gradient is finite-difference
checked, the defaults are the tutorial's dA (same costs and gradients), invalid combinations are
refused, and a linear autoencoder with squared error learns the principal subspace (the PCA identity)."""
import itertools

import numpy
import pytest
import scipy.linalg

import dae
from dae import config
from dae.gradcheck import gradcheck

N_VIS, N_HID, N = 5, 3, 4

LOSS_DECODERS = [("cross_entropy", None), ("squared_error", "sigmoid"), ("squared_error", "linear")]
ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
NOISES = ["masking", "gaussian", "salt_and_pepper"]
SPARSITIES = [None, "l1", "kl"]


def _valid_combos():
    for tied, (loss, decoder), act, noise, sparsity, dropout in itertools.product(
            [True, False], LOSS_DECODERS, ACTIVATIONS, NOISES, SPARSITIES, [0.0, 0.4]):
        if sparsity == "kl" and act != "sigmoid":
            continue
        yield tied, loss, decoder, act, noise, sparsity, dropout


COMBOS = list(_valid_combos())


def _model(seed=0, **options):
    rng = numpy.random.RandomState(seed)
    da = dae.Autoencoder(rng, n_visible=N_VIS, n_hidden=N_HID, **options)
    # non-zero biases, so every term of the gradient is exercised
    da.b[...] = rng.uniform(-0.5, 0.5, N_HID)
    da.b_prime[...] = rng.uniform(-0.5, 0.5, N_VIS)
    return da


def test_combination_count():
    # 2 tyings x 3 loss/decoder x 3 noises x 2 dropouts x (4 activations x 2 + 1 kl-sigmoid)
    assert len(COMBOS) == 2 * 3 * 3 * 2 * 9


@pytest.mark.parametrize("tied,loss,decoder,activation,noise,sparsity,dropout", COMBOS)
def test_gradcheck_every_combination(tied, loss, decoder, activation, noise, sparsity, dropout):
    with config.floatX_as("float64"):
        da = _model(tied_weights=tied, loss=loss, decoder=decoder, activation=activation, noise=noise,
                    sparsity=sparsity, sparsity_weight=0.3, sparsity_target=0.2)
        data_rng = numpy.random.RandomState(1)
        if loss == "cross_entropy":
            x = data_rng.uniform(0, 1, (N, N_VIS))
        else:
            x = data_rng.normal(0.3, 1.0, (N, N_VIS))  # squared error needs no [0, 1]
        level = 0.3
        errors = gradcheck(da, x, corruption_level=level, dropout=dropout)
    assert set(errors) == set(da.param_names)
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_detects_a_wrong_gradient():
    """The check above can fail: break the kl gradient's sign and it does."""
    with config.floatX_as("float64"):
        da = _model(sparsity="kl", sparsity_weight=0.5, sparsity_target=0.1)
        x = numpy.random.RandomState(1).uniform(0, 1, (N, N_VIS))
        good = da.cost_and_grads

        def wrong(*args, **kwargs):
            cost, grads = good(*args, **kwargs)
            return cost, [grads[0] * 1.01] + grads[1:]

        da.cost_and_grads = wrong
        errors = gradcheck(da, x, corruption_level=0.0)
    assert errors["W"] > 1e-4


def test_default_options_are_the_tutorial_model():
    rng = numpy.random.RandomState(123)
    plain = dae.Autoencoder(rng, n_visible=N_VIS, n_hidden=N_HID)
    rng = numpy.random.RandomState(123)
    explicit = dae.Autoencoder(rng, n_visible=N_VIS, n_hidden=N_HID, tied_weights=True, loss="cross_entropy",
                               activation="sigmoid", decoder="sigmoid", noise="masking", sparsity=None)
    assert numpy.array_equal(plain.W, explicit.W)
    assert plain.param_names == ["W", "b", "b_prime"]
    assert plain.W_prime.base is plain.W or numpy.shares_memory(plain.W_prime, plain.W)
    x = numpy.random.RandomState(2).uniform(0, 1, (N, N_VIS)).astype("float32")
    c1, g1 = plain.cost_and_grads(x, corruption_level=0.3, rng=numpy.random.RandomState(7))
    c2, g2 = explicit.cost_and_grads(x, corruption_level=0.3, rng=numpy.random.RandomState(7), dropout=0.0)
    assert c1 == c2 and all(numpy.array_equal(a, b) for a, b in zip(g1, g2))


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-13), ("float32", 2e-6)])
def test_the_default_family_model_is_the_tutorials_dA(dtype, rtol):
    """Same seed, same draws: the same W, the same masks, the tutorial's cost and gradients (to the
    rounding of the dtype: the layers evaluate the same sums in another order)."""
    with config.floatX_as(dtype):
        tutorial = dae.dA(numpy.random.RandomState(123), n_visible=30, n_hidden=8)
        family = dae.Autoencoder(numpy.random.RandomState(123), n_visible=30, n_hidden=8)
    assert numpy.array_equal(tutorial.W, family.W) and tutorial.theano_rng.seed == family.theano_rng.seed
    x = numpy.random.RandomState(2).uniform(0, 1, (6, 30)).astype(dtype)
    for level in (0.0, 0.3):
        c1, g1 = tutorial.cost_and_grads(x, corruption_level=level, rng=tutorial.theano_rng)
        c2, g2 = family.cost_and_grads(x, corruption_level=level, rng=family.theano_rng)
        assert float(c2) == pytest.approx(float(c1), rel=rtol)
        for a, b in zip(g1, g2):
            assert a.dtype == b.dtype == numpy.dtype(dtype)
            numpy.testing.assert_allclose(b, a, rtol=0, atol=rtol * float(numpy.abs(a).max()))
        numpy.testing.assert_array_equal(family.get_hidden_values(x), tutorial.get_hidden_values(x))
        numpy.testing.assert_array_equal(family.reconstruct(x), tutorial.reconstruct(x))
    # and the check can fail: a different mask gives a different cost
    c3, _ = family.cost_and_grads(x, corruption_level=0.3, rng=numpy.random.RandomState(0))
    assert float(c3) != pytest.approx(float(c1), rel=1e-3)


@pytest.mark.parametrize("option", ["tied_weights", "loss", "activation", "decoder", "noise", "sparsity",
                                    "sparsity_weight", "sparsity_target", "dropout"])
def test_the_tutorial_dA_refuses_the_family_keywords_and_names_the_class_to_use(option):
    with pytest.raises(TypeError, match=f"takes no {option}; use dae.Autoencoder"):
        dae.dA(numpy.random.RandomState(0), n_visible=N_VIS, n_hidden=N_HID, **{option: None})
    with pytest.raises(TypeError, match="unexpected keyword argument 'n_hiden'"):
        dae.dA(numpy.random.RandomState(0), n_visible=N_VIS, n_hiden=N_HID)


def test_default_cost_matches_the_written_out_tutorial_formula():
    """Default path = the tutorial's cross-entropy of a masked, tied sigmoid autoencoder."""
    with config.floatX_as("float64"):
        da = _model()
        x = numpy.random.RandomState(3).uniform(0.05, 0.95, (N, N_VIS))
        cost, _ = da.cost_and_grads(x, corruption_level=0.25, rng=numpy.random.RandomState(9))
        mask = numpy.random.RandomState(9).binomial(1, 0.75, x.shape)
        y = 1 / (1 + numpy.exp(-(x * mask) @ da.W - da.b))
        z = 1 / (1 + numpy.exp(-y @ da.W.T - da.b_prime))
        expected = numpy.mean(-numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1))
    assert cost == pytest.approx(expected, rel=1e-12)


def test_untied_params_and_initialisation_order():
    rng = numpy.random.RandomState(123)
    tied = dae.Autoencoder(rng, n_visible=N_VIS, n_hidden=N_HID)
    rng = numpy.random.RandomState(123)
    untied = dae.Autoencoder(rng, n_visible=N_VIS, n_hidden=N_HID, tied_weights=False)
    assert untied.param_names == ["W", "b", "b_prime", "W_prime"]
    assert untied.params[3] is untied.W_prime and untied.W_prime.shape == (N_HID, N_VIS)
    assert numpy.array_equal(tied.W, untied.W)  # W' is drawn after W: W unchanged
    assert not numpy.shares_memory(untied.W_prime, untied.W)
    bound = 4 * numpy.sqrt(6.0 / (N_VIS + N_HID))
    assert numpy.abs(untied.W_prime).max() <= bound
    # an update of W leaves the untied decoder alone
    before = untied.W_prime.copy()
    untied.W += 1.0
    assert numpy.array_equal(before, untied.W_prime)


def test_non_sigmoid_encoders_use_glorot_range():
    for act in ["tanh", "relu", "linear"]:
        da = dae.Autoencoder(numpy.random.RandomState(0), n_visible=200, n_hidden=100, activation=act)
        bound = numpy.sqrt(6.0 / 300)
        assert numpy.abs(da.W).max() <= bound and numpy.abs(da.W).max() > 0.9 * bound


def test_hidden_values_and_reconstruction_follow_the_options():
    with config.floatX_as("float64"):
        x = numpy.random.RandomState(4).normal(0, 1, (N, N_VIS))
        da = _model(activation="tanh", loss="squared_error", decoder="linear")
        y = da.get_hidden_values(x)
        assert numpy.allclose(y, numpy.tanh(x @ da.W + da.b))
        assert numpy.allclose(da.reconstruct(x), y @ da.W.T + da.b_prime)  # no dropout at test time
        da = _model(activation="relu")
        assert (da.get_hidden_values(x) >= 0).all() and (da.get_hidden_values(x) == 0).any()


def test_dropout_masks_are_inverted_and_drawn_from_rng():
    """With every weight/bias zero except b' the cost is deterministic; instead check the
    forward: averaging many dropout draws of y_hat recovers y (inverted scaling)."""
    with config.floatX_as("float64"):
        da = _model(loss="squared_error", decoder="linear", activation="linear", tied_weights=False)
        x = numpy.random.RandomState(5).normal(0, 1, (N, N_VIS))
        # same rng seed -> same cost; different seed -> different cost; no dropout -> no draw
        c1, _ = da.cost_and_grads(x, corruption_level=0.0, dropout=0.5, rng=numpy.random.RandomState(1))
        c2, _ = da.cost_and_grads(x, corruption_level=0.0, dropout=0.5, rng=numpy.random.RandomState(1))
        c3, _ = da.cost_and_grads(x, corruption_level=0.0, dropout=0.5, rng=numpy.random.RandomState(2))
        c4, _ = da.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(1))
        c5, _ = da.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(2))
        assert c1 == c2 and c1 != c3 and c4 == c5 and c4 != c1
        # linear model: E[z] over dropout masks equals the no-dropout reconstruction
        y = da.get_hidden_values(x)
        rng = numpy.random.RandomState(0)
        masks = rng.binomial(1, 0.5, (20000,) + y.shape) / 0.5
        mean_z = ((y * masks) @ da.W_prime + da.b_prime).mean(axis=0)
        assert numpy.allclose(mean_z, da.reconstruct(x), atol=0.05 * numpy.abs(da.reconstruct(x)).max())


def test_dropout_stream_is_separate_from_corruption_in_random_streams():
    da = _model()
    x = numpy.random.RandomState(2).uniform(0, 1, (N, N_VIS)).astype(da.W.dtype)
    streams = dae.RandomStreams(10)
    da.cost_and_grads(x, corruption_level=0.3, dropout=0.5, rng=streams)
    assert set(streams._states) == {"corruption", "dropout"}


def test_sparsity_penalties_values():
    with config.floatX_as("float64"):
        x = numpy.random.RandomState(6).uniform(0, 1, (N, N_VIS))
        base = _model()
        c0, _ = base.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(0))
        y = base.get_hidden_values(x)
        l1 = _model(sparsity="l1", sparsity_weight=0.7)
        c1, _ = l1.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(0))
        assert c1 - c0 == pytest.approx(0.7 * numpy.abs(y).sum(axis=1).mean(), rel=1e-10)
        kl = _model(sparsity="kl", sparsity_weight=2.0, sparsity_target=0.1)
        c2, _ = kl.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(0))
        q = y.mean(axis=0)
        expected = 2.0 * numpy.sum(0.1 * numpy.log(0.1 / q) + 0.9 * numpy.log(0.9 / (1 - q)))
        assert c2 - c0 == pytest.approx(expected, rel=1e-10)


def test_kl_penalty_is_zero_at_target():
    with config.floatX_as("float64"):
        da = _model(sparsity="kl", sparsity_weight=1.0, sparsity_target=0.5)
        da.W[...] = 0.0
        da.b[...] = 0.0  # every hidden unit is exactly 0.5 = the target
        x = numpy.random.RandomState(0).uniform(0, 1, (N, N_VIS))
        penalty, grad = da._sparsity_penalty(da.get_hidden_values(x))
        assert penalty == pytest.approx(0.0, abs=1e-15) and numpy.allclose(grad, 0.0)


def test_kl_penalty_stays_finite_for_saturated_units():
    with config.floatX_as("float64"):
        da = _model(sparsity="kl", sparsity_weight=1.0)
        da.b[...] = 1e3  # every unit saturated at 1
        x = numpy.random.RandomState(0).uniform(0, 1, (N, N_VIS))
        cost, grads = da.cost_and_grads(x, corruption_level=0.0, rng=numpy.random.RandomState(0))
        assert numpy.isfinite(cost) and all(numpy.isfinite(g).all() for g in grads)


@pytest.mark.parametrize("noise", NOISES)
def test_noises_corrupt_as_documented(noise):
    da = _model(noise=noise)
    x = numpy.full((200, N_VIS), 0.5, dtype=da.W.dtype)
    tilde = da.get_corrupted_input(x, 0.3, rng=numpy.random.RandomState(0))
    if noise == "masking":
        assert set(numpy.unique(tilde)) <= {0.0, 0.5}
        assert abs((tilde == 0).mean() - 0.3) < 0.05
    elif noise == "gaussian":
        assert abs((tilde - 0.5).std() - 0.3) < 0.02
    else:
        assert set(numpy.unique(tilde)) <= {0.0, 0.5, 1.0}
        assert abs((tilde != 0.5).mean() - 0.3) < 0.05
        assert abs((tilde == 1).mean() - 0.15) < 0.04


def test_gaussian_level_is_a_standard_deviation():
    da = _model(noise="gaussian", loss="squared_error")
    x = numpy.zeros((3, N_VIS), dtype=da.W.dtype)
    da.cost_and_grads(x, corruption_level=1.5, rng=numpy.random.RandomState(0))  # above 1 is a valid standard deviation
    with pytest.raises(ValueError, match="corruption_level"):
        da.cost_and_grads(x, corruption_level=-0.1, rng=numpy.random.RandomState(0))
    masking = _model()
    with pytest.raises(ValueError, match="corruption_level"):
        masking.cost_and_grads(x, corruption_level=1.5, rng=numpy.random.RandomState(0))


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(loss="cross_entropy", decoder="linear"), ValueError, "decoder"),
    (dict(sparsity="kl", activation="relu"), ValueError, "activation"),
    (dict(sparsity="kl", activation="tanh"), ValueError, "sigmoid"),
    (dict(sparsity="kl", sparsity_target=0.0), ValueError, "sparsity_target"),
    (dict(sparsity="kl", sparsity_target=1.0), ValueError, "sparsity_target"),
    (dict(sparsity="l1", sparsity_target=1.5), ValueError, "sparsity_target"),
    (dict(sparsity="l1", sparsity_weight=-1.0), ValueError, "sparsity_weight"),
    (dict(loss="mse"), ValueError, "loss"),
    (dict(activation="softmax"), ValueError, "activation"),
    (dict(noise="dropout"), ValueError, "noise"),
    (dict(sparsity="l2"), ValueError, "sparsity"),
    (dict(decoder="tanh", loss="squared_error"), ValueError, "decoder"),
    (dict(tied_weights="yes"), TypeError, "tied_weights"),
])
def test_invalid_options_raise_clear_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        dae.Autoencoder(numpy.random.RandomState(0), n_visible=N_VIS, n_hidden=N_HID, **kwargs)


@pytest.mark.parametrize("dropout, exc", [(1.0, ValueError), (-0.1, ValueError), ("half", TypeError)])
def test_a_bad_dropout_rate_is_refused_by_the_call(dropout, exc):
    da = _model()
    x = numpy.full((N, N_VIS), 0.5, dtype=da.W.dtype)
    with pytest.raises(exc, match="dropout"):
        da.cost_and_grads(x, rng=numpy.random.RandomState(0), dropout=dropout)


def test_cross_entropy_refuses_data_outside_unit_interval():
    x = numpy.random.RandomState(0).normal(0, 1, (N, N_VIS)).astype("float32")
    for act in ACTIVATIONS:
        da = _model(activation=act)
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            da.cost_and_grads(x, rng=numpy.random.RandomState(0))
    # squared error takes it
    _model(loss="squared_error", decoder="linear").cost_and_grads(x, rng=numpy.random.RandomState(0))


def test_untied_training_step_moves_both_matrices():
    da = _model(tied_weights=False)
    x = numpy.random.RandomState(0).uniform(0, 1, (N, N_VIS)).astype(da.W.dtype)
    W, Wp = da.W.copy(), da.W_prime.copy()
    cost, grads = da.cost_and_grads(x, corruption_level=0.2, rng=da.theano_rng)
    dae.optim.SGD(0.1).step(da.params, grads)
    assert not numpy.array_equal(W, da.W) and not numpy.array_equal(Wp, da.W_prime)


def test_linear_autoencoder_learns_the_principal_subspace():
    """A linear encoder/decoder trained on squared error spans the top-k principal components."""
    rng = numpy.random.RandomState(0)
    n_samples, n_dim, k = 400, 10, 3
    # data with a clear spectrum: scales 5, 4, 3 on a hidden 3-D subspace plus small noise
    basis = numpy.linalg.qr(rng.normal(size=(n_dim, n_dim)))[0]
    scales = numpy.array([5.0, 4.0, 3.0, 0.5, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1])
    data = (rng.normal(size=(n_samples, n_dim)) * scales) @ basis.T + 2.0  # non-zero mean
    with config.floatX_as("float64"):
        da = dae.Autoencoder(numpy.random.RandomState(1), n_visible=n_dim, n_hidden=k, tied_weights=False,
                             loss="squared_error", activation="linear", decoder="linear")
        opt = dae.optim.Adam(learning_rate=0.01)
        for epoch in range(300):
            for i in range(0, n_samples, 50):
                _, grads = da.cost_and_grads(data[i:i + 50], corruption_level=0.0, rng=rng)
                opt.step(da.params, grads)
    centred = data - data.mean(axis=0)
    principal = numpy.linalg.svd(centred, full_matrices=False)[2][:k].T   # (n_dim, k)
    angles = scipy.linalg.subspace_angles(da.W_prime.T, principal)
    assert numpy.degrees(angles).max() < 1.0, numpy.degrees(angles)
    # and the decoder does not span some other subspace: a random 3-D one is far away
    random_angles = scipy.linalg.subspace_angles(rng.normal(size=(n_dim, k)), principal)
    assert numpy.degrees(random_angles).max() > 10.0
