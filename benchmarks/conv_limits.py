"""Three measurements behind the conv autoencoder's speed on the NumPy path (README, Speed).

    python benchmarks/conv_limits.py            # all three, a few seconds each

- **threads**: can a second Python thread take NumPy work off the first? Each of two threads runs a
  loop of ``numpy.multiply(a, 1.0001, out=b)`` on its own arrays; the time of both loops in one thread
  over their time in two threads is the speed-up (above 1: the second core helped). The interpreter
  lock is released inside each multiply but must be taken back between them.
- **products**: the float32 GFLOP/s NumPy's BLAS reaches on the conv autoencoder's product shapes
  (M output channels x K = C kh kw, times K x L columns, L = 4 examples x 36 x 36 grid positions) at
  one and at two BLAS threads, beside a square 2048 product.
- **runs**: the same products at one thread in one call and in runs of ``PRODUCT_RUN`` (768) grid
  positions, as ``dae.layers.conv.product_wide`` (a layer's maps) and ``product_long`` (a weight
  gradient, the positions the shared axis) make them.

Medians of repeated runs; on a shared machine only the comparison within one run means much.
"""
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dae.layers import conv  # noqa: E402


def _median_ms(f, repeats):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def threads(sizes=(1000, 5000, 20000, 80000, 320000)):
    pool = ThreadPoolExecutor(2)

    def loop(a, b, n):
        for _ in range(n):
            numpy.multiply(a, 1.0001, out=b)
    rows = []
    for size in sizes:
        n = max(10, int(1e7 / size))
        a1, b1, a2, b2 = (numpy.random.RandomState(i).rand(size).astype("float32") for i in range(4))
        one = _median_ms(lambda: (loop(a1, b1, n), loop(a2, b2, n)), 5)
        two = _median_ms(lambda: [f.result() for f in (pool.submit(loop, a1, b1, n), pool.submit(loop, a2, b2, n))], 5)
        rows.append((size, one / (2 * n) * 1e3, one / two))
        print(f"threads: {size:7d} floats per multiply, {one / (2 * n) * 1e3:6.2f} us each; "
              f"two threads {one / two:.2f} times as fast as one")
    pool.shutdown()
    return rows


def products(length=4 * 36 * 36):
    rng = numpy.random.RandomState(0)
    rows = []
    for n_threads in (1, 2):
        with threadpool_limits(limits=n_threads, user_api="blas"):
            for m, k in [(3, 200), (8, 75), (8, 144), (16, 72), (16, 144), (2048, 2048)]:
                cols = length if m < 2048 else 2048
                A, B = rng.rand(m, k).astype("float32"), rng.rand(k, cols).astype("float32")
                out = numpy.empty((m, cols), "float32")
                ms = _median_ms(lambda: numpy.matmul(A, B, out=out), 20 if m < 2048 else 5)
                rate = 2.0 * m * k * cols / ms / 1e6
                rows.append((n_threads, m, k, cols, rate))
                print(f"products: {n_threads} BLAS thread(s), {m:4d} x {k:4d} times {k:4d} x {cols}: {rate:6.1f} GFLOP/s")
    return rows


def runs(shapes=((8, 75, 5036), (16, 72, 4554), (72, 16, 4624), (16, 144, 1254)), run=None):
    """One thread: the conv layers' products (M x K times K x N, the N grid positions of a block of 4)
    in one call against runs of ``run`` columns (dae.layers.conv.PRODUCT_RUN), both ways the NumPy
    path makes them: a layer's maps (``product_wide``, N the output axis) and a weight gradient
    (``product_long``, N the shared axis). Rows (M, K, N, one-call ms, runs ms) per way."""
    run = run or conv.PRODUCT_RUN
    rng = numpy.random.RandomState(0)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for m, k, n in shapes:
            A, B = rng.rand(m, k).astype("float32"), rng.rand(k, n).astype("float32")
            X, G = rng.rand(m, n).astype("float32"), rng.rand(k, n).astype("float32")   # dW = X G^T
            out = numpy.empty((m, n), "float32")
            for way, one, in_runs in (
                    ("maps", lambda: numpy.matmul(A, B, out=out), lambda: conv.product_wide(A, B, out=out)),
                    ("gradient", lambda: X @ G.T, lambda: conv.product_long(X, G.T))):
                saved = conv.PRODUCT_RUN
                conv.PRODUCT_RUN = run
                try:
                    t_one, t_runs = _median_ms(one, 50), _median_ms(in_runs, 50)
                finally:
                    conv.PRODUCT_RUN = saved
                rows.append((way, m, k, n, t_one, t_runs))
                print(f"runs: {way:8s} {m:3d} x {k:3d}, {n} positions: one call {t_one:.3f} ms, "
                      f"runs of {run} {t_runs:.3f} ms ({t_one / t_runs:.2f} times as fast)")
    return rows


if __name__ == "__main__":
    threads()
    products()
    runs()
