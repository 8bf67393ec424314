"""The registry's parts: options, model kinds, and the table ``MODELS`` of kinds."""
import dataclasses
from typing import Any, Callable, Dict, Optional

import numpy

from .. import optim
from ..recipes import Phase


# ----- options -------------------------------------------------------------------------------
def _items(text, expected):
    """The comma-separated items of ``text``; an empty item (``4,,4``, ``4,``, ``""``) is refused."""
    parts = text.replace(" ", "").split(",")
    if not all(parts):
        raise ValueError(f"expected {expected}, got {text!r} (an empty item)")
    return parts


def int_list(text):
    """``"1000,500,30"`` (or a list) -> [1000, 500, 30]."""
    if isinstance(text, str):
        parts = _items(text, "comma-separated integers such as 1000,500,30")
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated integers such as 1000,500,30, got {text!r}") from None
    return [int(v) for v in text]


def float_list(text):
    """``"0.1,0.2"`` (or a list) -> [0.1, 0.2]."""
    if isinstance(text, str):
        parts = _items(text, "comma-separated numbers such as 0.1,0.2,0.3")
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated numbers such as 0.1,0.2,0.3, got {text!r}") from None
    return [float(v) for v in text]


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


# ----- model kinds ---------------------------------------------------------------------------
def named_params(model):
    """{name: array} of a model's parameters (what most model files hold)."""
    return dict(zip(model.param_names, model.params))


@dataclasses.dataclass
class ModelKind:
    """How the files, the training runs and the command line handle one model class.

    - ``model_class``: the class (``kind_of(model)`` finds the kind of a model by it);
      ``also_saves``: other classes whose models this kind saves (read back as ``model_class``).
    - ``build(cfg, rng)``: the model from ``cfg`` (``n_visible`` plus ``options``) and a
      RandomState for the initial weights (the tutorial's ``numpy_rng``).
    - ``config_of(model)``: the constructor configuration of a built model (what a file stores).
    - ``options``: constructor hyper-parameters; ``train_options``: those of the training;
      ``train_defaults``: the training settings this kind starts from where the command
      line's (SGD 0.1, batch 20) do not fit it, e.g. ``{"optimizer": "adam"}`` (flags still win).
    - ``arrays(model)``: {name: array} of everything a model file holds (params and any
      pretraining-only arrays, e.g. the SdA's dA visible biases). Default: the named params.
    - ``encode`` / ``reconstruct`` / ``decode`` / ``sample(model, n, rng)``: for users;
      ``filters(model)``: a host array (n_filters, n_visible) to draw, or None.
    - ``phases(model, cfg, data)``: the training, a list of :class:`dae.recipes.Phase`.
    - ``unit_interval(cfg)``: whether the data must lie in [0, 1]; ``unit_interval_hint``:
      the flags that lift that need, for the error message ("" when none do).
    - ``needs_labels``: training needs labels (``--labels``).
    - ``make_config(cfg)``: the constructor configuration from a run's configuration (default:
      ``n_visible`` and ``options``); :meth:`model_config` applies it.
    - ``to_model(x, model)``: the data rows as the model reads them (conv: HWC -> CHW).
    """

    name: str
    model_class: type
    description: str
    build: Callable
    config_of: Callable
    phases: Callable
    options: Dict[str, Option]
    train_options: Dict[str, Option]
    encode: Callable
    reconstruct: Callable
    arrays: Callable = named_params
    decode: Optional[Callable] = None
    sample: Optional[Callable] = None
    filters: Optional[Callable] = None
    train_defaults: Dict[str, Any] = dataclasses.field(default_factory=dict)
    unit_interval: Callable = lambda cfg: True
    unit_interval_hint: str = ""
    needs_labels: bool = False
    make_config: Optional[Callable] = None
    to_model: Optional[Callable] = None
    also_saves: tuple = ()

    @property
    def generative(self):
        """Whether ``dae sample`` can draw from it."""
        return self.sample is not None

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
            if klass is kind.model_class or klass in kind.also_saves:
                return kind
    raise TypeError(f"{type(model).__name__} is not a model kind dae can save "
                    f"(known: {', '.join(k.model_class.__name__ for k in MODELS.values())})")


# ----- the training of the one-phase kinds -----------------------------------------------------
def run_rng(cfg, index=0):
    """The generator of a run's phase ``index`` when its model brings none: seeded by ``--seed``."""
    return numpy.random.RandomState((int(cfg["seed"]) + index) % 2 ** 32)


def one_phase(model, cfg, *, cost_kwargs, eval_kwargs=None, rng=None, unit_interval=False):
    """The single phase of a one-layer kind, with the run's optimiser, minibatches and budget."""
    return [Phase("train", model, cfg["epochs"], optim.make(cfg["optimizer"], learning_rate=cfg["learning_rate"]),
                  run_rng(cfg) if rng is None else rng, cfg["batch_size"], cost_kwargs=cost_kwargs,
                  eval_kwargs=eval_kwargs, shuffle=cfg.get("shuffle", False),
                  max_minutes=cfg.get("max_minutes"), unit_interval=unit_interval)]


def with_run_settings(phases, cfg):
    """A recipe's phases under the run's --shuffle and --max-minutes."""
    for phase in phases:
        phase.shuffle = phase.shuffle or cfg.get("shuffle", False)
        phase.max_minutes = cfg.get("max_minutes")
    return phases
