"""dae's hand-written convolution against PyTorch's conv2d, on the CPU, at the tutorial's shapes.

Run it:  python benchmarks/bench_conv.py                     (writes benchmarks/bench_conv_results.json)
         python benchmarks/bench_conv.py --threads 2 --repeats 20

For each of the six convolutions of the tutorial's ConvAutoencoder (same channels, kernels,
32x32 patches, minibatch size) it times, with the median of ``--repeats`` runs:

- forward: dae ``Conv2D.forward`` vs ``torch.nn.functional.conv2d``;
- backward: dae ``Conv2D.backward`` (dx, dW, db) vs ``torch.autograd.grad`` of the same three.

Both sides use the same number of threads (OPENBLAS/OMP variables are set before NumPy loads,
``torch.set_num_threads`` for PyTorch). PyTorch is a benchmark-only extra (``pip install torch``);
the dae package never imports it. The outputs are checked to agree before anything is timed.
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
    p.add_argument("--repeats", type=int, default=15, help="timed runs per measurement; the median is kept (15)")
    p.add_argument("--batch-size", type=int, default=None, help="default: the tutorial's")
    p.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "bench_conv_results.json"))
    return p.parse_args(argv)


def median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def main(argv=None):
    args = parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [root, os.path.join(root, "tutorials")]
    import numpy
    import torch

    import conv_autoencoder_tutorial
    from dae.layers import Conv2D

    torch.set_num_threads(args.threads)
    tut = conv_autoencoder_tutorial.parse_args([])
    n = args.batch_size or tut.batch_size
    size = tut.patch_size
    (c1, c2, c3), (k1, k2, k3) = tut.channels, tut.kernel_sizes
    layers = [  # name, in, out, kernel, map size (the ConvAutoencoder's six convolutions)
        ("enc1", 3, c1, k1, size), ("enc2", c1, c2, k2, size), ("enc3", c2, c3, k3, size // 2),
        ("dec3", c3, c2, k3, size // 2), ("dec2", c2, c1, k2, size), ("dec1", c1, 3, k1, size),
    ]
    rng = numpy.random.RandomState(0)
    rows = []
    print(f"batch {n}, float32, {args.threads} thread(s), median of {args.repeats}")
    print(f"{'layer':6} {'shape':>24} {'dae fwd':>9} {'torch fwd':>9} {'ratio':>6} "
          f"{'dae bwd':>9} {'torch bwd':>9} {'ratio':>6}")
    for name, cin, cout, k, hw in layers:
        layer = Conv2D(rng, cin, cout, k, padding=k // 2)
        x = rng.rand(n, cin, hw, hw).astype(numpy.float32)
        y, cache = layer.forward(x)
        g = rng.randn(*y.shape).astype(numpy.float32)
        tx = torch.from_numpy(x).requires_grad_(True)
        tW = torch.from_numpy(numpy.ascontiguousarray(layer.W)).requires_grad_(True)
        tb = torch.from_numpy(numpy.ascontiguousarray(layer.b)).requires_grad_(True)
        ty = torch.nn.functional.conv2d(tx, tW, tb, padding=k // 2)
        tg = torch.from_numpy(g)
        # the two agree before anything is timed
        numpy.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-3, atol=1e-3)
        dx, (dW, db) = layer.backward(g, cache)
        tdx, tdW, tdb = torch.autograd.grad(ty, (tx, tW, tb), tg, retain_graph=True)
        for ours, theirs in ((dx, tdx), (dW, tdW), (db, tdb)):
            numpy.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-3, atol=1e-2)

        ours_f = median_ms(lambda: layer.forward(x), args.repeats)
        ours_b = median_ms(lambda: layer.backward(g, cache), args.repeats)
        with torch.no_grad():
            torch_f = median_ms(lambda: torch.nn.functional.conv2d(tx, tW, tb, padding=k // 2), args.repeats)
        torch_b = median_ms(lambda: torch.autograd.grad(ty, (tx, tW, tb), tg, retain_graph=True), args.repeats)
        shape = f"{cin}->{cout} k{k} {hw}x{hw}"
        rows.append({"layer": name, "in_channels": cin, "out_channels": cout, "kernel": k, "size": hw,
                     "batch": n, "dae_forward_ms": ours_f, "torch_forward_ms": torch_f,
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
    result = {
        "what": "dae Conv2D vs torch conv2d, CPU, float32, the conv autoencoder tutorial's shapes",
        "command": "python benchmarks/bench_conv.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "threads": args.threads, "repeats": args.repeats, "batch_size": n,
        "numpy": numpy.__version__, "torch": torch.__version__, "python": platform.python_version(),
        "machine": platform.machine(), "cpu_count": os.cpu_count(),
        "load_average_at_end": list(os.getloadavg()),
        "layers": rows, "total": total,
    }
    with open(args.output, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.output}")
    return result


if __name__ == "__main__":
    main()
