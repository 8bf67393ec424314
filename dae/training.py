"""A minibatch training loop for any model under the gradient protocol, with checkpoints.

    trainer = dae.training.Trainer(model, dae.optim.SGD(0.1), batch_size=20,
                                   cost_kwargs={"corruption_level": 0.3}, seed=123,
                                   checkpoint_path="run/checkpoint.npz")
    history = trainer.fit(train_x, epochs=15, valid_x=valid_x)

One epoch is one pass over ``train_x`` in minibatches (in order, or in a shuffled order of
minibatches with ``shuffle=True``). Each minibatch is sliced from ``train_x`` (a NumPy array
or a ``numpy.memmap``: only that slice is read) and moved to the backend in force, then::

    cost, grads = model.cost_and_grads(batch, **cost_kwargs, rng=trainer.rng)
    optimizer.step(model.params, grads)

What the loop adds to the tutorial's:

- **Per-epoch metrics** (train cost, validation cost, seconds, examples/s) in ``history``.
- **Checkpoints** after every epoch (and on Ctrl-C), written atomically through
  ``dae.io.save_arrays``: parameters, optimiser state, the corruption generator's state, the
  position (epoch, minibatch), the history and the caller's configuration.
  ``Trainer.resume(path)`` restores all of it, so on the CPU a resumed run ends with exactly
  the parameters of an uninterrupted one (same seed, bit for bit).
- **Divergence**: a non-finite cost or gradient stops training *before* the update with
  :class:`DivergenceError` naming the epoch and minibatch; the parameters in memory and the
  last checkpoint on disk are the last good ones.
- **Interruption**: the first Ctrl-C lets the current minibatch finish, saves a checkpoint at
  that minibatch and raises :class:`TrainingInterrupted` (a KeyboardInterrupt).
- **Progress**: a tqdm bar per epoch (running cost, examples/s) when stdout is a terminal, the
  tutorial's ``Training epoch 0, cost 63.2`` lines otherwise, nothing with ``progress=False``.

The model registry (``MODELS``) says, per model kind, how to build it from a configuration,
which options its constructor and its ``cost_and_grads`` take, and how to encode and
reconstruct; ``save_model`` / ``load_model`` use it to write and rebuild model files, and the
``dae`` command turns each option into a flag. The built-in kinds are ``dA`` (the tutorial's
model and its family: tied or untied weights, loss, activation, decoder, noise, sparsity,
dropout) and ``cA``. Adding a model is one call; ``cA``'s is, in short::

    register_model(ModelKind(
        name="cA",
        build=lambda cfg, rng: cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"]),
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(float, 0.1, "Jacobian penalty weight (0.1)")},
        eval_kwargs=lambda cfg: {"contraction_level": cfg["contraction_level"]},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        filters=lambda model: backend.to_host(model.W).T))
"""
import io
import json
import math
import os
import signal
import sys
import threading
import time

import numpy

from . import backend
from .io import CorruptFileError, atomic_write, save_arrays
from .validation import check_positive_int



class DivergenceError(FloatingPointError):
    """Training produced a non-finite cost or gradient (raised before the bad update)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``checkpoint`` is the path saved (or None), ``epoch``/``batch``
    the position it holds."""

    def __init__(self, message, checkpoint=None, epoch=None, batch=None):
        super().__init__(message)
        self.checkpoint = checkpoint
        self.epoch = epoch
        self.batch = batch


# ----- the model registry and the model files live in dae.registry and dae.model_files -------
from .registry import DA_FAMILY, MODELS, ModelKind, Option, get_model_kind, register_model  # noqa: E402,F401
from .model_files import (MODEL_FILE_KIND, CHECKPOINT_KIND, load_model, read_model_meta,  # noqa: E402,F401
                          save_model)
from .model_files import read_file as _load_dae_file  # noqa: E402


def _param_names(model):
    names = list(getattr(model, "param_names", None) or [])
    if len(names) != len(model.params):
        names = [f"param{i}" for i in range(len(model.params))]
    return names


def _fill_params(model, arrays, path, prefix=""):
    from .model_files import fill_arrays

    fill_arrays(dict(zip(_param_names(model), model.params)), arrays, path, prefix)


# ----- small helpers -------------------------------------------------------------------------
def write_json(path, obj):
    """JSON to ``path`` atomically (temporary file, then rename)."""
    data = (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8")
    atomic_write(path, lambda f: f.write(data))


def _rng_state_arrays(rng):
    name, keys, pos, has_gauss, cached = rng.get_state()
    return {"rng/keys": numpy.asarray(keys, dtype=numpy.uint32)}, {
        "algorithm": name, "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached)}


def _set_rng_state(rng, keys, state):
    rng.set_state((state["algorithm"], numpy.asarray(keys, dtype=numpy.uint32), int(state["pos"]),
                   int(state["has_gauss"]), float(state["cached_gaussian"])))


def check_seed(seed, name="seed"):
    """None or an int in [0, 2**32) (what numpy.random.RandomState accepts)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
        raise TypeError(f"{name} must be an integer in [0, 2**32) or None, got {seed!r} ({type(seed).__name__})")
    if not 0 <= int(seed) < 2 ** 32:
        raise ValueError(f"{name} must be in [0, 2**32), got {seed}")
    return int(seed)


def check_data(x, name, n_columns=None, unit_interval=False, chunk=4096, values=True):
    """Check a host array (or memmap) chunk by chunk, never reading it whole into memory:
    2-D float, ``n_columns`` columns, at least one row, finite, in [0, 1] when asked
    (``values=False`` checks only the shape and dtype)."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    if x.ndim != 2:
        expected = f"(n_examples, {n_columns})" if n_columns else "(n_examples, n_features)"
        raise ValueError(f"{name} must be a 2-D array of shape {expected}, got shape {tuple(x.shape)}")
    if n_columns is not None and x.shape[1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} columns (the model's n_visible), got shape {tuple(x.shape)}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one example with at least one value, got shape {tuple(x.shape)}")
    if not numpy.issubdtype(x.dtype, numpy.floating):
        raise TypeError(f"{name} must be a floating-point array, got dtype {x.dtype}; "
                        f"for 0..255 images use x.astype('float32') / 255")
    if not values:
        return x
    xp = backend.array_module(x)
    lo, hi = math.inf, -math.inf
    for start in range(0, x.shape[0], chunk):
        part = x[start:start + chunk]
        if not bool(xp.isfinite(part).all()):
            raise ValueError(f"{name} must be finite, but it holds NaN or inf (first in rows {start}..{start + len(part) - 1})")
        lo, hi = min(lo, float(part.min())), max(hi, float(part.max()))
    if unit_interval and (lo < 0.0 or hi > 1.0):
        raise ValueError(f"{name} must lie in [0, 1] for the cross-entropy, got values in [{lo:g}, {hi:g}]; "
                         f"scale it (e.g. x / 255)")
    return x


class _DeferredInterrupt:
    """While active (main thread only), the first SIGINT sets a flag instead of raising; a
    second one raises KeyboardInterrupt at once."""

    def __init__(self):
        self.requested = False
        self._old = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except ValueError:
                self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


# ----- progress --------------------------------------------------------------------------------
def _terminal_size(stream):
    """(columns, lines) of the terminal behind ``stream``, with sane values when it reports none."""
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        columns, lines = 0, 0
    return (columns if columns >= 40 else 100), (lines if lines >= 2 else 24)


class _Progress:
    """A tqdm bar per epoch on a terminal, plain lines otherwise, nothing when quiet."""

    def __init__(self, mode, stream=None):
        self.stream = stream or sys.stdout
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "plain"
        if mode == "bar":
            try:
                import tqdm  # noqa: F401
            except ImportError:
                mode = "plain"
        self.mode = mode
        self.bar = None
        self._last = 0.0

    def start_epoch(self, epoch, n_batches, done):
        if self.mode == "bar":
            from tqdm import tqdm

            columns, lines = _terminal_size(self.stream)
            self.bar = tqdm(total=n_batches, initial=done, desc=f"epoch {epoch}", unit="batch",
                            file=self.stream, leave=True, ncols=columns, nrows=lines)
            self._last = 0.0

    def batch(self, running_cost, examples_per_second):
        if self.bar is not None:
            self.bar.update(1)
            now = time.perf_counter()
            if now - self._last > 0.25:
                self._last = now
                self.bar.set_postfix({"cost": f"{running_cost:.4f}", "ex/s": f"{examples_per_second:.0f}"},
                                     refresh=False)

    def end_epoch(self, metrics):
        line = f"Training epoch {metrics['epoch']}, cost {metrics['train_cost']}"
        if metrics.get("valid_cost") is not None:
            line += f", validation cost {metrics['valid_cost']}"
        if self.bar is not None:
            postfix = {"cost": f"{metrics['train_cost']:.4f}", "ex/s": f"{metrics['examples_per_second']:.0f}"}
            if metrics.get("valid_cost") is not None:
                postfix["valid"] = f"{metrics['valid_cost']:.4f}"
            self.bar.set_postfix(postfix, refresh=True)
            self.bar.close()
            self.bar = None
        elif self.mode == "plain":
            print(line, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# ----- the trainer -------------------------------------------------------------------------------
class Trainer:
    """Minibatch training of ``model`` with ``optimizer`` (see the module docstring).

    - ``cost_kwargs``: passed to ``model.cost_and_grads`` in training (e.g. corruption_level).
    - ``eval_kwargs``: passed for the validation cost (default: ``cost_kwargs``); the
      validation draws come from a fresh ``RandomState(0)`` each time, never from ``rng``.
    - ``seed`` / ``rng``: the trainer's own ``numpy.random.RandomState`` for the corruption
      (and the minibatch order when ``shuffle``); saved in every checkpoint.
    - ``checkpoint_path``: where checkpoints go (None: no checkpoints).
    - ``progress``: "auto" (bar on a terminal, plain lines otherwise), "bar", "plain" or False;
      ``quiet=True`` is the same as ``progress=False``.
    - ``meta``: a JSON-able dict stored in every checkpoint (e.g. the run's configuration).
    - ``on_epoch_end(trainer, metrics)``: called after each epoch's checkpoint.
    - ``model_kind`` / ``model_config``: the registry name and constructor configuration of
      the model, stored in checkpoints so that :func:`load_model` can rebuild it from one.
    - ``eval_model``: the model whose ``cost_and_grads`` gives the validation cost, sharing
      ``model``'s parameters (e.g. the same dA without dropout); default ``model``.
    """

    def __init__(self, model, optimizer, batch_size=20, cost_kwargs=None, eval_kwargs=None, seed=None,
                 rng=None, checkpoint_path=None, progress="auto", shuffle=False, meta=None,
                 on_epoch_end=None, stream=None, eval_batch_size=1000, unit_interval=False,
                 model_kind=None, model_config=None, quiet=False, eval_model=None):
        if not hasattr(model, "params") or not hasattr(model, "cost_and_grads"):
            raise TypeError("model must follow the gradient protocol: a params list and cost_and_grads(...)")
        if not hasattr(optimizer, "step") or not hasattr(optimizer, "get_state"):
            raise TypeError(f"optimizer must be a dae.optim optimiser (step, get_state, set_state), "
                            f"got {type(optimizer).__name__}")
        if eval_model is not None and not hasattr(eval_model, "cost_and_grads"):
            raise TypeError("eval_model must follow the gradient protocol: cost_and_grads(...)")
        self.model = model
        self.eval_model = model if eval_model is None else eval_model
        self.optimizer = optimizer
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.eval_batch_size = check_positive_int(eval_batch_size, "eval_batch_size")
        self.cost_kwargs = dict(cost_kwargs or {})
        self.eval_kwargs = dict(self.cost_kwargs if eval_kwargs is None else eval_kwargs)
        if rng is not None and seed is not None:
            raise ValueError("give either seed or rng, not both")
        if rng is None:
            rng = numpy.random.RandomState(check_seed(seed))
        if not isinstance(rng, numpy.random.RandomState):
            raise TypeError(f"rng must be a numpy.random.RandomState (its state goes into checkpoints), "
                            f"got {type(rng).__name__}")
        self.rng = rng
        self.checkpoint_path = None if checkpoint_path is None else os.fspath(checkpoint_path)
        if progress not in ("auto", "bar", "plain", False, None, "none"):
            raise ValueError(f"progress must be 'auto', 'bar', 'plain' or False, got {progress!r}")
        self.progress = False if quiet or progress in (None, "none") else progress
        self.shuffle = bool(shuffle)
        self.meta = dict(meta or {})
        if model_kind is not None:
            get_model_kind(model_kind)
            self.meta["model"] = model_kind
            self.meta["model_config"] = dict(model_config or {})
        self.on_epoch_end = on_epoch_end
        self.stream = stream
        self.unit_interval = bool(unit_interval)
        self.names = _param_names(model)
        # the position: epoch in progress, next minibatch, costs of this epoch so far
        self.epoch = 0
        self.batch = 0
        self.epoch_costs = []
        self.order = None
        self.history = []

    # ----- checkpoints ------------------------------------------------------------------------
    def state_arrays(self):
        """(arrays, meta) describing the whole training state."""
        arrays = {f"param/{n}": p for n, p in zip(self.names, self.model.params)}
        opt = self.optimizer.get_state()
        for i, s in enumerate(opt["state"]):
            arrays[f"opt/{i}"] = s
        rng_arrays, rng_meta = _rng_state_arrays(self.rng)
        arrays.update(rng_arrays)
        arrays["epoch_costs"] = numpy.asarray(self.epoch_costs, dtype=numpy.float64)
        if self.order is not None:
            arrays["order"] = numpy.asarray(self.order, dtype=numpy.int64)
        meta = dict(self.meta)
        meta.update({
            "kind": CHECKPOINT_KIND, "epoch": self.epoch, "batch": self.batch, "history": self.history,
            "optimizer": {"name": type(self.optimizer).__name__, "t": int(opt["t"]), "n_state": len(opt["state"])},
            "rng": rng_meta, "dtype": str(self.model.params[0].dtype),
        })
        return arrays, meta

    def save_checkpoint(self, path=None):
        """Write the training state to ``path`` (default ``checkpoint_path``) atomically."""
        path = self.checkpoint_path if path is None else os.fspath(path)
        if path is None:
            raise ValueError("no checkpoint path: give one here or as Trainer(checkpoint_path=...)")
        arrays, meta = self.state_arrays()
        save_arrays(path, arrays, meta)
        return path

    def load_checkpoint(self, path):
        """Restore parameters, optimiser, generator, position and history from ``path``."""
        path = os.fspath(path)
        arrays, meta = _load_dae_file(path)
        return self.restore_state(arrays, meta, path)

    def restore_state(self, arrays, meta, path="the saved state"):
        """Restore what :meth:`state_arrays` returned (``load_checkpoint`` reads it from a file)."""
        if meta.get("kind") != CHECKPOINT_KIND:
            raise CorruptFileError(f"{path} is not a dae training checkpoint (kind {meta.get('kind')!r})")
        try:
            _fill_params(self.model, arrays, path, prefix="param/")
            opt = meta["optimizer"]
            if opt["name"] != type(self.optimizer).__name__:
                raise ValueError(f"{path} was written with the {opt['name']} optimiser, not {type(self.optimizer).__name__}")
            self.optimizer.set_state({"t": opt["t"], "state": [arrays[f"opt/{i}"] for i in range(opt["n_state"])]},
                                     self.model.params)
            _set_rng_state(self.rng, arrays["rng/keys"], meta["rng"])
            self.epoch, self.batch = int(meta["epoch"]), int(meta["batch"])
            self.epoch_costs = [float(c) for c in arrays["epoch_costs"]]
            self.order = arrays["order"] if "order" in arrays else None
            self.history = list(meta["history"])
        except KeyError as exc:
            raise CorruptFileError(f"{path} is missing checkpoint entry {exc}") from exc
        return meta

    # ----- evaluation -----------------------------------------------------------------------
    def evaluate(self, x):
        """Mean cost over ``x`` (host array or memmap) with ``eval_kwargs``; no update."""
        rng = numpy.random.RandomState(0)
        total, n = 0.0, 0
        with numpy.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, x.shape[0], self.eval_batch_size):
                part = backend.asarray(x[start:start + self.eval_batch_size], dtype=self.model.params[0].dtype)
                cost, _ = self.eval_model.cost_and_grads(part, rng=rng, **self.eval_kwargs)
                total += float(cost) * part.shape[0]
                n += part.shape[0]
        return total / n

    # ----- the loop --------------------------------------------------------------------------------
    def _batch_order(self, n_batches):
        if self.order is None or len(self.order) != n_batches:
            self.order = self.rng.permutation(n_batches) if self.shuffle else numpy.arange(n_batches)
        return self.order

    def _check_finite(self, cost, grads):
        """Non-finite cost or gradient -> a description, else None (one device sync)."""
        xp = backend.xp
        total = xp.asarray(cost, dtype=xp.float64).copy()
        for g in grads:
            total = total + g.sum(dtype=xp.float64)
        if math.isfinite(float(total)):
            return None
        if not math.isfinite(float(cost)):
            return f"the cost is {float(cost)}"
        for name, g in zip(self.names, grads):
            if not bool(xp.isfinite(g).all()):
                return f"the gradient of {name} is not finite"
        return "the gradients are too large to add up (overflow)"

    def fit(self, train_x, epochs, valid_x=None, check_values=True):
        """Train until ``epochs`` epochs are done in all (counting those a resumed checkpoint
        already holds). Returns the history: one dict of metrics per epoch.

        ``train_x`` / ``valid_x``: NumPy arrays or memmaps (n, n_visible), read one minibatch at
        a time. They are checked first (finite, in [0, 1] with ``unit_interval``) in one pass
        of chunks; ``check_values=False`` skips that pass for data the caller has checked."""
        epochs = check_positive_int(epochs, "epochs")
        n_visible = getattr(self.model, "n_visible", None)
        if not hasattr(train_x, "shape") or not hasattr(train_x, "ndim"):
            raise TypeError(f"train_x must be an array, got {type(train_x).__name__}")
        if backend.array_module(train_x) is not numpy:
            train_x = backend.to_host(train_x)
        check_data(train_x, "train_x", n_visible, self.unit_interval, values=check_values)
        if valid_x is not None:
            if backend.array_module(valid_x) is not numpy:
                valid_x = backend.to_host(valid_x)
            check_data(valid_x, "valid_x", train_x.shape[1], self.unit_interval, values=check_values)
        n = train_x.shape[0]
        if self.batch_size > n:
            raise ValueError(f"batch_size ({self.batch_size}) must be at most the number of training examples ({n})")
        n_batches = -(-n // self.batch_size)
        if self.batch > n_batches:
            raise ValueError(f"the checkpoint is at minibatch {self.batch} of an epoch, but this data has {n_batches}")
        progress = _Progress(self.progress or "none", self.stream)
        self._consistent = True
        rng_before = None   # the generator's state before a minibatch still in progress
        dtype = self.model.params[0].dtype
        try:
            with _DeferredInterrupt() as interrupt:
                while self.epoch < epochs:
                    order = self._batch_order(n_batches)
                    progress.start_epoch(self.epoch, n_batches, self.batch)
                    start = time.perf_counter()
                    seen, running = 0, sum(self.epoch_costs)
                    while self.batch < n_batches:
                        if interrupt.requested:
                            raise KeyboardInterrupt
                        index = int(order[self.batch])
                        rng_before = self.rng.get_state()
                        self._consistent = True
                        batch = backend.asarray(train_x[index * self.batch_size:(index + 1) * self.batch_size], dtype=dtype)
                        with numpy.errstate(over="ignore", invalid="ignore", divide="ignore"):
                            cost, grads = self.model.cost_and_grads(batch, rng=self.rng, **self.cost_kwargs)
                            problem = self._check_finite(cost, grads)
                            if problem is not None:
                                self._diverged(problem)
                            self._consistent = False      # params half-updated until the step ends
                            self.optimizer.step(self.model.params, grads)
                            self.epoch_costs.append(float(cost))
                            self.batch += 1
                            self._consistent = True
                            rng_before = None
                        seen += batch.shape[0]
                        running += self.epoch_costs[-1]
                        progress.batch(running / len(self.epoch_costs),
                                       seen / max(time.perf_counter() - start, 1e-9))
                    self._finish_epoch(valid_x, time.perf_counter() - start, seen, progress)
        except KeyboardInterrupt:
            progress.close()
            if self._consistent and rng_before is not None:
                self.rng.set_state(rng_before)  # a minibatch cut short: its draws are undone
            raise self._interrupted() from None
        finally:
            progress.close()
        return self.history

    def _finish_epoch(self, valid_x, seconds, seen, progress):
        for name, p in zip(self.names, self.model.params):
            if not bool(backend.xp.isfinite(p).all()):
                self._diverged(f"parameter {name} became non-finite after the last update")
        train_cost = float(numpy.mean(numpy.asarray(self.epoch_costs, dtype=numpy.float64)))
        metrics = {"epoch": self.epoch, "train_cost": train_cost,
                   "valid_cost": None if valid_x is None else self.evaluate(valid_x),
                   "seconds": seconds, "examples_per_second": seen / max(seconds, 1e-9)}
        self.history.append(metrics)
        self.epoch += 1
        self.batch = 0
        self.epoch_costs = []
        self.order = None
        if self.checkpoint_path is not None:
            self.save_checkpoint()
        progress.end_epoch(metrics)
        if self.on_epoch_end is not None:
            self.on_epoch_end(self, metrics)

    def _diverged(self, problem):
        lr = getattr(self.optimizer, "learning_rate", None)
        hint = f" (now {lr:g}; try {lr / 10:g})" if isinstance(lr, float) else ""
        where = f"; the last good checkpoint is {self.checkpoint_path}" if (
            self.checkpoint_path and os.path.exists(self.checkpoint_path)) else ""
        raise DivergenceError(
            f"training diverged at epoch {self.epoch}, minibatch {self.batch}: {problem}; "
            f"use a smaller learning rate{hint}{where}")

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
