"""Side-by-side timing of the tutorial's models: dae against PyTorch (and PyTensor, if installed).

    python benchmarks/benchmark.py                      # everything, results in benchmarks/results.json
    python benchmarks/benchmark.py --only dA --reps 5   # one workload family

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
from dae.fast import SigmoidSoftmaxSGD, TiedSigmoidSGD  # noqa: E402

EPOCH = 50000
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


def available(module):
    try:
        __import__(module)
        return True
    except Exception:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per contender (median reported)")
    parser.add_argument("--only", choices=["dA", "pretrain", "finetune"], nargs="*", default=None)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[20, 1])
    parser.add_argument("--examples-batch1", type=int, default=10000,
                        help="examples timed at batch 1, scaled to the 50,000-example epoch")
    parser.add_argument("--output", default=os.path.join(HERE, "results.json"))
    args = parser.parse_args(argv)

    (train_x, train_y), _, _ = dae.load_data()
    contenders = {"dae": True, "pytorch": available("torch"), "pytensor": available("pytensor")}
    if contenders["pytorch"]:
        import torch
        torch_info = {"version": torch.__version__, "threads": torch.get_num_threads()}
    else:
        torch_info = None
        print("PyTorch is not installed: only dae is timed (pip install -e '.[bench]')", file=sys.stderr)

    rates = matmul_rate()
    print("matmul GFLOP/s: " + ", ".join(f"{k} {v:.1f}" for k, v in rates.items()), flush=True)
    workloads = []
    for kind in args.only or ["dA", "pretrain", "finetune"]:
        for batch_size in args.batch_sizes:
            n = EPOCH if batch_size > 1 else min(EPOCH, args.examples_batch1)
            x, y = train_x[:n], train_y[:n]
            if kind == "dA":
                spec = dict(n_hidden=500, level=0.3, lr=0.1)
                flops = flops_dA(784, 500, n)
                makers = {"dae": lambda: dae_dA(x, 500, batch_size, 0.3, 0.1),
                          "pytorch": lambda: torch_dA(x, 500, batch_size, 0.3, 0.1),
                          "pytensor": lambda: pytensor_dA(x, 500, batch_size, 0.3, 0.1)}
            elif kind == "pretrain":
                spec = dict(n_hidden=1000, level=0.1, lr=0.001)
                flops = flops_dA(784, 1000, n)
                makers = {"dae": lambda: dae_dA(x, 1000, batch_size, 0.1, 0.001),
                          "pytorch": lambda: torch_dA(x, 1000, batch_size, 0.1, 0.001),
                          "pytensor": lambda: pytensor_dA(x, 1000, batch_size, 0.1, 0.001)}
            else:
                sizes = [784, 1000, 1000, 1000, 10]
                spec = dict(sizes=sizes, lr=0.1)
                flops = flops_mlp(sizes, n)
                makers = {"dae": lambda: dae_finetune(x, y, sizes, batch_size, 0.1),
                          "pytorch": lambda: torch_finetune(x, y, sizes, batch_size, 0.1)}
            names = [c for c in makers if contenders.get(c)]
            runs = {c: makers[c]() for c in names}  # built (and compiled) outside the timing
            times = {c: [] for c in names}
            costs = {}
            for _ in range(args.reps):
                for c in names:
                    start = time.perf_counter()
                    costs[c] = runs[c]()
                    times[c].append(time.perf_counter() - start)
            scale = EPOCH / n
            result = {"workload": kind, "batch_size": batch_size, "examples_timed": n, **spec,
                      "gflop_per_epoch": flops * scale / 1e9, "contenders": {}}
            for c in names:
                median = statistics.median(times[c]) * scale
                result["contenders"][c] = {"epoch_seconds_median": median,
                                           "epoch_seconds_all": [t * scale for t in times[c]],
                                           "gflops": flops * scale / median / 1e9,
                                           "last_mean_cost": costs[c]}
            if "pytorch" in names:
                result["ratio_dae_over_pytorch"] = (result["contenders"]["dae"]["epoch_seconds_median"]
                                                    / result["contenders"]["pytorch"]["epoch_seconds_median"])
            workloads.append(result)
            line = f"{kind:9s} batch {batch_size:3d}: " + ", ".join(
                f"{c} {result['contenders'][c]['epoch_seconds_median']:.2f}s/epoch "
                f"({result['contenders'][c]['gflops']:.0f} GFLOP/s)" for c in names)
            if "ratio_dae_over_pytorch" in result:
                line += f", dae/PyTorch {result['ratio_dae_over_pytorch']:.2f}"
            print(line, flush=True)

    report = {
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(),
                    "numpy": numpy.__version__, "pytorch": torch_info, "backend": backend.name},
        "matmul_gflops": rates,
        "reps": args.reps,
        "workloads": workloads,
        "command": "python benchmarks/benchmark.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
