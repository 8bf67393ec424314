"""Random RGB patches from colour photographs, for the convolutional autoencoder.

The photographs are the public-domain / CC0 pictures in ``data/images/`` (licences in
``data/SOURCES.md``). Training patches come from three of them (the astronaut, the coffee cup,
the rocket); the held-out patches come from one that training never sees (the cat,
``chelsea.png``), so the held-out error measures how well a model generalises to a new
photograph, not to new crops of a known one. The Hubble deep field is left out by default:
its patches are nearly all black sky with a few point-like galaxies, nothing like a photograph
of everyday things, and they make the minibatch costs jump (pass ``train_images`` to use it)::

    train, test = dae.patches.load_patches(n_train=20000, n_test=2000, patch_size=32, seed=0)
    train.shape                     # (20000, 3, 32, 32), float32 in [0, 1] (pixel / 255)

Everything here is host-side NumPy (reading files, cropping); move the result to the model's
backend with ``dae.backend.asarray``.
"""
import os

import numpy

from .paths import images_dir
from .validation import check_positive_int, check_rng

TRAIN_IMAGES = ("astronaut.png", "coffee.png", "rocket.jpg")
HELD_OUT_IMAGE = "chelsea.png"


def load_image(path):
    """The picture at ``path`` as float32 (3, height, width) in [0, 1] (RGB value / 255)."""
    from PIL import Image

    if not os.path.exists(path):
        raise FileNotFoundError(f"no such image: {path} (the photographs live in {images_dir()})")
    try:
        with Image.open(path) as image:
            rgb = numpy.asarray(image.convert("RGB"), dtype=numpy.float32)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{path} is not a readable image: {exc}") from exc
    return rgb.transpose(2, 0, 1) / numpy.float32(255.0)


def load_images(names=TRAIN_IMAGES, folder=None):
    """{name: (3, H, W) float32 array} for the given file names in ``folder`` (default: dae.paths.images_dir())."""
    folder = images_dir() if folder is None else os.fspath(folder)
    if isinstance(names, str):
        names = (names,)
    if len(names) == 0:
        raise ValueError("names must list at least one image file")
    return {name: load_image(os.path.join(folder, name)) for name in names}


def sample_patches(images, n, patch_size=32, rng=None):
    """``n`` random patch_size x patch_size crops, (n, 3, patch_size, patch_size) float32.

    ``images``: a dict or list of (3, H, W) arrays. Each crop picks an image uniformly, then a
    position in it uniformly: every picture contributes equally, so one large picture does
    not dominate (the Hubble deep field alone has more positions than the other four together).
    ``rng``: numpy RandomState or Generator (default RandomState(0)).
    """
    n = check_positive_int(n, "n")
    patch_size = check_positive_int(patch_size, "patch_size")
    rng = numpy.random.RandomState(0) if rng is None else check_rng(rng, "rng")
    images = list(images.values()) if isinstance(images, dict) else list(images)
    if not images:
        raise ValueError("images must hold at least one image")
    for i, im in enumerate(images):
        if not hasattr(im, "ndim") or not hasattr(im, "shape"):
            raise TypeError(f"images[{i}] must be a (3, height, width) array, got {type(im).__name__}")
        if im.ndim != 3 or im.shape[0] != 3:
            raise ValueError(f"images[{i}] must be (3, height, width), got shape {im.shape}")
        if im.shape[1] < patch_size or im.shape[2] < patch_size:
            raise ValueError(f"patch_size {patch_size} is larger than images[{i}] ({im.shape[1]}x{im.shape[2]})")
    randint = rng.integers if isinstance(rng, numpy.random.Generator) else rng.randint   # Generator or RandomState
    which = randint(0, len(images), size=n)
    out = numpy.empty((n, 3, patch_size, patch_size), dtype=numpy.float32)
    for k, i in enumerate(which):
        im = images[i]
        r = randint(0, im.shape[1] - patch_size + 1)
        c = randint(0, im.shape[2] - patch_size + 1)
        out[k] = im[:, r:r + patch_size, c:c + patch_size]
    return out


def load_patches(n_train=20000, n_test=2000, patch_size=32, train_images=TRAIN_IMAGES,
                 held_out=HELD_OUT_IMAGE, seed=0, folder=None):
    """(train, test): patches from ``train_images`` and from the ``held_out`` image.

    Both float32 (n, 3, patch_size, patch_size) in [0, 1], reproducible from ``seed``.
    The held-out image may not be among the training images.
    """
    n_train = check_positive_int(n_train, "n_train")
    n_test = check_positive_int(n_test, "n_test")
    train_images = (train_images,) if isinstance(train_images, str) else tuple(train_images)
    if held_out in train_images:
        raise ValueError(f"held_out {held_out!r} is also a training image: the held-out set must come "
                         f"from a picture training never sees")
    rng = numpy.random.RandomState(seed)
    train = sample_patches(load_images(train_images, folder), n_train, patch_size, rng)
    test = sample_patches(load_images((held_out,), folder), n_test, patch_size, rng)
    return train, test
