"""The older home of the training names, kept so existing code runs unchanged.

The loop is :mod:`dae.train` (``Trainer``, ``DivergenceError``, ``TrainingInterrupted``), the
model registry :mod:`dae.registry` (``MODELS``, ``ModelKind``, ``Option``, ...), the model files
:mod:`dae.model_files` (``save_model``, ``load_model``) and the data checks
:mod:`dae.validation`.
"""
from .model_files import MODEL_FILE_KIND, fill_arrays, load_model, read_model_meta, save_model  # noqa: F401
from .model_files import read_file as _load_dae_file  # noqa: F401
from .registry import DA_FAMILY, MODELS, ModelKind, Option, get_model_kind, register_model  # noqa: F401
from .train.loop import CHECKPOINT_KIND, DivergenceError, Trainer, TrainingInterrupted  # noqa: F401
from .protocol import param_names as _param_names
from .validation import check_data, check_seed  # noqa: F401


def _fill_params(model, arrays, path, prefix=""):
    """Copy ``arrays[prefix + name]`` into each of ``model``'s params (checked)."""
    fill_arrays(dict(zip(_param_names(model), model.params)), arrays, path, prefix)
