"""The trainer's checkpoints: its whole state as named arrays plus JSON, written atomically and
read back (``Trainer.save_checkpoint``, ``resume``, ``load_checkpoint``).

A checkpoint holds the parameters (``param/NAME``), the optimiser's state (``opt/i``), the run's
generator (:mod:`dae.train.state`), the position (epoch, minibatch, steps, the epoch's order and
costs so far), the history, the training time used, the first minibatch's cost (the blow-up
check's reference), the early-stopping state, and the caller's ``meta`` (e.g. ``model`` and
``model_config``, so that ``dae.load_model`` rebuilds the model from it).
"""
import os
import time

import numpy

from ..io import CorruptFileError, check_values, fill_arrays, load_arrays, save_arrays
from .state import rng_state, set_rng_state

CHECKPOINT_KIND = "dae-checkpoint"


class Checkpoints:
    """What :class:`dae.train.Trainer` saves and restores (mixed into it)."""

    def state_arrays(self):
        """(arrays, meta) describing the whole training state."""
        arrays = {f"param/{n}": p for n, p in zip(self.names, self.model.params)}
        opt = self.optimizer.get_state()
        for i, s in enumerate(opt["state"]):
            arrays[f"opt/{i}"] = s
        rng_arrays, rng_meta = rng_state(self.rng)
        arrays.update(rng_arrays)
        arrays["epoch_costs"] = numpy.asarray(self.epoch_costs, dtype=numpy.float64)
        if self.order is not None:
            arrays["order"] = numpy.asarray(self.order, dtype=numpy.int64)
        meta = dict(self.meta)
        meta.update({
            "kind": CHECKPOINT_KIND, "epoch": self.epoch, "batch": self.batch, "history": self.history,
            "steps": self.steps, "elapsed": self.elapsed + self._running_seconds(), "first_cost": self.first_cost,
            "optimizer": {"name": type(self.optimizer).__name__, "t": int(opt["t"]), "n_state": len(opt["state"])},
            "rng": rng_meta, "dtype": str(self.model.params[0].dtype),
        })
        if self.early_stopping is not None:
            es_arrays, meta["early_stopping"] = self.early_stopping.get_state()
            arrays.update({f"early_stopping/{k}": v for k, v in es_arrays.items()})
        return arrays, meta

    def save_checkpoint(self, path=None):
        """Write the training state to ``path`` (default ``checkpoint_path``) atomically."""
        path = self.checkpoint_path if path is None else os.fspath(path)
        if path is None:
            raise ValueError("no checkpoint path: give one here or as Trainer(checkpoint=Checkpointing(path))")
        arrays, meta = self.state_arrays()
        save_arrays(path, arrays, meta)
        self._last_save = time.perf_counter()
        return path

    def resume(self, path=None):
        """Restore the checkpoint at ``path`` (default ``checkpoint_path``) if there is one.
        Returns True when it did (``fit`` then goes on from there), False when there is none."""
        path = self.checkpoint_path if path is None else os.fspath(path)
        if path is None or not os.path.exists(path):
            return False
        self.load_checkpoint(path)
        return True

    def load_checkpoint(self, path):
        """Restore parameters, optimiser, generator, position and history from ``path``."""
        path = os.fspath(path)
        arrays, meta = load_arrays(path)
        return self.restore_state(arrays, meta, path)

    def _restore_optimizer(self, opt, arrays, path):
        """The optimiser's state arrays, checked as the parameters are (real, finite, within the
        model's dtype) before any is copied in; a misfit names the file."""
        n_state = opt["n_state"]
        if isinstance(n_state, bool) or not isinstance(n_state, int) or n_state < 0:
            raise CorruptFileError(f"{path}: its optimiser record has n_state {n_state!r}, expected a count")
        state = [arrays[f"opt/{i}"] for i in range(n_state)]
        for i, value in enumerate(state):
            check_values(value, f"opt/{i}", self.model.params[0].dtype, path)
        try:
            self.optimizer.set_state({"t": opt["t"], "state": state}, self.model.params)
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(f"{path}: its optimiser state does not fit this model: {exc}") from exc

    def restore_state(self, arrays, meta, path="the saved state"):
        """Restore what :meth:`state_arrays` returned (``load_checkpoint`` reads it from a file)."""
        if meta.get("kind") != CHECKPOINT_KIND:
            raise CorruptFileError(f"{path} is not a dae training checkpoint (kind {meta.get('kind')!r})")
        try:
            fill_arrays(dict(zip(self.names, self.model.params)), arrays, path, prefix="param/")
            opt = meta["optimizer"]
            if opt["name"] != type(self.optimizer).__name__:
                raise ValueError(f"{path} was written with the {opt['name']} optimiser, not {type(self.optimizer).__name__}")
            self._restore_optimizer(opt, arrays, path)
            set_rng_state(self.rng, arrays, meta["rng"])
            self.epoch, self.batch = int(meta["epoch"]), int(meta["batch"])
            self.steps = int(meta.get("steps", 0))
            self.elapsed = float(meta.get("elapsed", 0.0))
            self.first_cost = meta.get("first_cost")
            self.epoch_costs = [float(c) for c in arrays["epoch_costs"]]
            self.order = arrays["order"] if "order" in arrays else None
            self.history = list(meta["history"])
            if self.early_stopping is not None and "early_stopping" in meta:
                es_arrays = {k[len("early_stopping/"):]: v for k, v in arrays.items() if k.startswith("early_stopping/")}
                for key, value in es_arrays.items():
                    check_values(value, "early_stopping/" + key, self.model.params[0].dtype, path)
                self.early_stopping.set_state(es_arrays, meta["early_stopping"])
        except KeyError as exc:
            raise CorruptFileError(f"{path} is missing checkpoint entry {exc}") from exc
        return meta
