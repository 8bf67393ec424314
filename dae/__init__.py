"""dae: denoising autoencoders from scratch.

The deeplearning.net Theano tutorial (``dA``, ``SdA``, ``tile_raster_images``) in plain NumPy,
with every gradient written by hand, on the CPU or (through CuPy) an NVIDIA GPU.

    import numpy, dae
    (train_x, _), _, _ = dae.load_data()
    da = dae.dA(numpy.random.RandomState(123), n_visible=784, n_hidden=500)
    cost, updates = da.get_cost_updates(train_x[:20], corruption_level=0.3, learning_rate=0.1)
    dae.apply_updates(updates)

Modules (one idea each): backend (NumPy/CuPy switch), config (floatX), data (MNIST),
functions, corruption, random, da (dA), autoencoder (Autoencoder, the family), gradcheck, optim,
augment (random shifts), io, plotting, tutorial (what the tutorials share: parameters cell ->
flags, inline figures), reference (the original Theano graph's run, to compare with), and the
models of later chapters.
"""
import importlib

from . import augment, backend, config, gradcheck, optim, tutorial
from .models.autoencoder import Autoencoder
from .models.da import dA
from .data import load_data
from .io import CorruptFileError
from .model_files import load_model, save_model
from .optim import apply_updates
from .plotting import scale_to_unit_interval, tile_raster_images
from .random import RandomStreams

__version__ = "0.1.0"

# Names of the later chapters, imported on first use so that each model stays in its module.
_LAZY = {
    "cA": "dae.models.ca",
    "HiddenLayer": "dae.layers",
    "LogisticRegression": "dae.layers",
    "SdA": "dae.models.sda",
    "DeepAutoencoder": "dae.models.deep",
    "ConvAutoencoder": "dae.models.conv_ae",
    "VAE": "dae.models.vae",
    "Trainer": "dae.train",
    "EarlyStopping": "dae.train",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in ("sklearn", "train", "fast", "reference"):  # submodules with heavier imports or data
        return importlib.import_module(f"dae.{name}")
    raise AttributeError(f"module 'dae' has no attribute {name!r}")


__all__ = [
    "dA", "Autoencoder", "load_data", "tile_raster_images", "scale_to_unit_interval", "apply_updates",
    "RandomStreams", "CorruptFileError", "load_model", "save_model", "augment", "backend", "config", "gradcheck",
    "optim", "tutorial",
] + list(_LAZY)
