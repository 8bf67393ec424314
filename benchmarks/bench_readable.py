"""The dA tutorial's two training steps side by side: the readable one against the fused one.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_readable.py     # 9 alternated rounds of 5,000
                                                                    # examples, corruption 0 and 0.3
    python benchmarks/bench_readable.py --rounds 5 --examples 10000 --corruption 0.3

readable: ``cost, updates = da.get_cost_updates(x, corruption_level, learning_rate)`` then
          ``dae.apply_updates(updates)``, what ``tutorials/dA_tutorial.py`` runs by default;
fused:    ``dae.fast.TiedSigmoidSGD`` (``--fast``), the same arithmetic with reused buffers and
          one in-place gemm for the weight update.

Both start from the tutorial's model (seed 123, 784-500, batch 20, lr 0.1) on the first
``--examples`` MNIST training images. Rounds alternate (readable, fused, readable, ...), so a
slow spell of a shared machine hits both; the medians and their ratio (readable / fused) are
printed and written to ``benchmarks/bench_readable_results.json``, for wall time and for this
process's CPU time (run with ``OPENBLAS_NUM_THREADS=1``: then the CPU time is what other jobs
on a shared machine disturb least). Read the ratio, not the absolute times.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import dae  # noqa: E402
from dae.fast import TiedSigmoidSGD  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def make_dA():
    rng = numpy.random.RandomState(123)
    theano_rng = dae.RandomStreams(rng.randint(2 ** 30))
    return dae.dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=28 * 28, n_hidden=500)


def readable_step(da, corruption_level, learning_rate):
    def step(x):
        cost, updates = da.get_cost_updates(x, corruption_level=corruption_level, learning_rate=learning_rate)
        dae.apply_updates(updates)
        return cost
    return step


def time_epoch(step, train_x, batch_size):
    """(wall seconds, CPU seconds of this process) for one pass over ``train_x``."""
    wall, cpu = time.perf_counter(), time.process_time()
    costs = [step(train_x[i:i + batch_size]) for i in range(0, train_x.shape[0] - batch_size + 1, batch_size)]
    float(numpy.mean(costs))
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="alternated rounds (9)")
    parser.add_argument("--examples", type=int, default=5000, help="training images per round (5000)")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--corruption", default="0.0,0.3",
                        help="comma-separated corruption levels (0.0,0.3: the tutorial's two runs)")
    parser.add_argument("--output", default=os.path.join(HERE, "bench_readable_results.json"))
    args = parser.parse_args(argv)

    train_x = dae.load_data()[0][0][:args.examples]
    result = {"what": "seconds per round of --examples dA training steps, alternated rounds, medians; "
                      "CPU time is this process's (with one BLAS thread, what other jobs on a shared "
                      "machine disturb least)",
              "args": vars(args), "levels": {}, "machine": platform.platform(), "numpy": numpy.__version__,
              "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    for level in [float(v) for v in args.corruption.split(",")]:
        result["levels"][str(level)] = measure(train_x, level, args)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    return result


def measure(train_x, level, args):
    wall, cpu = {"readable": [], "fused": []}, {"readable": [], "fused": []}
    for _ in range(args.rounds):
        for name in wall:
            da = make_dA()
            if name == "readable":
                step = readable_step(da, level, 0.1)
            else:
                step = TiedSigmoidSGD(da, args.batch_size, level, 0.1)
            w, c = time_epoch(step, train_x, args.batch_size)
            wall[name].append(w)
            cpu[name].append(c)
    result = {"wall": wall, "cpu": cpu}
    print(f"corruption {level}:")
    for label, times in (("wall", wall), ("cpu", cpu)):
        medians = {name: statistics.median(t) for name, t in times.items()}
        paired = statistics.median(r / f for r, f in zip(times["readable"], times["fused"]))
        result[f"median_{label}"] = medians
        result[f"ratio_{label}"] = medians["readable"] / medians["fused"]
        result[f"paired_ratio_{label}"] = paired
        for name, t in times.items():
            print(f"  {label:4s} {name:9s} median {medians[name]:.3f} s for {args.examples} examples "
                  f"(rounds: {', '.join(f'{v:.3f}' for v in t)})")
        print(f"  {label:4s} readable / fused = {result[f'ratio_{label}']:.3f} "
              f"(median of the paired rounds' ratios {paired:.3f})")
    return result


if __name__ == "__main__":
    main()
