"""How many BLAS threads a training loop should use, and a context manager that sets them.

On a machine of a few cores shared with other work, OpenBLAS's default (one thread per core)
degrades badly: its worker threads busy-wait for work, and when another process holds a core,
each matrix product waits for a thread that is not running. Measured on a 2-core machine beside
one single-threaded BLAS job, the dA tutorial's epochs took 2.9 times as long with 2 threads and
no longer with 1 (benchmarks/benchmark.py --load). On a quiet machine, 2 threads are faster for
large products and barely faster for small ones. So::

    threads = 1                          if one product is small (< SMALL_FLOPS): the second
                                         thread wins little and is what spins against neighbours
            = cores - busy, at least 1   otherwise, where busy = the tasks of other processes
                                         ready to run now (the kernel's count of runnable tasks,
                                         /proc/loadavg, sampled for 0.1 s, less this process)

``choose_blas_threads(n_rows, n_in, n_out)`` applies the rule to a layer of a minibatch
(n_rows x n_in times n_in x n_out, the largest layer of the model); ``blas_threads(n)`` is a
``with`` block that sets the count (threadpoolctl) and restores it after; :class:`LoopThreads` is
what ``dae.Trainer(blas_threads=...)`` applies during a run. The CuPy backend has no CPU BLAS in
the loop: the helpers then do nothing.
"""
import contextlib
import os
import time

import numpy

from . import backend

SMALL_FLOPS = 4e6   # 2 m k n below this: ~0.03 ms of work, where a second thread gains nothing


def available_cores():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def busy_cores(load=None, samples=5, interval=0.02):
    """Cores that other processes keep busy now: the median over ``samples`` readings of the
    kernel's runnable-task count (/proc/loadavg, which counts this process too: one less), or
    the 1-minute load average, rounded, where that file does not exist. ``load``: a given number."""
    if load is not None:
        return max(0, int(round(load)))
    import statistics
    import time
    counts = []
    for i in range(samples):
        try:
            with open("/proc/loadavg") as f:
                counts.append(int(f.read().split()[3].split("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            break
        if i + 1 < samples:
            time.sleep(interval)
    if counts:
        return max(0, int(round(statistics.median(counts))))
    try:
        return int(round(os.getloadavg()[0]))
    except (AttributeError, OSError):
        return 0


def threads_for_size(n_rows, n_in, n_out):
    """1 for a small product (the first rule of the module docstring), None otherwise (keep the
    BLAS's own count): the deterministic part of the rule, what the training loop does by default."""
    return 1 if 2.0 * n_rows * n_in * n_out < SMALL_FLOPS else None


def choose_blas_threads(n_rows, n_in, n_out, cores=None, load=None):
    """BLAS threads for products of (n_rows x n_in) by (n_in x n_out): the rule of the module
    docstring. ``cores`` and ``load`` default to this machine's (given: for tests and what-ifs)."""
    cores = available_cores() if cores is None else int(cores)
    if 2.0 * n_rows * n_in * n_out < SMALL_FLOPS or cores <= 1:
        return 1
    return max(1, min(cores, cores - busy_cores(load)))


def largest_product(params, n_rows):
    """(n_rows, n_in, n_out) of the largest matrix product a model with these parameters makes on a
    minibatch of ``n_rows`` rows (its largest 2-D parameter is n_in x n_out)."""
    shapes = [tuple(p.shape) for p in params if len(p.shape) == 2]
    n_in, n_out = max(shapes, key=lambda s: s[0] * s[1]) if shapes else (1, 1)
    return n_rows, n_in, n_out


class LoopThreads:
    """The BLAS thread count a training loop runs under. ``setting``: "auto" (:func:`threads_for_size`),
    "load" (:func:`choose_blas_threads`, chosen again every ``RECHOOSE_SECONDS``), a positive int, or
    None (leave the BLAS alone).

    ``start()`` at the beginning of a run; ``limit(params, n_rows)`` applies the count when it is due
    and returns the threadpoolctl limiter (whose ``restore_original_limits()`` undoes it), or None when
    it changed nothing."""
    RECHOOSE_SECONDS = 30.0

    def __init__(self, setting="auto"):
        if not (setting in (None, "auto", "load") or (isinstance(setting, int) and setting > 0)):
            raise ValueError(f"blas_threads must be 'auto', 'load', a positive int or None, got {setting!r}")
        self.setting = setting
        self.chosen_at = None

    def start(self):
        self.chosen_at = None

    def limit(self, params, n_rows):
        if self.setting is None or backend.xp is not numpy:
            return None
        now = time.perf_counter()
        if self.chosen_at is not None and (self.setting != "load" or now - self.chosen_at < self.RECHOOSE_SECONDS):
            return None
        self.chosen_at = now
        if self.setting == "auto":
            n = threads_for_size(*largest_product(params, n_rows))
            if n is None:
                return None      # a large product: the BLAS's own count
        elif self.setting == "load":
            n = choose_blas_threads(*largest_product(params, n_rows))
        else:
            n = self.setting
        try:
            return _limits(n)
        except ImportError:
            return None


_CONTROLLER = []   # one threadpoolctl controller, made at the first limit


def _limits(n):
    """A threadpoolctl limiter: ``n`` threads for the BLAS libraries loaded when the first limit was
    set (numpy's), restored by ``restore_original_limits()`` or at the end of a ``with``. The
    controller is kept: making one searches the process's libraries (0.3 ms), reusing it costs 8 us."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=int(n), user_api="blas")


@contextlib.contextmanager
def blas_threads(n):
    """``with blas_threads(n):`` runs the block with ``n`` BLAS threads (None: leave as is)."""
    if n is None or backend.xp is not numpy:
        yield
        return
    with _limits(n):
        yield


def blas_info():
    """[{library, version, threads}] of the BLAS libraries loaded in this process."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{"library": i.get("internal_api"), "version": i.get("version"), "threads": i.get("num_threads")}
            for i in threadpool_info() if i.get("user_api") == "blas"]
