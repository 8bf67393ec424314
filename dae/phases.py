"""Run a model's training phases (``dae.registry``) through the one training loop, resumably.

    phases = kind.phases(model, cfg, data)
    run_phases(phases, cfg, data, folder, resume=False, on_phase_epoch=save)

Each phase gets its own ``dae.train.Trainer`` and its own checkpoint in ``folder``
(``checkpoint.npz`` when there is one phase, ``checkpoint_<phase>.npz`` otherwise), written at
its start, after every epoch and on Ctrl-C. With ``resume=True`` every phase whose checkpoint
exists is restored from it (a finished one is skipped; the one cut short continues from its
epoch and minibatch), so an SdA killed in its second layer's pretraining continues there with
the first layer's pretrained weights and the generators' states as they were.
"""
import os

import numpy

from . import optim
from .train import Trainer


def checkpoint_path(folder, phase, n_phases):
    name = "checkpoint.npz" if n_phases == 1 else f"checkpoint_{phase.name}.npz"
    return os.path.join(folder, name)


def phase_rng(phase, index, cfg):
    if phase.rng is not None:
        return phase.rng
    return numpy.random.RandomState((int(cfg["seed"]) + index) % 2 ** 32)


def make_trainer(phase, index, n_phases, cfg, data, folder, *, progress="auto", stream=None, on_epoch_end=None):
    """The Trainer of one phase (its checkpoint in ``folder``, None: no checkpoints)."""
    kwargs = dict(batch_size=cfg["batch_size"], cost_kwargs=phase.cost_kwargs, eval_kwargs=phase.eval_kwargs,
                  eval_model=phase.eval_model, rng=phase_rng(phase, index, cfg), shuffle=cfg.get("shuffle", False),
                  checkpoint_path=None if folder is None else checkpoint_path(folder, phase, n_phases),
                  progress=progress, stream=stream, meta={"config": cfg, "phase": phase.name},
                  model_kind=phase.kind, model_config=phase.config, on_epoch_end=on_epoch_end,
                  unit_interval=phase.unit_interval, label=phase.label)
    if phase.transform is not None:
        kwargs["transform"] = phase.transform
    if phase.early_stopping is not None:
        kwargs["early_stopping"] = phase.early_stopping(data)
    if phase.evaluate is not None:
        kwargs["evaluate"] = phase.evaluate(data)
    if cfg.get("max_minutes"):
        kwargs["max_minutes"] = cfg["max_minutes"]
    optimizer = optim.make(cfg["optimizer"], learning_rate=phase.learning_rate)
    return Trainer(phase.model, optimizer, **kwargs)


def finished(trainer, epochs):
    """Whether a restored trainer has nothing left to do: its epochs done, or its patience spent."""
    es = trainer.early_stopping
    return trainer.epoch >= epochs or bool(trainer.stopped) or (
        es is not None and trainer.steps > 0 and es.should_stop(trainer.steps - 1))


def run_phases(phases, cfg, data, folder, *, resume=False, progress="auto", stream=None, say=None,
               on_epoch_end=None):
    """Train every phase in order; returns ({phase name: history}, whether any phase trained).

    ``on_epoch_end(phase, trainer, metrics)`` runs after each epoch's checkpoint (and once for a
    phase found finished on resume), e.g. to write the whole model's file."""
    say = say or (lambda *a: None)
    histories = {}
    n = len(phases)
    fresh = not resume
    trained = False
    for index, phase in enumerate(phases):
        if phase.before is not None:
            phase.before(phase.model)
        hook = None if on_epoch_end is None else (lambda t, m, phase=phase: on_epoch_end(phase, t, m))
        trainer = make_trainer(phase, index, n, cfg, data, folder, progress=progress, stream=stream,
                               on_epoch_end=hook)
        path = trainer.checkpoint_path
        if not fresh and path is not None and os.path.exists(path):
            trainer.load_checkpoint(path)
            if finished(trainer, phase.epochs):
                histories[phase.name] = list(trainer.history)
                if on_epoch_end is not None and trainer.history:
                    on_epoch_end(phase, trainer, trainer.history[-1])
                continue
            say(f"Resuming {phase.name if n > 1 else 'training'} at epoch {trainer.epoch}, minibatch {trainer.batch}")
        else:
            fresh = True  # from here on nothing is left to restore
            if path is not None:
                trainer.save_checkpoint()  # epoch 0, minibatch 0: --resume works from the very start
        fit = dict(valid_x=data.valid_x, check_values=False)
        if phase.supervised:
            fit.update(train_y=data.y, valid_y=data.valid_y)
        trained = True
        try:
            histories[phase.name] = list(trainer.fit(data.x, phase.epochs, **fit))
        except BaseException as exc:  # the caller's message names the phase (and its learning rate)
            exc.phase = phase
            raise
        if on_epoch_end is not None and trainer.history:
            on_epoch_end(phase, trainer, trainer.history[-1])  # e.g. the best epoch's params, restored
    return histories, trained
