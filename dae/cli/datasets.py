"""DATA as the command line reads it, and the labels beside it.

DATA is ``mnist`` (the tutorial's training images and their labels; ``mnist:valid`` /
``mnist:test`` for the others), a ``.npy`` file (memory-mapped: read minibatch by minibatch),
a ``.npz`` file (its only array, or ``file.npz:NAME``), or a folder of images (grey or RGB,
resized to a common size, scaled to [0, 1]). Rows are examples; arrays of shape (n, h, w) or
(n, h, w, 3) are flattened (colour images with their channels interleaved, h, w, c).
Labels (for the SdA) come from mnist, or from ``--labels FILE.npy`` (integers, one per row).
"""
import glob
import os
import sys

import numpy

from ..data import load_data
from .common import UserError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm")


class Dataset:
    """Rows of examples (a host array or a read-only memmap), their labels when known, a
    validation part when the source has one, and the image shape when known."""

    def __init__(self, x, image_shape=None, valid_x=None, source="", y=None, valid_y=None):
        self.x = x
        self.image_shape = None if image_shape is None else tuple(int(v) for v in image_shape)
        self.valid_x = valid_x
        self.source = source
        self.y = y
        self.valid_y = valid_y


def _guess_image_shape(n_features):
    side = int(round(n_features ** 0.5))
    return (side, side) if side * side == n_features else None


def as_rows(a, source):
    """(n, d) view of an array (n, d), (n, h, w) or (n, h, w, c), and its image shape."""
    if a.ndim == 2:
        return a, _guess_image_shape(a.shape[1])
    if a.ndim == 3:
        return a.reshape(a.shape[0], -1), a.shape[1:]
    if a.ndim == 4 and a.shape[3] in (1, 3):
        shape = a.shape[1:3] if a.shape[3] == 1 else a.shape[1:]
        return a.reshape(a.shape[0], -1), shape
    if a.ndim == 1:
        raise UserError(f"{source}: expected an array of examples, one per row, got a 1-D array of shape {a.shape}; "
                        f"reshape it: x.reshape(-1, 1) for one feature, x.reshape(1, -1) for one example")
    raise UserError(f"{source}: expected an array of examples with shape (n, features), (n, h, w) or "
                    f"(n, h, w, 3), got shape {a.shape}")


def _load_npy(path):
    try:
        a = numpy.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise UserError(f"{path} is not a readable .npy array file: {exc}") from exc
    if not isinstance(a, numpy.ndarray):
        raise UserError(f"{path} is not a .npy array file")
    return a


def _load_npz(path, key=None):
    try:
        with numpy.load(path, allow_pickle=False) as data:
            names = list(data.files)
            if "__meta__" in names:
                raise UserError(f"{path} is a dae model or checkpoint file, not data")
            if key is None:
                for candidate in ("x", "X", "data", "train_x", "features"):
                    if candidate in names:
                        key = candidate
                        break
                else:
                    if not names:
                        raise UserError(f"{path} holds no arrays")
                    if len(names) != 1:
                        raise UserError(f"{path} holds several arrays {names}; pick one with {path}:NAME")
                    key = names[0]
            if key not in names:
                raise UserError(f"{path} has no array {key!r} (it holds {names})")
            return data[key]
    except UserError:
        raise
    except (ValueError, OSError, EOFError, KeyError) as exc:
        raise UserError(f"{path} is not a readable .npz file: {exc}") from exc


GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F")
_FULL_SCALE = {"1": 255.0, "L": 255.0, "LA": 255.0, "I;16": 65535.0, "I;16L": 65535.0, "I;16B": 65535.0,
               "I;16N": 65535.0}


def _grey_pixels(im):
    """(float32 pixels, their full scale or None) of a grey image, at its own bit depth: an 8-bit
    image's scale is 255, a 16-bit one's 65535 (never clipped to 8 bits); a 32-bit integer or float
    image's is None (scaled later by the folder's own range)."""
    if im.mode in ("1", "LA"):
        im = im.convert("L")
    a = numpy.asarray(im).astype(numpy.float32)
    if im.mode in _FULL_SCALE:
        return a, _FULL_SCALE[im.mode]
    if im.mode == "I" and a.size and a.min() >= 0 and a.max() <= 65535:   # a 16-bit PNG as Pillow may open it
        return a, 65535.0
    if im.mode == "F" and a.size and a.min() >= 0 and a.max() <= 1:
        return a, 1.0
    return a, None


def _load_image_folder(folder, image_shape=None):
    from PIL import Image, UnidentifiedImageError

    files = sorted(f for f in glob.glob(os.path.join(folder, "*")) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise UserError(f"{folder} holds no images (looked for {', '.join(IMAGE_EXTENSIONS)})")
    images = []
    for f in files:
        try:
            with Image.open(f) as im:
                im.load()
                images.append(im.copy())
        except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
            raise UserError(f"{f} is not a readable image: {exc}") from exc
    grey = all(im.mode in GREY_MODES for im in images)
    if image_shape is not None:
        grey = len(image_shape) == 2
        height, width = image_shape[:2]
    else:
        width, height = images[0].size
    with_alpha = [f for f, im in zip(files, images) if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or
                  (im.mode == "P" and "transparency" in im.info)]
    if with_alpha:
        print(f"dae: note: {len(with_alpha)} of the {len(files)} images in {folder} have an alpha channel "
              f"(e.g. {os.path.basename(with_alpha[0])}); it is dropped: the images are read as "
              f"{'grey' if grey else 'RGB'}", file=sys.stderr)
    rows, unscaled = [], []
    for im in images:
        if grey:
            if im.mode not in GREY_MODES:
                im = im.convert("L")
            a, scale = _grey_pixels(im)
            if im.size != (width, height):
                a = numpy.asarray(Image.fromarray(a, mode="F").resize((width, height), Image.BILINEAR))
        else:
            im = im.convert("RGB")
            if im.size != (width, height):
                im = im.resize((width, height), Image.BILINEAR)
            a, scale = numpy.asarray(im, dtype=numpy.float32), 255.0
        if scale is None:
            unscaled.append(len(rows))
        else:
            a = a / numpy.float32(scale)
        rows.append(numpy.clip(a.reshape(-1), 0.0, 1.0) if scale is not None else a.reshape(-1))
    if unscaled:  # 32-bit integer or float images: scaled by the range of those in the folder
        lo = min(float(rows[i].min()) for i in unscaled)
        hi = max(float(rows[i].max()) for i in unscaled)
        for i in unscaled:
            rows[i] = ((rows[i] - lo) / numpy.float32(hi - lo if hi > lo else 1.0)).astype(numpy.float32)
    return Dataset(numpy.stack(rows).astype(numpy.float32, copy=False), (height, width) if grey else (height, width, 3),
                   source=folder)


def is_mnist(spec):
    return spec == "mnist" or spec.startswith("mnist:")


def load_dataset(spec, image_shape=None):
    """DATA as the command line understands it (see the module docstring)."""
    if not isinstance(spec, str) or not spec:
        raise UserError("DATA must be 'mnist', a .npy/.npz file or a folder of images")
    if is_mnist(spec):
        part = spec.partition(":")[2] or "train"
        parts = {"train": 0, "valid": 1, "test": 2}
        if part not in parts:
            raise UserError(f"{spec!r}: the MNIST part must be one of mnist:train, mnist:valid, mnist:test")
        sets = load_data()
        x, y = sets[parts[part]]
        valid = sets[1] if part == "train" else (None, None)
        return Dataset(x, (28, 28), valid[0], source=spec, y=y, valid_y=valid[1])
    path, key = spec, None
    if not os.path.exists(path) and ".npz:" in spec:
        path, _, key = spec.rpartition(":")
    if os.path.isdir(path):
        return _load_image_folder(path, image_shape)
    if not os.path.exists(path):
        raise UserError(f"data {spec!r} not found: give 'mnist', a .npy/.npz file or a folder of images")
    lower = path.lower()
    if lower.endswith(".npy"):
        a = _load_npy(path)
    elif lower.endswith(".npz"):
        a = _load_npz(path, key)
    else:
        raise UserError(f"{path}: unknown data format (expected a .npy or .npz file, or a folder of images)")
    x, shape = as_rows(a, path)
    return Dataset(x, shape, source=spec)


def load_labels(spec, n_rows, flag="--labels"):
    """Integer class labels, one per row: a .npy file (or ``mnist[:part]``)."""
    if is_mnist(spec):
        part = spec.partition(":")[2] or "train"
        y = load_data()[{"train": 0, "valid": 1, "test": 2}[part]][1]
    else:
        if not os.path.exists(spec):
            raise UserError(f"{flag} {spec} not found")
        if not spec.lower().endswith(".npy"):
            raise UserError(f"{flag} {spec}: labels must be a .npy file of integers, one per example")
        y = _load_npy(spec)
    y = numpy.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise UserError(f"{flag} {spec}: expected one label per example (shape (n,)), got shape {y.shape}")
    if y.shape[0] != n_rows:
        raise UserError(f"{flag} {spec}: {y.shape[0]} labels for {n_rows} examples")
    if not numpy.issubdtype(y.dtype, numpy.integer):
        if not (numpy.issubdtype(y.dtype, numpy.floating) and numpy.all(numpy.mod(y, 1) == 0)):
            raise UserError(f"{flag} {spec}: labels must be integers 0, 1, ..., got dtype {y.dtype}")
    y = y.astype(numpy.int64)
    if y.size and y.min() < 0:
        raise UserError(f"{flag} {spec}: labels must be integers >= 0, got {int(y.min())}")
    return y
