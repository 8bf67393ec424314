"""dae: denoising autoencoders from scratch.

The deeplearning.net Theano tutorial (``dA``, ``SdA``, ``tile_raster_images``) in plain NumPy,
with every gradient written by hand, on the CPU or (through CuPy) an NVIDIA GPU.

    import numpy, dae
    (train_x, _), _, _ = dae.load_data()
    da = dae.dA(numpy.random.RandomState(123), n_visible=784, n_hidden=500)
    cost, updates = da.get_cost_updates(train_x[:20], corruption_level=0.3, learning_rate=0.1)
    dae.apply_updates(updates)

The package in layers, each importing only from those below it:

- the foundation: ``config`` (floatX), ``backend`` (NumPy/CuPy), ``random``, ``validation``,
  ``functions``, ``corruption``, ``io`` (checksummed files), ``divergence`` (``DivergenceError``,
  raised by the loop and the tutorial's ``get_cost_updates``), ``data`` (MNIST), ``plotting``,
  ``optim`` (the update rules: the tutorial's classes are SGD, so it sits below them);
- ``layers`` (forward/backward pairs) and ``fast`` (fused steps), then ``models`` (the tutorial's
  dA, cA and SdA, the family's ``Autoencoder``, the deep, conv and VAE models: parameters, costs
  and gradients, nothing about training or files);
- ``train`` (the one training loop), then ``recipes`` (the SdA's and the deep
  autoencoder's multi-phase training), then ``registry`` (how the command line builds, trains
  and encodes each kind);
- ``model_files`` (``save_model``/``load_model``), ``phases`` (running a recipe resumably),
  ``sklearn`` (a scikit-learn transformer: ``from dae.sklearn import DenoisingAutoencoder``,
  needs scikit-learn), and ``cli`` (the ``dae`` command) on top.

``tutorial`` holds what the tutorials share (parameters cell -> flags, inline figures),
``reference`` the original Theano graph's run to compare with.
"""
from . import augment, backend, config, fast, gradcheck, io, layers, optim, recipes, reference, registry, train
from . import tutorial
from .data import load_data
from .io import CorruptFileError
from .layers import HiddenLayer, LogisticRegression
from .model_files import load_model, save_model
from .models.autoencoder import Autoencoder
from .models.ca import cA
from .models.conv_ae import ConvAutoencoder
from .models.da import dA
from .models.deep import DeepAutoencoder
from .models.sda import SdA
from .models.vae import VAE
from .optim import apply_updates
from .phases import run_phases
from .plotting import scale_to_unit_interval, tile_raster_images
from .random import RandomStreams
from .train import EarlyStopping, Trainer
from .version import __version__

__all__ = [
    "dA", "Autoencoder", "cA", "SdA", "HiddenLayer", "LogisticRegression", "DeepAutoencoder", "ConvAutoencoder", "VAE",
    "Trainer", "EarlyStopping", "run_phases", "load_data", "load_model", "save_model", "tile_raster_images",
    "scale_to_unit_interval", "apply_updates", "RandomStreams", "CorruptFileError", "augment", "backend", "config",
    "fast", "gradcheck", "io", "layers", "optim", "recipes", "reference", "registry", "train", "tutorial",
]
