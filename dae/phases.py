"""Run the phases of a recipe (``dae.recipes``) through the one training loop, resumably.

    phases = dae.recipes.deep_autoencoder_phases(model, rng, epochs=10)
    trainers, trained = run_phases(phases, train_x, folder="run", resume=False)

Each phase gets its own ``dae.train.Trainer`` and its own checkpoint in ``folder``
(``checkpoint.npz`` for the one phase of a one-phase kind, ``checkpoint_<phase>.npz`` otherwise), written at
its start, after every epoch and on Ctrl-C; a checkpoint names its model's registry kind, so
``dae.load_model`` reads it. With ``resume=True`` every phase whose checkpoint exists is
restored from it (a finished one is skipped; the one cut short continues from its epoch and
minibatch), so an SdA killed in its second layer's pretraining continues there with the first
layer's pretrained weights and the generators' states as they were.
"""
import os

from .registry import kind_of
from .train import Checkpointing, Display, Stopping, Trainer


def checkpoint_path(folder, phase):
    """``checkpoint.npz`` for a one-phase kind's phase (named "train"), else ``checkpoint_<phase>.npz``."""
    return os.path.join(folder, "checkpoint.npz" if phase.name == "train" else f"checkpoint_{phase.name}.npz")


def _checkpointing(phase, path, meta):
    """Where the phase's checkpoint goes and what names its model (when it is a registered kind)."""
    if path is None:
        return None
    try:
        kind = kind_of(phase.model)
    except TypeError:   # a model of no registered kind: its checkpoint holds the training state only
        kind = None
    return Checkpointing(path, meta=dict(meta or {}, phase=phase.name), model_kind=None if kind is None else kind.name,
                         model_config=None if kind is None else kind.config_of(phase.model))


def make_trainer(phase, path=None, *, display=None, meta=None, on_epoch_end=None):
    """The Trainer of one phase (``path``: its checkpoint, None: no checkpoints)."""
    display = display or Display()
    return Trainer(phase.model, phase.optimizer, phase.batch_size, rng=phase.rng, cost_kwargs=phase.cost_kwargs,
                   eval_kwargs=phase.eval_kwargs, shuffle=phase.shuffle,
                   drop_last=phase.drop_last, unit_interval=phase.unit_interval, schedule=phase.schedule,
                   augment=phase.augment,
                   transform=phase.transform, evaluate=phase.evaluate, on_epoch_end=on_epoch_end,
                   stopping=Stopping(max_minutes=phase.max_minutes, early_stopping=phase.early_stopping),
                   checkpoint=_checkpointing(phase, path, meta),
                   display=Display(display.mode, display.stream, phase.label))


def finished(trainer, epochs):
    """Whether a restored trainer has nothing left to do: its epochs done, or its patience spent."""
    es = trainer.early_stopping
    return trainer.epoch >= epochs or bool(trainer.stopped) or (
        es is not None and trainer.steps > 0 and es.should_stop(trainer.steps - 1))


def _fit(phase, trainer, train_x, valid_x, train_y, valid_y, check_values):
    if phase.inputs is not None:
        train_x = phase.inputs(train_x)
        valid_x = None if valid_x is None else phase.inputs(valid_x)
    labels = dict(train_y=train_y, valid_y=valid_y) if phase.supervised else {}
    try:
        trainer.fit(train_x, phase.epochs, valid_x=valid_x, check_values=check_values, **labels)
    except BaseException as exc:  # the caller's message names the phase (and its learning rate)
        exc.phase = phase
        raise


def run_phases(phases, train_x, *, valid_x=None, train_y=None, valid_y=None, folder=None, resume=False,
               display=None, meta=None, say=None, on_epoch_end=None, on_phase_end=None, check_values=True):
    """Train every phase in order; returns ({phase name: trainer}, whether any phase trained).

    ``on_epoch_end(phase, trainer, metrics)`` runs after each epoch's checkpoint, e.g. to print a
    line; ``on_phase_end(phase, trainer)`` after each phase (the best epoch's parameters restored)
    and for a phase found finished on resume, e.g. to write the whole model's file; ``meta``: what every
    checkpoint records beside the state (e.g. the run's configuration); ``check_values=False``
    skips the trainers' pass over the data (already checked by the caller)."""
    say = say or (lambda *a: None)
    trainers, fresh, trained = {}, not resume, False
    for phase in phases:
        if phase.before is not None:
            phase.before(phase.model)
        hook = None if on_epoch_end is None else (lambda t, m, phase=phase: on_epoch_end(phase, t, m))
        path = None if folder is None else checkpoint_path(folder, phase)
        trainer = trainers[phase.name] = make_trainer(phase, path, display=display, meta=meta, on_epoch_end=hook)
        if not fresh and path is not None and os.path.exists(path):
            trainer.load_checkpoint(path)
            if finished(trainer, phase.epochs):
                if on_phase_end is not None:
                    on_phase_end(phase, trainer)
                continue
            say(f"Resuming {'training' if phase.name == 'train' else phase.name} at epoch {trainer.epoch}, "
                f"minibatch {trainer.batch}")
        else:
            fresh = True  # from here on nothing is left to restore
            if path is not None:
                trainer.save_checkpoint()  # epoch 0, minibatch 0: resuming works from the very start
        trained = True
        _fit(phase, trainer, train_x, valid_x, train_y, valid_y, check_values)
        if on_phase_end is not None:
            on_phase_end(phase, trainer)
    return trainers, trained
