"""Tests of dae.models.vae: the VAE's cost, its hand-written gradients, the importance-weighted
log-likelihood, binarisation, argument checks and files."""
import math

import numpy
import pytest

import dae
from dae import backend
from dae.gradcheck import numerical_gradient
from dae.models.vae import VAE, binarize


def tiny(n_hidden=(6,), n_latent=3, activation="tanh", seed=1, n_visible=9, scale=0.3):
    """A float64 VAE with non-zero biases (so every gradient term is exercised)."""
    with dae.config.floatX_as("float64"):
        model = VAE(numpy.random.RandomState(seed), n_visible=n_visible, n_hidden=list(n_hidden),
                    n_latent=n_latent, activation=activation)
    jitter = numpy.random.RandomState(seed + 100)
    for p in model.params:
        p += jitter.normal(0.0, scale, p.shape)
    return model


def binary_batch(n=5, d=9, seed=3):
    return binarize(numpy.random.RandomState(seed).rand(n, d), numpy.random.RandomState(seed + 1))


# ----- gradients ----------------------------------------------------------------------------
@pytest.mark.parametrize("n_hidden,activation", [((6,), "tanh"), ((5, 4), "relu"), ((), "tanh"),
                                                 ((4,), "sigmoid"), ((5, 3), "linear")])
def test_gradients_match_finite_differences_with_fixed_noise(n_hidden, activation):
    model = tiny(n_hidden, activation=activation)
    errors = dae.gradcheck(model, binary_batch())
    assert set(errors) == set(model.param_names)
    assert max(errors.values()) < 1e-6, errors


def test_gradients_on_grey_inputs_and_one_latent_dimension():
    model = tiny((4,), n_latent=1)
    x = numpy.random.RandomState(7).rand(4, 9)
    assert max(dae.gradcheck(model, x).values()) < 1e-6


def test_gradient_wrt_eps_path_is_needed():
    """Dropping the sampling path (dz * eps * s / 2) from dlogvar must break the check, so the
    check above really tests the reparameterisation gradient."""
    model = tiny()
    x = binary_batch()
    rng = numpy.random.RandomState(11)
    _, grads = model.cost_and_grads(x, rng=rng)
    i = model.param_names.index("b_logvar")
    target = model.params[i]

    def cost_of(_):
        return float(model.cost_and_grads(x, rng=numpy.random.RandomState(11))[0])

    numeric = numerical_gradient(cost_of, target)
    assert numpy.allclose(grads[i], numeric, rtol=1e-6, atol=1e-8)
    # the KL part alone (what one gets by forgetting that z depends on logvar) is different
    mu, logvar = model.encode_distribution(x)
    kl_only = 0.5 * (numpy.exp(logvar) - 1.0).sum(axis=0) / x.shape[0]
    assert not numpy.allclose(kl_only, numeric, rtol=1e-3)


# ----- the cost, recomputed independently ---------------------------------------------------
def test_cost_is_cross_entropy_plus_analytic_kl_with_the_drawn_eps():
    model = tiny((5,), n_latent=2)
    x = binary_batch(6)
    cost, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(5))
    eps = numpy.random.RandomState(5).normal(0.0, 1.0, size=(6, 2))
    mu, logvar = model.encode_distribution(x)
    z = mu + numpy.sqrt(numpy.exp(logvar)) * eps
    p = model.decode(z)
    rec = -(x * numpy.log(p) + (1 - x) * numpy.log(1 - p)).sum(axis=1)
    # KL(N(mu, var) || N(0, 1)) per dimension = (var + mu^2 - 1 - log var) / 2
    kl = 0.5 * (numpy.exp(logvar) + mu ** 2 - 1.0 - logvar).sum(axis=1)
    assert cost == pytest.approx((rec + kl).mean(), rel=1e-10)
    assert model.negative_elbo(x, rng=numpy.random.RandomState(5)) == pytest.approx(rec + kl, rel=1e-10)


def test_kl_matches_monte_carlo():
    """The analytic KL against E_q[log q(z) - log p(z)] estimated from many samples."""
    mu, logvar = numpy.array([0.7, -1.2]), numpy.array([-0.5, 0.8])
    s = numpy.exp(0.5 * logvar)
    eps = numpy.random.RandomState(0).normal(size=(200000, 2))
    z = mu + s * eps
    log_q = -0.5 * (eps ** 2 + logvar + math.log(2 * math.pi)).sum(axis=1)
    log_p = -0.5 * (z ** 2 + math.log(2 * math.pi)).sum(axis=1)
    analytic = -0.5 * (1 + logvar - mu ** 2 - numpy.exp(logvar)).sum()
    assert (log_q - log_p).mean() == pytest.approx(analytic, abs=0.02)


def test_noise_comes_from_rng_only():
    model = tiny()
    x = binary_batch()
    c1, g1 = model.cost_and_grads(x, rng=numpy.random.RandomState(9))
    c2, g2 = model.cost_and_grads(x, rng=numpy.random.RandomState(9))
    c3, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(10))
    assert c1 == c2 and all(numpy.array_equal(a, b) for a, b in zip(g1, g2))
    assert c1 != c3
    # a Generator and a RandomStreams are accepted too
    assert numpy.isfinite(model.cost_and_grads(x, rng=numpy.random.default_rng(0))[0])
    assert numpy.isfinite(model.cost_and_grads(x, rng=dae.RandomStreams(0))[0])


def test_saturated_logits_stay_finite():
    model = tiny(scale=0.0)
    model.W_out[...] = 500.0
    model.b_out[...] = -300.0
    cost, grads = model.cost_and_grads(numpy.ones((3, 9)), rng=numpy.random.RandomState(0))
    assert numpy.isfinite(cost) and all(numpy.isfinite(g).all() for g in grads)


def test_float32_by_default_and_training_lowers_the_cost():
    (train_x, _), _, _ = dae.load_data()
    rng = numpy.random.RandomState(0)
    x = binarize(train_x[:500], rng)
    model = VAE(numpy.random.RandomState(1), n_visible=784, n_hidden=[64], n_latent=8, activation="relu")
    assert all(p.dtype == numpy.float32 for p in model.params)
    opt = dae.optim.Adam(learning_rate=3e-3)
    first, _ = model.cost_and_grads(x, rng=rng)
    assert first.dtype == numpy.float32
    for _ in range(4):
        for i in range(0, 500, 50):
            _, grads = model.cost_and_grads(x[i:i + 50], rng=rng)
            opt.step(model.params, grads)
    last, _ = model.cost_and_grads(x, rng=rng)
    assert float(last) < float(first) - 150  # from ~550 nats to well under 400


# ----- importance-weighted log-likelihood ---------------------------------------------------
def exact_log_px(model, x):
    """log p(x) = log integral p(x|z) N(z; 0, 1) dz for a 1-D code, by the trapezoid rule."""
    z = numpy.linspace(-10, 10, 20001)[:, None]
    a = model.decoder.run(z)
    log_prior = -0.5 * (z[:, 0] ** 2 + math.log(2 * math.pi))
    out = []
    for row in x:
        log_f = -(numpy.logaddexp(0, a) - row * a).sum(axis=1) + log_prior
        top = log_f.max()
        out.append(top + math.log(numpy.trapezoid(numpy.exp(log_f - top), z[:, 0])))
    return numpy.array(out)


def test_importance_weighted_estimate_converges_to_exact_log_likelihood():
    model = tiny((5,), n_latent=1, scale=0.8)
    model.W_logvar[...] = 0.0
    model.b_logvar[...] = 1.0  # q wider than the prior: bounded weights, a quick convergence
    x = binary_batch(4)
    exact = exact_log_px(model, x)
    iw = model.importance_weighted_log_likelihood(x, k=20000, rng=numpy.random.RandomState(0))
    assert iw.shape == (4,)
    assert iw == pytest.approx(exact, abs=0.04)  # about five standard errors
    # the bound tightens with k, on average: ELBO = E[IW(k=1)] < E[IW(k=10)] < log p(x)
    many = numpy.repeat(x, 500, axis=0)
    iw1, iw10 = [model.importance_weighted_log_likelihood(many, k=k, rng=numpy.random.RandomState(1)).mean()
                 for k in (1, 10)]
    elbo = -model.negative_elbo(many, rng=numpy.random.RandomState(2)).mean()
    assert iw1 == pytest.approx(elbo, abs=0.3)
    assert elbo + 0.5 < iw10 < exact.mean()
    assert iw1 + 0.5 < iw10


def test_importance_weighted_estimate_does_not_depend_on_batching():
    """Each batch draws eps as (rows, k, n_latent) in turn, so batches of 2 consume the same
    normal draws, in the same order, as one batch of 7: the estimates agree."""
    model = tiny()
    x = binary_batch(7)
    whole = model.importance_weighted_log_likelihood(x, k=7, rng=numpy.random.RandomState(4), batch_size=7)
    parts = model.importance_weighted_log_likelihood(x, k=7, rng=numpy.random.RandomState(4), batch_size=2)
    assert whole.shape == parts.shape == (7,)
    assert numpy.allclose(whole, parts, rtol=1e-12, atol=1e-12)
    other = model.importance_weighted_log_likelihood(x, k=7, rng=numpy.random.RandomState(5), batch_size=2)
    assert not numpy.allclose(whole, other)


def test_importance_weighted_estimate_stays_finite_for_extreme_weights():
    model = tiny(n_latent=2, scale=0.0)
    model.W_out[...] = 60.0   # p(x|z) spans hundreds of nats across samples: exp would underflow
    x = binary_batch(3)
    iw = model.importance_weighted_log_likelihood(x, k=50, rng=numpy.random.RandomState(0))
    assert numpy.isfinite(iw).all() and (iw < 0).all()


# ----- users' methods -----------------------------------------------------------------------
def test_encode_decode_sample_reconstruct_shapes_and_ranges():
    model = tiny(n_latent=3)
    x = binary_batch(4)
    mu, logvar = model.encode_distribution(x)
    assert mu.shape == logvar.shape == (4, 3)
    numpy.testing.assert_array_equal(model.encode(x), mu)  # an array, like every model's code
    p = model.decode(mu)
    assert p.shape == (4, 9) and ((p > 0) & (p < 1)).all()
    s = model.sample(6, rng=numpy.random.RandomState(0))
    assert s.shape == (6, 9)
    assert numpy.array_equal(s, model.sample(6, rng=numpy.random.RandomState(0)))
    r = model.reconstruct(x)
    assert numpy.array_equal(r, model.decode(mu))  # rng=None decodes the mean
    assert not numpy.array_equal(model.reconstruct(x, rng=numpy.random.RandomState(0)), r)
    assert model.reconstruct(x[:1]).shape == (1, 9)
    with pytest.raises(ValueError, match=r"got a 1-D array of shape \(9,\); reshape it with x.reshape\(1, -1\)"):
        model.reconstruct(x[0])                  # one image must be a minibatch of one


def test_param_layout_mirrors_the_encoder():
    with dae.config.floatX_as("float64"):
        model = VAE(numpy.random.RandomState(0), n_visible=12, n_hidden=[8, 5], n_latent=2)
    shapes = dict(zip(model.param_names, [p.shape for p in model.params]))
    assert shapes == {"W_enc0": (12, 8), "b_enc0": (8,), "W_enc1": (8, 5), "b_enc1": (5,),
                      "W_mu": (5, 2), "b_mu": (2,), "W_logvar": (5, 2), "b_logvar": (2,),
                      "W_dec0": (2, 5), "b_dec0": (5,), "W_dec1": (5, 8), "b_dec1": (8,),
                      "W_out": (8, 12), "b_out": (12,)}
    assert "n_latent=2" in repr(model)


# ----- binarisation -------------------------------------------------------------------------
def test_binarize_draws_bernoulli_pixels_with_the_grey_value_as_probability():
    grey = numpy.full((400, 500), 0.3, dtype=numpy.float32)
    grey[:, :100] = 0.0
    grey[:, 100:200] = 1.0
    b = binarize(grey, numpy.random.RandomState(0))
    assert b.dtype == numpy.float32 and b.shape == grey.shape
    assert set(numpy.unique(b)) <= {0.0, 1.0}
    assert (b[:, :100] == 0).all() and (b[:, 100:200] == 1).all()
    assert b[:, 200:].mean() == pytest.approx(0.3, abs=0.005)
    assert numpy.array_equal(b, binarize(grey, numpy.random.RandomState(0)))  # fixed seed: same test set
    assert not numpy.array_equal(b, binarize(grey, numpy.random.RandomState(1)))  # new epoch: new draw


def test_binarize_checks_its_arguments():
    with pytest.raises(ValueError, match=r"x must hold grey values in \[0, 1\]"):
        binarize(numpy.array([[0.5, 1.5]]), numpy.random.RandomState(0))
    with pytest.raises(TypeError, match="floating-point"):
        binarize(numpy.array([[0, 1]]), numpy.random.RandomState(0))
    with pytest.raises(TypeError, match="rng must be"):
        binarize(numpy.array([[0.5]]), 42)


# ----- argument checks ----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,error,pattern", [
    ({"n_latent": 0}, ValueError, "n_latent must be a positive integer, got 0"),
    ({"n_latent": 2.5}, TypeError, "n_latent"),
    ({"n_visible": -1}, ValueError, "n_visible"),
    ({"n_hidden": [10, 0]}, ValueError, "n_hidden"),
    ({"n_hidden": "500"}, TypeError, "n_hidden"),
    ({"activation": "swish"}, ValueError, "activation must be one of"),
    ({"rng": numpy.random.RandomState(0)}, TypeError, "unexpected keyword argument 'rng'"),  # no generator of its own
])
def test_constructor_validates(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        VAE(numpy.random.RandomState(0), **kwargs)


def test_constructor_accepts_a_generator_and_is_reproducible():
    a = VAE(numpy.random.default_rng(0), n_visible=9, n_hidden=[4], n_latent=2)
    b = VAE(numpy.random.default_rng(0), n_visible=9, n_hidden=[4], n_latent=2)
    assert all(numpy.array_equal(p, q) for p, q in zip(a.params, b.params))
    x = binary_batch()
    assert a.cost_and_grads(x, rng=numpy.random.RandomState(0))[0] == b.cost_and_grads(x, rng=numpy.random.RandomState(0))[0]


def test_constructor_needs_a_numpy_rng():
    with pytest.raises(TypeError, match="numpy_rng"):
        VAE(123)


def test_methods_validate_before_computing():
    model = tiny()
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        model.cost_and_grads(numpy.full((2, 9), 2.0), rng=numpy.random.RandomState(0))
    with pytest.raises(ValueError, match="x must have 9 columns"):
        model.encode(numpy.zeros((2, 8)))
    with pytest.raises(ValueError, match="z must have 3 columns"):
        model.decode(numpy.zeros((2, 4)))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        model.importance_weighted_log_likelihood(binary_batch(), k=0, rng=numpy.random.RandomState(0))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        model.sample(0, rng=numpy.random.RandomState(0))
    with pytest.raises(TypeError, match="rng must be"):
        model.cost_and_grads(binary_batch(), rng=object())
    with pytest.raises(ValueError, match="finite"):
        model.negative_elbo(numpy.full((1, 9), numpy.nan), rng=numpy.random.RandomState(0))


# ----- files --------------------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path):
    model = tiny((4, 3), n_latent=2, activation="relu")
    path = tmp_path / "vae.npz"
    model.save(path)
    loaded = VAE.load(path)
    assert loaded.param_names == model.param_names and loaded.activation == "relu"
    assert all(p.dtype == numpy.float64 for p in loaded.params)
    x = binary_batch()
    assert numpy.array_equal(loaded.reconstruct(x), model.reconstruct(x))
    c1, _ = loaded.cost_and_grads(x, rng=numpy.random.RandomState(0))
    c2, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
    assert c1 == c2


def test_load_refuses_damaged_or_foreign_files(tmp_path):
    model = tiny()
    path = tmp_path / "vae.npz"
    model.save(path)
    raw = bytearray(path.read_bytes())
    at = raw.find(model.W_out.tobytes()[:16])  # a byte of W_out's stored values
    assert at > 0
    raw[at + 3] ^= 0xFF
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(raw))
    with pytest.raises(dae.CorruptFileError):
        VAE.load(bad)
    other = tmp_path / "other.npz"
    dae.save_model(dae.dA(numpy.random.RandomState(0), n_visible=4, n_hidden=2), other)
    with pytest.raises(ValueError, match="holds a Autoencoder, not a VAE"):
        VAE.load(other)


def test_backend_arrays_are_used():
    model = tiny()
    assert model.xp is backend.xp
