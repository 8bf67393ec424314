"""The autoencoder family side by side: what each way of stopping the identity map buys.

Run it:  python tutorials/variants_tutorial.py                   (every variant: about 4 minutes of
                                                                  one CPU core, 20,000 digits x 5 epochs)
         python tutorials/variants_tutorial.py --variants plain,denoising,contractive --epochs 1
         python tutorials/variants_tutorial.py --optimizer adam  (or momentum; sgd is the default)
         python tutorials/variants_tutorial.py --help

An autoencoder with as many hidden units as it likes could copy its input and learn nothing.
The lecture notes list the ways to stop it: make the code small (undercomplete), corrupt the
input and ask for the clean one back (denoising, with three kinds of noise), penalise the code
(sparse: L1, or a KL divergence to a small target rate), penalise the code's sensitivity to
the input (contractive), or drop hidden units at random (dropout). Architecture choices come on
top: untied decoder, ReLU encoder, squared error instead of cross-entropy, and the linear
autoencoder, which is PCA in disguise.

Every variant below gets the same budget (the same training images, epochs, minibatch size,
hidden units and optimiser). For each, the tutorial writes one figure,
``<output-folder>/variant_<name>.png`` (its first 100 filters, and test digits: clean,
corrupted, reconstructed), and one row of a table (``results.md``, also printed):

- test reconstruction error: mean over test digits of sum_k (z_k - x_k)^2 (clean input);
- denoising error: the same for test digits with 30% of their pixels masked;
- code sparsity: Hoyer's measure of the codes, (sqrt(H) - |h|_1 / |h|_2) / (sqrt(H) - 1),
  0 when every unit is equally active, 1 when one unit carries the code; and mean |h_j|;
- mean Jacobian norm: mean over test digits of ||dh/dx||_F, the contractive penalty's root;
- linear probe: the test accuracy of a softmax regression trained on the codes of the
  training images (the codes are frozen; only the probe learns).
"""
# %% [markdown]
# ## 1. Setup: flags, and the list of variants.
# %%
import argparse
import math
import os
import sys
import timeit

import numpy

import dae
from dae import backend
from dae.functions import ACTIVATIONS, log_softmax, softmax

# name -> (what it is, the model's class, constructor options, corruption_level, contraction_level)
# The regularisers change one thing of the plain autoencoder; the architecture variants change
# one thing of the (masking) denoising autoencoder.
VARIANTS = {
    "plain": ("undercomplete plain AE (tied, sigmoid, cross-entropy, no noise)", "dA", {}, 0.0, None),
    "denoising": ("denoising AE, masking noise 30%", "dA", {"noise": "masking"}, 0.3, None),
    "gaussian": ("denoising AE, gaussian noise std 0.5", "dA", {"noise": "gaussian"}, 0.5, None),
    "salt_and_pepper": ("denoising AE, salt-and-pepper noise 30%", "dA", {"noise": "salt_and_pepper"}, 0.3, None),
    "sparse_l1": ("sparse AE, L1 on the code (weight 0.1)", "dA", {"sparsity": "l1", "sparsity_weight": 0.1}, 0.0, None),
    "sparse_kl": ("sparse AE, KL to target rate 0.05 (weight 1.0)", "dA",
                  {"sparsity": "kl", "sparsity_weight": 1.0, "sparsity_target": 0.05}, 0.0, None),
    "contractive": ("contractive AE (cA), contraction level 0.1", "cA", {}, 0.0, 0.1),
    "dropout": ("plain AE with dropout 0.5 on the hidden units", "dA", {"dropout": 0.5}, 0.0, None),
    "untied": ("denoising AE (masking 30%), untied decoder", "dA", {"tied_weights": False}, 0.3, None),
    "relu": ("denoising AE (masking 30%), ReLU encoder", "dA", {"activation": "relu"}, 0.3, None),
    "squared_error": ("denoising AE (masking 30%), squared error", "dA", {"loss": "squared_error"}, 0.3, None),
    "linear": ("linear AE (linear encoder and decoder, squared error): PCA's subspace", "dA",
               {"activation": "linear", "decoder": "linear", "loss": "squared_error", "tied_weights": False},
               0.0, None),
}

DEFAULT_LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 1e-3}
# The linear autoencoder's squared error on unbounded outputs has far larger gradients than the
# sigmoid ones: plain and momentum SGD diverge at the rate the others use (0.1), so they take
# this fraction of it. Adam's step does not scale with the gradient and needs no such factor.
SGD_LEARNING_RATE_SCALE = {"linear": 0.03}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train the autoencoder family on MNIST and compare it.")
    parser.add_argument("--n-train", type=int, default=20000, help="training images, the first N (20000)")
    parser.add_argument("--n-test", type=int, default=2000, help="test images for the table, the first N (2000)")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training images (5)")
    parser.add_argument("--batch-size", type=int, default=20, help="examples per minibatch (20)")
    parser.add_argument("--n-hidden", type=int, default=500, help="hidden units of every variant (500)")
    parser.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd",
                        help="the update rule for every variant (sgd, the tutorial's)")
    parser.add_argument("--learning-rate", type=float, default=None,
                        help="step size (default: sgd 0.1, momentum 0.01 with momentum 0.9, adam 0.001)")
    parser.add_argument("--variants", default="all",
                        help=f"comma-separated subset of: {', '.join(VARIANTS)} (default: all)")
    parser.add_argument("--probe-epochs", type=int, default=20, help="epochs of the softmax probe (20)")
    parser.add_argument("--output-folder", default="variants_plots", help="figures and results.md (variants_plots)")
    parser.add_argument("--backend", choices=backend.BACKENDS, default=None,
                        help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    parser.add_argument("--seed", type=int, default=123, help="seed of every model's numpy_rng (123)")
    args = parser.parse_args(argv)
    for name in ("n_train", "n_test", "epochs", "batch_size", "n_hidden", "probe_epochs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.n_train < args.batch_size:
        parser.error(f"--n-train ({args.n_train}) must be at least --batch-size ({args.batch_size})")
    if args.learning_rate is None:
        args.learning_rate = DEFAULT_LEARNING_RATES[args.optimizer]
    elif not args.learning_rate > 0:
        parser.error(f"--learning-rate must be positive, got {args.learning_rate}")
    names = list(VARIANTS) if args.variants == "all" else [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown or not names:
        parser.error(f"--variants: unknown {unknown or '(empty list)'}; choose from {', '.join(VARIANTS)}")
    args.variants = names
    return args


# %% [markdown]
# ## 2. Building and training one variant.
# Every model follows the gradient protocol, so one loop trains them all:
# `cost, grads = model.cost_and_grads(batch, ...)` then `optimizer.step(model.params, grads)`.
# %%
def build(name, n_hidden, seed, batch_size):
    _, kind, options, _, _ = VARIANTS[name]
    rng = numpy.random.RandomState(seed)
    if kind == "cA":
        return dae.cA(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, n_batchsize=batch_size)
    return dae.dA(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, **options)


def make_optimizer(args, name=None):
    """The --optimizer for variant ``name`` (see SGD_LEARNING_RATE_SCALE)."""
    if args.optimizer == "adam":
        return dae.optim.Adam(learning_rate=args.learning_rate)
    learning_rate = args.learning_rate * SGD_LEARNING_RATE_SCALE.get(name, 1.0)
    if args.optimizer == "momentum":
        return dae.optim.Momentum(learning_rate=learning_rate, momentum=0.9)
    return dae.optim.SGD(learning_rate=learning_rate)


class Diverged(ArithmeticError):
    """Training produced a non-finite cost (the step size is too large for this variant)."""


def train(name, model, train_x, args):
    """Minibatch training; returns the mean training cost of each epoch."""
    _, kind, _, corruption_level, contraction_level = VARIANTS[name]
    optimizer = make_optimizer(args, name)
    rng = numpy.random.RandomState(args.seed + 1)  # corruption and dropout draws
    n_batches = train_x.shape[0] // args.batch_size
    costs = []
    for epoch in range(args.epochs):
        epoch_costs = []
        for i in range(n_batches):
            batch = train_x[i * args.batch_size:(i + 1) * args.batch_size]
            if kind == "cA":
                cost, grads = model.cost_and_grads(batch, contraction_level=contraction_level)
            else:
                cost, grads = model.cost_and_grads(batch, corruption_level=corruption_level, rng=rng)
            optimizer.step(model.params, grads)
            epoch_costs.append(cost)
        mean_cost = float(backend.to_host(backend.xp.stack(epoch_costs)).mean(dtype="float64"))
        if not math.isfinite(mean_cost):
            raise Diverged(f"variant {name} diverged (cost {mean_cost}) with --optimizer {args.optimizer} "
                           f"--learning-rate {args.learning_rate}; try a smaller --learning-rate")
        costs.append(mean_cost)
        print(f"  {name}: training epoch {epoch}, cost {mean_cost:.4f}", flush=True)
    return costs


# %% [markdown]
# ## 3. Measuring a trained model: reconstruction, sparsity, contraction.
# %%
def encode(model, x):
    return model.get_hidden_values(x)


def activation_of(model):
    return getattr(model, "activation", "sigmoid")  # the cA's encoder is the sigmoid


def jacobian_norms(model, x):
    """||dh/dx||_F per row: J[j, i] = f'(a_j) W_ij, so ||J||_F^2 = sum_j f'(a_j)^2 sum_i W_ij^2."""
    h = encode(model, x)
    slope = ACTIVATIONS[activation_of(model)][1](h)
    return backend.xp.sqrt((slope * slope) @ (model.W * model.W).sum(axis=0))


def hoyer_sparsity(h):
    """(sqrt(H) - |h|_1 / |h|_2) / (sqrt(H) - 1) per row; an all-zero code counts as 1."""
    xp = backend.array_module(h)
    n = h.shape[1]
    if n == 1:
        return xp.zeros(h.shape[0], dtype=h.dtype)  # one unit: no spread to measure
    l1 = xp.abs(h).sum(axis=1)
    l2 = xp.sqrt((h * h).sum(axis=1))
    ratio = xp.where(l2 > 0, l1 / xp.where(l2 > 0, l2, 1.0), 1.0)
    return (math.sqrt(n) - ratio) / (math.sqrt(n) - 1)


def mask(x, level, seed):
    keep = numpy.random.RandomState(seed).binomial(1, 1.0 - level, x.shape)
    return x * backend.asarray(keep, dtype=x.dtype)


def squared_errors(z, x):
    return ((z - x) ** 2).sum(axis=1)


# %% [markdown]
# ## 4. The linear probe: a softmax regression on frozen codes.
# The probe is a model under the gradient protocol too (params [V, c], cost = mean negative
# log-likelihood + weight decay through the optimiser), trained with Adam.
# %%
class SoftmaxProbe:
    """p(y | h) = softmax(h V + c): cost = - mean_n log p(y_n | h_n); grads (P - Y)/N terms."""

    def __init__(self, n_in, n_classes=10, dtype="float32"):
        xp = backend.xp
        self.V = xp.zeros((n_in, n_classes), dtype=dtype)
        self.c = xp.zeros(n_classes, dtype=dtype)
        self.params = [self.V, self.c]
        self.param_names = ["V", "c"]

    def cost_and_grads(self, h, y, rng=None):
        xp = backend.xp
        n = h.shape[0]
        logits = h @ self.V + self.c
        cost = -log_softmax(logits)[xp.arange(n), y].mean()
        d = softmax(logits)
        d[xp.arange(n), y] -= 1.0
        d /= n
        return cost, [h.T @ d, d.sum(axis=0)]

    def predict(self, h):
        return (h @ self.V + self.c).argmax(axis=1)


def probe_accuracy(train_codes, train_y, test_codes, test_y, epochs, seed):
    """Standardise the codes (training statistics), fit the probe with Adam, return test accuracy."""
    mean = train_codes.mean(axis=0)
    std = train_codes.std(axis=0) + 1e-3  # dead units stay at zero
    tr = (train_codes - mean) / std
    te = (test_codes - mean) / std
    probe = SoftmaxProbe(tr.shape[1], dtype=tr.dtype)
    opt = dae.optim.Adam(learning_rate=5e-3, weight_decay=1e-4)
    order_rng = numpy.random.RandomState(seed)
    for _ in range(epochs):
        order = backend.asarray(order_rng.permutation(tr.shape[0]), dtype="int64")
        for i in range(0, tr.shape[0], 100):
            idx = order[i:i + 100]
            _, grads = probe.cost_and_grads(tr[idx], train_y[idx])
            opt.step(probe.params, grads)
    return float((probe.predict(te) == test_y).mean())


# %% [markdown]
# ## 5. One figure per variant: filters, and test digits clean / corrupted / reconstructed.
# %%
def corrupt_for_figure(name, model, x):
    """The variant's own noise at its own level (masking 30% for the ones trained without noise)."""
    _, kind, options, level, _ = VARIANTS[name]
    if kind == "dA" and level > 0:
        return model.get_corrupted_input(x, level, rng=numpy.random.RandomState(7))
    return mask(x, 0.3, 7)


def save_figure(name, model, test_x, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_tiles = min(100, model.n_hidden)
    side = int(math.ceil(math.sqrt(n_tiles)))
    filters = dae.tile_raster_images(X=backend.to_host(model.W).T[:n_tiles], img_shape=(28, 28),
                                     tile_shape=(side, side), tile_spacing=(1, 1))
    clean = test_x[:10]
    noisy = corrupt_for_figure(name, model, clean)
    recon = model.reconstruct(noisy)
    rows = numpy.concatenate([backend.to_host(a) for a in (clean, noisy, recon)])
    digits = dae.tile_raster_images(X=numpy.clip(rows, 0.0, 1.0), img_shape=(28, 28), tile_shape=(3, 10),
                                    tile_spacing=(1, 1), scale_rows_to_unit_interval=False)
    fig, axes = plt.subplots(1, 2, figsize=(10, 5.2), gridspec_kw={"width_ratios": [1, 1.05]})
    axes[0].imshow(filters, cmap="gray")
    axes[0].set_title(f"first {n_tiles} filters (columns of W)")
    axes[1].imshow(digits, cmap="gray", vmin=0, vmax=255)
    axes[1].set_title("test digits: clean / corrupted / reconstructed")
    for ax in axes:
        ax.axis("off")
    fig.suptitle(f"{name}: {VARIANTS[name][0]}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


# %% [markdown]
# ## 6. The table.
# %%
COLUMNS = ("variant", "test recon. error", "denoising error", "code sparsity (Hoyer)", "mean |h|",
           "mean ||dh/dx||_F", "linear probe acc.", "train time (s)")


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in rows:
        cells = [r["variant"]] + [("-" if r[k] is None else f"{r[k]:.{d}f}") for k, d in (
            ("recon", 2), ("denoise", 2), ("hoyer", 3), ("mean_abs_h", 3), ("jacobian", 2), ("probe", 4),
            ("seconds", 1))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def evaluate(name, model, train_x, train_y, test_x, test_y, args):
    noisy_test = mask(test_x, 0.3, 11)
    h_test = encode(model, test_x)
    return {
        "variant": name,
        "recon": float(squared_errors(model.reconstruct(test_x), test_x).mean()),
        "denoise": float(squared_errors(model.reconstruct(noisy_test), test_x).mean()),
        "hoyer": float(hoyer_sparsity(h_test).mean()),
        "mean_abs_h": float(backend.xp.abs(h_test).mean()),
        "jacobian": float(jacobian_norms(model, test_x).mean()),
        "probe": probe_accuracy(encode(model, train_x), train_y, h_test, test_y, args.probe_epochs, args.seed),
    }


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)

    # %% [markdown]
    # ## 7. Data: the first n-train training digits and the first n-test test digits.
    # %%
    (train_x, train_y), _, (test_x, test_y) = dae.load_data()
    train_x, train_y = train_x[:args.n_train], train_y[:args.n_train]
    test_x, test_y = test_x[:args.n_test], test_y[:args.n_test]
    train_x, test_x = backend.asarray(train_x), backend.asarray(test_x)
    train_y, test_y = backend.asarray(train_y, dtype="int64"), backend.asarray(test_y, dtype="int64")
    os.makedirs(args.output_folder, exist_ok=True)
    print(f"{len(args.variants)} variants, {args.n_train} training digits, {args.epochs} epochs, "
          f"{args.n_hidden} hidden units, {args.optimizer} (learning rate {args.learning_rate})", flush=True)

    # %% [markdown]
    # ## 8. Train, measure and draw every variant; then a reference row: the probe on raw pixels.
    # %%
    start = timeit.default_timer()
    rows = []
    for name in args.variants:
        print(f"{name}: {VARIANTS[name][0]}", flush=True)
        model = build(name, args.n_hidden, args.seed, args.batch_size)
        t0 = timeit.default_timer()
        try:
            # floating-point overflow of a diverging run is reported by Diverged, not by numpy
            with numpy.errstate(over="ignore", invalid="ignore"):
                train(name, model, train_x, args)
        except Diverged as exc:
            print(f"warning: {exc}", file=sys.stderr)
            row = dict.fromkeys(("recon", "denoise", "hoyer", "mean_abs_h", "jacobian", "probe", "seconds"))
            row["variant"] = f"{name} (diverged)"
            rows.append(row)
            continue
        seconds = timeit.default_timer() - t0
        row = evaluate(name, model, train_x, train_y, test_x, test_y, args)
        row["seconds"] = seconds
        rows.append(row)
        save_figure(name, model, test_x, os.path.join(args.output_folder, f"variant_{name}.png"))
    rows.append({"variant": "(raw pixels, no model)", "recon": None, "denoise": None, "hoyer": None,
                 "mean_abs_h": None, "jacobian": None, "seconds": None,
                 "probe": probe_accuracy(train_x, train_y, test_x, test_y, args.probe_epochs, args.seed)})
    total = timeit.default_timer() - start

    table = markdown_table(rows)
    print()
    print(table)
    print(f"\nThe code for file {os.path.split(__file__)[1]} ran for {total / 60.0:.2f}m", file=sys.stderr)
    with open(os.path.join(args.output_folder, "results.md"), "w", encoding="utf-8") as f:
        f.write(f"Command: variants_tutorial.py --n-train {args.n_train} --n-test {args.n_test} --epochs {args.epochs} "
                f"--batch-size {args.batch_size} --n-hidden {args.n_hidden} --optimizer {args.optimizer} "
                f"--learning-rate {args.learning_rate}\n\n{table}\n\nTotal: {total:.1f} s\n")
    return rows


if __name__ == "__main__":
    main()
