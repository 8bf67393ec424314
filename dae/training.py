"""The model registry and the model files (the training loop is :mod:`dae.train`).

The model registry (``MODELS``) says, per model kind, how to build it from a configuration,
which options its constructor and its ``cost_and_grads`` take, and how to encode and
reconstruct; ``save_model`` / ``load_model`` use it to write and rebuild model files, and the
``dae`` command turns each option into a flag. The built-in kinds are ``dA`` (the tutorial's
model and its family: tied or untied weights, loss, activation, decoder, noise, sparsity,
dropout) and ``cA``. Adding a model is one call; ``cA``'s is, in short::

    register_model(ModelKind(
        name="cA",
        build=lambda cfg, rng: cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"]),
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(float, 0.1, "Jacobian penalty weight (0.1)")},
        eval_kwargs=lambda cfg: {"contraction_level": cfg["contraction_level"]},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        filters=lambda model: backend.to_host(model.W).T))
"""
import dataclasses
import json
import os
import zipfile
from typing import Any, Callable, Dict, Optional

import numpy

from . import backend, config
from .io import CorruptFileError, atomic_write, load_arrays, save_arrays
from .train.loop import CHECKPOINT_KIND, DivergenceError, Trainer, TrainingInterrupted  # noqa: F401
from .protocol import param_names as _param_names
from .validation import check_data, check_seed  # noqa: F401

MODEL_FILE_KIND = "dae-model"


# ----- the model registry ------------------------------------------------------------------
@dataclasses.dataclass
class Option:
    """One hyper-parameter of a model kind: its type, default and a line of help."""

    type: Callable
    default: Any
    help: str
    choices: Optional[tuple] = None
    only_with: Optional[Dict[str, tuple]] = None

    # ``choices`` may hold None (written "none" on the command line, null in config.json).
    # ``only_with={"sparsity": ("kl",)}``: the option matters only when those other options
    # have those values; the command line refuses it otherwise instead of ignoring it.


@dataclasses.dataclass
class ModelKind:
    """How the trainer, the files and the command line handle one model class.

    - ``build(cfg, rng)``: the model from ``cfg`` (``n_visible`` plus ``options``) and a
      RandomState for the initial weights.
    - ``options``: constructor hyper-parameters (saved in the model file).
    - ``train_options``: keyword arguments of ``cost_and_grads`` used in training.
    - ``eval_kwargs(cfg)``: the ``cost_and_grads`` keywords for the validation cost.
    - ``encode(model, x)`` / ``reconstruct(model, x)`` / ``decode(model, codes)``.
    - ``filters(model)``: a host array (n_filters, n_visible) to draw, or None.
    - ``unit_interval``: the cost needs inputs in [0, 1] (cross-entropy): a bool, or a
      function of the configuration (see :meth:`needs_unit_interval`).
    - ``eval_model(model)``: the model whose ``cost_and_grads`` gives the validation cost (it
      shares ``model``'s parameters; e.g. the same dA without dropout); None: ``model``.
    """

    name: str
    build: Callable
    options: Dict[str, Option]
    train_options: Dict[str, Option]
    eval_kwargs: Callable
    encode: Callable
    reconstruct: Callable
    decode: Optional[Callable] = None
    filters: Optional[Callable] = None
    unit_interval: Any = True
    description: str = ""
    eval_model: Optional[Callable] = None

    def defaults(self):
        out = {k: o.default for k, o in self.options.items()}
        out.update({k: o.default for k, o in self.train_options.items()})
        return out

    def model_config(self, cfg):
        """The part of ``cfg`` the constructor needs (what a model file stores)."""
        out = {"n_visible": int(cfg["n_visible"])}
        for key in self.options:
            out[key] = cfg[key]
        return out

    def cost_kwargs(self, cfg):
        return {key: cfg[key] for key in self.train_options}

    def needs_unit_interval(self, cfg):
        """Whether training data must lie in [0, 1] under the configuration ``cfg``."""
        if callable(self.unit_interval):
            return bool(self.unit_interval(cfg))
        return bool(self.unit_interval)


MODELS = {}


def register_model(kind):
    """Add a :class:`ModelKind` to ``MODELS`` (the command line picks it up by name)."""
    if not isinstance(kind, ModelKind):
        raise TypeError(f"kind must be a dae.training.ModelKind, got {type(kind).__name__}")
    MODELS[kind.name] = kind
    return kind


def get_model_kind(name):
    if name not in MODELS:
        raise ValueError(f"model must be one of {tuple(MODELS)}, got {name!r}")
    return MODELS[name]


def _register_builtin():
    import copy

    from .models.ca import cA
    from .corruption import NOISES
    from .models.da import DECODERS, LOSSES, SPARSITIES, dA
    from .functions import ACTIVATIONS

    def build_dA(cfg, rng):
        # only the tutorial's arguments when the family's options are absent (old model files)
        family = {key: cfg[key] for key in DA_FAMILY if key in cfg}
        return dA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"], **family)

    def dA_without_dropout(model):
        # the validation cost is the test-time model's: no dropout (inverted dropout needs no
        # rescaling). A shallow copy shares the parameter arrays, which training updates in place.
        if not model.dropout:
            return model
        twin = copy.copy(model)
        twin.dropout = 0.0
        return twin

    register_model(ModelKind(
        name="dA",
        description="denoising autoencoder (the tutorial's dA: tied weights, sigmoid, cross-entropy, masking "
                    "noise) and its family",
        build=build_dA,
        options={
            "n_hidden": Option(int, 500, "hidden units (500)"),
            "tied_weights": Option(bool, True, "decoder weights W' = W^T (the tutorial's), or a matrix of "
                                               "their own with --no-tied-weights (tied)"),
            "loss": Option(str, "cross_entropy", "reconstruction loss: cross_entropy needs data in [0, 1] and the "
                                                 "sigmoid decoder (cross_entropy)", choices=LOSSES),
            "activation": Option(str, "sigmoid", "encoder nonlinearity (sigmoid)", choices=tuple(ACTIVATIONS)),
            "decoder": Option(str, "sigmoid", "decoder output: linear needs --loss squared_error (sigmoid)",
                              choices=DECODERS),
            "noise": Option(str, "masking", "corruption: masking (zeros), gaussian (adds level * N(0, 1)) or "
                                            "salt_and_pepper (masking)", choices=NOISES),
            "sparsity": Option(str, None, "sparsity penalty on the code: l1, or kl (sigmoid encoder only) "
                                          "(none)", choices=SPARSITIES),
            "sparsity_weight": Option(float, 0.1, "weight of the sparsity penalty (0.1)",
                                      only_with={"sparsity": ("l1", "kl")}),
            "sparsity_target": Option(float, 0.05, "target mean activation of each hidden unit, in (0, 1) (0.05)",
                                      only_with={"sparsity": ("kl",)}),
            "dropout": Option(float, 0.0, "probability of dropping each hidden unit in training, in [0, 1) (0)"),
        },
        train_options={"corruption_level": Option(
            float, 0.3, "masking / salt_and_pepper: fraction of each input's values corrupted, in [0, 1); "
                        "gaussian: the noise's standard deviation (0.3)")},
        eval_kwargs=lambda cfg: {"corruption_level": 0.0},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        decode=lambda model, codes: model.get_reconstructed_input(codes),
        filters=lambda model: backend.to_host(model.W).T,
        unit_interval=lambda cfg: cfg.get("loss", "cross_entropy") == "cross_entropy",
        eval_model=dA_without_dropout,
    ))

    def build_cA(cfg, rng):
        # n_batchsize is only recorded by cA (its computations take N from each minibatch, so
        # the last, partial minibatch is fine): the run's batch size when known
        return cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"],
                  n_batchsize=int(cfg.get("batch_size") or 1))

    register_model(ModelKind(
        name="cA",
        description="contractive autoencoder (the tutorial's cA: tied weights, sigmoid, cross-entropy plus the "
                    "encoder Jacobian's squared norm)",
        build=build_cA,
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(
            float, 0.1, "weight of the Jacobian penalty mean ||dh/dx||^2, >= 0 (0.1)")},
        eval_kwargs=lambda cfg: {"contraction_level": cfg["contraction_level"]},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        decode=lambda model, codes: model.get_reconstructed_input(codes),
        filters=lambda model: backend.to_host(model.W).T,
        unit_interval=True,
    ))


DA_FAMILY = ("tied_weights", "loss", "activation", "decoder", "noise", "sparsity", "sparsity_weight",
             "sparsity_target", "dropout")


_register_builtin()


# ----- model files -------------------------------------------------------------------------

def save_model(model, path, kind, model_config, extra_meta=None):
    """Write ``model``'s parameters to ``path`` (.npz, atomic, checksummed) with its kind and
    constructor configuration, so :func:`load_model` can rebuild it."""
    get_model_kind(kind)
    arrays = dict(zip(_param_names(model), model.params))
    meta = {"kind": MODEL_FILE_KIND, "model": kind, "config": dict(model_config),
            "dtype": str(model.params[0].dtype)}
    meta.update(extra_meta or {})
    save_arrays(path, arrays, meta)


def _build_from(kind_name, model_config, dtype, path):
    kind = get_model_kind(kind_name)
    cfg = dict(kind.defaults())
    cfg.update(model_config)
    if dtype not in config.ALLOWED_FLOATX:
        raise CorruptFileError(f"{path}: unsupported parameter dtype {dtype!r}")
    with config.floatX_as(dtype):
        return kind.build(cfg, numpy.random.RandomState(0))


def _fill_params(model, arrays, path, prefix=""):
    for name, param in zip(_param_names(model), model.params):
        key = prefix + name
        if key not in arrays:
            raise CorruptFileError(f"{path}: parameter {key!r} is missing")
        value = arrays[key]
        if tuple(value.shape) != tuple(param.shape):
            raise CorruptFileError(f"{path}: parameter {key!r} has shape {value.shape}, expected {tuple(param.shape)}")
        if not numpy.isfinite(value).all():
            raise CorruptFileError(f"{path}: parameter {key!r} holds NaN or inf")
        param[...] = backend.asarray(value, dtype=param.dtype)


def _load_dae_file(path):
    """``dae.io.load_arrays`` after checking that ``path`` is an .npz (zip) archive at all,
    so a .npy, a text file or an empty file is reported as "not a dae file" too."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not a dae model or checkpoint file")
    if os.path.exists(path) and not zipfile.is_zipfile(path):
        raise CorruptFileError(f"{path} is not a readable dae model or checkpoint file (not a complete .npz "
                               f"archive: truncated, corrupted or another format)")
    return load_arrays(path)


def read_model_meta(path):
    """``(arrays, meta)`` of a dae model or checkpoint file, after checking what it is."""
    arrays, meta = _load_dae_file(path)
    if meta.get("kind") not in (MODEL_FILE_KIND, CHECKPOINT_KIND):
        raise CorruptFileError(f"{path} is a dae file but not a model or checkpoint (kind {meta.get('kind')!r})")
    if "model" not in meta:
        raise CorruptFileError(f"{path} is a training checkpoint that does not name its model kind "
                               f"(Trainer without model_kind): restore it with Trainer.load_checkpoint")
    if meta["model"] not in MODELS:
        raise CorruptFileError(f"{path} holds a {meta['model']!r} model, which this version of dae does not know")
    cfg = meta.get("config" if meta["kind"] == MODEL_FILE_KIND else "model_config")
    if not isinstance(cfg, dict) or "n_visible" not in cfg:
        raise CorruptFileError(f"{path} has no usable model configuration")
    return arrays, meta


def load_model(path, return_meta=False):
    """Rebuild the model saved by :func:`save_model` (or held in a checkpoint) at ``path``.

    Raises FileNotFoundError, or :class:`dae.io.CorruptFileError` for a file that is
    truncated, corrupted, or not a dae model. With ``return_meta``: ``(model, meta)``.
    """
    arrays, meta = read_model_meta(path)
    prefix = "param/" if meta["kind"] == CHECKPOINT_KIND else ""
    model_config = meta["config"] if meta["kind"] == MODEL_FILE_KIND else meta["model_config"]
    try:
        model = _build_from(meta["model"], model_config, meta.get("dtype", "float32"), path)
    except (TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, CorruptFileError):
            raise
        raise CorruptFileError(f"{path}: its model configuration is invalid: {exc}") from exc
    _fill_params(model, arrays, path, prefix)
    return (model, meta) if return_meta else model


# ----- small helpers -------------------------------------------------------------------------
def write_json(path, obj):
    """JSON to ``path`` atomically (temporary file, then rename)."""
    data = (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8")
    atomic_write(path, lambda f: f.write(data))
