"""One model file for every model, one loader: ``save_model(model, path)`` / ``dae.load_model(path)``.

    dae.save_model(sda, "sda.npz")          # any of dA, cA, SdA, DeepAutoencoder, ConvAutoencoder, VAE
    model = dae.load_model("sda.npz")       # the same class, configuration and parameters

A model file is a ``dae.io`` file (an ordinary ``.npz``, written atomically, sha256-checksummed,
read without pickle) holding the model's named arrays and, in its metadata::

    {"kind": "dae-model", "model": "SdA", "config": {...constructor options...}, "dtype": "float32", ...}

The registry (:mod:`dae.registry`) says, per model kind, how to read a model's configuration
(``config_of``), which arrays it holds and how to rebuild it. ``load_model`` also reads the
training checkpoints (``meta["model"]``, ``meta["model_config"]`` and the parameters under
``param/NAME``) and the files of the older per-model ``save`` methods. A wrong, corrupted or
truncated file raises :class:`dae.io.CorruptFileError` with one line saying what is wrong.
"""
import os
import zipfile

import numpy

from . import backend, config
from .io import CorruptFileError, load_arrays, save_arrays
from .registry import MODELS, get_model_kind, kind_of

MODEL_FILE_KIND = "dae-model"
CHECKPOINT_KIND = "dae-checkpoint"


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


def read_file(path):
    """``(arrays, meta)`` of any dae file, after checking it is a complete .npz archive at all,
    so a .npy, a text file or an empty file is reported as "not a dae file" too."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not a dae model or checkpoint file")
    if os.path.exists(path) and not zipfile.is_zipfile(path):
        raise CorruptFileError(f"{path} is not a readable dae model or checkpoint file (not a complete .npz "
                               f"archive: truncated, corrupted or another format)")
    return load_arrays(path)


def _legacy(meta):
    """(model name, config) of a file written by the older per-model ``save`` methods, or None."""
    if meta.get("model") == "SdA" and "n_ins" in meta:
        return "SdA", {"n_visible": meta["n_ins"], "hidden_layers_sizes": meta["hidden_layers_sizes"],
                       "n_outs": meta["n_outs"]}
    if meta.get("class") == "DeepAutoencoder":
        sizes = meta["layer_sizes"]
        return "deep", {"n_visible": sizes[0], "layer_sizes": sizes[1:], "loss": meta["loss"]}
    if meta.get("class") == "ConvAutoencoder":
        cfg = dict(meta["config"])
        c, h, w = cfg["input_shape"]
        return "conv", dict(cfg, n_visible=c * h * w)
    if meta.get("model") == "VAE" and "n_latent" in meta:
        return "vae", {"n_visible": meta["n_visible"], "hidden_layers_sizes": meta["n_hidden"],
                       "n_latent": meta["n_latent"], "activation": meta["activation"]}
    return None


def read_model_meta(path):
    """``(arrays, meta)`` of a dae model or checkpoint file, after checking what it is; ``meta``
    gains ``model`` and ``model_config`` (the constructor configuration) whatever the file."""
    arrays, meta = read_file(path)
    kind = meta.get("kind")
    try:
        if kind == MODEL_FILE_KIND:
            meta["model_config"] = meta.get("config")
        elif kind == CHECKPOINT_KIND:
            if "model" not in meta:
                raise CorruptFileError(f"{path} is a training checkpoint that does not name its model kind "
                                       f"(Trainer without model_kind): restore it with Trainer.load_checkpoint")
        else:
            legacy = _legacy(meta)
            if legacy is None:
                raise CorruptFileError(f"{path} is a dae file but not a model or checkpoint (kind {kind!r})")
            meta["model"], meta["model_config"] = legacy
            meta["kind"] = MODEL_FILE_KIND
            meta.setdefault("dtype", str(next(iter(arrays.values())).dtype) if arrays else "float32")
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CorruptFileError):
            raise
        raise CorruptFileError(f"{path}: its model description is incomplete ({exc})") from exc
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


def fill_arrays(targets, arrays, path, prefix="", optional=()):
    """Copy ``arrays[prefix + name]`` into each ``targets[name]`` in place, checking each."""
    for name, target in targets.items():
        key = prefix + name
        if key not in arrays:
            if name in optional:
                continue
            raise CorruptFileError(f"{path}: parameter {key!r} is missing")
        value = arrays[key]
        if tuple(value.shape) != tuple(target.shape):
            raise CorruptFileError(f"{path}: parameter {key!r} has shape {value.shape}, expected {tuple(target.shape)}")
        if not numpy.isfinite(value).all():
            raise CorruptFileError(f"{path}: parameter {key!r} holds NaN or inf")
        target[...] = backend.asarray(value, dtype=target.dtype)


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
