"""The ``dae`` command (also ``python -m dae``): train, encode, reconstruct, plot, info.

    dae train --model dA --data mnist --epochs 15 --batch-size 20 --learning-rate 0.1 \\
              --optimizer sgd --seed 123 --n-hidden 500 --corruption-level 0.3 --output-dir runs/da
    dae train --model cA --learning-rate 0.01 --epochs 20 --output-dir runs/ca
    dae train --data x.npy --no-tied-weights --loss squared_error --activation relu \\
              --decoder linear --sparsity l1 --dropout 0.2 --output-dir runs/mine
    dae train --resume runs/da                     # continue an interrupted run
    dae encode runs/da/model.npz mnist:test -o codes.npy
    dae reconstruct runs/da/model.npz my_data.npy -o recon.npy
    dae plot runs/da                               # learning curves, filters, reconstructions
    dae info runs/da/model.npz

DATA is ``mnist`` (the tutorial's training images; ``mnist:valid`` / ``mnist:test`` for the
others), a ``.npy`` file (memory-mapped: read minibatch by minibatch), a ``.npz`` file (its
only array, or ``file.npz:NAME``), or a folder of images (grey or RGB, resized to a common
size, scaled to [0, 1]). Rows are examples; arrays of shape (n, h, w) or (n, h, w, 3) are
flattened.

Each model kind's options are flags of ``dae train`` (``dae train --help`` lists them, with
the models each applies to); the dA's defaults are the tutorial's model. Options that make no
sense together (e.g. ``--decoder linear`` with the cross-entropy) are refused in one line.

A run folder holds ``config.json`` (the exact configuration), ``checkpoint.npz`` (the training
state, rewritten atomically after every epoch and on Ctrl-C), ``model.npz``, ``metrics.json``
(per-epoch costs) and ``figures/``. Errors are reported in one line on stderr with a non-zero
exit status; a run folder that already holds files is never overwritten unless ``--resume`` or
``--overwrite`` is given.
"""
import argparse
import contextlib
import glob
import json
import os
import shutil
import sys
import time

import numpy

from . import backend, config, optim
from .data import DataFileError, load_data
from .io import CorruptFileError
from .training import (MODELS, DivergenceError, Trainer, TrainingInterrupted, check_data, check_seed,
                       get_model_kind, load_model, read_model_meta, save_model, write_json)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm")
RUN_FILES = ("model.npz", "checkpoint.npz", "config.json", "metrics.json")
FIGURES = "figures"


class UserError(Exception):
    """A mistake in the command's input: reported in one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ----- data -----------------------------------------------------------------------------------
class Dataset:
    """Rows of examples (a host array or a read-only memmap) and, when known, their image shape."""

    def __init__(self, x, image_shape=None, valid_x=None, source=""):
        self.x = x
        self.image_shape = None if image_shape is None else tuple(int(v) for v in image_shape)
        self.valid_x = valid_x
        self.source = source


def _guess_image_shape(n_features):
    side = int(round(n_features ** 0.5))
    return (side, side) if side * side == n_features else None


def _as_rows(a, source):
    """(n, d) view of an array (n, d), (n, h, w) or (n, h, w, c), and its image shape."""
    if a.ndim == 2:
        return a, _guess_image_shape(a.shape[1])
    if a.ndim == 3:
        return a.reshape(a.shape[0], -1), a.shape[1:]
    if a.ndim == 4 and a.shape[3] in (1, 3):
        shape = a.shape[1:3] if a.shape[3] == 1 else a.shape[1:]
        return a.reshape(a.shape[0], -1), shape
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
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            raise UserError(f"{f} is not a readable image: {exc}") from exc
    grey = all(im.mode in ("1", "L", "LA", "I", "I;16", "F") for im in images)
    if image_shape is not None:
        grey = len(image_shape) == 2
        height, width = image_shape[:2]
    else:
        width, height = images[0].size
    rows = []
    for im in images:
        im = im.convert("L" if grey else "RGB")
        if im.size != (width, height):
            im = im.resize((width, height), Image.BILINEAR)
        rows.append(numpy.asarray(im, dtype=numpy.float32).reshape(-1) / numpy.float32(255.0))
    return Dataset(numpy.stack(rows), (height, width) if grey else (height, width, 3), source=folder)


def load_dataset(spec, image_shape=None):
    """DATA as the command line understands it (see the module docstring)."""
    if not isinstance(spec, str) or not spec:
        raise UserError("DATA must be 'mnist', a .npy/.npz file or a folder of images")
    if spec == "mnist" or spec.startswith("mnist:"):
        part = spec.partition(":")[2] or "train"
        parts = {"train": 0, "valid": 1, "test": 2}
        if part not in parts:
            raise UserError(f"{spec!r}: the MNIST part must be one of mnist:train, mnist:valid, mnist:test")
        sets = load_data()
        valid = sets[1][0] if part == "train" else None
        return Dataset(sets[parts[part]][0], (28, 28), valid, source=spec)
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
    x, shape = _as_rows(a, path)
    return Dataset(x, shape, source=spec)


# ----- the run folder ------------------------------------------------------------------------------
def _nonempty(folder):
    return os.path.isdir(folder) and any(True for _ in os.scandir(folder))


def _clear_run(folder):
    """--overwrite: remove the files a run writes (and nothing else)."""
    for name in RUN_FILES:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            os.remove(path)
    figures = os.path.join(folder, FIGURES)
    if os.path.isdir(figures):
        shutil.rmtree(figures)


def _remove_stale_temporaries(folder):
    """Temporary files left by a process killed while writing (the targets are intact)."""
    for path in glob.glob(os.path.join(folder, ".*.tmp")):
        with contextlib.suppress(OSError):  # already gone, or not ours to remove: nothing to do
            os.remove(path)


def _read_json(path, what):
    if not os.path.exists(path):
        raise UserError(f"{path} not found: {what}")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (ValueError, OSError) as exc:
        raise UserError(f"{path} is not readable JSON: {exc}") from exc


def _model_path(path):
    """A model file, or a run folder (meaning its model.npz)."""
    if os.path.isdir(path):
        candidate = os.path.join(path, "model.npz")
        if not os.path.exists(candidate):
            raise UserError(f"{path} is a folder without a model.npz (not a finished run folder?)")
        return candidate
    if not os.path.exists(path):
        raise UserError(f"model file {path} not found")
    return path


# ----- dae train ------------------------------------------------------------------------------------
TRAIN_DEFAULTS = {"model": "dA", "data": "mnist", "epochs": 15, "batch_size": 20, "learning_rate": 0.1,
                  "optimizer": "sgd", "backend": "numpy", "seed": 123, "shuffle": False, "n_train": None,
                  "n_valid": None, "valid_fraction": 0.0, "valid_data": None}
RESUME_OVERRIDABLE = ("epochs", "backend", "learning_rate")


def _model_options():
    options = {}
    for kind in MODELS.values():
        for name, opt in list(kind.options.items()) + list(kind.train_options.items()):
            entry = options.setdefault(name, (opt, []))
            entry[1].append(kind.name)
    return options


def _show_choice(value):
    return "none" if value is None else str(value)


def _choice_type(choices):
    """argparse type for an Option with choices: the value itself, "none" for None."""
    def choice(text):
        for value in choices:
            if text == _show_choice(value) or (value is None and text.lower() == "none"):
                return value
        raise argparse.ArgumentTypeError(
            f"invalid choice {text!r} (choose from {', '.join(_show_choice(v) for v in choices)})")
    return choice


def _flag(name):
    return "--" + name.replace("_", "-")


def _spell(name, value):
    """A setting as the command line spells it: ``--loss squared_error``, ``--no-tied-weights``."""
    if isinstance(value, bool) and name in _model_options():
        return _flag(name if value else "no_" + name)
    return f"{_flag(name)} {_show_choice(value)}"


def _add_model_flag(group, name, opt, kinds):
    text = f"[{', '.join(kinds)}] {opt.help}"
    if opt.only_with:
        text += "; only with " + " and ".join(
            f"{_flag(other)} {' or '.join(_show_choice(v) for v in values)}" for other, values in opt.only_with.items())
    # SUPPRESS: the attribute exists only when the flag is given (a given value may be None)
    if opt.type is bool:
        group.add_argument(_flag(name), dest=name, action=argparse.BooleanOptionalAction,
                           default=argparse.SUPPRESS, help=text)
    elif opt.choices:
        group.add_argument(_flag(name), dest=name, type=_choice_type(opt.choices), default=argparse.SUPPRESS,
                           metavar="{" + ",".join(_show_choice(v) for v in opt.choices) + "}", help=text)
    else:
        group.add_argument(_flag(name), dest=name, type=opt.type, default=argparse.SUPPRESS, help=text)


def _add_train_parser(sub):
    p = sub.add_parser(
        "train", help="train a model; writes a run folder (config, checkpoint, model, metrics, figures)",
        description="Train an autoencoder on MNIST, a .npy/.npz file or a folder of images.\n"
                    "The run folder (--output-dir) gets config.json, checkpoint.npz (every epoch),\n"
                    "model.npz, metrics.json and figures/. Interrupt with Ctrl-C; continue with --resume.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  dae train --data mnist --epochs 15 --n-hidden 500 --corruption-level 0.3 --output-dir runs/da\n"
               "  dae train --data my_images/ --epochs 30 --optimizer adam --learning-rate 0.001 --output-dir runs/mine\n"
               "  dae train --data x.npy --no-tied-weights --loss squared_error --activation relu --decoder linear \\\n"
               "            --noise gaussian --corruption-level 0.1 --optimizer adam --learning-rate 0.001 --output-dir runs/ae\n"
               "  dae train --sparsity kl --sparsity-target 0.05 --sparsity-weight 0.1 --output-dir runs/sparse\n"
               "  dae train --model cA --learning-rate 0.01 --epochs 20 --contraction-level 0.1 --output-dir runs/ca\n"
               "  dae train --resume runs/da                 # after Ctrl-C, a kill or a crash\n"
               "  dae train --resume runs/da --epochs 30     # train longer")
    p.add_argument("--model", help="model kind: " + "; ".join(f"{k.name}, {k.description}" for k in MODELS.values())
                   + " (dA)")
    p.add_argument("--data", help="mnist, a .npy/.npz file (a .npy is memory-mapped) or a folder of images (mnist)")
    p.add_argument("--epochs", type=int, help="passes over the training data, in all (15)")
    p.add_argument("--batch-size", type=int, help="examples per minibatch (20)")
    p.add_argument("--learning-rate", type=float, help="optimiser step size (0.1)")
    p.add_argument("--optimizer", choices=tuple(optim.OPTIMIZERS), help="sgd, momentum, nesterov, adam or adamw (sgd)")
    p.add_argument("--backend", choices=backend.BACKENDS, help="numpy (CPU) or cupy (NVIDIA GPU) (numpy)")
    p.add_argument("--seed", type=int, help="seed of the initial weights and the corruption noise (123)")
    p.add_argument("--shuffle", action="store_true", default=None, help="visit the minibatches in a random order each epoch")
    p.add_argument("--n-train", type=int, help="use only the first N training examples (default: all)")
    p.add_argument("--n-valid", type=int, help="use only the first N validation examples (default: all)")
    p.add_argument("--valid-fraction", type=float,
                   help="hold out this last fraction of a data file for the validation cost (0; mnist has its own)")
    p.add_argument("--valid-data", help="a separate validation set (same forms as --data)")
    p.add_argument("--output-dir", help="the run folder (required unless --resume RUN)")
    p.add_argument("--resume", nargs="?", const="", default=None, metavar="RUN",
                   help="continue the run in RUN (or --output-dir) from its last checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace the run files in a non-empty --output-dir")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--no-plots", action="store_true", help="skip the figures at the end (dae plot RUN makes them later)")
    group = p.add_argument_group("model options (each applies to the models named)")
    for name, (opt, kinds) in _model_options().items():
        _add_model_flag(group, name, opt, kinds)
    p.set_defaults(func=cmd_train)


def _train_config(args):
    """The run's configuration: the saved one when resuming, else defaults + flags."""
    model_flags = set(_model_options())
    given = {k: v for k, v in vars(args).items() if v is not None or k in model_flags}  # model flags: when given
    for key in ("data", "valid_data"):  # files are recorded by absolute path, so --resume works from anywhere
        if key in given and given[key] != "mnist" and not given[key].startswith("mnist:"):
            name, sep, part = given[key].rpartition(":") if ".npz:" in given[key] else (given[key], "", "")
            if os.path.exists(name):
                given[key] = os.path.abspath(name) + sep + part
    if args.resume is not None:
        run = args.resume or args.output_dir
        if not run:
            raise UserError("--resume needs the run folder: dae train --resume RUN")
        if args.resume and args.output_dir and os.path.abspath(args.resume) != os.path.abspath(args.output_dir):
            raise UserError(f"--resume {args.resume} and --output-dir {args.output_dir} name different folders")
        cfg = _read_json(os.path.join(run, "config.json"), "nothing to resume in this folder")
        if not isinstance(cfg, dict) or "model" not in cfg:
            raise UserError(f"{os.path.join(run, 'config.json')} is not a dae run configuration")
        if cfg["model"] in MODELS:  # a run saved before an option existed had its default
            for key, value in MODELS[cfg["model"]].defaults().items():
                cfg.setdefault(key, value)
        for key in list(TRAIN_DEFAULTS) + sorted(model_flags):
            if key in given and key in model_flags and key not in cfg:
                raise UserError(f"{_flag(key)} does not apply to this run's --model {cfg['model']}")
            if key in given and key not in RESUME_OVERRIDABLE and key in cfg and given[key] != cfg[key]:
                raise UserError(f"{_spell(key, given[key])} differs from the run's saved {_spell(key, cfg[key])}; "
                                f"a resumed run keeps its configuration (only --epochs, --backend and "
                                f"--learning-rate may change)")
        for key in RESUME_OVERRIDABLE:
            if key in given:
                cfg[key] = given[key]
        return cfg, run
    if not args.output_dir:
        raise UserError("--output-dir RUN is required (the folder for the model, configuration and metrics)")
    cfg = dict(TRAIN_DEFAULTS)
    cfg.update({k: given[k] for k in TRAIN_DEFAULTS if k in given})
    kind = MODELS.get(cfg["model"])
    if kind is None:
        raise UserError(f"unknown model {cfg['model']!r}: choose one of {', '.join(MODELS)}")
    own = set(kind.options) | set(kind.train_options)
    for name in sorted(model_flags - own):
        if name in given:
            raise UserError(f"--{name.replace('_', '-')} does not apply to --model {kind.name}")
    cfg.update(kind.defaults())
    cfg.update({k: given[k] for k in own if k in given})
    options = dict(kind.options, **kind.train_options)
    for name in sorted(own):
        needs = options[name].only_with or {}
        for other, values in needs.items():
            if name in given and cfg[other] not in values:
                raise UserError(f"{_flag(name)} applies only with {_flag(other)} "
                                f"{' or '.join(_show_choice(v) for v in values)} (got {_flag(other)} "
                                f"{_show_choice(cfg[other])})")
    cfg["floatX"] = config.floatX
    return cfg, args.output_dir


def _check_train_config(cfg):
    from .validation import check_float, check_positive_int

    kind = get_model_kind(cfg["model"])
    check_positive_int(cfg["epochs"], "--epochs")
    check_positive_int(cfg["batch_size"], "--batch-size")
    check_float(cfg["learning_rate"], "--learning-rate", 0.0, None, low_inclusive=False)
    check_seed(cfg["seed"], "--seed")
    if cfg["optimizer"] not in optim.OPTIMIZERS:
        raise UserError(f"--optimizer must be one of {tuple(optim.OPTIMIZERS)}, got {cfg['optimizer']!r}")
    for key in ("n_train", "n_valid"):
        if cfg.get(key) is not None:
            check_positive_int(cfg[key], "--" + key.replace("_", "-"))
    check_float(cfg["valid_fraction"], "--valid-fraction", 0.0, 1.0, high_inclusive=False)
    return kind


def _training_data(cfg, kind):
    data = load_dataset(cfg["data"])
    x, valid = data.x, data.valid_x
    if cfg.get("valid_data"):
        valid = load_dataset(cfg["valid_data"], data.image_shape).x
    elif cfg["valid_fraction"] > 0:
        n_valid = int(round(x.shape[0] * cfg["valid_fraction"]))
        if n_valid < 1 or n_valid >= x.shape[0]:
            raise UserError(f"--valid-fraction {cfg['valid_fraction']} leaves no validation or no training "
                            f"examples out of {x.shape[0]}")
        x, valid = x[:x.shape[0] - n_valid], x[x.shape[0] - n_valid:]
    if cfg.get("n_train"):
        x = x[:cfg["n_train"]]
    if valid is not None and cfg.get("n_valid"):
        valid = valid[:cfg["n_valid"]]
    unit_interval = kind.needs_unit_interval(cfg)
    try:
        check_data(x, f"the training data ({cfg['data']})", None, unit_interval)
        if valid is not None:
            check_data(valid, "the validation data", x.shape[1], unit_interval)
    except ValueError as exc:
        if unit_interval and "[0, 1]" in str(exc) and "loss" in kind.options:
            raise UserError(f"{exc}, or use --loss squared_error --decoder linear for data of any range") from exc
        raise
    if cfg["batch_size"] > x.shape[0]:
        raise UserError(f"--batch-size {cfg['batch_size']} is larger than the {x.shape[0]} training examples")
    return x, valid, data.image_shape


def cmd_train(args):
    cfg, run = _train_config(args)
    resume = args.resume is not None
    kind = _check_train_config(cfg)
    if not resume:
        if _nonempty(run) and not args.overwrite:
            raise UserError(f"{run} already holds files; continue it with --resume, pick a new --output-dir, "
                            f"or replace its run files with --overwrite")
    checkpoint = os.path.join(run, "checkpoint.npz")
    if resume and not os.path.exists(checkpoint):
        raise UserError(f"{checkpoint} not found: nothing to resume")
    backend.use(cfg["backend"])
    x, valid, image_shape = _training_data(cfg, kind)
    cfg["n_visible"] = int(x.shape[1])
    cfg["image_shape"] = None if image_shape is None else list(image_shape)
    model_config = kind.model_config(cfg)
    try:
        with config.floatX_as(cfg.get("floatX", config.floatX)):
            model = kind.build(dict(model_config, batch_size=cfg["batch_size"]),
                               numpy.random.RandomState(cfg["seed"]))
    except (TypeError, ValueError) as exc:  # the constructor's check of a combination of options
        raise UserError(f"--model {kind.name}: {exc}") from exc
    optimizer = optim.make(cfg["optimizer"], learning_rate=cfg["learning_rate"])
    # one row through cost_and_grads: the model checks its own training options (e.g. the
    # corruption level) now, before the run folder is created
    with numpy.errstate(all="ignore"):
        model.cost_and_grads(backend.asarray(x[:1], dtype=model.params[0].dtype), rng=numpy.random.RandomState(0),
                             **kind.cost_kwargs(cfg))
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))

    def on_epoch_end(trainer, metrics):
        save_model(trainer.model, os.path.join(run, "model.npz"), kind.name, model_config,
                   {"image_shape": cfg["image_shape"], "epochs_trained": trainer.epoch})
        write_json(os.path.join(run, "metrics.json"), {"model": kind.name, "epochs": trainer.history})

    trainer = Trainer(model, optimizer, batch_size=cfg["batch_size"], cost_kwargs=kind.cost_kwargs(cfg),
                      eval_kwargs=kind.eval_kwargs(cfg), seed=cfg["seed"], checkpoint_path=checkpoint,
                      progress=False if args.quiet else "auto", shuffle=cfg["shuffle"],
                      meta={"config": cfg}, model_kind=kind.name, model_config=model_config,
                      on_epoch_end=on_epoch_end, unit_interval=kind.needs_unit_interval(cfg),
                      eval_model=None if kind.eval_model is None else kind.eval_model(model))
    if resume:
        _remove_stale_temporaries(run)
        trainer.load_checkpoint(checkpoint)
        if trainer.batch == 0 and trainer.history:
            # a process killed between the checkpoint and the model file: bring them in line
            on_epoch_end(trainer, trainer.history[-1])
        if trainer.epoch >= cfg["epochs"]:
            say(f"{run} has already trained {trainer.epoch} epochs (--epochs {cfg['epochs']}): nothing to do")
            return 0
        say(f"Resuming {run} at epoch {trainer.epoch}, minibatch {trainer.batch}")
        write_json(os.path.join(run, "config.json"), cfg)
    else:
        os.makedirs(run, exist_ok=True)
        if args.overwrite:
            _clear_run(run)
        write_json(os.path.join(run, "config.json"), cfg)
        trainer.save_checkpoint()  # epoch 0, minibatch 0: --resume works from the very start
        say(f"Training {kind.name} on {cfg['data']} ({x.shape[0]} examples of {x.shape[1]} values), "
            f"run folder {run}")
    start = time.perf_counter()
    try:
        trainer.fit(x, cfg["epochs"], valid, check_values=False)  # checked above
    except TrainingInterrupted as exc:
        print(f"dae: {exc}; continue with: dae train --resume {run}", file=sys.stderr)
        return 130
    except DivergenceError as exc:
        raise UserError(f"{exc}; continue from it with: dae train --resume {run} --learning-rate "
                        f"{cfg['learning_rate'] / 10:g}") from exc
    say(f"Trained {cfg['epochs']} epochs in {time.perf_counter() - start:.1f}s; model saved to "
        f"{os.path.join(run, 'model.npz')}")
    if not args.no_plots:
        written = make_figures(run)
        say("Figures: " + ", ".join(written))
    return 0


# ----- dae encode / reconstruct ------------------------------------------------------------------------
def _model_and_data(args):
    path = _model_path(args.model)
    try:
        model, meta = load_model(path, return_meta=True)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc
    image_shape = meta.get("image_shape")
    data = load_dataset(args.data, None if image_shape is None else tuple(image_shape))
    check_data(data.x, f"DATA ({args.data})", model.n_visible if hasattr(model, "n_visible") else None)
    return model, get_model_kind(meta["model"]), data


def _write_rows(out, n_rows, compute, x, batch_size, overwrite):
    """Compute ``compute(chunk)`` for every chunk of ``x`` and stream it into the .npy ``out``,
    atomically (a temporary file beside it, renamed when complete)."""
    if not out.lower().endswith(".npy"):
        raise UserError(f"-o {out}: the output must be a .npy file")
    if os.path.exists(out) and not overwrite:
        raise UserError(f"{out} already exists; pass --overwrite to replace it")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UserError(f"-o {out}: folder {folder} does not exist")
    tmp = os.path.join(folder, f".{os.path.basename(out)}.{os.getpid()}.tmp")
    result = None
    try:
        for start in range(0, n_rows, batch_size):
            chunk = backend.to_host(compute(backend.asarray(x[start:start + batch_size])))
            if result is None:
                result = numpy.lib.format.open_memmap(tmp, mode="w+", dtype=chunk.dtype,
                                                      shape=(n_rows,) + chunk.shape[1:])
            result[start:start + chunk.shape[0]] = chunk
        result.flush()
        shape = result.shape
        del result
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return shape


def cmd_encode(args, what="encode"):
    from .validation import check_positive_int

    check_positive_int(args.batch_size, "--batch-size")
    model, kind, data = _model_and_data(args)
    fn = kind.encode if what == "encode" else kind.reconstruct
    shape = _write_rows(args.output, data.x.shape[0], lambda chunk: fn(model, chunk), data.x, args.batch_size,
                        args.overwrite)
    if not args.quiet:
        print(f"Wrote {args.output}: {'codes' if what == 'encode' else 'reconstructions'} of shape {shape}")
    return 0


def cmd_reconstruct(args):
    return cmd_encode(args, "reconstruct")


# ----- dae plot ----------------------------------------------------------------------------------------
def make_figures(run, data=None, n_examples=10):
    """Write ``run/figures/``: learning_curves.png, and filters.png + reconstructions.png when
    the data are images. Returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    from .plotting import save_image, tile_raster_images

    folder = os.path.join(run, FIGURES)
    os.makedirs(folder, exist_ok=True)
    written = []
    metrics = _read_json(os.path.join(run, "metrics.json"), "no metrics (has the run finished an epoch?)")
    epochs = metrics.get("epochs", []) if isinstance(metrics, dict) else []
    if epochs:
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        ax.plot([m["epoch"] for m in epochs], [m["train_cost"] for m in epochs], "o-", label="train")
        valid = [(m["epoch"], m["valid_cost"]) for m in epochs if m.get("valid_cost") is not None]
        if valid:
            ax.plot(*zip(*valid), "s-", label="validation")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean cost per example")
        ax.set_title(f"{metrics.get('model', 'model')}: cost per epoch")
        ax.legend()
        fig.tight_layout()
        path = os.path.join(folder, "learning_curves.png")
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    try:
        model, meta = load_model(_model_path(run), return_meta=True)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc
    kind = get_model_kind(meta["model"])
    shape = meta.get("image_shape")
    if not shape:
        return written
    shape = tuple(shape)
    hw = shape[:2]

    def tiles(rows, grid):
        rows = numpy.asarray(rows, dtype=numpy.float64)
        if len(shape) == 3:
            channels = tuple(rows[:, c::3] for c in range(3)) + (None,)
            return tile_raster_images(channels, hw, grid, (1, 1))
        return tile_raster_images(rows, hw, grid, (1, 1))

    if kind.filters is not None:
        filters = kind.filters(model)
        n = min(100, filters.shape[0])
        cols = min(10, n)
        path = os.path.join(folder, "filters.png")
        save_image(tiles(filters[:n], (-(-n // cols), cols)), path)
        written.append(path)
    if data is None:
        cfg_path = os.path.join(run, "config.json")
        cfg = _read_json(cfg_path, "no configuration") if os.path.exists(cfg_path) else {}
        data = cfg.get("data")
    if data:
        try:
            x = load_dataset(data, shape).x
        except (UserError, OSError, ValueError):
            x = None  # the data moved: the other figures still stand
        if x is not None and x.shape[1] == model.n_visible:
            sample = numpy.asarray(x[:n_examples], dtype=numpy.float32)
            recon = backend.to_host(kind.reconstruct(model, backend.asarray(sample)))
            both = numpy.concatenate([sample, recon.astype(numpy.float32)])
            path = os.path.join(folder, "reconstructions.png")
            save_image(tiles(both, (2, sample.shape[0])), path)
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


# ----- dae info ----------------------------------------------------------------------------------------
def cmd_info(args):
    path = _model_path(args.model) if os.path.isdir(args.model) else args.model
    if not os.path.exists(path):
        raise UserError(f"model file {path} not found")
    try:
        arrays, meta = read_model_meta(path)
        model = load_model(path)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc
    print(f"file:     {path} ({os.path.getsize(path)} bytes, checksum OK)")
    print(f"kind:     {'training checkpoint' if meta['kind'] == 'dae-checkpoint' else 'model'}")
    model_config = meta["config"] if meta["kind"] == "dae-model" else meta["model_config"]
    print(f"model:    {meta['model']} {json.dumps(model_config, sort_keys=True)}")
    print(f"dtype:    {meta.get('dtype')}")
    names = list(getattr(model, "param_names", [])) or [f"param{i}" for i in range(len(model.params))]
    total = 0
    for name, p in zip(names, model.params):
        total += int(p.size)
        print(f"  {name:<10s} {str(tuple(p.shape)):<14s} {p.dtype}")
    print(f"parameters: {total}")
    if meta.get("image_shape"):
        print(f"image shape: {tuple(meta['image_shape'])}")
    if meta["kind"] == "dae-model" and "epochs_trained" in meta:
        print(f"epochs trained: {meta['epochs_trained']}")
    if meta["kind"] == "dae-checkpoint":
        print(f"position: epoch {meta['epoch']}, minibatch {meta['batch']}; optimiser {meta['optimizer']['name']} "
              f"after {meta['optimizer']['t']} steps")
    return 0


# ----- the parser and main -----------------------------------------------------------------------------
def build_parser():
    parser = _Parser(prog="dae", description="Denoising autoencoders from scratch (NumPy/CuPy): train a model on "
                     "MNIST or your own data, resume it, encode and reconstruct data, plot what it learned.",
                     epilog="Run 'dae COMMAND --help' for each command's options.")
    parser.add_argument("--version", action="version", version=f"dae {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_train_parser(sub)
    for name, helptext in (("encode", "write the hidden codes of DATA to a .npy file"),
                           ("reconstruct", "write the model's reconstructions of DATA to a .npy file")):
        p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] +
                           ", chunk by chunk (a .npy DATA is memory-mapped, never read whole).")
        p.add_argument("model", metavar="MODEL", help="a model file (RUN/model.npz) or a run folder")
        p.add_argument("data", metavar="DATA", help="mnist[:train|valid|test], a .npy/.npz file or a folder of images")
        p.add_argument("-o", "--output", required=True, help="the .npy file to write")
        p.add_argument("--batch-size", type=int, default=1000, help="rows per chunk (1000)")
        p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
        p.add_argument("--quiet", action="store_true", help="print nothing but errors")
        p.set_defaults(func=cmd_encode if name == "encode" else cmd_reconstruct)
    p = sub.add_parser("plot", help="draw learning curves, filters and reconstructions into RUN/figures",
                       description="Write RUN/figures/learning_curves.png, filters.png and reconstructions.png.")
    p.add_argument("run", metavar="RUN", help="a run folder written by dae train")
    p.add_argument("--data", help="data to reconstruct (default: the run's own --data)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_plot)
    p = sub.add_parser("info", help="what a model or checkpoint file holds",
                       description="Check a model or checkpoint file (checksum) and describe what it holds.")
    p.add_argument("model", metavar="MODEL", help="a model or checkpoint file, or a run folder")
    p.set_defaults(func=cmd_info)
    from .exercises.cli import add_subparser as add_exercises_parser
    add_exercises_parser(sub)
    return parser


def _version():
    from . import __version__

    return __version__


def _one_line(exc):
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"missing entry {text}"
    return " ".join(text.split())


def main(argv=None):
    """Entry point of the ``dae`` command. Returns the exit status (0 on success)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("dae: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, TypeError, OSError, CorruptFileError, DataFileError, RuntimeError,
            MemoryError, DivergenceError) as exc:
        if os.environ.get("DAE_DEBUG"):
            raise
        print(f"dae {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("DAE_DEBUG"):
            raise
        print(f"dae {args.command}: internal error ({type(exc).__name__}): {_one_line(exc)}; "
              f"run with DAE_DEBUG=1 for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
