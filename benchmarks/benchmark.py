"""Side-by-side timing of every model: dae against PyTorch eager (and PyTensor, if installed).

    python benchmarks/benchmark.py                      # everything, results in benchmarks/results.json
    python benchmarks/benchmark.py --only deep,vae      # a subset (dA pretrain finetune cA deep conv vae)
    python benchmarks/benchmark.py --quick              # fewer steps and repetitions: a quick look
    python benchmarks/benchmark.py --only dA --load     # beside a competing single-threaded BLAS job

The machine may be shared: only the ratios of contenders timed side by side, alternated, mean
anything; absolute seconds move with whatever else runs.

Workloads (MNIST training set, float32, SGD):
  dA        one epoch of the tutorial's dA: 784-500, corruption 0.3, lr 0.1
  pretrain  one SdA pretraining epoch of a 1000-unit layer: 784-1000 dA, corruption 0.1, lr 0.001
  finetune  one SdA fine-tuning epoch of 784-1000-1000-1000-10 (sigmoid, softmax), lr 0.1
each at batch 20 and at batch 1 (the tutorial's SdA batch size). Every contender starts from the
same initial weights and runs the same number of examples; contenders alternate within each
repetition (so a slow spell of the machine hits all of them) and the medians are reported, with
the ratio dae / PyTorch and the achieved GFLOP/s against the machine's measured matmul rate.
Batch-1 workloads are timed on ``--examples-batch1`` examples (default 10,000) and scaled to the
50,000-example epoch; the JSON records both.

PyTorch is written as a PyTorch user would: tensors with requires_grad, autograd,
``torch.optim.SGD``, ``binary_cross_entropy_with_logits`` / ``cross_entropy``, eager mode, CPU.
PyTorch and PyTensor are optional (pip install -e ".[bench]"); a missing one is skipped.

The later models (benchmarks/workloads.py), each at its tutorial's shapes and batch size, a fixed
number of steps timed and scaled to one epoch (Adam unless said):
  cA        784-500 contractive autoencoder, batch 10, contraction 0.1, SGD 0.01 (50,000 examples)
  deep      deep autoencoder fine-tuning 784-1000-500-250-30 and its mirror, batch 200 (50,000)
  conv      conv autoencoder, 32x32x3 patches, channels 8-16-16, kernels 5-3-3, code 32, batch 32 (20,000),
            on dae's default kernels (dae.config.kernels: numba when installed)
  conv-numpy, conv-numba   the same, with dae.config.kernels forced to "numpy" (the readable reference)
            or "numba" (the compiled kernels of dae/kernels.py, pip install -e ".[fast]"): a row per path
  vae       VAE 784-500-500-20 ReLU, batch 100 (50,000)
Before each contender's timed run the benchmark pauses 0.3 s, so that neither library's idle BLAS
or OpenMP threads, still spinning after its last call, slow the other down.

dae's BLAS threads follow the training loop's default rule (``dae.threads.threads_for_size``: one
thread for a small product, the BLAS's own count otherwise); ``--threads load`` uses the load-aware
``choose_blas_threads``, ``--threads N`` forces a count. ``--load`` starts a competing single-threaded matrix-multiply job for the
whole run (the "shared machine" case), and records it in the results.

The run prints and records which kernel NumPy's OpenBLAS runs (threadpoolctl's "architecture"):
``OPENBLAS_CORETYPE`` in the environment pins it (e.g. Haswell on a SkylakeX machine, about half the
matrix-multiply rate), so the README's figures come from the machine's own kernel, with the variable
unset for the benchmark command alone:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/benchmark.py ...``
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
from dae import backend  # noqa: E402
from dae import threads as dae_threads  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402
from dae.fast import SigmoidSoftmaxSGD, TiedSigmoidSGD  # noqa: E402

EPOCH = 50000
MATMUL_RATE = [float("nan")]  # the square product's GFLOP/s, measured at the start of the run
PAUSE = 0.3  # seconds before each timed run: the other library's spinning threads go to sleep
HERE = os.path.dirname(os.path.abspath(__file__))


# ----- work in FLOPs --------------------------------------------------------------------------
def flops_dA(n_visible, n_hidden, n_examples):
    """Five matrix products of 2 N V H per minibatch: x~W, yW^T, dz W and the two gW terms."""
    return 10.0 * n_visible * n_hidden * n_examples


def flops_mlp(sizes, n_examples):
    """Forward 2 sum(a b), weight gradients 2 sum(a b), errors below 2 sum(a b) without layer 1."""
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return (2 * sum(products) + 2 * sum(products) + 2 * sum(products[1:])) * n_examples


def matmul_rate(reps=5):
    """Achieved float32 GFLOP/s of NumPy's BLAS on a large square product and the dA shapes."""
    rng = numpy.random.RandomState(0)
    out = {}
    for label, (m, k, n) in {"square_2048": (2048, 2048, 2048), "dA_20x784x500": (20, 784, 500),
                             "gW_784x40x500": (784, 40, 500), "pretrain_20x784x1000": (20, 784, 1000)}.items():
        a, b = rng.rand(m, k).astype(numpy.float32), rng.rand(k, n).astype(numpy.float32)
        c = numpy.empty((m, n), numpy.float32)
        numpy.matmul(a, b, out=c)
        count = max(3, int(4e9 / (2 * m * k * n)))
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            for _ in range(count):
                numpy.matmul(a, b, out=c)
            times.append((time.perf_counter() - start) / count)
        out[label] = 2 * m * k * n / min(times) / 1e9
    return out


# ----- dae contenders -------------------------------------------------------------------------
def dae_dA(x, n_hidden, batch_size, level, lr):
    rng = numpy.random.RandomState(123)
    da = dae.dA(rng, n_visible=x.shape[1], n_hidden=n_hidden)
    step = TiedSigmoidSGD(da, batch_size, level, lr)

    def run():
        costs = [step(x[i * batch_size:(i + 1) * batch_size]) for i in range(x.shape[0] // batch_size)]
        return float(backend.to_host(backend.xp.stack(costs)).mean(dtype="float64"))
    return run


def init_mlp(sizes, seed=123):
    """The tutorial's initialisation: sigmoid layers uniform in +-4 sqrt(6/(fan_in+fan_out)),
    the logistic regression layer zero."""
    rng = numpy.random.RandomState(seed)
    Ws, bs = [], []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        bound = 4 * numpy.sqrt(6.0 / (a + b))
        Ws.append(rng.uniform(-bound, bound, (a, b)).astype(numpy.float32))
        bs.append(numpy.zeros(b, numpy.float32))
    Ws.append(numpy.zeros((sizes[-2], sizes[-1]), numpy.float32))
    bs.append(numpy.zeros(sizes[-1], numpy.float32))
    return Ws, bs


def dae_finetune(x, y, sizes, batch_size, lr):
    Ws, bs = init_mlp(sizes)
    step = SigmoidSoftmaxSGD(Ws, bs, batch_size, lr)

    def run():
        costs = [step(x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size])
                 for i in range(x.shape[0] // batch_size)]
        return float(backend.to_host(backend.xp.stack(costs)).mean(dtype="float64"))
    return run


# ----- PyTorch contenders (as a PyTorch user writes them) ----------------------------------------
def torch_dA(x, n_hidden, batch_size, level, lr):
    import torch
    import torch.nn.functional as F

    rng = numpy.random.RandomState(123)
    rng.randint(2 ** 30)
    bound = 4 * numpy.sqrt(6.0 / (x.shape[1] + n_hidden))
    W = torch.tensor(rng.uniform(-bound, bound, (x.shape[1], n_hidden)).astype(numpy.float32), requires_grad=True)
    b = torch.zeros(n_hidden, requires_grad=True)
    b_prime = torch.zeros(x.shape[1], requires_grad=True)
    optimizer = torch.optim.SGD([W, b, b_prime], lr=lr)
    X = torch.from_numpy(x)
    generator = torch.Generator().manual_seed(0)

    def run():
        costs = []
        for i in range(X.shape[0] // batch_size):
            xb = X[i * batch_size:(i + 1) * batch_size]
            mask = torch.rand(xb.shape, generator=generator) >= level
            y = torch.sigmoid((xb * mask) @ W + b)
            logits = y @ W.t() + b_prime
            loss = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum") / batch_size
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            costs.append(loss.detach())
        return torch.stack(costs).double().mean().item()
    return run


def torch_finetune(x, y, sizes, batch_size, lr):
    import torch

    Ws, bs = init_mlp(sizes)
    layers = []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        linear = torch.nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(Ws) - 1:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)

    def run():
        costs = []
        for i in range(X.shape[0] // batch_size):
            loss = loss_fn(model(X[i * batch_size:(i + 1) * batch_size]), Y[i * batch_size:(i + 1) * batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            costs.append(loss.detach())
        return torch.stack(costs).double().mean().item()
    return run


# ----- PyTensor (Theano's successor) running the tutorial's graph -----------------------------------
def pytensor_dA(x, n_hidden, batch_size, level, lr):
    import pytensor
    import pytensor.tensor as pt
    from pytensor.tensor.random.utils import RandomStream

    rng = numpy.random.RandomState(123)
    srng = RandomStream(rng.randint(2 ** 30))
    bound = 4 * numpy.sqrt(6.0 / (x.shape[1] + n_hidden))
    W = pytensor.shared(rng.uniform(-bound, bound, (x.shape[1], n_hidden)).astype(numpy.float32))
    b = pytensor.shared(numpy.zeros(n_hidden, numpy.float32))
    b_prime = pytensor.shared(numpy.zeros(x.shape[1], numpy.float32))
    data = pytensor.shared(x)
    index = pt.lscalar()
    xb = data[index * batch_size:(index + 1) * batch_size]
    tilde = srng.binomial(1, 1 - level, size=xb.shape).astype("float32") * xb
    y = pt.sigmoid(pt.dot(tilde, W) + b)
    z = pt.sigmoid(pt.dot(y, W.T) + b_prime)
    cost = pt.mean(-pt.sum(xb * pt.log(z) + (1 - xb) * pt.log(1 - z), axis=1))
    grads = pytensor.grad(cost, [W, b, b_prime])
    train = pytensor.function([index], cost, updates=[(p, p - numpy.float32(lr) * g) for p, g in zip([W, b, b_prime], grads)])

    def run():
        return float(numpy.mean([train(i) for i in range(x.shape[0] // batch_size)], dtype="float64"))
    return run


def _version(module):
    try:
        return __import__(module).__version__
    except Exception:
        return None


def available(module):
    try:
        __import__(module)
        return True
    except Exception:
        return False


CONV = {"spec": dict(input_shape=[3, 32, 32], channels=[8, 16, 16], kernel_sizes=[5, 3, 3], code_size=32,
                     batch_size=32, learning_rate=2e-3),
        "data": "patches", "epoch_examples": 20000, "steps": 100, "quick_steps": 10,
        "largest_product": (32 * 32 * 32, 8 * 3 * 3, 16)}   # im2col of the second convolution
MODEL_WORKLOADS = {
    "cA": {"spec": dict(n_visible=784, n_hidden=500, batch_size=10, contraction_level=0.1, learning_rate=0.01),
           "data": "mnist", "epoch_examples": 50000, "steps": 1000, "quick_steps": 100, "largest_product": (10, 784, 500)},
    "deep": {"spec": dict(sizes=[784, 1000, 500, 250, 30], batch_size=200, learning_rate=1e-3),
             "data": "mnist", "epoch_examples": 50000, "steps": 250, "quick_steps": 25, "largest_product": (200, 784, 1000)},
    "conv": CONV,
    "conv-numpy": dict(CONV, maker="conv", kernels="numpy"),
    "conv-numba": dict(CONV, maker="conv", kernels="numba"),
    "vae": {"spec": dict(n_visible=784, n_hidden=[500, 500], n_latent=20, activation="relu", batch_size=100,
                         learning_rate=1e-3),
            "data": "mnist", "epoch_examples": 50000, "steps": 500, "quick_steps": 50, "largest_product": (100, 784, 500)},
}
TUTORIAL_WORKLOADS = ["dA", "pretrain", "finetune"]
ALL = TUTORIAL_WORKLOADS + list(MODEL_WORKLOADS)


def _only(text):
    names = [n for part in text for n in part.split(",") if n]
    unknown = [n for n in names if n not in ALL]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown workload(s) {unknown}; choose from {ALL}")
    return names


def time_alternated(runs, reps, dae_threads_n):
    """{contender: [seconds per rep]}: the contenders alternate within each repetition."""
    times, costs = {c: [] for c in runs}, {}
    for _ in range(reps):
        for c, run in runs.items():
            time.sleep(PAUSE)
            with (dae_threads.blas_threads(dae_threads_n) if c == "dae" else _nothing()):
                start = time.perf_counter()
                costs[c] = run()
                times[c].append(time.perf_counter() - start)
    return times, costs


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def summarise(result, times, costs, flops_epoch, scale, names):
    for c in names:
        median = statistics.median(times[c]) * scale
        result["contenders"][c] = {"epoch_seconds_median": median,
                                   "epoch_seconds_all": [t * scale for t in times[c]],
                                   "gflops": flops_epoch / median / 1e9,
                                   "fraction_of_square_matmul_rate": flops_epoch / median / 1e9 / MATMUL_RATE[0],
                                   "last_mean_cost": costs[c]}
    if "pytorch" in names:
        result["ratio_dae_over_pytorch"] = (result["contenders"]["dae"]["epoch_seconds_median"]
                                            / result["contenders"]["pytorch"]["epoch_seconds_median"])
    return result


def print_row(result, names, label):
    line = f"{label:22s}: " + ", ".join(
        f"{c} {result['contenders'][c]['epoch_seconds_median']:.2f}s/epoch "
        f"({result['contenders'][c]['gflops']:.0f} GFLOP/s)" for c in names)
    if "ratio_dae_over_pytorch" in result:
        line += f", dae/PyTorch {result['ratio_dae_over_pytorch']:.2f}"
    if "step_ms" in result:
        line += " | ms/step " + ", ".join(f"{c} {v:.2f}" for c, v in result["step_ms"].items())
    print(line, flush=True)


def competing_job():
    """A single-threaded BLAS job in another process, multiplying 512x512 matrices until killed."""
    import subprocess
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    code = ("import numpy\na = numpy.random.rand(512, 512).astype('float32')\n"
            "while True:\n    a = (a @ a) * (1.0 / 512)\n")
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=None, help="repetitions per contender (median reported; 3, quick 3)")
    parser.add_argument("--only", nargs="*", type=str, default=None,
                        help=f"workloads to run, by name or comma-separated: {', '.join(ALL)}")
    parser.add_argument("--quick", action="store_true", help="a tenth of the steps: a quick look")
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[20, 1], help="for dA, pretrain, finetune")
    parser.add_argument("--examples-batch1", type=int, default=10000,
                        help="examples timed at batch 1, scaled to the 50,000-example epoch")
    parser.add_argument("--threads", default="auto",
                        help="dae's BLAS threads: 'auto' (the training loop's default: 1 for small products, else "
                             "the BLAS's own), 'load' (also counting busy cores) or a number")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="PyTorch's intra-op threads (default: its own choice, one per core)")
    parser.add_argument("--load", action="store_true", help="run beside a competing single-threaded BLAS job")
    parser.add_argument("--output", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--merge", action="store_true",
                        help="keep the rows of --output that this run does not redo (each row keeps its command)")
    args = parser.parse_args(argv)
    only = ALL if args.only is None else _only(args.only)
    reps = args.reps or 3

    (train_x, train_y), _, _ = dae.load_data()
    contenders = {"dae": True, "pytorch": available("torch"), "pytensor": available("pytensor")}
    if contenders["pytorch"]:
        import torch
        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        torch_info = {"version": torch.__version__, "threads": torch.get_num_threads()}
    else:
        torch_info = None
        print("PyTorch is not installed: only dae is timed (pip install -e '.[bench]')", file=sys.stderr)

    blas = openblas_kernels()
    for b in blas:
        print(f"BLAS: {b['library']} {b['version']}, kernel {b['architecture']}, {b['threads']} threads"
              + (f" (OPENBLAS_CORETYPE={b['OPENBLAS_CORETYPE']} pins it)" if b["OPENBLAS_CORETYPE"] else ""),
              flush=True)
    print(f"dae kernels: {dae.config.kernels} (dae.config.kernels, DAE_KERNELS)", flush=True)
    load_before = _loadavg()
    job = competing_job() if args.load else None
    try:
        rates = matmul_rate()
        MATMUL_RATE[0] = rates["square_2048"]
        print("matmul GFLOP/s: " + ", ".join(f"{k} {v:.1f}" for k, v in rates.items()), flush=True)
        workloads_out = []
        for kind in [k for k in TUTORIAL_WORKLOADS if k in only]:
            for batch_size in args.batch_sizes:
                workloads_out.append(tutorial_workload(kind, batch_size, train_x, train_y, args, reps, contenders))
        for kind in [k for k in MODEL_WORKLOADS if k in only]:
            row = model_workload(kind, train_x, args, reps, contenders)
            if row is not None:
                workloads_out.append(row)
    finally:
        if job is not None:
            job.kill()
            job.wait()

    command = "python benchmarks/benchmark.py " + " ".join(argv if argv is not None else sys.argv[1:])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for row in workloads_out:
        row.update(command=command, date=stamp, loadavg_before_after=[load_before, _loadavg()])
    if args.merge and os.path.exists(args.output):
        with open(args.output) as f:
            previous = json.load(f)
        old = previous.get("workloads", [])
        for row in old:  # rows of an older run keep that run's command and date
            row.setdefault("command", previous.get("command"))
            row.setdefault("date", previous.get("date"))
        redone = {(r["workload"], r.get("batch_size")) for r in workloads_out}
        workloads_out = [r for r in old if (r["workload"], r.get("batch_size")) not in redone] + workloads_out
    report = {
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(),
                    "numpy": numpy.__version__, "pytorch": torch_info, "backend": backend.name,
                    "blas": dae_threads.blas_info(), "blas_kernel": blas,
                    "dae_kernels_default": dae.config.kernels,
                    "numba": _version("numba")},
        "note": "a shared machine: only the ratios of contenders timed side by side (alternated) mean anything",
        "competing_single_thread_blas_job": bool(args.load),
        "loadavg_before_after": [load_before, _loadavg()],
        "threads": {"dae": args.threads, "pytorch": args.torch_threads or "default"},
        "matmul_gflops": rates,
        "reps": reps,
        "quick": bool(args.quick),
        "workloads": workloads_out,
        "command": command,
        "date": stamp,
    }
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {args.output}")


def _with_kernels(run, kernels):
    """run(steps) with dae.config.kernels set to ``kernels`` while it runs."""
    def wrapped(steps):
        with dae.config.kernels_as(kernels):
            return run(steps)
    return wrapped


def openblas_kernels():
    """[{library, version, architecture, threads}] of the BLAS libraries loaded (threadpoolctl), with the
    OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in force: which kernel NumPy's matrix products really run."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{"library": i.get("internal_api"), "version": i.get("version"), "architecture": i.get("architecture"),
             "threads": i.get("num_threads"), "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
             "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
            for i in threadpool_info() if i.get("user_api") == "blas"]


def _loadavg():
    """The 1-minute load average and the runnable tasks (what else the machine was doing)."""
    try:
        with open("/proc/loadavg") as f:
            fields = f.read().split()
        return {"load_1min": float(fields[0]), "runnable": fields[3]}
    except OSError:
        return None


def _dae_threads_for(args, n_rows, n_in, n_out):
    """dae's BLAS threads: "auto" is the training loop's default (1 for a small product, else the
    BLAS's own count: None), "load" its load-aware rule, a number fixes it."""
    if args.threads == "auto":
        return dae_threads.threads_for_size(n_rows, n_in, n_out)
    if args.threads == "load":
        return dae_threads.choose_blas_threads(n_rows, n_in, n_out)
    return int(args.threads)


DA_WORKLOADS = {"dA": (500, 0.3, 0.1), "pretrain": (1000, 0.1, 0.001)}  # hidden units, corruption, learning rate


def tutorial_workload(kind, batch_size, train_x, train_y, args, reps, contenders):
    n = EPOCH if batch_size > 1 else min(EPOCH, args.examples_batch1)
    if args.quick:
        n = max(batch_size, n // 10)
    x, y = train_x[:n], train_y[:n]
    if kind in DA_WORKLOADS:  # the dA and an SdA pretraining layer: the same step, other sizes
        hidden, level, lr = DA_WORKLOADS[kind]
        spec = dict(n_hidden=hidden, level=level, lr=lr)
        flops = flops_dA(784, hidden, n)
        makers = {"dae": lambda: dae_dA(x, hidden, batch_size, level, lr),
                  "pytorch": lambda: torch_dA(x, hidden, batch_size, level, lr),
                  "pytensor": lambda: pytensor_dA(x, hidden, batch_size, level, lr)}
        widest = hidden
    else:
        sizes = [784, 1000, 1000, 1000, 10]
        spec = dict(sizes=sizes, lr=0.1)
        flops = flops_mlp(sizes, n)
        makers = {"dae": lambda: dae_finetune(x, y, sizes, batch_size, 0.1),
                  "pytorch": lambda: torch_finetune(x, y, sizes, batch_size, 0.1)}
        widest = 1000
    names = [c for c in makers if contenders.get(c)]
    runs = {c: makers[c]() for c in names}  # built (and compiled) outside the timing
    threads_n = _dae_threads_for(args, batch_size, 784, widest)
    times, costs = time_alternated(runs, reps, threads_n)
    scale = EPOCH / n
    result = {"workload": kind, "batch_size": batch_size, "examples_timed": n, **spec, "dae_blas_threads": threads_n,
              "gflop_per_epoch": flops * scale / 1e9, "contenders": {}}
    summarise(result, times, costs, flops * scale, scale, names)
    print_row(result, names, f"{kind} batch {batch_size}")
    return result


def model_workload(kind, train_x, args, reps, contenders):
    w = MODEL_WORKLOADS[kind]
    spec = dict(w["spec"])
    batch_size = spec["batch_size"]
    steps = w["quick_steps"] if args.quick else w["steps"]
    if w["data"] == "mnist":
        x = train_x[:max(steps, 1) * batch_size] if steps * batch_size <= train_x.shape[0] else train_x
    else:
        from dae.patches import load_patches
        x, _ = load_patches(n_train=min(w["epoch_examples"], steps * batch_size), n_test=10, seed=0)
    makers = {c: (lambda c=c: workloads.MAKERS[w.get("maker", kind)](c, x, spec)) for c in ("dae", "pytorch")}
    names = [c for c in makers if contenders.get(c)]
    runs = {c: makers[c]() for c in names}
    kernels = w.get("kernels", dae.config.kernels)   # the conv layers' kernels (dae/kernels.py) for this row
    if kernels == "numba" and not dae.config.numba_installed():
        print(f"{kind}: numba is not installed, skipped (pip install -e '.[fast]')", file=sys.stderr)
        return None
    runs["dae"] = _with_kernels(runs["dae"], kernels)
    for run in runs.values():
        run(2)                                          # warm up (first-touch of buffers, thread start)
    timed = {c: (lambda run=run: run(steps)) for c, run in runs.items()}
    threads_n = _dae_threads_for(args, *w["largest_product"])
    times, costs = time_alternated(timed, reps, threads_n)
    epoch_steps = w["epoch_examples"] // batch_size
    scale = epoch_steps / steps
    flops_epoch = workloads.FLOPS[w.get("maker", kind)](spec, batch_size) * epoch_steps
    result = {"workload": kind, **spec, "kernels": kernels, "steps_timed": steps, "steps_per_epoch": epoch_steps,
              "epoch_examples": w["epoch_examples"], "dae_blas_threads": threads_n,
              "gflop_per_epoch": flops_epoch / 1e9, "contenders": {},
              "step_ms": {c: 1e3 * statistics.median(times[c]) / steps for c in names}}
    summarise(result, times, costs, flops_epoch, scale, names)
    print_row(result, names, kind)
    return result


if __name__ == "__main__":
    main()
