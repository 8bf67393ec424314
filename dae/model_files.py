"""One model file for every model, one loader: ``save_model(model, path)`` / ``dae.load_model(path)``.

    dae.save_model(sda, "sda.npz")          # any of dA, cA, SdA, DeepAutoencoder, ConvAutoencoder, VAE
    model = dae.load_model("sda.npz")       # the same class, configuration and parameters

A model file is a ``dae.io`` file (an ordinary ``.npz``, written atomically, sha256-checksummed,
read without pickle) holding the model's named arrays and, in its metadata::

    {"kind": "dae-model", "model": "SdA", "config": {...constructor options...}, "dtype": "float32", ...}

The registry (:mod:`dae.registry`) says, per model kind, how to read a model's configuration
(``config_of``), which arrays it holds and how to rebuild it. ``load_model`` also reads the
training checkpoints (``meta["model"]``, ``meta["model_config"]`` and the parameters under
``param/NAME``). A wrong, corrupted or
truncated file raises :class:`dae.io.CorruptFileError` with one line saying what is wrong.
"""
import os

import numpy

from . import backend, config
from .io import CorruptFileError, fill_arrays, load_arrays, save_arrays
from .registry import MODELS, get_model_kind, kind_of
from .train import CHECKPOINT_KIND

MODEL_FILE_KIND = "dae-model"



def save_model(model, path, kind=None, model_config=None, extra_meta=None):
    """Write ``model`` to ``path``: its kind, constructor configuration and every array.

    ``kind`` (a registry name) and ``model_config`` default to what the registry reads from
    the model itself; ``extra_meta``: a JSON-able dict stored beside them (e.g. the image
    shape, the epochs trained). Returns ``path``."""
    kind = kind_of(model) if kind is None else get_model_kind(kind)
    cfg = kind.config_of(model) if model_config is None else dict(model_config)
    meta = {"kind": MODEL_FILE_KIND, "model": kind.name, "config": cfg, "dtype": str(model.params[0].dtype)}
    meta.update(extra_meta or {})
    save_arrays(path, kind.arrays(model), meta)
    return path


def read_model_meta(path):
    """``(arrays, meta)`` of a dae model or checkpoint file, after checking what it is; ``meta``
    gains ``model`` and ``model_config`` (the constructor configuration) whatever the file."""
    arrays, meta = load_arrays(path)
    kind = meta.get("kind")
    if kind == MODEL_FILE_KIND:
        meta["model_config"] = meta.get("config")
    elif kind != CHECKPOINT_KIND:
        raise CorruptFileError(f"{path} is a dae file but not a model or checkpoint (kind {kind!r})")
    if "model" not in meta:
        raise CorruptFileError(f"{path} does not name its model kind" + (
            " (a Trainer checkpoint without model_kind): restore it with Trainer.load_checkpoint"
            if kind == CHECKPOINT_KIND else ""))
    if meta["model"] not in MODELS:
        raise CorruptFileError(f"{path} holds a {meta['model']!r} model, which this version of dae does not know")
    cfg = meta.get("model_config")
    if not isinstance(cfg, dict) or "n_visible" not in cfg:
        raise CorruptFileError(f"{path} has no usable model configuration")
    return arrays, meta


def build_model(name, model_config, dtype="float32", path="the file"):
    """An untrained model of kind ``name`` from its constructor configuration."""
    kind = get_model_kind(name)
    cfg = dict(kind.defaults())
    cfg.update(model_config)
    if dtype not in config.ALLOWED_FLOATX:
        raise CorruptFileError(f"{path}: unsupported parameter dtype {dtype!r}")
    try:
        with config.floatX_as(dtype):
            return kind.build(cfg, numpy.random.RandomState(0))
    except (TypeError, ValueError, KeyError) as exc:
        raise CorruptFileError(f"{path}: its model configuration is invalid: {exc}") from exc


def load_model(path, return_meta=False):
    """Rebuild the model saved at ``path`` by :func:`save_model` (or held in a checkpoint).

    Raises FileNotFoundError, or :class:`dae.io.CorruptFileError` for a file that is
    truncated, corrupted, or not a dae model. With ``return_meta``: ``(model, meta)``.
    """
    path = os.fspath(path)
    arrays, meta = read_model_meta(path)
    model = build_model(meta["model"], meta["model_config"], meta.get("dtype", "float32"), path)
    kind = get_model_kind(meta["model"])
    targets = kind.arrays(model)
    if meta["kind"] == CHECKPOINT_KIND:
        # a checkpoint holds what its trainer trained (the params); any other array is optional
        optional = set(targets) - set(getattr(model, "param_names", ()))
        fill_arrays(targets, arrays, path, prefix="param/", optional=optional)
    else:
        fill_arrays(targets, arrays, path)
    return (model, meta) if return_meta else model
