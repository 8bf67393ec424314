"""The registry's parts: options, phases, model kinds, and the table ``MODELS`` of kinds."""
import dataclasses
from typing import Any, Callable, Dict, Optional

from .. import backend


# ----- options -------------------------------------------------------------------------------
def int_list(text):
    """``"1000,500,30"`` (or a list) -> [1000, 500, 30]."""
    if isinstance(text, str):
        parts = [p for p in text.replace(" ", "").split(",") if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated integers such as 1000,500,30, got {text!r}") from None
    return [int(v) for v in text]


def float_list(text):
    """``"0.1,0.2"`` (or a list) -> [0.1, 0.2]."""
    if isinstance(text, str):
        parts = [p for p in text.replace(" ", "").split(",") if p]
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated numbers such as 0.1,0.2,0.3, got {text!r}") from None
    return [float(v) for v in text]


int_list.__name__ = "int_list"
float_list.__name__ = "float_list"


@dataclasses.dataclass
class Option:
    """One hyper-parameter of a model kind: its type, default and a line of help.

    ``choices`` may hold None (written "none" on the command line, null in config.json).
    ``only_with={"sparsity": ("kl",)}``: the option matters only when those other options have
    those values; the command line refuses it otherwise instead of ignoring it."""

    type: Callable
    default: Any
    help: str
    choices: Optional[tuple] = None
    only_with: Optional[Dict[str, tuple]] = None


# ----- phases --------------------------------------------------------------------------------
@dataclasses.dataclass
class Phase:
    """One run of the training loop: ``model`` (sharing arrays with the whole model) trained
    for ``epochs`` with ``learning_rate``.

    - ``cost_kwargs`` / ``eval_kwargs``: the ``cost_and_grads`` keywords (training, validation).
    - ``transform(batch)``: the phase model's input from a minibatch of data (the lower layers).
    - ``supervised``: pass the labels (``train_y``/``valid_y``).
    - ``rng``: the trainer's random stream (the model's own ``theano_rng`` where the tutorial
      drew from it); None: ``RandomState(seed + index)``.
    - ``before(model)``: run before the phase's trainer starts (e.g. unroll the deep encoder);
      resuming runs it too, then restores the checkpoint over it.
    - ``kind``/``config``: the registry name and configuration of ``model`` for its checkpoints
      (so ``dae info`` and ``dae.load_model`` read them); None when it is no registered kind.
    - ``early_stopping(data) -> dae.train.EarlyStopping`` and ``evaluate(data) -> fn(trainer)``.
    """

    name: str
    model: Any
    epochs: int
    learning_rate: float
    cost_kwargs: dict = dataclasses.field(default_factory=dict)
    eval_kwargs: Optional[dict] = None
    eval_model: Any = None
    transform: Optional[Callable] = None
    supervised: bool = False
    rng: Any = None
    before: Optional[Callable] = None
    kind: Optional[str] = None
    config: Optional[dict] = None
    early_stopping: Optional[Callable] = None
    evaluate: Optional[Callable] = None
    unit_interval: bool = False
    label: str = "Training"       # the progress lines' first words: "Training epoch 0, cost ..."


# ----- model kinds ---------------------------------------------------------------------------
def _named_params(model):
    return dict(zip(model.param_names, model.params))


@dataclasses.dataclass
class ModelKind:
    """How the files, the training runs and the command line handle one model class.

    - ``cls``: the class name (``kind_of(model)`` finds the kind of a model by it);
      ``also_saves``: the names of other classes whose models this kind saves (read back as ``cls``).
    - ``build(cfg, rng)``: the model from ``cfg`` (``n_visible`` plus ``options``) and a
      RandomState for the initial weights (the tutorial's ``numpy_rng``).
    - ``config_of(model)``: the constructor configuration of a built model (what a file stores).
    - ``options``: constructor hyper-parameters; ``train_options``: those of the training.
    - ``arrays(model)``: {name: array} of everything a model file holds (params and any
      pretraining-only arrays, e.g. the SdA's dA visible biases). Default: the named params.
    - ``encode`` / ``reconstruct`` / ``decode`` / ``sample(model, n, rng)``: for users;
      ``filters(model)``: a host array (n_filters, n_visible) to draw, or None.
    - ``phases(model, cfg, data)``: the training, a list of :class:`Phase`.
    - ``unit_interval(cfg)``: whether the data must lie in [0, 1].
    - ``supervised``: training needs labels (``--labels``).
    - ``make_config(cfg)``: the constructor configuration from a run's configuration (default:
      ``n_visible`` and ``options``); :meth:`model_config` applies it.
    - ``to_model(x, model)``: the data rows as the model reads them (conv: HWC -> CHW).
    """

    name: str
    cls: str
    build: Callable
    config_of: Callable
    options: Dict[str, Option]
    train_options: Dict[str, Option]
    encode: Callable
    reconstruct: Callable
    phases: Callable = None
    arrays: Callable = _named_params
    decode: Optional[Callable] = None
    sample: Optional[Callable] = None
    # the training settings this kind starts from where the command line's (SGD 0.1, batch 20)
    # do not fit it, e.g. {"optimizer": "adam", "learning_rate": 1e-3}; flags still win
    train_defaults: Dict[str, Any] = dataclasses.field(default_factory=dict)
    filters: Optional[Callable] = None
    unit_interval: Callable = lambda cfg: True
    supervised: bool = False
    description: str = ""
    make_config: Optional[Callable] = None
    to_model: Optional[Callable] = None
    also_saves: tuple = ()

    def defaults(self):
        out = {k: o.default for k, o in self.options.items()}
        out.update({k: o.default for k, o in self.train_options.items()})
        return out

    def model_config(self, cfg):
        """The part of ``cfg`` the constructor needs (what a model file stores)."""
        if self.make_config is not None:
            return self.make_config(cfg)
        out = {"n_visible": int(cfg["n_visible"])}
        for key in self.options:
            out[key] = cfg[key]
        return out

    def needs_unit_interval(self, cfg):
        return bool(self.unit_interval(cfg))


MODELS = {}


def register_model(kind):
    """Add a :class:`ModelKind` to ``MODELS`` (the command line picks it up by name)."""
    if not isinstance(kind, ModelKind):
        raise TypeError(f"kind must be a dae.registry.ModelKind, got {type(kind).__name__}")
    MODELS[kind.name] = kind
    return kind


def get_model_kind(name):
    if name not in MODELS:
        raise ValueError(f"model must be one of {tuple(MODELS)}, got {name!r}")
    return MODELS[name]


def kind_of(model):
    """The registered kind of ``model`` (by its class), or a TypeError."""
    for klass in type(model).__mro__:
        for kind in MODELS.values():
            if klass.__name__ == kind.cls or klass.__name__ in kind.also_saves:
                return kind
    raise TypeError(f"{type(model).__name__} is not a model kind dae can save "
                    f"(known: {', '.join(k.cls for k in MODELS.values())})")


def _host(a):
    return backend.to_host(a)
