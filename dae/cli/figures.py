"""``dae plot``: learning curves, filters, reconstructions (and a VAE's samples) of a run."""
import os

import numpy

from .. import backend
from ..io import atomic_write, own_folder
from ..plotting import save_image, tile_raster_images
from ..random import RandomStreams
from ..registry import get_model_kind
from .common import FIGURES, UserError, load_model_file, model_path, read_json
from .datasets import load_dataset


def add_parser(sub):
    p = sub.add_parser("plot", help="draw learning curves, filters and reconstructions into RUN/figures",
                       description="Write RUN/figures/learning_curves.png, filters.png, reconstructions.png "
                                   "(and samples.png for a vae).")
    p.add_argument("run", metavar="RUN", help="a run folder written by dae train")
    p.add_argument("--data", help="data to reconstruct (default: the run's own --data)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_plot)


def mosaic(rows, shape, grid):
    """Rows (grey (h, w) or colour (h, w, 3) interleaved) as one uint8 tile image."""
    rows = numpy.asarray(rows, dtype=numpy.float64)
    hw = tuple(shape[:2])
    if len(shape) == 3:
        channels = tuple(rows[:, c::3] for c in range(3)) + (None,)
        return tile_raster_images(channels, hw, grid, (1, 1))
    return tile_raster_images(rows, hw, grid, (1, 1))


def _learning_curves(metrics, path):
    import matplotlib
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    phases = {p["phase"]: p["epochs"] for p in metrics.get("phases") or []} or {"train": metrics.get("epochs", [])}
    phases = {name: h for name, h in phases.items() if h}
    if not phases:
        return False
    fig, axes = plt.subplots(1, len(phases), figsize=(6, 4) if len(phases) == 1 else (min(4 * len(phases), 16), 3.5), dpi=100, squeeze=False)
    for ax, (name, history) in zip(axes[0], phases.items()):
        ax.plot([m["epoch"] for m in history], [m["train_cost"] for m in history], "o-", label="train")
        valid = [(m["epoch"], m["valid_cost"]) for m in history if m.get("valid_cost") is not None]
        if valid:
            ax.plot(*zip(*valid), "s-", label="validation")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean cost per example")
        ax.set_title(f"{metrics.get('model', 'model')}: {name}" if len(phases) > 1 else
                     f"{metrics.get('model', 'model')}: cost per epoch")
        ax.legend()
    fig.tight_layout()

    atomic_write(path, lambda f: fig.savefig(f, format="png"))   # replaces a planted link, never follows it
    plt.close(fig)
    return True


def make_figures(run, data=None, n_examples=10):
    """Write ``run/figures/``: learning_curves.png, and filters.png + reconstructions.png (+
    samples.png for a vae) when the data are images. Returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    folder = own_folder(os.path.join(run, FIGURES))   # a link planted there is replaced, not followed
    written = []
    metrics = read_json(os.path.join(run, "metrics.json"), "no metrics (has the run finished an epoch?)")
    path = os.path.join(folder, "learning_curves.png")
    if isinstance(metrics, dict) and _learning_curves(metrics, path):
        written.append(path)
    model, meta = load_model_file(model_path(run))
    kind = get_model_kind(meta["model"])
    shape = meta.get("image_shape")
    if not shape:
        return written
    shape = tuple(shape)
    n_visible = meta["model_config"]["n_visible"]
    if kind.filters is not None:
        filters = kind.filters(model)
        if filters.shape[1] == n_visible:
            n = min(100, filters.shape[0])
            cols = min(10, n)
            path = os.path.join(folder, "filters.png")
            save_image(mosaic(filters[:n], shape, (-(-n // cols), cols)), path)
            written.append(path)
    if kind.generative:
        samples = backend.to_host(kind.sample(model, 100, RandomStreams(0)))
        path = os.path.join(folder, "samples.png")
        save_image(mosaic(samples, shape, (10, 10)), path)
        written.append(path)
    if data is None:
        cfg_path = os.path.join(run, "config.json")
        cfg = read_json(cfg_path, "no configuration") if os.path.exists(cfg_path) else {}
        data = cfg.get("data")
    if data:
        try:
            x = load_dataset(data, shape).x
        except (UserError, OSError, ValueError):
            x = None  # the data moved: the other figures still stand
        if x is not None and x.shape[1] == n_visible:
            sample = numpy.asarray(x[:n_examples], dtype=model.params[0].dtype)
            recon = backend.to_host(kind.reconstruct(model, backend.asarray(sample)))
            both = numpy.concatenate([sample, numpy.asarray(recon, dtype=sample.dtype).reshape(sample.shape)])
            path = os.path.join(folder, "reconstructions.png")
            save_image(mosaic(both, shape, (2, sample.shape[0])), path)
            written.append(path)
    return written


def cmd_plot(args):
    if not os.path.isdir(args.run):
        raise UserError(f"{args.run} is not a run folder")
    written = make_figures(args.run, args.data)
    if not args.quiet:
        for path in written:
            print(f"Wrote {path}")
    return 0
