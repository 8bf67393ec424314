"""dae.threads: the BLAS thread rule and the with-block that applies it."""
import numpy
import pytest

from dae import threads


def test_small_products_get_one_thread_whatever_the_load():
    assert threads.choose_blas_threads(1, 784, 500, cores=2, load=0) == 1      # 0.8 MFLOP
    assert threads.choose_blas_threads(2, 30, 250, cores=8, load=0) == 1


def test_large_products_use_the_idle_cores_only():
    assert threads.choose_blas_threads(200, 784, 1000, cores=2, load=0) == 2
    assert threads.choose_blas_threads(200, 784, 1000, cores=2, load=1) == 1   # one core taken
    assert threads.choose_blas_threads(200, 784, 1000, cores=2, load=5) == 1   # never 0
    assert threads.choose_blas_threads(200, 784, 1000, cores=8, load=3) == 5
    assert threads.choose_blas_threads(200, 784, 1000, cores=1, load=0) == 1


def test_busy_cores_reads_a_count():
    assert threads.busy_cores(load=1.6) == 2
    assert threads.busy_cores(load=-1) == 0
    assert threads.busy_cores() >= 0


def test_blas_threads_sets_and_restores_the_count():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    if not before:
        pytest.skip("no BLAS library that threadpoolctl can see")
    with threads.blas_threads(1):
        inside = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        numpy.ones((4, 4)) @ numpy.ones((4, 4))
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert inside == [1] * len(before) and after == before
    with threads.blas_threads(None):   # None leaves the count alone
        assert [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"] == before


def test_the_loops_thread_count_is_applied_when_due(monkeypatch):
    small = [numpy.zeros((36, 8), dtype="float32")]
    big = [numpy.zeros((784, 1000), dtype="float32")]
    assert threads.largest_product(small + [numpy.zeros(8)], 40) == (40, 36, 8)
    assert threads.LoopThreads(None).limit(small, 40) is None
    assert threads.LoopThreads("auto").limit(big, 200) is None          # a large product: the BLAS's own
    auto = threads.LoopThreads("auto")
    limiter = auto.limit(small, 40)
    assert limiter is not None and auto.limit(small, 40) is None          # once per run
    limiter.restore_original_limits()
    chosen = []
    monkeypatch.setattr(threads, "choose_blas_threads", lambda *shape: chosen.append(shape) or 1)
    load = threads.LoopThreads("load")
    load.start()
    for _ in range(3):
        limiter = load.limit(big, 200) or limiter
    assert chosen == [(200, 784, 1000)]                                   # not again within 30 s
    load.chosen_at -= threads.LoopThreads.RECHOOSE_SECONDS
    load.limit(big, 200)
    assert len(chosen) == 2                                               # then chosen afresh
    limiter.restore_original_limits()
    with pytest.raises(ValueError, match="blas_threads must be"):
        threads.LoopThreads(0)
