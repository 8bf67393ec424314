"""MNIST, shipped in ``data/mnist/`` (installed with the package) as the four original IDX files (gzip), split the tutorial's way.

``load_data()`` returns what the tutorial's ``mnist.pkl.gz`` held::

    ((train_x, train_y), (valid_x, valid_y), (test_x, test_y))

train = the first 50,000 training images, valid = the last 10,000, test = the 10,000 t10k
images; x is float32 pixel/256, shape (n, 784) (so the largest value is 0.99609375); y int64.
Arrays are NumPy (host) arrays; move them with ``dae.backend.asarray`` for a GPU model.

The shipped files are checked against their sha256 (from ``data/SOURCES.md``); every file's
IDX header is checked against its size; a missing, truncated or corrupted file raises a clear
error naming it. ``load_data(path)`` also takes a folder holding the four IDX files (gzipped or
not) or the tutorial's old ``mnist.pkl.gz``, read with a restricted unpickler that can build
nothing but NumPy arrays.
"""
import gzip
import hashlib
import io
import os
import pickle
import struct

import numpy

from .paths import is_shipped, mnist_dir


MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# sha256 of the shipped .gz files (data/SOURCES.md)
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
    "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
}

N_TRAIN = 50000  # the tutorial's split of the 60,000 training images


class DataFileError(ValueError):
    """A data file that is missing, truncated, corrupted or not what it claims to be."""


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_idx(raw, name="IDX data"):
    """A NumPy array from the bytes of an IDX file (header checked against the length)."""
    if len(raw) < 4:
        raise DataFileError(f"{name}: too short to be an IDX file ({len(raw)} bytes)")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
        raise DataFileError(
            f"{name}: bad IDX magic number {raw[:4].hex()} (expected 00000801 for labels or 00000803 for images)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFileError(f"{name}: truncated IDX header")
    shape = struct.unpack(">" + "I" * ndim, raw[4:header])
    expected = header + int(numpy.prod(shape))
    if len(raw) != expected:
        raise DataFileError(
            f"{name}: IDX header announces shape {shape} ({expected} bytes) but the file holds {len(raw)} bytes "
            "(truncated or corrupted)"
        )
    return numpy.frombuffer(raw, dtype=numpy.uint8, offset=header).reshape(shape)


def _read_idx(folder, stem, verify_checksum):
    """Read ``stem`` (or ``stem.gz``) from ``folder``."""
    gz_path = os.path.join(folder, stem + ".gz")
    plain_path = os.path.join(folder, stem)
    if os.path.exists(gz_path):
        if verify_checksum and os.path.basename(gz_path) in MNIST_SHA256:
            digest = sha256_of(gz_path)
            if digest != MNIST_SHA256[os.path.basename(gz_path)]:
                raise DataFileError(
                    f"{gz_path}: sha256 {digest} does not match the shipped file's "
                    f"{MNIST_SHA256[os.path.basename(gz_path)]} (corrupted or replaced; restore it with git checkout data/)"
                )
        try:
            with gzip.open(gz_path, "rb") as f:
                raw = f.read()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise DataFileError(f"{gz_path}: not a readable gzip file (truncated or corrupted): {exc}") from exc
        return parse_idx(raw, gz_path)
    if os.path.exists(plain_path):
        with open(plain_path, "rb") as f:
            return parse_idx(f.read(), plain_path)
    raise FileNotFoundError(f"MNIST file missing: neither {gz_path} nor {plain_path} exists")


def _split(train_images, train_labels, test_images, test_labels):
    for images, labels, which in ((train_images, train_labels, "train"), (test_images, test_labels, "t10k")):
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DataFileError(f"{which} images must be n x 28 x 28, got {images.shape}")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise DataFileError(f"{which} labels ({labels.shape}) do not match the images ({images.shape})")
        if labels.size and labels.max() > 9:
            raise DataFileError(f"{which} labels must be digits 0..9, found {labels.max()}")
    if train_images.shape[0] <= N_TRAIN:
        raise DataFileError(f"the training file must hold more than {N_TRAIN} images, got {train_images.shape[0]}")

    def x_of(images):
        return (images.reshape(images.shape[0], 784).astype(numpy.float32)) / numpy.float32(256.0)

    def y_of(labels):
        return labels.astype(numpy.int64)

    return (
        (x_of(train_images[:N_TRAIN]), y_of(train_labels[:N_TRAIN])),
        (x_of(train_images[N_TRAIN:]), y_of(train_labels[N_TRAIN:])),
        (x_of(test_images), y_of(test_labels)),
    )


_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Builds NumPy arrays and nothing else: any other global is refused (no code runs)."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: mnist.pkl.gz may only hold NumPy arrays")


def load_pickled_mnist(path):
    """The tutorial's ``mnist.pkl.gz``: a tuple of three (x, y) pairs of arrays, nothing else."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
        data = _ArraysOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise DataFileError(f"{path}: {exc}") from exc
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as exc:
        raise DataFileError(f"{path}: not a readable mnist.pkl.gz (truncated or corrupted): {exc}") from exc
    if not (isinstance(data, tuple) and len(data) == 3):
        raise DataFileError(f"{path}: expected a tuple of (train, valid, test) pairs")
    out = []
    for part, which in zip(data, ("train", "valid", "test")):
        if not (isinstance(part, tuple) and len(part) == 2):
            raise DataFileError(f"{path}: the {which} entry must be an (x, y) pair")
        x, y = part
        if not (isinstance(x, numpy.ndarray) and isinstance(y, numpy.ndarray)):
            raise DataFileError(f"{path}: the {which} entry must hold two arrays")
        if x.ndim != 2 or x.shape[1] != 784 or y.shape != (x.shape[0],):
            raise DataFileError(f"{path}: the {which} arrays have shapes {x.shape} and {y.shape}")
        out.append((x.astype(numpy.float32), y.astype(numpy.int64)))
    return tuple(out)


def load_data(path=None):
    """The tutorial's MNIST split ``((train_x, train_y), (valid_x, valid_y), (test_x, test_y))``.

    ``path``: None for ``$DAE_DATA_DIR`` or else the copy shipped with dae (its checksums
    verified; see :mod:`dae.paths`), a folder with the four IDX files (gzipped or not), or a
    ``mnist.pkl.gz`` file.
    """
    if path is None:
        folder = mnist_dir()
        verify = is_shipped(folder)
    else:
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be None, a folder of MNIST IDX files or a mnist.pkl.gz file name, "
                            f"got {path!r} ({type(path).__name__})")
        path = os.fspath(path)
        if os.path.isfile(path):
            return load_pickled_mnist(path)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"dataset path {path!r} is neither a folder of IDX files nor a mnist.pkl.gz file")
        folder, verify = path, False
    arrays = {key: _read_idx(folder, stem, verify) for key, stem in MNIST_FILES.items()}
    return _split(arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"])
