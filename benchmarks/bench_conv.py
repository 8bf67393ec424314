"""The conv autoencoder against PyTorch on the CPU, at the tutorial's shapes: one training step, and each convolution.

Run it:  python benchmarks/bench_conv.py                   (writes benchmarks/bench_conv_results.json)
         python benchmarks/bench_conv.py --threads 2 --repeats 60
         python benchmarks/bench_conv.py --skip-layers     (the training step only)

- **step**: one training step of the tutorial's ConvAutoencoder (32x32x3 patches, channels 8-16-16,
  kernels 5-3-3, code 32, batch 32 (``--batch-size``), linear output + summed squared error, Adam): dae through its
  public API (``model.cost_and_grads(x, rng=numpy.random.RandomState(0))`` then ``dae.optim.Adam.step``) against the same network
  written as a PyTorch user would (an ``nn.Module`` of ``Conv2d``, ``MaxPool2d(return_indices=True)``,
  ``MaxUnpool2d``, ``Linear``; autograd; ``torch.optim.Adam``; eager mode), from the same initial
  weights (the costs are checked to agree before anything is timed).
- **layers**: each of the six convolutions alone, forward and backward (dx, dW, db), as the
  model runs them (``Conv2D(layout="CNHW")``, on one block of ``model.block_size`` examples times
  the number of blocks in a minibatch) against ``torch.nn.functional.conv2d`` on the whole
  minibatch and ``torch.autograd.grad``.

The contenders alternate within each repetition (so a slow spell of a shared machine hits both)
and the medians are kept; only the ratios of such alternated runs mean much on a busy machine.
Both sides use the same number of threads (OPENBLAS/OMP variables set before NumPy loads,
``torch.set_num_threads``). PyTorch is a benchmark-only extra; the dae package never imports it.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1, help="BLAS / PyTorch threads (1)")
    p.add_argument("--repeats", type=int, default=40, help="alternated timed runs; the median is kept (40)")
    p.add_argument("--batch-size", type=int, default=32,
                   help="minibatch size (32, the issue's workload; the tutorial now trains with 16)")
    p.add_argument("--skip-layers", action="store_true", help="time the training step only")
    p.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "bench_conv_results.json"))
    return p.parse_args(argv)


def alternate(fns, repeats):
    """Median milliseconds of each function, the functions called in turn within each repetition."""
    for fn in fns:
        fn()  # warm-up
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, t in zip(fns, times):
            start = time.perf_counter()
            fn()
            t.append(time.perf_counter() - start)
    return [1000.0 * statistics.median(t) for t in times]


def torch_network(torch, model):
    """The ConvAutoencoder as a PyTorch user writes it, with the dae model's initial weights."""
    nn = torch.nn
    (c1, c2, c3), (k1, k2, k3) = model.channels, model.kernel_sizes
    c = model.input_shape[0]
    pooled = model.pooled_shape

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc1, self.enc2 = nn.Conv2d(c, c1, k1, padding=k1 // 2), nn.Conv2d(c1, c2, k2, padding=k2 // 2)
            self.enc3 = nn.Conv2d(c2, c3, k3, padding=k3 // 2)
            self.code = nn.Linear(c3 * pooled[1] * pooled[2], model.code_size)
            self.expand = nn.Linear(model.code_size, c3 * pooled[1] * pooled[2])
            self.dec3, self.dec2 = nn.Conv2d(c3, c2, k3, padding=k3 // 2), nn.Conv2d(c2, c1, k2, padding=k2 // 2)
            self.dec1 = nn.Conv2d(c1, c, k1, padding=k1 // 2)
            self.pool, self.unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)

        def forward(self, x):
            h1 = torch.relu(self.enc1(x))
            h2, i2 = self.pool(torch.relu(self.enc2(h1)))
            h3, i3 = self.pool(torch.relu(self.enc3(h2)))
            g3 = torch.relu(self.expand(self.code(h3.flatten(1)))).view(-1, *pooled)
            g2 = torch.relu(self.dec3(self.unpool(g3, i3)))
            g1 = torch.relu(self.dec2(self.unpool(g2, i2)))
            return self.dec1(g1)

    net = Net()
    with torch.no_grad():
        for name, layer in model.layers:
            W = numpy_of(layer.W)
            getattr(net, name).weight.copy_(torch.from_numpy(W.T.copy() if W.ndim == 2 else W.copy()))
            getattr(net, name).bias.copy_(torch.from_numpy(numpy_of(layer.b).copy()))
    return net


def numpy_of(a):
    import numpy
    return numpy.asarray(a)


def bench_step(args, numpy, torch, dae, tut):
    n = args.batch_size
    model = dae.ConvAutoencoder(numpy.random.RandomState(1), input_shape=(3, tut.patch_size, tut.patch_size),
                                channels=tut.channels, code_size=tut.code_size, kernel_sizes=tut.kernel_sizes)
    x = numpy.random.RandomState(0).rand(n, 3, tut.patch_size, tut.patch_size).astype(numpy.float32)
    net = torch_network(torch, model)
    tx = torch.from_numpy(x)
    with torch.no_grad():
        torch_cost = float(((net(tx) - tx) ** 2).flatten(1).sum(1).mean())
    dae_cost = float(model.cost_and_grads(x, rng=numpy.random.RandomState(0))[0])
    assert abs(dae_cost - torch_cost) < 1e-4 * abs(torch_cost), (dae_cost, torch_cost)
    opt = dae.optim.Adam(learning_rate=tut.learning_rate)
    topt = torch.optim.Adam(net.parameters(), lr=tut.learning_rate)

    def dae_step():
        _, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(0))
        opt.step(model.params, grads)

    def torch_step():
        topt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(net(tx), tx, reduction="sum") / n
        loss.backward()
        topt.step()

    ours, theirs = alternate([dae_step, torch_step], args.repeats)
    print(f"training step, batch {n}: dae {ours:.2f} ms, PyTorch {theirs:.2f} ms, ratio {ours / theirs:.2f}",
          flush=True)
    return {"batch": n, "dae_ms": ours, "torch_ms": theirs, "ratio": ours / theirs, "block_size": model.block_size}


def bench_layers(args, numpy, torch, dae, tut):
    from dae.layers import Conv2D
    from dae.models.conv_ae import CPU_BLOCK_SIZE

    n = args.batch_size
    block = min(CPU_BLOCK_SIZE, n)
    blocks = -(-n // block)
    size = tut.patch_size
    (c1, c2, c3), (k1, k2, k3) = tut.channels, tut.kernel_sizes
    layers = [  # name, in, out, kernel, map size (the ConvAutoencoder's six convolutions)
        ("enc1", 3, c1, k1, size), ("enc2", c1, c2, k2, size), ("enc3", c2, c3, k3, size // 2),
        ("dec3", c3, c2, k3, size // 2), ("dec2", c2, c1, k2, size), ("dec1", c1, 3, k1, size),
    ]
    rng = numpy.random.RandomState(0)
    rows = []
    print(f"each convolution: dae on {blocks} blocks of {block} (ms per minibatch of {n}) vs PyTorch on the minibatch")
    print(f"{'layer':6} {'shape':>24} {'dae fwd':>9} {'torch fwd':>9} {'ratio':>6} "
          f"{'dae bwd':>9} {'torch bwd':>9} {'ratio':>6}")
    for name, cin, cout, k, hw in layers:
        layer = Conv2D(rng, cin, cout, k, padding=k // 2, layout="CNHW")
        x = rng.rand(n, cin, hw, hw).astype(numpy.float32)
        xb = numpy.ascontiguousarray(x[:block].transpose(1, 0, 2, 3))
        y, cache = layer.forward(xb)
        g = rng.randn(n, cout, hw, hw).astype(numpy.float32)
        gb = numpy.ascontiguousarray(g[:block].transpose(1, 0, 2, 3))
        tx = torch.from_numpy(x).requires_grad_(True)
        tW = torch.from_numpy(numpy.ascontiguousarray(layer.W)).requires_grad_(True)
        tb = torch.from_numpy(numpy.ascontiguousarray(layer.b)).requires_grad_(True)
        ty = torch.nn.functional.conv2d(tx, tW, tb, padding=k // 2)
        tg = torch.from_numpy(g)
        # the two agree (on the first block) before anything is timed
        numpy.testing.assert_allclose(y.transpose(1, 0, 2, 3), ty.detach().numpy()[:block], rtol=1e-3, atol=1e-3)
        dx, _ = layer.backward(gb, cache)
        tdx, = torch.autograd.grad(ty, (tx,), tg, retain_graph=True)
        numpy.testing.assert_allclose(dx.transpose(1, 0, 2, 3), tdx.numpy()[:block], rtol=1e-3, atol=1e-2)
        need_dx = layer.need_dx = name != "enc1"  # as in the model: the first layer skips dx

        def dae_forward():
            for _ in range(blocks):
                layer.forward(xb)

        def dae_backward():
            for _ in range(blocks):
                layer.backward(gb, cache)

        def torch_forward():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tW, tb, padding=k // 2)

        wrt = (tx, tW, tb) if need_dx else (tW, tb)
        ours_f, torch_f, ours_b, torch_b = alternate(
            [dae_forward, torch_forward, dae_backward,
             lambda: torch.autograd.grad(ty, wrt, tg, retain_graph=True)], args.repeats)
        shape = f"{cin}->{cout} k{k} {hw}x{hw}"
        rows.append({"layer": name, "in_channels": cin, "out_channels": cout, "kernel": k, "size": hw,
                     "batch": n, "block": block, "input_gradient": need_dx,
                     "dae_forward_ms": ours_f, "torch_forward_ms": torch_f,
                     "dae_backward_ms": ours_b, "torch_backward_ms": torch_b,
                     "forward_ratio": ours_f / torch_f, "backward_ratio": ours_b / torch_b})
        print(f"{name:6} {shape:>24} {ours_f:9.2f} {torch_f:9.2f} {ours_f / torch_f:6.2f} "
              f"{ours_b:9.2f} {torch_b:9.2f} {ours_b / torch_b:6.2f}", flush=True)
    total = {key: sum(r[key] for r in rows) for key in
             ("dae_forward_ms", "torch_forward_ms", "dae_backward_ms", "torch_backward_ms")}
    total["forward_ratio"] = total["dae_forward_ms"] / total["torch_forward_ms"]
    total["backward_ratio"] = total["dae_backward_ms"] / total["torch_backward_ms"]
    print(f"{'all six':31} {total['dae_forward_ms']:9.2f} {total['torch_forward_ms']:9.2f} "
          f"{total['forward_ratio']:6.2f} {total['dae_backward_ms']:9.2f} {total['torch_backward_ms']:9.2f} "
          f"{total['backward_ratio']:6.2f}")
    return rows, total


def tutorial_recipe(path, dae):
    """The conv tutorial's parameters cell (its defaults), with the two comma lists as tuples."""
    with open(path) as f:
        values = {p.name: p.default for p in dae.tutorial.read_parameters(f.read())}
    for name in ("channels", "kernel_sizes"):
        values[name] = tuple(int(v) for v in values[name].split(","))
    return argparse.Namespace(**values)


def main(argv=None):
    args = parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [root, os.path.join(root, "tutorials")]
    import numpy
    import torch

    import dae

    torch.set_num_threads(args.threads)
    tut = tutorial_recipe(os.path.join(root, "tutorials", "conv_autoencoder_tutorial.py"), dae)
    print(f"float32, {args.threads} thread(s), median of {args.repeats} alternated runs")
    result = {
        "what": "dae ConvAutoencoder vs PyTorch eager, CPU, float32, the conv autoencoder tutorial's shapes",
        "command": "python benchmarks/bench_conv.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "threads": args.threads, "repeats": args.repeats,
        "numpy": numpy.__version__, "torch": torch.__version__, "python": platform.python_version(),
        "machine": platform.machine(), "cpu_count": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()),
        "step": bench_step(args, numpy, torch, dae, tut),
    }
    if not args.skip_layers:
        result["layers"], result["total"] = bench_layers(args, numpy, torch, dae, tut)
    result["load_average_at_end"] = list(os.getloadavg())
    with open(args.output, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.output}")
    return result


if __name__ == "__main__":
    main()
