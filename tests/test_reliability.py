"""Reliability of training and its files: kills at random moments, determinism, data larger
than memory, interruption at any minibatch, damage at any byte, checks that never let bad data through."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dae
from dae import cli, optim, train, validation
from dae.io import CorruptFileError, load_arrays

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")


def data(n, d, seed=0):
    rs = numpy.random.RandomState(seed)
    return (rs.rand(n, d) * (rs.rand(n, d) < 0.5)).astype(numpy.float32)


def arrays_of(path):
    return load_arrays(path)[0]


def test_kill_at_random_moments_then_resume_gives_the_uninterrupted_result(tmp_path):
    """SIGKILL a training process at random moments; after each kill the latest checkpoint
    loads, and resuming from it ends with the parameters of a run that was never killed."""
    numpy.save(tmp_path / "x.npy", data(1000, 49))
    args = ["train", "--data", str(tmp_path / "x.npy"), "--epochs", "6", "--batch-size", "4", "--n-hidden", "12",
            "--optimizer", "adam", "--learning-rate", "0.01", "--shuffle", "--seed", "3", "--quiet", "--no-plots"]
    assert cli.main(args + ["--output-dir", str(tmp_path / "reference")]) == 0
    run = tmp_path / "killed"
    checkpoint = run / "checkpoint.npz"
    rng = random.Random(20240601)
    positions = []
    for attempt in range(2):
        if checkpoint.exists():
            meta = load_arrays(checkpoint)[1]  # always loads: checksum verified
            dae.load_model(checkpoint)
            positions.append((meta["epoch"], meta["batch"]))
            argv = ["train", "--resume", str(run), "--quiet", "--no-plots"]
        else:
            argv = args + ["--output-dir", str(run), "--overwrite"]
        stamp = checkpoint.stat().st_mtime_ns if checkpoint.exists() else None
        proc = subprocess.Popen([sys.executable, "-m", "dae"] + argv, env=ENV, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # once training is under way (a checkpoint written), kill at a random moment
        deadline = time.time() + 30
        while proc.poll() is None and time.time() < deadline and (
                not checkpoint.exists() or checkpoint.stat().st_mtime_ns == stamp):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        proc.kill()
        out, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err
    if not checkpoint.exists():
        assert cli.main(args + ["--output-dir", str(run), "--overwrite"]) == 0
    else:
        # then a real Ctrl-C (SIGINT): a clean exit with a one-line message and a checkpoint
        stamp = checkpoint.stat().st_mtime_ns
        proc = subprocess.Popen([sys.executable, "-m", "dae", "train", "--resume", str(run), "--no-plots"],
                                env=ENV, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while proc.poll() is None and time.time() < deadline and checkpoint.stat().st_mtime_ns == stamp:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.2))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        if proc.returncode == 130:
            assert err.count("\n") == 1 and "interrupted at epoch" in err and "--resume" in err, err
            positions.append((load_arrays(checkpoint)[1]["epoch"], load_arrays(checkpoint)[1]["batch"]))
        else:
            # it had already finished (0), or the signal came after main() returned, while the
            # interpreter shut down (-SIGINT, nothing printed): either way the run is complete
            assert proc.returncode in (0, -signal.SIGINT), err
        assert "Traceback" not in err
        assert cli.main(["train", "--resume", str(run), "--quiet", "--no-plots"]) == 0
    final, reference = arrays_of(run / "model.npz"), arrays_of(tmp_path / "reference" / "model.npz")
    assert sorted(final) == sorted(reference)
    for name in reference:
        assert numpy.array_equal(final[name], reference[name]), name
    assert dae.load_model(checkpoint) is not None
    assert len(positions) >= 1
    print("checkpoints found after the kills (epoch, minibatch):", positions)


def test_same_seed_same_bits_different_seed_different_bits(tmp_path):
    numpy.save(tmp_path / "x.npy", data(200, 25))

    def train(seed, name):
        argv = ["train", "--data", str(tmp_path / "x.npy"), "--epochs", "2", "--batch-size", "10", "--n-hidden", "6",
                "--optimizer", "momentum", "--shuffle", "--seed", str(seed), "--quiet", "--no-plots",
                "--output-dir", str(tmp_path / name)]
        assert cli.main(argv) == 0
        return arrays_of(tmp_path / name / "model.npz")

    a, b, c = train(11, "a"), train(11, "b"), train(12, "c")
    assert all(numpy.array_equal(a[k], b[k]) for k in a)
    assert not numpy.array_equal(a["W"], c["W"])


CHILD = textwrap.dedent("""
    import resource, sys
    import numpy
    from dae import cli, optim, train
    import dae
    path, out, cap_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def vm_data():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024

    # warm up (allocator pools, BLAS buffers) on a small array, then cap the data segment
    model = dae.dA(numpy.random.RandomState(0), n_visible=64, n_hidden=8)
    train.Trainer(model, optim.SGD(0.1), batch_size=2048, display=train.Display("none")).fit(
        numpy.random.rand(4096, 64).astype("float32"), 1)
    resource.setrlimit(resource.RLIMIT_DATA, (vm_data() + cap_mb * 2 ** 20, resource.RLIM_INFINITY))
    try:
        numpy.load(path)
        sys.exit("the cap is too loose: the whole file fitted in memory")
    except MemoryError:
        pass
    rc = cli.main(["train", "--data", path, "--epochs", "1", "--batch-size", "2048", "--n-hidden", "8",
                   "--valid-fraction", "0.1", "--output-dir", out, "--quiet", "--no-plots"])
    rc = rc or cli.main(["encode", out, path, "-o", out + "/codes.npy", "--batch-size", "4096", "--quiet"])
    print("OK" if rc == 0 else "FAILED", rc)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA caps anonymous memory on Linux")
def test_training_from_a_memmap_larger_than_the_memory_allowed(tmp_path):
    """A 16 MiB .npy trained and encoded by a process that may allocate only 6 MiB more than
    it needs to start: minibatches are read from the memory map, never the whole file."""
    path = tmp_path / "big.npy"
    n, d = 65536, 64
    big = numpy.lib.format.open_memmap(path, mode="w+", dtype=numpy.float32, shape=(n, d))
    rng = numpy.random.default_rng(0)
    for start in range(0, n, 16384):
        big[start:start + 16384] = rng.random((16384, d), dtype=numpy.float32)
    big.flush()
    del big
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path / "run"), "6"], env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stdout + proc.stderr
    assert numpy.load(tmp_path / "run" / "codes.npy", mmap_mode="r").shape == (n, 8)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stop=st.integers(1, 29), how=st.sampled_from(["raise", "signal", "in-step"]))
def test_interrupted_at_any_minibatch_resume_is_exact(tmp_path, stop, how):
    """Ctrl-C at any minibatch (raised in the cost, a real SIGINT, or inside the update)
    leaves a checkpoint from which training ends exactly where it would have."""
    x = data(30, 8)
    path = tmp_path / f"ck{stop}{how}.npz"
    if path.exists():
        path.unlink()

    def make(seed=1):
        model = dae.dA(numpy.random.RandomState(seed), n_visible=8, n_hidden=3)
        return model, train.Trainer(model, optim.Adam(0.05), batch_size=3, cost_kwargs={"corruption_level": 0.5},
                                       rng=9, shuffle=True, display=train.Display("none"),
                                       checkpoint=train.Checkpointing(path))

    reference, t = make()
    t.fit(x, 3)
    path.unlink()
    model, t = make()
    calls = [0]
    inner = model.cost_and_grads

    def flaky(batch, **kw):
        calls[0] += 1
        if calls[0] == stop and how == "raise":
            raise KeyboardInterrupt
        if calls[0] == stop and how == "signal":
            os.kill(os.getpid(), signal.SIGINT)
        if calls[0] == stop and how == "in-step":
            def broken_step(params, grads):
                params[0][0, 0] += 1.0  # half an update
                raise KeyboardInterrupt
            t.optimizer.step = broken_step
        return inner(batch, **kw)

    model.cost_and_grads = flaky
    with pytest.raises(train.TrainingInterrupted):
        t.fit(x, 3)
    resumed, t2 = make(seed=77)
    if path.exists():
        t2.load_checkpoint(path)
    else:  # stopped inside the very first epoch's update: nothing saved, start again
        resumed, t2 = make()
    t2.fit(x, 3)
    for a, b in zip(resumed.params, reference.params):
        assert numpy.array_equal(a, b)


@pytest.fixture(scope="module")
def checkpoint_bytes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ck")
    model = dae.dA(numpy.random.RandomState(0), n_visible=6, n_hidden=2)
    t = train.Trainer(model, optim.Momentum(0.1), batch_size=2, display=train.Display("none"),
                      checkpoint=train.Checkpointing(folder / "c.npz", model_kind="dA",
                                                     model_config={"n_visible": 6, "n_hidden": 2}))
    t.fit(data(4, 6), 1)
    return (folder / "c.npz").read_bytes(), [numpy.array(p) for p in model.params]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damage_at_any_byte_is_detected_never_half_loaded(tmp_path, checkpoint_bytes, draw):
    raw, good = checkpoint_bytes
    where = draw.draw(st.integers(0, len(raw) - 1))
    if draw.draw(st.booleans()):
        damaged = raw[:where]
    else:
        damaged = raw[:where] + bytes([raw[where] ^ draw.draw(st.integers(1, 255))]) + raw[where + 1:]
    path = tmp_path / "damaged.npz"
    path.write_bytes(damaged)
    try:
        model = dae.load_model(path)
    except CorruptFileError:
        return
    # a byte the format never reads (e.g. a zip timestamp) may change; the contents may not
    assert all(numpy.array_equal(a, b) for a, b in zip(model.params, good))


finite = st.floats(-2, 2, width=32)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5)


@settings(max_examples=60, deadline=None)
@given(x=hnp.arrays(st.sampled_from([numpy.float32, numpy.float64]), shapes,
                    elements=st.one_of(finite, st.just(float("nan")), st.just(float("inf"))))
       | hnp.arrays(numpy.int32, shapes, elements=st.integers(-3, 3)),
       columns=st.sampled_from([None, 3]), unit=st.booleans())
def test_check_data_accepts_exactly_the_valid_arrays(x, columns, unit):
    valid = (x.ndim == 2 and x.shape[0] > 0 and x.shape[1] > 0 and (columns is None or x.shape[1] == columns)
             and numpy.issubdtype(x.dtype, numpy.floating) and numpy.isfinite(x).all()
             and (not unit or (x.min() >= 0 and x.max() <= 1)))
    if valid:
        assert validation.check_data(x, "the data", columns, unit) is x
    else:
        with pytest.raises((ValueError, TypeError), match="the data"):
            validation.check_data(x, "the data", columns, unit)


@settings(max_examples=25, deadline=None)
@given(shape=st.sampled_from([(4, 9), (4, 3, 3), (4, 3, 3, 3), (4, 3, 3, 1), (9,), (2, 2, 2, 2, 2), (4, 3, 3, 2)]))
def test_data_files_of_any_shape_load_or_fail_in_one_line(tmp_path_factory, shape):
    folder = tmp_path_factory.mktemp("shape")
    numpy.save(folder / "x.npy", numpy.full(shape, 0.5, numpy.float32))
    try:
        ds = cli.load_dataset(str(folder / "x.npy"))
    except cli.UserError as exc:
        assert "\n" not in str(exc) and "shape" in str(exc)
        assert len(shape) in (1, 5) or shape[-1] == 2
        return
    assert ds.x.shape == (4, int(numpy.prod(shape[1:])))
    assert isinstance(ds.x, numpy.memmap)
