"""Data augmentation: random whole-pixel shifts of flattened images.

A digit moved by one pixel is still the same digit, so showing the network randomly shifted
copies of the training images (a fresh shift each time an image is drawn) is a cheap way to
get more training data. It regularises fine-tuning: the SdA tutorial's fast recipe uses it for
classification and the deep autoencoder tutorial for reconstruction.

    augment = random_shifts(max_shift=1, img_shape=(28, 28), probability=0.5)
    x_batch = augment(x_batch, rng)

Each image (a row of ``x_batch``) is, with probability ``probability``, moved by (dy, dx),
each drawn uniformly from {-max_shift, ..., max_shift} (so (0, 0) is among the draws); the
edge it leaves is filled with 0, MNIST's background. The shifts come from ``rng`` (a numpy
RandomState or Generator, or a ``dae.RandomStreams``, whose own "shifts" stream is used), so a run is
reproducible. The arrays stay on the backend in force; only the small table of shifts is
drawn on the host.
"""
import numbers

from . import backend
from .validation import check_float


def random_shifts(max_shift=1, img_shape=(28, 28), probability=1.0):
    """An ``augment(x_batch, rng) -> shifted copy`` for training loops (see the module docstring)."""
    if not (isinstance(img_shape, (tuple, list)) and len(img_shape) == 2
            and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in img_shape)):
        raise ValueError(f"img_shape must be (height, width), two positive ints, got {img_shape!r}")
    h, w = int(img_shape[0]), int(img_shape[1])
    if isinstance(max_shift, bool) or not isinstance(max_shift, numbers.Integral) or max_shift < 0:
        raise ValueError(f"max_shift must be a whole number of pixels >= 0, got {max_shift!r}")
    max_shift = int(max_shift)
    if max_shift >= min(h, w):
        raise ValueError(f"max_shift must be smaller than the image ({h}x{w}), got {max_shift}")
    probability = check_float(probability, "probability", 0.0, 1.0)

    def augment(x, rng):
        xp = backend.xp
        if x.ndim != 2 or x.shape[1] != h * w:
            raise ValueError(f"x must be a matrix of flattened {h}x{w} images (n, {h * w}), "
                             f"got shape {tuple(x.shape)}")
        n = x.shape[0]
        generator = rng.state("shifts") if hasattr(rng, "state") else rng
        integers = generator.integers if hasattr(generator, "integers") else generator.randint  # Generator or RandomState
        shifts = backend.to_host(integers(-max_shift, max_shift + 1, (n, 2)))
        if probability < 1.0:  # drawn only then, so probability 1 keeps the stream of shifts alone
            shifts[backend.to_host(generator.uniform(size=n)) >= probability] = 0
        images = x.reshape(n, h, w)
        out = xp.zeros_like(images)
        for dy in range(-max_shift, max_shift + 1):
            for dx in range(-max_shift, max_shift + 1):
                rows = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero()[0]
                if rows.size == 0:
                    continue
                rows = backend.asarray(rows, dtype="int64")
                out[rows, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
                    images[rows, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
        return out.reshape(n, h * w)

    return augment
