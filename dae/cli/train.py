"""``dae train``: every registered model on MNIST or the user's data, resumable.

A run folder holds ``config.json`` (the exact configuration), the training state (one
checkpoint per phase: ``checkpoint.npz``, or ``checkpoint_pretrain0.npz`` ...
``checkpoint_finetune.npz`` for the SdA and the deep autoencoder; rewritten atomically after
every epoch and on Ctrl-C), ``model.npz`` (the whole model, ``dae.load_model``),
``metrics.json`` (per-epoch costs of every phase) and ``figures/``. A run folder that already
holds files is never overwritten unless ``--resume`` or ``--overwrite`` is given.
"""
import argparse
import contextlib
import glob
import os
import shutil
import sys
import time
import warnings

import numpy

from .. import backend, config
from ..divergence import advice
from ..io import load_arrays
from ..model_files import save_model
from ..phases import run_phases
from ..train import CostRoseWarning, Display, DivergenceError, TrainingInterrupted
from ..validation import check_data
from .common import FIGURES, RUN_FILES, UserError, write_json
from .datasets import load_dataset, load_labels
from .figures import make_figures
from .run_checks import (check_checkpoint_shapes, check_same_data, data_fingerprint, first_checkpoint,
                         mean_prediction_cost, stuck_above)
from .train_config import EXAMPLES, add_flags, check_train_config, train_config


def add_parser(sub):
    p = sub.add_parser(
        "train", help="train a model; writes a run folder (config, checkpoints, model, metrics, figures)",
        description="Train one of dae's models on MNIST, a .npy/.npz file or a folder of images.\n"
                    "The run folder (--output-dir) gets config.json, checkpoints (every epoch),\n"
                    "model.npz, metrics.json and figures/. Interrupt with Ctrl-C; continue with --resume.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    add_flags(p)
    p.set_defaults(func=cmd_train)
    return p


# ----- the data ------------------------------------------------------------------------------------
def training_data(cfg, kind):
    """The Dataset a run trains on (split, sliced, labelled, checked)."""
    if cfg.get("valid_labels") and not cfg.get("valid_data"):
        raise UserError("--valid-labels applies with --valid-data only (the labels of that validation set)")
    data = load_dataset(cfg["data"])
    x, valid, y, valid_y = data.x, data.valid_x, data.y, data.valid_y
    if cfg.get("labels"):
        y = load_labels(cfg["labels"], x.shape[0])
    if cfg.get("valid_data"):
        valid = load_dataset(cfg["valid_data"], data.image_shape).x
        valid_y = load_labels(cfg["valid_labels"], valid.shape[0], "--valid-labels") if cfg.get("valid_labels") else None
    elif cfg["valid_fraction"] > 0:
        n_valid = int(round(x.shape[0] * cfg["valid_fraction"]))
        if n_valid < 1 or n_valid >= x.shape[0]:
            raise UserError(f"--valid-fraction {cfg['valid_fraction']} leaves no validation or no training "
                            f"examples out of {x.shape[0]}")
        cut = x.shape[0] - n_valid
        x, valid = x[:cut], x[cut:]
        if y is not None:
            y, valid_y = y[:cut], y[cut:]
    if cfg.get("n_train"):
        x = x[:cfg["n_train"]]
        y = None if y is None else y[:cfg["n_train"]]
    if valid is None and cfg.get("n_valid"):
        raise UserError(f"--n-valid {cfg['n_valid']} needs validation data: give --valid-fraction F or --valid-data "
                        f"FILE (mnist has its own), or leave --n-valid out")
    if valid is not None and cfg.get("n_valid"):
        valid = valid[:cfg["n_valid"]]
        valid_y = None if valid_y is None else valid_y[:cfg["n_valid"]]
    _check_values(x, valid, cfg, kind)
    if cfg.get("patience") is not None and valid is None:
        raise UserError(f"--patience {cfg['patience']} needs validation data (early stopping watches the validation "
                        f"error): give --valid-fraction F or --valid-data FILE, or leave --patience out")
    if kind.needs_labels:
        if y is None:
            raise UserError(f"--model {kind.name} learns from labels: give --labels FILE.npy (one integer per "
                            f"example of --data), or use --data mnist")
        if valid is not None and valid_y is None:
            raise UserError("the validation data has no labels: give --valid-labels FILE.npy with --valid-data")
    if cfg["batch_size"] > x.shape[0]:
        raise UserError(f"--batch-size {cfg['batch_size']} is larger than the {x.shape[0]} training examples")
    data.x, data.valid_x, data.y, data.valid_y = x, valid, y, valid_y
    return data


def _check_values(x, valid, cfg, kind):
    """Finite values, in [0, 1] where the kind needs it; then the error names the flags that lift the need."""
    unit_interval = kind.unit_interval(cfg)
    for data, name, columns in ((x, f"the training data ({cfg['data']})", None),
                                (valid, "the validation data", x.shape[1])):
        if data is None:
            continue
        try:
            check_data(data, name, columns, unit_interval)
        except ValueError as exc:
            if not (unit_interval and kind.unit_interval_hint):
                raise
            check_data(data, name, columns)  # raises the error again when it was not the range
            raise UserError(f"{exc}, or use {kind.unit_interval_hint} for data of any range") from exc


# ----- the run folder ----------------------------------------------------------------------------
def _nonempty(folder):
    return os.path.isdir(folder) and any(True for _ in os.scandir(folder))


def _clear_run(folder):
    """--overwrite: remove the files a run writes (and nothing else)."""
    for path in [os.path.join(folder, name) for name in RUN_FILES] + glob.glob(os.path.join(folder, "checkpoint_*.npz")):
        if os.path.exists(path):
            os.remove(path)
    figures = os.path.join(folder, FIGURES)
    if os.path.islink(figures):
        os.unlink(figures)            # a planted link: removed, its target left alone
    elif os.path.isdir(figures):
        shutil.rmtree(figures)


def _remove_stale_temporaries(folder):
    """Temporary files left by a process killed while writing (the targets are intact)."""
    for path in glob.glob(os.path.join(folder, ".*.tmp")):
        with contextlib.suppress(OSError):  # already gone, or not ours to remove: nothing to do
            os.remove(path)


# ----- dae train -------------------------------------------------------------------------------------
def _precheck(phases, data):
    """One row through each phase's cost: the models check their training options (e.g. the
    corruption level) now, before the run folder is created."""
    with numpy.errstate(all="ignore"):
        for phase in phases:
            x = numpy.asarray(data.x[:1])
            if phase.inputs is not None:
                x = phase.inputs(x)
            x = backend.asarray(x, dtype=phase.model.params[0].dtype)
            if phase.transform is not None:
                x = phase.transform(x)
            args = (x, backend.xp.asarray(numpy.asarray(data.y[:1]))) if phase.supervised else (x,)
            phase.model.cost_and_grads(*args, rng=numpy.random.RandomState(0), **phase.cost_kwargs)


def _check_run_folder(run, resume, overwrite):
    if not resume and _nonempty(run) and not overwrite:
        raise UserError(f"{run} already holds files; continue it with --resume, pick a new --output-dir, "
                        f"or replace its run files with --overwrite")
    if resume and not first_checkpoint(run):
        raise UserError(f"{os.path.join(run, 'checkpoint.npz')} not found: nothing to resume")


def run_model_config(cfg, kind, data):
    """The model's constructor configuration; the data's sizes go into ``cfg``."""
    cfg["n_visible"] = int(data.x.shape[1])
    cfg["image_shape"] = None if data.image_shape is None else list(data.image_shape)
    if kind.needs_labels and cfg.get("n_outs") is None:
        cfg["n_outs"] = int(max(numpy.max(data.y), -1 if data.valid_y is None else numpy.max(data.valid_y))) + 1
    try:
        return kind.model_config(cfg)
    except (TypeError, ValueError) as exc:
        raise UserError(f"--model {kind.name}: {exc}") from exc


def build_run_model(cfg, kind, data, model_config):
    """The run's model, built from its constructor configuration (``run_model_config``)."""
    try:
        with config.floatX_as(cfg.get("floatX", config.floatX)):
            model = kind.build(model_config, numpy.random.RandomState(cfg["seed"]))
    except (TypeError, ValueError) as exc:  # the constructor's check of a combination of options
        raise UserError(f"--model {kind.name}: {exc}") from exc
    if kind.to_model is not None:
        data.x = kind.to_model(numpy.asarray(data.x), model)
        if data.valid_x is not None:
            data.valid_x = kind.to_model(numpy.asarray(data.valid_x), model)
    return model, model_config


def _start_run_folder(run, cfg, resume, overwrite):
    if resume:
        _remove_stale_temporaries(run)
    else:
        os.makedirs(run, exist_ok=True)
        if overwrite:
            _clear_run(run)
    write_json(os.path.join(run, "config.json"), cfg)


def _file_writer(run, cfg, kind, model, model_config):
    """write(phase, trainer, metrics=None): the whole model's file and the metrics of every phase
    (with the warning of a phase whose cost rose)."""
    histories, warnings = {}, {}

    def write(phase, trainer, metrics=None):
        if not trainer.history:
            return
        histories[phase.name] = list(trainer.history)
        if trainer.warning:
            warnings[phase.name] = trainer.warning
        save_model(model, os.path.join(run, "model.npz"), kind.name, model_config,
                   {"image_shape": cfg["image_shape"], "epochs_trained": trainer.epoch, "phase": phase.name})
        write_json(os.path.join(run, "metrics.json"), {
            "model": kind.name, "epochs": trainer.history,
            "phases": [{"phase": name, "epochs": h} for name, h in histories.items()],
            "warnings": [{"phase": name, "warning": w} for name, w in warnings.items()]})
    return write


def _mean_check(cfg, kind, data, say):
    """on_phase_end's first step: a cross-entropy phase on the run's own data, trained this session,
    whose cost ended above what predicting the data's mean costs and stopped falling gets the
    warning (``trainer.warning``, which metrics.json records)."""
    baseline = []
    applies = kind.unit_interval(cfg) and cfg.get("loss", "cross_entropy") == "cross_entropy"

    def check(phase, trainer):
        if not (applies and trainer.warning is None and trainer.trained_now and phase.unit_interval
                and phase.inputs is None and phase.transform is None and not phase.supervised):
            return
        if not baseline:
            baseline.append(mean_prediction_cost(data.x))
        if stuck_above(trainer.history, trainer.first_cost, baseline[0]):
            last = [m for m in trainer.history if not m.get("partial")][-1]["train_cost"]
            trainer.warning = (f"warning: the training cost {last:.6g} ended above what predicting the data's "
                               f"mean costs ({baseline[0]:.6g}) and stopped falling: the model learned nothing "
                               f"more; {advice(phase.learning_rate)}")
            say(trainer.warning)
    return check


def epochs_line(done, before, seconds):
    """``Trained 1 epoch in 0.1s``; after a resume ``Trained epochs 3-3 (1 this session) in 0.1s``."""
    session = done - before
    if before == 0:
        return f"Trained {done} epoch{'s' if done != 1 else ''} in {seconds:.1f}s"
    return f"Trained epochs {before + 1}-{done} ({session} this session) in {seconds:.1f}s"


def _diverged(exc, cfg, run, n_phases):
    """The divergence error, with the flag and rate to continue from it."""
    phase = getattr(exc, "phase", None)
    which = "--pretrain-lr" if phase is not None and phase.name.startswith("pretrain") else "--learning-rate"
    rate = cfg["learning_rate"] if phase is None or phase.learning_rate is None else phase.learning_rate
    where = f" (in {phase.name})" if phase is not None and n_phases > 1 else ""
    return UserError(f"{exc}{where}; continue from it with: dae train --resume {run} {which} {rate / 10:g}")


def _prepare(args):
    """Everything checked before the run folder is touched: (cfg, run, resume, kind, data, model, model_config)."""
    cfg, run = train_config(args)
    resume = args.resume is not None
    kind = check_train_config(cfg)
    _check_run_folder(run, resume, args.overwrite)
    if args.force_data and not resume:
        raise UserError("--force-data applies with --resume only (it continues a run on data that changed)")
    backend.use(cfg["backend"])
    data = training_data(cfg, kind)
    fingerprint = check_same_data(cfg, data, run, args.force_data) if resume else data_fingerprint(data)
    model_config = run_model_config(cfg, kind, data)
    if resume:
        check_checkpoint_shapes(run, kind, model_config)
    cfg["data_fingerprint"] = fingerprint
    if args.plots or args.no_plots or not resume:
        cfg["no_plots"] = bool(args.no_plots)
    model, model_config = build_run_model(cfg, kind, data, model_config)
    return cfg, run, resume, kind, data, model, model_config


def _epochs_before(run, phases):
    """Epochs the run's last phase held in its checkpoint before this session (0 for a new run)."""
    path = os.path.join(run, "checkpoint.npz" if phases[-1].name == "train" else f"checkpoint_{phases[-1].name}.npz")
    if not os.path.exists(path):
        return 0
    return int(load_arrays(path)[1].get("epoch", 0))


def cmd_train(args):
    cfg, run, resume, kind, data, model, model_config = _prepare(args)
    phases = kind.phases(model, cfg, data)
    _precheck(phases, data)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    before = _epochs_before(run, phases) if resume else 0
    _start_run_folder(run, cfg, resume, args.overwrite)
    if not resume:
        say(f"Training {kind.name} on {cfg['data']} ({data.x.shape[0]} examples of {data.x.shape[1]} values), "
            f"run folder {run}")
    start, write = time.perf_counter(), _file_writer(run, cfg, kind, model, model_config)
    mean_check = _mean_check(cfg, kind, data, say)

    def end_phase(phase, trainer):
        mean_check(phase, trainer)
        write(phase, trainer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CostRoseWarning)     # said below, once, in the run's words
            trainers, trained = run_phases(
                phases, data.x, valid_x=data.valid_x, train_y=data.y, valid_y=data.valid_y, folder=run,
                resume=resume, display=Display("none" if args.quiet else "auto"), meta={"config": cfg}, say=say,
                on_epoch_end=write, on_phase_end=end_phase, check_values=False)
    except TrainingInterrupted as exc:
        print(f"dae: {exc}; continue with: dae train --resume {run}", file=sys.stderr)
        return 130
    except DivergenceError as exc:
        raise _diverged(exc, cfg, run, len(phases)) from exc
    done = len(list(trainers.values())[-1].history) if trainers else 0
    if not trained:
        say(f"{run} has already trained {done} epoch{'s' if done != 1 else ''} (--epochs {cfg['epochs']}): "
            f"nothing to do")
        return 0
    rose = [t.warning for t in trainers.values() if t.warning]
    if rose and args.quiet:
        print(f"dae: {rose[-1]}", file=sys.stderr)
    say(f"{epochs_line(done, before, time.perf_counter() - start)}{' (see the warning above)' if rose else ''}"
        f"; model saved to {os.path.join(run, 'model.npz')}")
    if not cfg.get("no_plots"):
        say("Figures: " + ", ".join(make_figures(run)))
    return 0
