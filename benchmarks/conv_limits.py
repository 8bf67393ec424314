"""Two measurements behind the conv autoencoder's gap to PyTorch (README, Speed).

    python benchmarks/conv_limits.py            # both, a few seconds each

- **threads**: can a second Python thread take NumPy work off the first? Each of two threads runs a
  loop of ``numpy.multiply(a, 1.0001, out=b)`` on its own arrays; the time of both loops in one thread
  over their time in two threads is the speed-up (above 1: the second core helped). The interpreter
  lock is released inside each multiply but must be taken back between them.
- **products**: the float32 GFLOP/s NumPy's BLAS reaches on the conv autoencoder's product shapes
  (M output channels x K = C kh kw, times K x L columns, L = 4 examples x 36 x 36 grid positions) at
  one and at two BLAS threads, beside a square 2048 product.

Medians of repeated runs; on a shared machine only the comparison within one run means much.
"""
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy
from threadpoolctl import threadpool_limits


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


if __name__ == "__main__":
    threads()
    products()
