"""Batch-1 steps of the SdA's tutorial functions, extrapolated to the faithful recipe.

    OPENBLAS_NUM_THREADS=1 python benchmarks/sda_faithful_steps.py [--cpu] [--readable]
    DAE_KERNELS=numpy OPENBLAS_NUM_THREADS=1 python benchmarks/sda_faithful_steps.py --cpu   (without numba)

Times one step of ``pretraining_functions`` (the 784x1000 layer and a 1000x1000 layer, cached
codes) and of ``build_finetune_functions`` (784-1000-1000-1000-10) at batch size 1, the fused
steps (and with ``--readable`` the readable ones: cost_and_grads then dae.optim.SGD), and
extrapolates ``tutorials/SdA_tutorial.py --faithful``: 15 pretraining epochs per layer on 50,000
examples, then fine-tuning for 36 epochs (where the tutorial's early stopping ended) with the
10,000 validation digits scored every epoch and the 10,000 test digits on each improvement
(counted every epoch here: an upper bound). The steps are MNIST digits' (about 80% of whose
pixels are 0, which the first layer's batch-1 kernels skip). With numba (``dae.config.kernels``
"numba") batch-1 steps run ``dae.fast``'s compiled kernels, else NumPy's fused passes. At batch 1 a second BLAS thread gains nothing and
spins against other work (dae/threads.py): one thread is the setting to time. ``--cpu`` reports
CPU time instead of wall time (steadier on a shared machine).
"""
import os
import sys
import time

import numpy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import dae  # noqa: E402

CLOCK = time.process_time if "--cpu" in sys.argv else time.perf_counter
PRETRAIN_EPOCHS, FINETUNE_EPOCHS, N_TRAIN, N_VALID = 15, 36, 50000, 10000


def per_step(fn, n, repeat=5):
    """Median over ``repeat`` runs of ``n`` steps, in seconds per step."""
    runs = []
    for _ in range(repeat):
        start = CLOCK()
        for i in range(n):
            fn(i)
        runs.append((CLOCK() - start) / n)
    return float(numpy.median(runs))


def time_steps(fused, n_steps):
    (x, y), _, _ = dae.load_data()
    x, y = x[:3000], y[:3000]   # MNIST digits: about 80% of their pixels are 0, which the first layer skips
    sda = dae.SdA(numpy.random.RandomState(89677), n_ins=784, hidden_layers_sizes=[1000, 1000, 1000], n_outs=10)
    fns = sda.pretraining_functions(x, 1, cache_codes=True, fused=fused)
    out = {}
    for k, level in ((0, 0.1), (1, 0.2)):
        fns[k](0, corruption=level, lr=0.001)          # the buffers and the cached codes, once
        out[f"pretrain{k}"] = per_step(lambda i: fns[k](i, corruption=level, lr=0.001), n_steps)
    train_fn, valid_score, _ = sda.build_finetune_functions([(x, y), (x[:1000], y[:1000]), (x[:1000], y[:1000])],
                                                            1, learning_rate=0.1, fused=fused)
    train_fn(0)
    out["finetune"] = per_step(train_fn, n_steps)
    out["score1000"] = per_step(lambda i: valid_score(), 1, repeat=3)
    return out


def minutes(t):
    pretraining = PRETRAIN_EPOCHS * N_TRAIN * (t["pretrain0"] + 2 * t["pretrain1"])
    finetuning = FINETUNE_EPOCHS * (N_TRAIN * t["finetune"] + 2 * (N_VALID / 1000) * t["score1000"])
    return pretraining / 60, finetuning / 60


if __name__ == "__main__":
    import os
    print(f"kernels: {dae.config.kernels}; BLAS threads: {[i['threads'] for i in dae.threads.blas_info()]}; "
          f"clock: {'CPU' if '--cpu' in sys.argv else 'wall'}; load average {os.getloadavg()[0]:.2f}")
    for fused in ([True, False] if "--readable" in sys.argv else [True]):
        t = time_steps(fused, 400 if fused else 100)
        name = "fused" if fused else "readable"
        print(f"{name}: pretrain 784x1000 {t['pretrain0'] * 1e3:.3f} ms, 1000x1000 {t['pretrain1'] * 1e3:.3f} ms, "
              f"finetune 784-1000-1000-1000-10 {t['finetune'] * 1e3:.3f} ms per batch-1 step; "
              f"scoring 1000 digits {t['score1000'] * 1e3:.1f} ms")
        pre, fine = minutes(t)
        print(f"{name}: the faithful recipe: pretraining {pre:.1f} min + fine-tuning {fine:.1f} min = "
              f"{pre + fine:.1f} min")
