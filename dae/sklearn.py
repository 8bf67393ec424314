"""A scikit-learn transformer around the denoising autoencoder (``dae.Autoencoder``): learned features in a Pipeline.

    from sklearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from dae.sklearn import DenoisingAutoencoder

    pipe = make_pipeline(DenoisingAutoencoder(n_hidden=500, epochs=15, random_state=0),
                         LogisticRegression(max_iter=1000))
    pipe.fit(train_x, train_y); pipe.score(test_x, test_y)

Like ``sklearn.neural_network.BernoulliRBM``, it expects features in [0, 1] (pixel / 255):
the reconstruction cost is the cross-entropy. ``fit`` trains a fresh autoencoder for ``epochs`` epochs
of minibatch SGD (or momentum / adam) with masking corruption; ``partial_fit`` runs one more
epoch over the data it is given; ``transform`` gives the hidden code y = s(x W + b);
``inverse_transform`` the reconstruction z = s(y W' + b') from a code; ``score`` the negative
mean reconstruction cross-entropy of clean inputs (higher is better). Training uses
:class:`dae.train.Trainer`, on the backend in force; outputs are NumPy float32 arrays.

scikit-learn is an optional extra: ``pip install scikit-learn`` (or ``pip install -e .[sklearn]``).
"""
import numpy

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils import check_random_state
    from sklearn.utils.validation import check_is_fitted
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError("dae.sklearn needs scikit-learn: pip install scikit-learn") from exc

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate_data(estimator, X, reset=True, **kwargs):
        return estimator._validate_data(X, reset=reset, **kwargs)

from . import backend, optim
from .models.autoencoder import Autoencoder
from .train import Display, Trainer
from .validation import check_choice, check_float, check_positive_int


class DenoisingAutoencoder(TransformerMixin, BaseEstimator):
    """Denoising autoencoder (tied weights, sigmoid units, cross-entropy) as a transformer.

    Parameters
    ----------
    n_hidden : int, default 256
        Size of the code (the number of features ``transform`` returns).
    corruption_level : float in [0, 1), default 0.3
        Fraction of each input's values set to zero during training.
    learning_rate : float > 0, default 0.1
    batch_size : int, default 20
        Minibatch size (clipped to the number of examples when larger).
    epochs : int, default 10
        Passes over the data made by ``fit``.
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default "sgd"
    random_state : None, int or RandomState
        Seeds the initial weights and the corruption noise.
    verbose : bool, default False
        Print the tutorial's line per epoch.

    Attributes: ``model_`` (the trained :class:`dae.Autoencoder`), ``n_features_in_``, ``history_``
    (one dict of metrics per epoch), ``n_iter_`` (epochs done).
    """

    def __init__(self, n_hidden=256, corruption_level=0.3, learning_rate=0.1, batch_size=20, epochs=10,
                 optimizer="sgd", random_state=None, verbose=False):
        self.n_hidden = n_hidden
        self.corruption_level = corruption_level
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ----- helpers -------------------------------------------------------------------------
    def _check_params(self):
        check_positive_int(self.n_hidden, "n_hidden")
        check_float(self.corruption_level, "corruption_level", 0.0, 1.0, high_inclusive=False)
        check_float(self.learning_rate, "learning_rate", 0.0, None, low_inclusive=False)
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.epochs, "epochs")
        check_choice(self.optimizer, "optimizer", tuple(optim.OPTIMIZERS))

    def _check_X(self, X, reset, unit_interval):
        X = _validate_data(self, X, reset=reset, dtype=[numpy.float32, numpy.float64], ensure_min_samples=1)
        if unit_interval and X.size and X.min() < 0:
            raise ValueError(
                f"Negative values in data passed to DenoisingAutoencoder (min {X.min():g}): X must lie in "
                f"[0, 1] for the cross-entropy; scale it first (e.g. X / 255, or sklearn.preprocessing.MinMaxScaler)")
        if unit_interval and X.size and X.max() > 1:
            raise ValueError(
                f"X must lie in [0, 1] for the cross-entropy, got values in [{X.min():g}, {X.max():g}]; "
                f"scale it first (e.g. X / 255, or sklearn.preprocessing.MinMaxScaler)")
        return X

    def _start(self, n_features):
        self._check_params()
        rs = check_random_state(self.random_state)
        init_rng = numpy.random.RandomState(rs.randint(2 ** 31 - 1))
        self.model_ = Autoencoder(init_rng, n_visible=n_features, n_hidden=self.n_hidden)
        self._trainer = Trainer(
            self.model_, optim.make(self.optimizer, learning_rate=self.learning_rate),
            batch_size=self.batch_size, cost_kwargs={"corruption_level": self.corruption_level},
            eval_kwargs={"corruption_level": 0.0}, rng=int(rs.randint(2 ** 31 - 1)),
            display=Display("plain" if self.verbose else "none"), unit_interval=True)
        self.history_ = self._trainer.history
        self.n_iter_ = 0

    def _train(self, X, epochs):
        self._trainer.batch_size = min(self.batch_size, X.shape[0])
        self._trainer.fit(X, self._trainer.epoch + epochs)
        self.n_iter_ = self._trainer.epoch
        return self

    def _rows(self, fn, X, batch=1000):
        out = [backend.to_host(fn(backend.asarray(X[i:i + batch]))) for i in range(0, X.shape[0], batch)]
        return numpy.concatenate(out).astype(numpy.float32, copy=False)

    # ----- pickling: the model holds its array module, so it is saved as plain arrays -------------
    def __getstate__(self):
        state = dict(self.__dict__)
        if "model_" in state:
            arrays, meta = self._trainer.state_arrays()
            state["model_"] = None
            state["_trainer"] = ({k: numpy.array(backend.to_host(a)) for k, a in arrays.items()}, meta)
        return state

    def __setstate__(self, state):
        saved = state.get("_trainer")
        self.__dict__.update(state)
        if isinstance(saved, tuple):
            arrays, meta = saved
            n_features = arrays["param/b_prime"].shape[0]
            self._start(n_features)
            self._trainer.restore_state(arrays, meta)
            self.history_ = self._trainer.history
            self.n_iter_ = self._trainer.epoch

    # ----- the scikit-learn API ----------------------------------------------------------------
    def fit(self, X, y=None):
        """Train a fresh autoencoder on X (n_samples, n_features) in [0, 1] for ``epochs`` epochs."""
        self._check_params()
        X = self._check_X(X, reset=True, unit_interval=True)
        self._start(X.shape[1])
        return self._train(X, self.epochs)

    def partial_fit(self, X, y=None):
        """One more epoch over X (starting a model on the first call)."""
        first = not hasattr(self, "model_")
        if first:
            self._check_params()
        X = self._check_X(X, reset=first, unit_interval=True)
        if first:
            self._start(X.shape[1])
        return self._train(X, 1)

    def transform(self, X):
        """The hidden codes y = s(x W + b), shape (n_samples, n_hidden), float32."""
        check_is_fitted(self, "model_")
        X = self._check_X(X, reset=False, unit_interval=False)
        return self._rows(self.model_.get_hidden_values, X)

    def inverse_transform(self, X):
        """Reconstructions z = s(y W' + b') of codes y, shape (n_samples, n_features_in_)."""
        check_is_fitted(self, "model_")
        codes = numpy.asarray(X)
        if codes.ndim != 2 or codes.shape[1] != self.n_hidden:
            raise ValueError(f"X must be codes of shape (n_samples, {self.n_hidden}) (what transform returns), "
                             f"got shape {codes.shape}")
        if not numpy.issubdtype(codes.dtype, numpy.floating) or not numpy.isfinite(codes).all():
            raise ValueError("X must be finite floating-point codes (what transform returns)")
        return self._rows(self.model_.get_reconstructed_input, codes)

    def score(self, X, y=None):
        """Negative mean reconstruction cross-entropy of clean X (higher is better)."""
        check_is_fitted(self, "model_")
        X = self._check_X(X, reset=False, unit_interval=True)
        return -float(self._trainer.evaluate(X))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "model_")
        return numpy.asarray([f"denoisingautoencoder{i}" for i in range(self.n_hidden)], dtype=object)
