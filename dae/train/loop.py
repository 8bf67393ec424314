"""The one training loop: minibatches of any model under the gradient protocol, with checkpoints.

    trainer = dae.Trainer(model, dae.optim.SGD(0.1), batch_size=20,
                          cost_kwargs={"corruption_level": 0.3}, rng=model.theano_rng,
                          checkpoint=dae.train.Checkpointing("run/checkpoint.npz"))
    history = trainer.fit(train_x, epochs=15, valid_x=valid_x)

Every minibatch is sliced from ``train_x`` (a NumPy array or a ``numpy.memmap``: only that
slice is read), moved to the backend in force, and then::

    batch = augment(batch, rng)                       # optional: a new variant of the minibatch
    inputs = transform(batch)                         # optional: e.g. an SdA's lower layers
    cost, grads = model.cost_and_grads(inputs, [y,] rng=rng, **cost_kwargs)
    optimizer.learning_rate = schedule(trainer)       # optional
    optimizer.step(model.params, grads)

Every random draw of a run comes from ``rng`` (a ``numpy.random.RandomState``, or a
:class:`dae.RandomStreams` such as the tutorial dA's ``theano_rng``), in this order: the
epoch's shuffle, then per minibatch the augmentation and the model's own noise.

What the loop gives every model:

- **Per-epoch metrics** in ``history``: train cost, validation cost (``valid_x``, with
  ``eval_kwargs``, drawing from a fresh ``RandomState(0)``), seconds, examples/s, and what
  ``evaluate(trainer)`` returns (a dict).
- **Checkpoints**, written atomically after every epoch (and every ``Checkpointing.every_minutes``, and
  on Ctrl-C): parameters, optimiser state, generator state, position, history, time used,
  early-stopping state and the caller's ``meta``. :meth:`resume` restores all of it, so on the
  CPU a resumed run ends with exactly the parameters of an uninterrupted one.
- **Divergence**: a non-finite cost or gradient, or a cost more than ``Stopping.blowup`` times the
  run's first, stops training *before* the update with :class:`DivergenceError`; a run whose
  epoch cost ends more than 10 % above where it started finishes with ``trainer.warning`` set
  (and shown): the cost rose, use a smaller learning rate.
- **Interruption**: the first Ctrl-C lets the minibatch finish, saves a checkpoint and raises
  :class:`TrainingInterrupted` (a KeyboardInterrupt).
- **Budgets**: ``epochs``, a wall-time budget ``Stopping.max_minutes`` (training time only, kept across
  resumes), and :class:`~dae.train.EarlyStopping` (the tutorial's patience rule).
- **BLAS threads** (:mod:`dae.threads`): ``blas_threads="auto"`` (the default) runs a model
  whose largest product is small on one thread, where a second one gains nothing and only
  spins against other work on the cores; larger ones keep the BLAS's own count. The rule
  depends on the sizes only, so a run gives the same numbers whatever else the machine does
  (OpenBLAS's results change in the last bits with the thread count). ``"load"`` also counts
  the cores other processes keep busy (re-read every 30 s: faster on a shared machine, but the
  last bits then depend on the load); an int fixes the count, None leaves it alone.
- **Progress**: a tqdm bar on a terminal, the tutorial's ``Training epoch 0, cost 63.2...``
  lines otherwise, nothing with ``display=Display("none")``.
"""
import os
import time
import warnings

import numpy

from .. import backend, threads
from ..protocol import check_model, param_names
from ..validation import check_positive_int, check_seed
from .inputs import check_inputs
from .interrupt import DeferredInterrupt
from .options import Checkpointing, Display, Stopping
from .progress import Progress
from .checkpoint import Checkpoints
from ..divergence import CostRoseWarning, DivergenceError, advice, problem as divergence_problem
from .state import check_trainer_rng

SHUFFLES = (False, True, "batches", "examples")


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``checkpoint`` is the path saved (or None), ``epoch``/``batch``
    the position it holds."""

    def __init__(self, message, checkpoint=None, epoch=None, batch=None):
        super().__init__(message)
        self.checkpoint = checkpoint
        self.epoch = epoch
        self.batch = batch


def _callable_or_none(value, name, signature):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function {signature}, got {type(value).__name__}")
    return value


class Trainer(Checkpoints):
    """Minibatch training of ``model`` with ``optimizer`` (see the module docstring).

    - ``rng``: the run's generator (a RandomState or RandomStreams, saved in checkpoints), or an
      int seed of a new RandomState (None: an unseeded one).
    - ``cost_kwargs``: the noise levels given to ``cost_and_grads`` in training (e.g.
      ``{"corruption_level": 0.3}``); ``eval_kwargs`` those of the validation cost (default:
      the same: a noise level of the call, such as dropout, is switched off here).
    - ``shuffle``: False (minibatches in order), True or "batches" (the minibatches in a new
      order every epoch), "examples" (a new permutation of the examples every epoch);
      ``drop_last``: skip a last, smaller minibatch.
    - ``schedule(trainer) -> learning rate`` (see :mod:`dae.train.schedules`),
      ``augment(batch, rng) -> batch``, ``transform(batch) -> model input``,
      ``evaluate(trainer) -> dict`` (extra per-epoch metrics, not timed in the budget),
      ``on_epoch_end(trainer, metrics)`` (after each epoch's checkpoint).
    - ``stopping``: a :class:`~dae.train.Stopping` (time budget, early stopping, blow-up factor);
      ``checkpoint``: a :class:`~dae.train.Checkpointing` (None: no files); ``display``: a
      :class:`~dae.train.Display` (what is shown while training).
    """

    def __init__(self, model, optimizer, batch_size=20, *, rng=None, cost_kwargs=None, eval_kwargs=None,
                 eval_batch_size=1000, shuffle=False, drop_last=False, unit_interval=False,
                 schedule=None, augment=None, transform=None, evaluate=None, on_epoch_end=None,
                 stopping=None, checkpoint=None, display=None, blas_threads="auto"):
        check_model(model)
        if not hasattr(optimizer, "step") or not hasattr(optimizer, "get_state"):
            raise TypeError(f"optimizer must be a dae.optim optimiser (step, get_state, set_state), "
                            f"got {type(optimizer).__name__}")
        self.model, self.optimizer = model, optimizer
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.eval_batch_size = check_positive_int(eval_batch_size, "eval_batch_size")
        self.cost_kwargs = dict(cost_kwargs or {})
        self.eval_kwargs = dict(self.cost_kwargs if eval_kwargs is None else eval_kwargs)
        seed = rng is None or isinstance(rng, (int, numpy.integer)) and not isinstance(rng, bool)
        self.rng = numpy.random.RandomState(check_seed(rng, "rng")) if seed else check_trainer_rng(rng)
        if shuffle not in SHUFFLES:
            raise ValueError(f"shuffle must be one of {SHUFFLES}, got {shuffle!r}")
        self.shuffle = "batches" if shuffle is True else shuffle
        self.drop_last = bool(drop_last)
        self.unit_interval = bool(unit_interval)
        self.schedule = _callable_or_none(schedule, "schedule", "schedule(trainer) -> learning rate")
        self.augment = _callable_or_none(augment, "augment", "augment(batch, rng) -> batch")
        self.transform = _callable_or_none(transform, "transform", "transform(batch) -> model input")
        self.evaluate_fn = _callable_or_none(evaluate, "evaluate", "evaluate(trainer) -> dict")
        self.on_epoch_end = _callable_or_none(on_epoch_end, "on_epoch_end", "on_epoch_end(trainer, metrics)")
        self._set_options(stopping, checkpoint, display)
        self.threads = threads.LoopThreads(blas_threads)
        self.names = param_names(model)
        self._reset_position()

    def _set_options(self, stopping, checkpoint, display):
        for value, name, cls in ((stopping, "stopping", Stopping), (checkpoint, "checkpoint", Checkpointing),
                                 (display, "display", Display)):
            if value is not None and not isinstance(value, cls):
                raise TypeError(f"{name} must be a dae.train.{cls.__name__}, got {type(value).__name__}")
        self.stopping = stopping or Stopping()
        self.checkpointing = checkpoint or Checkpointing()
        self.display = display or Display()
        self.max_minutes = self.stopping.max_minutes
        self.early_stopping = self.stopping.early_stopping
        self.blowup = self.stopping.blowup
        self.checkpoint_path = self.checkpointing.path
        self.checkpoint_minutes = self.checkpointing.every_minutes
        self.meta = self.checkpointing.file_meta()

    def _reset_position(self):
        """The position and the budgets used so far (all saved in checkpoints)."""
        self.epoch = 0            # epoch in progress
        self.batch = 0            # next minibatch of that epoch
        self.steps = 0            # minibatches done in the whole run
        self.elapsed = 0.0        # training seconds used in the whole run
        self.epoch_costs = []
        self.order = None
        self.history = []
        self.first_cost = None
        self.stopped = None       # why the last fit ended before its epochs: "time", "patience"
        self.warning = None       # set by fit when the cost rose over the run
        self.trained_now = False  # whether fit ran in this session (not saved in checkpoints)
        self._planned_steps = 1
        self._run_start = None

    # ----- evaluation -----------------------------------------------------------------------
    def evaluate(self, x, y=None):
        """Mean cost over ``x`` (host array or memmap) with ``eval_kwargs``; no update."""
        rng = numpy.random.RandomState(0)
        total, n = 0.0, 0
        dtype = self.model.params[0].dtype
        with numpy.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, x.shape[0], self.eval_batch_size):
                rows = slice(start, start + self.eval_batch_size)
                part = backend.asarray(x[rows], dtype=dtype)
                if self.transform is not None:
                    part = self.transform(part)
                args = (part,) if y is None else (part, backend.xp.asarray(y[rows]))
                cost, _ = self.model.cost_and_grads(*args, rng=rng, **self.eval_kwargs)
                total += float(cost) * part.shape[0]
                n += part.shape[0]
        return total / n

    def fraction_done(self):
        """How far the run is, in [0, 1]: by time under ``max_minutes``, else by minibatches."""
        if self.max_minutes is not None:
            return (self.elapsed + self._running_seconds()) / (60.0 * self.max_minutes)
        return self.steps / self._planned_steps

    # ----- the loop --------------------------------------------------------------------------------
    def _running_seconds(self):
        return 0.0 if self._run_start is None else time.perf_counter() - self._run_start

    def _batch_order(self, n, n_batches):
        if self.order is None:
            if self.shuffle == "examples":
                self.order = self.rng.permutation(n)
            elif self.shuffle == "batches":
                self.order = self.rng.permutation(n_batches)
            else:
                self.order = numpy.arange(n_batches)
        return self.order

    def _rows(self, index, n):
        if self.shuffle == "examples":
            return self.order[index * self.batch_size:(index + 1) * self.batch_size]
        b = int(self.order[index])
        return slice(b * self.batch_size, min((b + 1) * self.batch_size, n))

    def fit(self, train_x, epochs, valid_x=None, train_y=None, valid_y=None, check_values=True):
        """Train until ``epochs`` epochs are done in all (counting those a resumed checkpoint
        already holds), the time budget is spent or early stopping ends it. Returns the history.

        ``train_x`` / ``valid_x``: arrays or memmaps (n, ...), read one minibatch at a time and
        checked first (finite, in [0, 1] with ``unit_interval``); ``check_values=False`` skips
        that pass. ``train_y`` / ``valid_y``: labels of a supervised model (its
        ``cost_and_grads(x, y, ...)``)."""
        epochs = check_positive_int(epochs, "epochs")
        train_x, valid_x = check_inputs(self.model, self.transform, self.unit_interval, train_x, valid_x,
                                        train_y, valid_y, check_values)
        self._plan(train_x.shape[0], epochs)
        progress = Progress(self.display.mode, self.display.stream, self.display.label)
        self._consistent = True
        self.stopped = None
        self.warning = None
        self.trained_now = True
        self._rng_before = None   # the generator's state before a minibatch still in progress
        self._run_start = time.perf_counter()
        self._last_save = self._run_start
        self.threads.start()
        limiter = self.threads.limit(self.model.params, self.batch_size)      # restored when fit ends
        try:
            with DeferredInterrupt() as interrupt:
                while self.epoch < epochs and self.stopped is None:
                    self._run_epoch(train_x, train_y, valid_x, valid_y, progress, interrupt)
                self._report_stop(progress)
                self._check_rise(progress)
        except KeyboardInterrupt:
            progress.close()
            if self._consistent and self._rng_before is not None:
                self.rng.set_state(self._rng_before)  # a minibatch cut short: its draws are undone
            raise self._interrupted() from None
        finally:
            progress.close()
            if limiter is not None:
                limiter.restore_original_limits()
            self.elapsed += self._running_seconds()
            self._run_start = None
        if self.early_stopping is not None:
            self.early_stopping.finish(self.model)
        return self.history

    def _plan(self, n, epochs):
        """Minibatches per epoch and in the run, checked against the data and the position."""
        if self.batch_size > n:
            raise ValueError(f"batch_size ({self.batch_size}) must be at most the number of training examples ({n})")
        n_batches = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch > n_batches:
            raise ValueError(f"the checkpoint is at minibatch {self.batch} of an epoch, but this data has {n_batches}")
        self._planned_steps = max(1, epochs * n_batches)
        self._n_batches = n_batches
        if self.early_stopping is not None:
            self.early_stopping.start(n_batches)

    def _run_epoch(self, train_x, train_y, valid_x, valid_y, progress, interrupt):
        """The rest of the epoch in progress (all of it, or up to a budget's end)."""
        n, dtype = train_x.shape[0], self.model.params[0].dtype
        self.threads.limit(self.model.params, self.batch_size)   # again, under "load"
        self._batch_order(n, self._n_batches)
        progress.start_epoch(self.epoch, self._n_batches, self.batch)
        start = time.perf_counter()
        seen, running = 0, sum(self.epoch_costs)
        while self.batch < self._n_batches:
            if interrupt.requested:
                raise KeyboardInterrupt
            self.stopped = self._budget_spent()
            if self.stopped:
                break
            self._rng_before = self.rng.get_state()
            self._consistent = True
            cost = self._step(train_x, train_y, n, dtype)
            self._rng_before = None
            seen += min(self.batch_size, n)
            running += cost
            progress.batch(running / len(self.epoch_costs), seen / max(time.perf_counter() - start, 1e-9))
            if self.checkpoint_minutes and self.checkpoint_path and \
                    time.perf_counter() - self._last_save > 60.0 * self.checkpoint_minutes:
                self.save_checkpoint()
        if self.epoch_costs:
            self._finish_epoch(valid_x, valid_y, time.perf_counter() - start, seen, progress)
        elif self.stopped:
            self._save_if_set()

    def _report_stop(self, progress):
        if self.stopped == "time":
            progress.message(f"stopped: the time budget of {self.max_minutes:g} minutes is spent")
        elif self.stopped == "patience":
            es = self.early_stopping
            progress.message(f"early stopping: patience ran out at iteration {self.steps - 1} (best "
                             f"{es.describe(es.best)} at iteration {es.best_iter})")

    def _budget_spent(self):
        if self.max_minutes is not None and self.steps > 0 and \
                self.elapsed + self._running_seconds() >= 60.0 * self.max_minutes:
            return "time"
        if self.early_stopping is not None and self.early_stopping.should_stop(self.steps - 1):
            return "patience"
        return None

    def _step(self, train_x, train_y, n, dtype):
        """One minibatch: slice, augment, transform, cost and gradients, checks, update."""
        rows = self._rows(self.batch, n)
        batch = backend.asarray(train_x[rows], dtype=dtype)
        if self.augment is not None:
            batch = self.augment(batch, self.rng)
        if self.transform is not None:
            batch = self.transform(batch)
        args = (batch,) if train_y is None else (batch, backend.xp.asarray(train_y[rows]))
        with numpy.errstate(over="ignore", invalid="ignore", divide="ignore"):
            cost, grads = self.model.cost_and_grads(*args, rng=self.rng, **self.cost_kwargs)
            problem = divergence_problem(cost, grads, self.names, self.first_cost, self.blowup)
            if problem is not None:
                self._diverged(problem)
            if self.first_cost is None:
                self.first_cost = float(cost)
            if self.schedule is not None:
                self.optimizer.learning_rate = float(self.schedule(self))
            self._consistent = False      # params half-updated until the step ends
            self.optimizer.step(self.model.params, grads)
            self.epoch_costs.append(float(cost))
            self.batch += 1
            self.steps += 1
            self._consistent = True
        return self.epoch_costs[-1]

    def _finish_epoch(self, valid_x, valid_y, seconds, seen, progress):
        for name, p in zip(self.names, self.model.params):
            if not bool(backend.xp.isfinite(p).all()):
                self._diverged(f"parameter {name} became non-finite after the last update")
        train_cost = float(numpy.mean(numpy.asarray(self.epoch_costs, dtype=numpy.float64)))
        metrics = {"epoch": self.epoch, "train_cost": train_cost,
                   "valid_cost": None if valid_x is None else self.evaluate(valid_x, valid_y),
                   "seconds": seconds, "examples_per_second": seen / max(seconds, 1e-9),
                   "minutes_used": (self.elapsed + self._running_seconds()) / 60.0}
        if self.batch < self._n_batches:
            metrics["partial"] = True     # cut short by the time budget or early stopping
        if getattr(self.optimizer, "learning_rate", None) is not None:
            metrics["learning_rate"] = float(self.optimizer.learning_rate)
        extra = {}
        if self.evaluate_fn is not None:
            extra.update(self.evaluate_fn(self) or {})
        if self.early_stopping is not None:
            best = self.early_stopping.validate(self, self.steps - 1)
            extra[self.early_stopping.key] = self.early_stopping.last
            if self.early_stopping.percent:
                metrics["percent"] = [self.early_stopping.key]     # shown as 38.5 %
            metrics["best"] = bool(best)
        if extra:
            metrics["extra"] = extra
        self.history.append(metrics)
        self.epoch += 1
        self.batch = 0
        self.epoch_costs = []
        self.order = None
        self._save_if_set()
        progress.end_epoch(metrics)
        if self.on_epoch_end is not None:
            self.on_epoch_end(self, metrics)

    def _save_if_set(self):
        if self.checkpoint_path is not None:
            self.save_checkpoint()

    def _advice(self):
        return advice(getattr(self.optimizer, "learning_rate", None), getattr(self.optimizer, "weight_decay", None))

    def _diverged(self, problem):
        where = f"; the last good checkpoint is {self.checkpoint_path}" if (
            self.checkpoint_path and os.path.exists(self.checkpoint_path)) else ""
        raise DivergenceError(
            f"training diverged at epoch {self.epoch}, minibatch {self.batch}: {problem}; {self._advice()}{where}")

    def _check_rise(self, progress):
        """A run whose epoch cost ended clearly (10 %) above where it started is no plain
        success: ``self.warning`` says so (a line on the display too), and ``fit`` returns as
        usual. Where it started: the first epoch's mean cost (10 % above it is a rise), or the
        untrained model's, the first minibatch's cost, which is a noisy start (the first steps of a
        run that then learns well often overshoot it within an epoch), so only twice it counts.
        The command line also compares the end with the cost of predicting the data's mean."""
        whole = [m for m in self.history if not m.get("partial")]
        if not whole:
            return
        last, starts = whole[-1]["train_cost"], []
        if len(whole) > 1:
            starts.append((whole[0]["train_cost"], 0.1, "the first epoch's"))
        if self.first_cost is not None:
            starts.append((self.first_cost, 1.0, "the first minibatch's"))
        rose = [(start, what) for start, margin, what in starts
                if last - start > margin * abs(start) and last - start > 1e-12]
        if not rose:
            return
        start, what = rose[0]
        self.warning = (f"warning: the training cost rose: epoch {whole[-1]['epoch']}'s {last:.6g} is above "
                        f"{what} {start:.6g}; {self._advice()}")
        if progress.mode == "none":
            warnings.warn(self.warning, CostRoseWarning, stacklevel=4)
        progress.message(self.warning)

    def _interrupted(self):
        path = None
        if self.checkpoint_path is not None and self._consistent:
            path = self.save_checkpoint()
        if path:
            where = f"; checkpoint saved to {path}"
        elif self.checkpoint_path is not None:
            where = f"; stopped inside an update, so the previous checkpoint {self.checkpoint_path} was kept"
        else:
            where = ""
        return TrainingInterrupted(f"training interrupted at epoch {self.epoch}, minibatch {self.batch}{where}",
                                   path, self.epoch, self.batch)

