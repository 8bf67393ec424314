"""Pictures of what a model learned: the tutorial's ``tile_raster_images`` and friends.

``tile_raster_images`` lays the rows of a matrix out as a grid of small images, the way the
tutorial shows the columns of W (the filters): ``tile_raster_images(W.T, (28, 28), (10, 10),
(1, 1))`` is a 289 x 289 mosaic of the first 100 filters, each scaled to [0, 1] on its own.
"""
import numpy

from . import backend
from .io import atomic_write
from .validation import check_positive_int


def scale_to_unit_interval(ndar, eps=1e-8):
    """A float64 copy of ``ndar`` shifted and scaled to span [0, 1) (the tutorial's helper; the top
    value is 1 - eps/max, so it becomes pixel 254 as in the tutorial's published filter images)."""
    ndar = numpy.array(backend.to_host(ndar), dtype=numpy.float64)  # float64, as the published mosaics
    ndar -= ndar.min()
    ndar *= 1.0 / (ndar.max() + eps)
    return ndar


def _check_pair(value, name, allow_zero=False):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(f"{name} must be a pair of integers, got {value!r}")
    for v in value:
        if allow_zero:
            if isinstance(v, bool) or not isinstance(v, (int, numpy.integer)) or v < 0:
                raise ValueError(f"{name} must hold non-negative integers, got {value!r}")
        else:
            check_positive_int(v, name)
    return tuple(int(v) for v in value)


def tile_raster_images(X, img_shape, tile_shape, tile_spacing=(0, 0),
                       scale_rows_to_unit_interval=True, output_pixel_vals=True):
    """Tile the rows of ``X`` (each a flattened image of ``img_shape``) into one image.

    - ``X``: 2-D array (n_images, h * w), or a 4-tuple (R, G, B, A) of such arrays (or None)
      for a colour image; a None channel is filled with zeros (with 255, or 1.0, for alpha).
    - ``tile_shape``: (rows, columns) of the grid, filled row by row; extra tiles stay black.
    - ``tile_spacing``: pixels between tiles.
    - ``scale_rows_to_unit_interval``: scale each image to [0, 1] on its own.
    - ``output_pixel_vals``: return uint8 pixels (value * 255, truncated), else floats.

    Output shape per axis: ``(img + spacing) * tiles - spacing`` (with a trailing 4 for RGBA).
    """
    img_shape = _check_pair(img_shape, "img_shape")
    tile_shape = _check_pair(tile_shape, "tile_shape")
    tile_spacing = _check_pair(tile_spacing, "tile_spacing", allow_zero=True)
    out_shape = [(ishp + tsp) * tshp - tsp for ishp, tshp, tsp in zip(img_shape, tile_shape, tile_spacing)]

    if isinstance(X, tuple):
        if len(X) != 4:
            raise ValueError(f"X as a tuple must have 4 channels (R, G, B, A), got {len(X)}")
        channels = [None if c is None else _check_images(c, img_shape, f"X[{i}]") for i, c in enumerate(X)]
        if output_pixel_vals:
            dtype, defaults = numpy.uint8, (0, 0, 0, 255)
        else:
            present = [c.dtype for c in channels if c is not None]
            dtype = present[0] if present and numpy.issubdtype(present[0], numpy.floating) else numpy.float64
            defaults = (0.0, 0.0, 0.0, 1.0)
        out_array = numpy.zeros((out_shape[0], out_shape[1], 4), dtype=dtype)
        for i in range(4):
            if channels[i] is None:
                out_array[:, :, i] = defaults[i]
            else:
                out_array[:, :, i] = tile_raster_images(channels[i], img_shape, tile_shape, tile_spacing,
                                                        scale_rows_to_unit_interval, output_pixel_vals)
        return out_array

    X = _check_images(X, img_shape, "X")
    H, W = img_shape
    Hs, Ws = tile_spacing
    dtype = numpy.uint8 if output_pixel_vals else X.dtype
    out_array = numpy.zeros(out_shape, dtype=dtype)
    scale = 255 if output_pixel_vals else 1
    for tile_row in range(tile_shape[0]):
        for tile_col in range(tile_shape[1]):
            k = tile_row * tile_shape[1] + tile_col
            if k >= X.shape[0]:
                continue
            this_img = X[k].reshape(img_shape)
            if scale_rows_to_unit_interval:
                this_img = scale_to_unit_interval(this_img)
            r, c = tile_row * (H + Hs), tile_col * (W + Ws)
            out_array[r:r + H, c:c + W] = this_img * scale
    return out_array


def _check_images(X, img_shape, name):
    X = backend.to_host(X) if hasattr(X, "shape") else X
    if not isinstance(X, numpy.ndarray):
        raise TypeError(f"{name} must be a 2-D array of flattened images, got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_images, {img_shape[0] * img_shape[1]}), got shape {X.shape}")
    if X.shape[1] != img_shape[0] * img_shape[1]:
        raise ValueError(
            f"{name} rows must hold img_shape {img_shape} = {img_shape[0] * img_shape[1]} values, got {X.shape[1]}"
        )
    if not (numpy.issubdtype(X.dtype, numpy.floating) or numpy.issubdtype(X.dtype, numpy.integer)):
        raise TypeError(f"{name} must be numeric, got dtype {X.dtype}")
    if numpy.issubdtype(X.dtype, numpy.floating) and not numpy.isfinite(X).all():
        raise ValueError(f"{name} must be finite, but it holds NaN or inf")
    return X


def save_image(array, path):
    """Write a uint8 mosaic (2-D grey or H x W x 4 RGBA) to ``path`` as PNG, atomically."""
    from PIL import Image


    image = Image.fromarray(array)
    atomic_write(path, lambda f: image.save(f, format="PNG"))


# ----- the chapters' figures -------------------------------------------------------------------
def rgb_tiles(images, tile_shape, spacing=1, scale=1):
    """Colour images (n, 3, h, w), values in [0, 1], tiled row by row into one RGBA uint8 mosaic
    (``tile_raster_images``'s (R, G, B, None) mode) and enlarged ``scale`` times by repeating pixels."""
    images = numpy.asarray(backend.to_host(images), dtype=numpy.float64)
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"images must have shape (n, 3, height, width), got {images.shape}")
    scale = check_positive_int(scale, "scale")
    n, _, h, w = images.shape
    rgb = tuple(numpy.clip(images[:, ch], 0.0, 1.0).reshape(n, -1) for ch in range(3))
    image = tile_raster_images(rgb + (None,), img_shape=(h, w), tile_shape=tile_shape,
                               tile_spacing=(spacing, spacing), scale_rows_to_unit_interval=False)
    return image.repeat(scale, axis=0).repeat(scale, axis=1)


def rgb_filters_image(W, scale=16):
    """Colour filters W (F, 3, k, k) as one RGBA mosaic in a near-square grid, each filter scaled
    to [0, 1] as a whole (its three colours keep their balance), enlarged ``scale`` times."""
    W = numpy.asarray(backend.to_host(W), dtype=numpy.float64)
    if W.ndim != 4 or W.shape[1] != 3:
        raise ValueError(f"W must have shape (filters, 3, height, width), got {W.shape}")
    f = W.shape[0]
    flat = W.reshape(f, -1)
    lo, hi = flat.min(axis=1), flat.max(axis=1)
    W = (W - lo[:, None, None, None]) / (hi - lo + 1e-8)[:, None, None, None]
    cols = int(numpy.ceil(numpy.sqrt(f)))
    return rgb_tiles(W, (int(numpy.ceil(f / cols)), cols), spacing=1, scale=scale)


def learning_curve(curves, references=(), xlabel="epoch", ylabel="cost", ylim=None, title=None):
    """A matplotlib Figure of learning curves against reference levels.

    - ``curves``: [(label, epochs, values), ...], one line each (markers where there are few points);
    - ``references``: [(label, value), ...], one dashed horizontal line each, its value in the legend;
    - ``ylim``: (bottom, top) or None."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.5, 4))
    ax = fig.subplots()
    for label, epochs, values in curves:
        if len(epochs) != len(values):
            raise ValueError(f"curve {label!r}: {len(epochs)} epochs for {len(values)} values")
        ax.plot(epochs, values, marker="o" if len(values) <= 30 else None, markersize=3, label=label)
    for (label, value), style in zip(references, ("--", ":", "-.", (0, (5, 5)))):
        ax.axhline(value, color="k", linestyle=style, linewidth=1, label=f"{label} ({value:.3g})")
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def image_rows(rows, names, img_shape=(28, 28), title=None):
    """A matplotlib Figure: one row of grey images per entry of ``rows`` (each (n, h * w), values
    in [0, 1]), labelled on the left by ``names``."""
    from matplotlib.figure import Figure

    if len(rows) != len(names) or not rows:
        raise ValueError(f"rows and names must be non-empty and of one length, got {len(rows)} and {len(names)}")
    rows = [numpy.asarray(backend.to_host(r), dtype=numpy.float64) for r in rows]
    n = rows[0].shape[0]
    fig = Figure(figsize=(n * 0.75, len(rows) * 0.95))
    axes = numpy.asarray(fig.subplots(len(rows), n, squeeze=False))
    for r, (images, name) in enumerate(zip(rows, names)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(numpy.clip(images[c], 0, 1).reshape(img_shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def codes_2d(panels, labels):
    """A matplotlib Figure of 2-D codes side by side, each point coloured by its class.

    ``panels``: [(codes (n, 2), title, axis name), ...]; ``labels``: the n classes (0 .. 9)."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    labels = numpy.asarray(labels)
    fig = Figure(figsize=(6.5 * len(panels), 6))
    axes = numpy.asarray(fig.subplots(1, len(panels), squeeze=False))[0]
    colours = colormaps["tab10"]
    for ax, (codes, title, axis) in zip(axes, panels):
        codes = numpy.asarray(backend.to_host(codes))
        if codes.shape != (len(labels), 2):
            raise ValueError(f"codes of {title!r} must have shape ({len(labels)}, 2), got {codes.shape}")
        for digit in numpy.unique(labels):
            pts = codes[labels == digit]
            ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.6, color=colours(int(digit) % 10), label=str(digit))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"{axis} 1")
        ax.set_ylabel(f"{axis} 2")
        ax.legend(title="digit", markerscale=6, fontsize=8, loc="best")
    return fig
