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

from . import config
from .io import CorruptFileError, check_values, fill_arrays, load_arrays, save_arrays
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
        raise CorruptFileError(f"{path} is a dae file but not a model or checkpoint: its kind {kind!r} is one this "
                               f"version of dae does not read (it reads {MODEL_FILE_KIND!r} and {CHECKPOINT_KIND!r} files)")
    if "model" not in meta:
        raise CorruptFileError(f"{path} does not name its model kind" + (
            " (a Trainer checkpoint without model_kind): restore it with Trainer.load_checkpoint"
            if kind == CHECKPOINT_KIND else ""))
    if meta["model"] not in MODELS:
        raise CorruptFileError(f"{path} holds a {meta['model']!r} model, which this version of dae does not know")
    cfg = meta.get("model_config")
    if not isinstance(cfg, dict) or "n_visible" not in cfg:
        raise CorruptFileError(f"{path} has no usable model configuration")
    model_kind = get_model_kind(meta["model"])
    known = {"n_visible", "input_shape"} | set(model_kind.options) | set(model_kind.train_options)
    unknown = sorted(str(key) for key in cfg if key not in known)
    if unknown:
        raise CorruptFileError(f"{path}: its {meta['model']} configuration has option(s) {', '.join(map(repr, unknown))} "
                               f"that this version of dae does not know (it knows {', '.join(sorted(known))}): "
                               f"written by a newer dae?")
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


def _size(cfg, key, path, value=None):
    """A positive integer layer size from the configuration (bool, float or str refused)."""
    value = cfg.get(key) if value is None else value
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value <= 0:
        raise CorruptFileError(f"{path}: its model configuration is invalid: {key} must be a positive integer, "
                               f"got {value!r}")
    return int(value)


def _sizes(cfg, key, path):
    values = cfg.get(key)
    if not isinstance(values, (list, tuple)) or not values:
        raise CorruptFileError(f"{path}: its model configuration is invalid: {key} must be a list of positive "
                               f"integers, got {values!r}")
    return [_size(cfg, key, path, v) for v in values]


def expected_arrays(name, cfg, path="the file"):
    """``{array name: shape}`` that a model of kind ``name`` built from ``cfg`` (defaults filled in) holds,
    computed from the configuration alone, so a file's arrays are checked before anything is allocated.
    None for a kind this table does not know (a kind registered by a user)."""
    n = _size(cfg, "n_visible", path)
    if name in ("dA", "cA"):
        h = _size(cfg, "n_hidden", path)
        out = {"W": (n, h), "b": (h,), "b_prime": (n,)}
        if name == "dA" and not cfg.get("tied_weights", True):
            out["W_prime"] = (h, n)
        return out
    if name == "SdA":
        sizes = [n] + _sizes(cfg, "hidden_layers_sizes", path)
        out = {}
        for i in range(len(sizes) - 1):
            out[f"layer{i}_W"], out[f"layer{i}_b"] = (sizes[i], sizes[i + 1]), (sizes[i + 1],)
        n_outs = _size(cfg, "n_outs", path)
        out["log_W"], out["log_b"] = (sizes[-1], n_outs), (n_outs,)
        for i in range(len(sizes) - 1):
            out[f"layer{i}_b_prime"] = (sizes[i],)
        return out
    if name == "deep":
        sizes = [n] + _sizes(cfg, "layer_sizes", path)
        depth = len(sizes) - 1
        out = {}
        for i in range(depth):
            out[f"encoder_W{i}"], out[f"encoder_b{i}"] = (sizes[i], sizes[i + 1]), (sizes[i + 1],)
        for j in range(depth):
            out[f"decoder_W{j}"], out[f"decoder_b{j}"] = (sizes[depth - j], sizes[depth - j - 1]), (sizes[depth - j - 1],)
        for i in range(depth):
            out[f"visible_b{i}"] = (sizes[i],)
        return out
    if name == "vae":
        hidden = _sizes(cfg, "hidden_layers_sizes", path)
        latent = _size(cfg, "n_latent", path)
        sizes = [n] + hidden
        out = {}
        for i in range(len(hidden)):
            out[f"W_enc{i}"], out[f"b_enc{i}"] = (sizes[i], sizes[i + 1]), (sizes[i + 1],)
        out["W_mu"], out["b_mu"] = (hidden[-1], latent), (latent,)
        out["W_logvar"], out["b_logvar"] = (hidden[-1], latent), (latent,)
        chain = [latent] + hidden[::-1]
        for j in range(len(hidden)):
            out[f"W_dec{j}"], out[f"b_dec{j}"] = (chain[j], chain[j + 1]), (chain[j + 1],)
        out["W_out"], out["b_out"] = (hidden[0], n), (n,)
        return out
    if name == "conv":
        c, h, w = _sizes(cfg, "input_shape", path) if len(cfg.get("input_shape") or ()) == 3 else (None,) * 3
        channels, kernels = _sizes(cfg, "channels", path), _sizes(cfg, "kernel_sizes", path)
        if c is None or len(channels) != 3 or len(kernels) != 3:
            return None     # the constructor says what is wrong
        code = _size(cfg, "code_size", path)
        (c1, c2, c3), (k1, k2, k3) = channels, kernels
        flat = c3 * (h // 4) * (w // 4)
        return {"enc1_W": (c1, c, k1, k1), "enc1_b": (c1,), "enc2_W": (c2, c1, k2, k2), "enc2_b": (c2,),
                "enc3_W": (c3, c2, k3, k3), "enc3_b": (c3,), "code_W": (flat, code), "code_b": (code,),
                "expand_W": (code, flat), "expand_b": (flat,), "dec3_W": (c2, c3, k3, k3), "dec3_b": (c2,),
                "dec2_W": (c1, c2, k2, k2), "dec2_b": (c1,), "dec1_W": (c, c1, k1, k1), "dec1_b": (c,)}
    return None


def check_arrays(name, cfg, arrays, dtype, path, checkpoint=False, param_names=None):
    """The file's ``arrays`` against the shapes ``cfg`` implies and ``dtype``'s range, before any model is
    built: a missing, misshapen, out-of-range or unexpected array is refused naming it. A checkpoint
    holds its parameters under ``param/NAME``; only those are compared (the rest is training state)."""
    kind = get_model_kind(name)
    full = dict(kind.defaults())
    full.update(cfg)
    expected = expected_arrays(name, full, path)
    if expected is None:
        return
    prefix = "param/" if checkpoint else ""
    held = {key[len(prefix):]: a for key, a in arrays.items() if key.startswith(prefix)}
    extra = sorted(set(held) - set(expected))
    if extra:
        raise CorruptFileError(f"{path}: holds array(s) {', '.join(prefix + e for e in extra)} that a {name} model with "
                               f"this configuration does not have")
    for key, shape in expected.items():
        if key not in held:
            if checkpoint:
                continue      # pretraining-only arrays; the parameters' presence is checked when filled
            raise CorruptFileError(f"{path}: parameter {key!r} is missing")
        if tuple(held[key].shape) != shape:
            raise CorruptFileError(f"{path}: parameter {prefix + key!r} has shape {tuple(held[key].shape)}, but the "
                                   f"file's configuration implies {shape}")
        check_values(held[key], prefix + key, dtype, path)


def load_model(path, return_meta=False):
    """Rebuild the model saved at ``path`` by :func:`save_model` (or held in a checkpoint).

    Raises FileNotFoundError, or :class:`dae.io.CorruptFileError` for a file that is
    truncated, corrupted, or not a dae model. With ``return_meta``: ``(model, meta)``.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {path!r} ({type(path).__name__})")
    path = os.fspath(path)
    arrays, meta = read_model_meta(path)
    dtype = meta.get("dtype", "float32")
    if dtype not in config.ALLOWED_FLOATX:
        raise CorruptFileError(f"{path}: unsupported parameter dtype {dtype!r} (this dae reads "
                               f"{' and '.join(config.ALLOWED_FLOATX)})")
    check_arrays(meta["model"], meta["model_config"], arrays, dtype, path, checkpoint=meta["kind"] == CHECKPOINT_KIND)
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
