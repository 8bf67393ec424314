"""benchmarks/: the scripts still read what they time (the conv tutorial's recipe, the dae side of
each later model's step); PyTorch, a benchmark-only extra, is not needed for these checks."""
import os
import subprocess
import sys

import numpy
import pytest

import dae

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import bench_conv  # noqa: E402
import workloads  # noqa: E402


def test_bench_conv_times_the_conv_tutorials_recipe():
    tut = bench_conv.tutorial_recipe(os.path.join(ROOT, "tutorials", "conv_autoencoder_tutorial.py"), dae)
    assert (tut.patch_size, tut.channels, tut.kernel_sizes, tut.code_size) == (32, (8, 16, 16), (5, 3, 3), 32)
    assert tut.learning_rate > 0


@pytest.mark.parametrize("kind,x", [
    ("cA", numpy.random.RandomState(0).uniform(0, 1, (40, 784)).astype("float32")),
    ("vae", (numpy.random.RandomState(0).uniform(0, 1, (200, 784)) > 0.5).astype("float32")),
    ("conv", numpy.random.RandomState(0).uniform(0, 1, (64, 3, 32, 32)).astype("float32")),
])
def test_the_dae_side_of_each_workload_trains(kind, x):
    spec = {"cA": dict(n_visible=784, n_hidden=50, batch_size=10, contraction_level=0.1, learning_rate=0.01),
            "vae": dict(n_visible=784, n_hidden=[50, 50], n_latent=5, activation="relu", batch_size=100,
                        learning_rate=1e-3),
            "conv": dict(input_shape=[3, 32, 32], channels=[8, 16, 16], kernel_sizes=[5, 3, 3], code_size=32,
                         batch_size=32, learning_rate=2e-3)}[kind]
    run = workloads.MAKERS[kind]("dae", x, spec)
    first, later = run(1), run(6)
    assert numpy.isfinite(first) and later < first     # the steps lower the training cost


def test_benchmark_help_runs_without_pytorch():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "benchmark.py"), "--help"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--only" in out.stdout


def test_conv_limits_reports_a_speed_up_per_size_and_a_rate_per_product():
    import conv_limits
    rows = conv_limits.threads(sizes=(1000, 4000))
    assert [r[0] for r in rows] == [1000, 4000] and all(r[1] > 0 and r[2] > 0 for r in rows)
    rates = conv_limits.products(length=64)
    assert len(rates) == 12 and {r[0] for r in rates} == {1, 2} and all(r[4] > 0 for r in rates)
    runs = conv_limits.runs(shapes=((3, 5, 40),), run=16)
    assert [r[0] for r in runs] == ["maps", "gradient"] and all(r[4] > 0 and r[5] > 0 for r in runs)
