"""Pictures of what a model learned: the tutorial's ``tile_raster_images`` and friends.

``tile_raster_images`` lays the rows of a matrix out as a grid of small images, the way the
tutorial shows the columns of W (the filters): ``tile_raster_images(W.T, (28, 28), (10, 10),
(1, 1))`` is a 289 x 289 mosaic of the first 100 filters, each scaled to [0, 1] on its own.

Around it, what a chapter draws: ``mosaic_tile_shape`` (a grid that fits the filters there
are), ``zoom`` (nearest-neighbour enlargement, so pixels stay sharp), ``save_image`` (PNG),
``save_gif`` (frames as an animated GIF); ``learning_curves`` (panels of costs per epoch, side by
side) and ``images_side_by_side`` (the cA, variants and VAE chapters);
``rgb_tiles``, ``rgb_filters_image``, ``learning_curve`` (one axis of curves against reference
levels and reference runs), ``image_rows`` (rows of digits, labelled) and ``codes_2d`` (2-D codes
coloured by digit; the dA, deep, conv and VAE chapters).
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


def mosaic_tile_shape(n_images, columns=10, most=100):
    """(rows, columns) of a grid that shows ``min(n_images, most)`` images with no empty row:
    10 x 10 for 100 or more, 5 x 10 for 50, 1 x 7 for 7."""
    n_images = check_positive_int(n_images, "n_images")
    shown = min(n_images, check_positive_int(most, "most"))
    columns = min(check_positive_int(columns, "columns"), shown)
    return (-(-shown // columns), columns)


def zoom(image, factor):
    """``image`` (2-D, or H x W x channels) enlarged ``factor`` times by repeating each pixel
    (nearest neighbour: no blur, the pixels of a 28 x 28 filter stay visible)."""
    factor = check_positive_int(factor, "factor")
    image = numpy.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be 2-D (grey) or 3-D (with channels), got shape {image.shape}")
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def save_image(array, path):
    """Write a uint8 mosaic (2-D grey or H x W x 4 RGBA) to ``path`` as PNG, atomically."""
    from PIL import Image

    image = Image.fromarray(array)
    atomic_write(path, lambda f: image.save(f, format="PNG"))


def learning_curves(panels, title=None, width=5.0):
    """A matplotlib ``Figure`` of costs per epoch, one axis per panel, side by side.

    ``panels``: a list of ``(axis title, y label, curves)``, where ``curves`` maps a label to
    either the values of epochs 0, 1, 2, ... (drawn as a line with dots) or one number (a fixed
    reference such as PCA's error, drawn as a dashed horizontal line). A label that ends in
    ``"(reference)"`` or ``"(baseline)"`` is drawn in black, so a run and its reference read apart
    at a glance. Returns the figure (nothing is shown or written)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if not panels:
        raise ValueError("panels must hold at least one (title, y label, curves) entry, got none")
    fig = Figure(figsize=(width * len(panels), 3.8))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, ylabel, curves) in zip(axes, panels):
        colours = iter(f"C{i}" for i in range(100))
        for label, values in curves.items():
            style = {"color": "black" if label.endswith(("(reference)", "(baseline)")) else next(colours)}
            if numpy.ndim(values) == 0:
                ax.axhline(float(values), linestyle="--", label=label, **style)
            elif len(values):
                ax.plot(numpy.arange(len(values)), numpy.asarray(values, dtype=float), marker=".",
                        label=label, **style)
        longest = max([len(v) for v in curves.values() if numpy.ndim(v)] + [1])
        ax.set_xlim(-0.2, max(longest - 1, 1) + 0.2)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if curves:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94) if title else None)
    return fig


def images_side_by_side(images, title=None, height=4.5):
    """A matplotlib ``Figure`` of grey uint8 images (mosaics of ``tile_raster_images``) in one
    row, each under its caption: ``images`` maps caption -> image. Returns the figure."""
    from matplotlib.figure import Figure

    if not images:
        raise ValueError("images must hold at least one caption -> image entry, got none")
    widths = [image.shape[1] / image.shape[0] for image in images.values()]
    fig = Figure(figsize=(height * sum(widths) + 0.4, height + (0.9 if title else 0.6)))
    axes = fig.subplots(1, len(images), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, (caption, image) in zip(axes, images.items()):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(caption, fontsize=10)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94) if title else None)
    return fig


def save_gif(frames, path, duration=400, labels=None):
    """Write uint8 grey ``frames`` (2-D arrays of one shape) to ``path`` as an animated GIF that
    loops, ``duration`` milliseconds per frame, atomically; ``labels`` (one string per frame)
    are written in a strip under each frame. Returns the number of frames in the file: Pillow
    merges a frame equal to the one before it into one longer frame."""
    from PIL import Image, ImageDraw, ImageFont

    frames = [numpy.asarray(f) for f in frames]
    if not frames:
        raise ValueError("frames must hold at least one image, got none")
    for i, f in enumerate(frames):
        if f.dtype != numpy.uint8 or f.ndim != 2 or f.shape != frames[0].shape:
            raise ValueError(f"frames[{i}] must be a 2-D uint8 image of shape {frames[0].shape}, "
                             f"got {f.dtype} {f.shape}")
    if labels is not None and len(labels) != len(frames):
        raise ValueError(f"labels must hold one string per frame ({len(frames)}), got {len(labels)}")
    duration = check_positive_int(duration, "duration")
    images = [Image.fromarray(f) for f in frames]
    if labels is not None:
        height = max(14, frames[0].shape[0] // 16)
        font = ImageFont.load_default(size=int(height * 0.75))
        for i, label in enumerate(labels):
            framed = Image.new("L", (images[i].width, images[i].height + height), 255)
            framed.paste(images[i])
            ImageDraw.Draw(framed).text((4, images[i].height + height // 8), str(label), fill=0, font=font)
            images[i] = framed
    atomic_write(path, lambda out: images[0].save(out, format="GIF", save_all=True, append_images=images[1:],
                                                  duration=duration, loop=0))
    return 1 + sum(not numpy.array_equal(numpy.asarray(a), numpy.asarray(b)) for a, b in zip(images, images[1:]))


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


def learning_curve(curves, references=(), xlabel="epoch", ylabel="cost", ylim=None, title=None,
                   reference_curves=()):
    """A matplotlib Figure of learning curves against reference levels and reference runs.

    - ``curves``: [(label, epochs, values), ...], one line each (markers where there are few points);
    - ``references``: [(label, value), ...], one dashed horizontal line each, its value in the legend;
    - ``reference_curves``: [(label, epochs, values), ...], another run's curve (e.g. the original
      tutorial's), dashed black and drawn on top, so it stays visible where a curve matches it;
    - ``ylim``: (bottom, top) or None."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.5, 4))
    ax = fig.subplots()
    for label, epochs, values in list(reference_curves) + list(curves):
        if len(epochs) != len(values):
            raise ValueError(f"curve {label!r}: {len(epochs)} epochs for {len(values)} values")
    for label, epochs, values in reference_curves:
        ax.plot(epochs, values, "k--", linewidth=1.5, label=label, zorder=3)
    for label, epochs, values in curves:
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
    rows = [numpy.asarray(_check_images(r, img_shape, f"rows[{i}]"), dtype=numpy.float64) for i, r in enumerate(rows)]
    n = rows[0].shape[0]
    if any(r.shape[0] != n for r in rows):
        raise ValueError(f"every row must hold the same number of images, got {[r.shape[0] for r in rows]}")
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
