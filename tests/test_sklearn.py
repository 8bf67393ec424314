"""dae.sklearn.DenoisingAutoencoder: a scikit-learn transformer (optional dependency)."""
import pickle

import numpy
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from dae.sklearn import DenoisingAutoencoder  # noqa: E402


def blobs(n=200, d=20, seed=0):
    """Two classes of sparse binary-ish patterns in [0, 1]."""
    rs = numpy.random.RandomState(seed)
    y = rs.randint(2, size=n)
    prototypes = rs.rand(2, d) < 0.4
    x = (prototypes[y] ^ (rs.rand(n, d) < 0.1)).astype(numpy.float64)
    return x, y


class _Squashed(DenoisingAutoencoder):
    """check_estimator feeds arbitrary real numbers, but the cross-entropy needs [0, 1]: this
    test-only subclass maps its inputs into (0, 1) with a fixed logistic so that every API
    check applies. The [0, 1] check of the real class is tested on its own below."""

    def _check_X(self, X, reset, unit_interval):
        X = super()._check_X(X, reset, unit_interval=False)
        return (0.5 * (1.0 + numpy.tanh(0.5 * X))).astype(X.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = False
        return tags


@pytest.mark.filterwarnings("ignore:Skipping check")
def test_check_estimator_passes():
    results = check_estimator(_Squashed(n_hidden=3, epochs=2, random_state=0), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])) for r in results if r["status"] == "failed"]
    assert failed == []
    assert sum(r["status"] == "passed" for r in results) > 40


def test_fit_transform_inverse_transform_score():
    x, _ = blobs()
    dae_ = DenoisingAutoencoder(n_hidden=8, epochs=5, random_state=0)
    codes = dae_.fit_transform(x)
    assert codes.shape == (200, 8) and codes.dtype == numpy.float32
    assert 0 < codes.min() and codes.max() < 1
    recon = dae_.inverse_transform(codes)
    assert recon.shape == x.shape
    assert dae_.n_iter_ == 5 and len(dae_.history_) == 5
    assert dae_.history_[-1]["train_cost"] < dae_.history_[0]["train_cost"]
    before = dae_.score(x)
    assert before < 0 and numpy.isfinite(before)
    for _ in range(3):
        dae_.partial_fit(x)
    assert dae_.n_iter_ == 8 and dae_.score(x) > before
    assert dae_.get_params()["n_hidden"] == 8
    assert dae_.set_params(epochs=2).epochs == 2
    assert clone(dae_).get_params() == dae_.get_params()


def test_same_random_state_same_codes_and_pickle_round_trip():
    x, _ = blobs()
    a = DenoisingAutoencoder(n_hidden=4, epochs=2, random_state=3).fit(x)
    b = DenoisingAutoencoder(n_hidden=4, epochs=2, random_state=3).fit(x)
    assert numpy.array_equal(a.transform(x), b.transform(x))
    c = pickle.loads(pickle.dumps(a))
    assert numpy.array_equal(a.transform(x), c.transform(x))
    a.partial_fit(x)
    c.partial_fit(x)  # the optimiser and noise generator travelled too
    assert numpy.array_equal(a.transform(x), c.transform(x))


def test_in_a_pipeline_with_logistic_regression():
    x, y = blobs(300)
    pipe = make_pipeline(DenoisingAutoencoder(n_hidden=10, epochs=10, random_state=0),
                         LogisticRegression(max_iter=500))
    pipe.fit(x[:200], y[:200])
    assert pipe.score(x[200:], y[200:]) > 0.9


@pytest.mark.parametrize("params,words", [
    (dict(n_hidden=0), "n_hidden"),
    (dict(corruption_level=1.0), "corruption_level"),
    (dict(learning_rate=-0.1), "learning_rate"),
    (dict(epochs=0), "epochs"),
    (dict(optimizer="rmsprop"), "optimizer"),
])
def test_bad_parameters_are_named(params, words):
    x, _ = blobs(20)
    with pytest.raises((ValueError, TypeError), match=words):
        DenoisingAutoencoder(**params).fit(x)


def test_bad_data_is_refused_clearly():
    x, _ = blobs(20)
    with pytest.raises(ValueError, match=r"\[0, 1\].*X / 255"):
        DenoisingAutoencoder(epochs=1).fit(x * 255)
    with pytest.raises(ValueError, match="Negative values"):
        DenoisingAutoencoder(epochs=1).fit(x - 1)
    fitted = DenoisingAutoencoder(n_hidden=3, epochs=1).fit(x)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(x[:, :5])
    with pytest.raises(ValueError, match=r"codes of shape \(n_samples, 3\)"):
        fitted.inverse_transform(x)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        DenoisingAutoencoder().transform(x)
