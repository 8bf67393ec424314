# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The autoencoder family side by side
#
# What each way of stopping the identity map buys. An autoencoder with as many hidden units as
# it likes could copy its input and learn nothing. The lecture notes list the ways to stop it:
# make the code small (undercomplete), corrupt the input and ask for the clean one back
# (denoising, with three kinds of noise), penalise the code (sparse: L1, or a KL divergence to a
# small target rate), penalise the code's sensitivity to the input (contractive), or drop hidden
# units at random (dropout). Architecture choices come on top: untied decoder, ReLU encoder,
# squared error instead of cross-entropy, and the linear autoencoder, which is PCA in disguise.
#
# Every variant gets the same budget (the same training images, epochs, minibatch size, hidden
# units and optimiser). For each, the tutorial draws one figure (`variant_<name>.png`: its first
# 100 filters, and test digits clean / corrupted / reconstructed) and writes one row of a table
# (`results.md`, also printed). Run it as a notebook or as a script:
# `python tutorials/variants_tutorial.py` (every variant, 20,000 digits x 5 epochs: minutes),
# `--variants plain,denoising,contractive --epochs 1`, `--optimizer adam`, `--quick`, `--help`.

# %% tags=["parameters"]
n_train = 20000              # training images, the first N
n_test = 2000                # test images for the table, the first N
epochs = 5                   # passes over the training images
batch_size = 20              # examples per minibatch
n_hidden = 500               # hidden units of every variant
optimizer = "sgd"            # the update rule for every variant: sgd (the tutorial's), momentum or adam
learning_rate: float = None  # step size (default: sgd 0.1, momentum 0.01 with momentum 0.9, adam 0.001)
variants = "all"             # comma-separated subset of the variants below (default: all)
probe_epochs = 20            # epochs of the linear probe
output_folder = "variants_plots"  # figures and results.md
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
seed = 123                   # seed of every model's numpy_rng
quick = False                # a small slice (500 digits, 1 epoch, 32 hidden units): seconds

# %% [markdown]
# The cell above holds the parameters; the next one imports dae and applies them (from the
# command line when this file runs as a script; the small slice when `quick` is True).

# %%
import math
import os
import sys
import timeit

import numpy
from matplotlib.figure import Figure

import dae
from dae.layers import ACTIVATIONS

dae.tutorial.parameters(globals(), quick=dict(n_train=500, n_test=200, epochs=1, n_hidden=32, probe_epochs=2),
                        choices={"optimizer": ("sgd", "momentum", "adam")},
                        positive=("n_train", "n_test", "epochs", "batch_size", "n_hidden", "probe_epochs",
                                  "learning_rate"))
xp, to_host = dae.backend.xp, dae.backend.to_host

# %% [markdown]
# ## The variants
#
# Each row changes one thing. The regularisers change one thing of the plain autoencoder (tied
# weights, sigmoid units, cross-entropy, no noise); the architecture variants change one thing
# of the (masking) denoising autoencoder. All of them are `dae.Autoencoder`, the family whose
# defaults are the tutorial's `dA`, except the contractive one, which is `dae.cA`. In equations, with $\mathbf{y} = f(\tilde{\mathbf{x}} W + \mathbf{b})$
# and $\mathbf{z} = g(\mathbf{y} W' + \mathbf{b}')$:
#
# - *denoising*: $\tilde{\mathbf{x}}$ is $\mathbf{x}$ with 30% of its pixels zeroed (masking),
#   $\mathbf{x} + 0.5\,\epsilon$ (gaussian) or 30% of its pixels set to 0 or 1 (salt and pepper);
# - *sparse*: the cost gets $\lambda \frac{1}{N}\sum_n \sum_j |y_{nj}|$ (L1), or
#   $\lambda \sum_j \mathrm{KL}(\rho \,\|\, \hat\rho_j)$ with $\hat\rho_j$ the mean activation of unit
#   $j$ and $\mathrm{KL}(\rho\|q) = \rho \log\frac{\rho}{q} + (1-\rho)\log\frac{1-\rho}{1-q}$;
# - *contractive*: the cost gets $\lambda \| \partial \mathbf{y} / \partial \mathbf{x} \|_F^2$;
# - *dropout*: each hidden unit is zeroed with probability 0.5 while training (the rest scaled by 2);
# - *untied*: $W'$ is a matrix of its own; *ReLU*: $f(a) = \max(a, 0)$; *squared error*:
#   $L = \sum_k (z_k - x_k)^2$; *linear*: $f$ and $g$ the identity, squared error, whose optimum
#   spans the same subspace as PCA's first components.

# %%
# name -> (what it is, the model's class, constructor options, the levels of each training call)
# The regularisers change one thing of the plain autoencoder; the architecture variants change
# one thing of the (masking) denoising autoencoder. Noise levels are keywords of the call.
MASKED = {"corruption_level": 0.3}
VARIANTS = {
    "plain": ("undercomplete plain AE (tied, sigmoid, cross-entropy, no noise)", "Autoencoder", {}, {}),
    "denoising": ("denoising AE, masking noise 30%", "Autoencoder", {"noise": "masking"}, MASKED),
    "gaussian": ("denoising AE, gaussian noise std 0.5", "Autoencoder", {"noise": "gaussian"},
                 {"corruption_level": 0.5}),
    "salt_and_pepper": ("denoising AE, salt-and-pepper noise 30%", "Autoencoder", {"noise": "salt_and_pepper"},
                        MASKED),
    "sparse_l1": ("sparse AE, L1 on the code (weight 0.1)", "Autoencoder",
                  {"sparsity": "l1", "sparsity_weight": 0.1}, {}),
    "sparse_kl": ("sparse AE, KL to target rate 0.05 (weight 1.0)", "Autoencoder",
                  {"sparsity": "kl", "sparsity_weight": 1.0, "sparsity_target": 0.05}, {}),
    "contractive": ("contractive AE (cA), contraction level 0.1", "cA", {}, {"contraction_level": 0.1}),
    "dropout": ("plain AE with dropout 0.5 on the hidden units", "Autoencoder", {}, {"dropout": 0.5}),
    "untied": ("denoising AE (masking 30%), untied decoder", "Autoencoder", {"tied_weights": False}, MASKED),
    "relu": ("denoising AE (masking 30%), ReLU encoder", "Autoencoder", {"activation": "relu"}, MASKED),
    "squared_error": ("denoising AE (masking 30%), squared error", "Autoencoder", {"loss": "squared_error"},
                      MASKED),
    "linear": ("linear AE (linear encoder and decoder, squared error): PCA's subspace", "Autoencoder",
               {"activation": "linear", "decoder": "linear", "loss": "squared_error", "tied_weights": False}, {}),
}

DEFAULT_LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 1e-3}
# The linear autoencoder's squared error on unbounded outputs has far larger gradients than the
# sigmoid ones: plain and momentum SGD diverge at the rate the others use (0.1), so they take
# this fraction of it. Adam's step does not scale with the gradient and needs no such factor.
SGD_LEARNING_RATE_SCALE = {"linear": 0.03}

if learning_rate is None:
    learning_rate = DEFAULT_LEARNING_RATES[optimizer]
names = list(VARIANTS) if variants == "all" else [v.strip() for v in variants.split(",") if v.strip()]
unknown = [v for v in names if v not in VARIANTS]
if unknown or not names:
    raise ValueError(f"variants: unknown {unknown or '(empty list)'}; choose from {', '.join(VARIANTS)}")
print(f"{len(names)} variants: {', '.join(names)}")

# %% [markdown]
# ## The data
#
# The first `n_train` training digits (with their labels, for the probe only) and the first
# `n_test` test digits, 784 grey levels in [0, 1) each.

# %%
(train_x, train_y), _, (test_x, test_y) = dae.load_data()
train_x, train_y = train_x[:n_train], train_y[:n_train]
test_x, test_y = test_x[:n_test], test_y[:n_test]
if train_x.shape[0] < batch_size:
    raise ValueError(f"n_train ({train_x.shape[0]}) must be at least batch_size ({batch_size})")
train_x, test_x = dae.backend.asarray(train_x), dae.backend.asarray(test_x)
train_y, test_y = dae.backend.asarray(train_y, dtype="int64"), dae.backend.asarray(test_y, dtype="int64")
print(f"{len(names)} variants, {n_train} training digits, {epochs} epochs, "
      f"{n_hidden} hidden units, {optimizer} (learning rate {learning_rate})", flush=True)

# %% [markdown]
# ## Building and training one variant
#
# Every model follows the same gradient protocol, so one loop, `dae.Trainer`, trains them all:
# per minibatch `cost, grads = model.cost_and_grads(batch, rng=rng, **levels)`, then
# `optimizer.step(model.params, grads)`. The noise levels are keywords of the call
# (`corruption_level` and `dropout` for the family, `contraction_level` for the cA), and the
# corruption and dropout draws come from the `rng` the trainer passes. A variant whose cost stops being finite
# (or blows up) stops with `dae.train.DivergenceError`: reported, not fatal.

# %%
def build(name):
    _, kind, options, _ = VARIANTS[name]
    rng = numpy.random.RandomState(seed)
    if kind == "cA":
        return dae.cA(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, n_batchsize=batch_size)
    return dae.Autoencoder(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, **options)


def make_optimizer(name=None):
    """The chosen optimizer for variant ``name`` (see SGD_LEARNING_RATE_SCALE)."""
    if optimizer == "adam":
        return dae.optim.Adam(learning_rate=learning_rate)
    rate = learning_rate * SGD_LEARNING_RATE_SCALE.get(name, 1.0)
    if optimizer == "momentum":
        return dae.optim.Momentum(learning_rate=rate, momentum=0.9)
    return dae.optim.SGD(learning_rate=rate)


def train(name, model):
    """Minibatches in order through dae.Trainer; returns the mean training cost of each epoch."""
    levels = VARIANTS[name][3]
    report = lambda trainer, m: print(f"  {name}: training epoch {m['epoch']}, cost {m['train_cost']:.4f}", flush=True)
    trainer = dae.Trainer(model, make_optimizer(name), batch_size=batch_size, cost_kwargs=levels,
                          rng=numpy.random.RandomState(seed + 1),  # corruption and dropout draws
                          drop_last=True, display=dae.train.Display("none"), on_epoch_end=report)
    return [m["train_cost"] for m in trainer.fit(train_x, epochs)]

# %% [markdown]
# ## Measuring a trained model
#
# On the test digits, for each model:
#
# - test reconstruction error: the mean over digits of $\sum_k (z_k - x_k)^2$ (clean input);
# - denoising error: the same for digits with 30% of their pixels masked (the masking noise of
#   `dae.corruption`), against the clean digit;
# - code sparsity, Hoyer's measure $\left(\sqrt{H} - \|\mathbf{h}\|_1 / \|\mathbf{h}\|_2\right) / (\sqrt{H} - 1)$:
#   0 when every unit is equally active, 1 when one unit carries the code; and the mean $|h_j|$;
# - the mean Jacobian norm $\| \partial \mathbf{h} / \partial \mathbf{x} \|_F$ (the contractive
#   penalty's root): $J_{ji} = f'(a_j) W_{ij}$, so $\|J\|_F^2 = \sum_j f'(a_j)^2 \sum_i W_{ij}^2$.

# %%
def activation_of(model):
    return getattr(model, "activation", "sigmoid")  # the cA's encoder is the sigmoid


def jacobian_norms(model, x):
    """||dh/dx||_F per row: J[j, i] = f'(a_j) W_ij, so ||J||_F^2 = sum_j f'(a_j)^2 sum_i W_ij^2."""
    h = model.get_hidden_values(x)
    slope, _ = ACTIVATIONS[activation_of(model)]().backward(xp.ones_like(h), h)  # f'(a) from h
    return xp.sqrt((slope * slope) @ (model.W * model.W).sum(axis=0))


def hoyer_sparsity(h):
    """(sqrt(H) - |h|_1 / |h|_2) / (sqrt(H) - 1) per row; an all-zero code counts as 1."""
    module = dae.backend.array_module(h)
    n = h.shape[1]
    if n == 1:
        return module.zeros(h.shape[0], dtype=h.dtype)  # one unit: no spread to measure
    l1 = module.abs(h).sum(axis=1)
    l2 = module.sqrt((h * h).sum(axis=1))
    ratio = module.where(l2 > 0, l1 / module.where(l2 > 0, l2, 1.0), 1.0)
    return (math.sqrt(n) - ratio) / (math.sqrt(n) - 1)


def masked(x, level, mask_seed):
    """x with a fraction ``level`` of its pixels zeroed: dae.corruption's masking noise."""
    return dae.corruption.corrupt(x, level, "masking", numpy.random.RandomState(mask_seed))


def squared_errors(z, x):
    return ((z - x) ** 2).sum(axis=1)

# %% [markdown]
# ## The linear probe
#
# How useful is a code for recognising digits? Freeze the autoencoder, encode the training
# digits, and fit a softmax regression (`dae.LogisticRegression`,
# $P(Y = k \mid \mathbf{h}) = \mathrm{softmax}(\mathbf{h} V + \mathbf{c})_k$, cost the mean
# negative log-likelihood) on the codes with Adam; its test accuracy is the probe's score. The codes
# are standardised first (training statistics), and the same probe on raw pixels is the reference
# row of the table.

# %%
def probe_accuracy(train_codes, train_labels, test_codes, test_labels, n_epochs, probe_seed):
    """Standardise the codes (training statistics), fit the probe with Adam, return test accuracy."""
    mean = train_codes.mean(axis=0)
    std = train_codes.std(axis=0) + 1e-3  # dead units stay at zero
    tr = ((train_codes - mean) / std).astype(train_codes.dtype)
    te = ((test_codes - mean) / std).astype(train_codes.dtype)
    probe = dae.LogisticRegression(n_in=tr.shape[1], n_out=10)
    trainer = dae.Trainer(probe, dae.optim.Adam(learning_rate=5e-3, weight_decay=1e-4), batch_size=100,
                          rng=numpy.random.RandomState(probe_seed), shuffle="examples",
                          display=dae.train.Display("none"))
    trainer.fit(dae.backend.to_host(tr), n_epochs, train_y=dae.backend.to_host(train_labels), check_values=False)
    return float((probe.y_pred(te) == test_labels).mean())


def evaluate(name, model):
    noisy_test = masked(test_x, 0.3, 11)
    h_test = model.get_hidden_values(test_x)
    return {
        "variant": name,
        "recon": float(squared_errors(model.reconstruct(test_x), test_x).mean()),
        "denoise": float(squared_errors(model.reconstruct(noisy_test), test_x).mean()),
        "hoyer": float(hoyer_sparsity(h_test).mean()),
        "mean_abs_h": float(xp.abs(h_test).mean()),
        "jacobian": float(jacobian_norms(model, test_x).mean()),
        "probe": probe_accuracy(model.get_hidden_values(train_x), train_y, h_test, test_y, probe_epochs, seed),
    }

# %% [markdown]
# ## One figure per variant
#
# Left, the first 100 filters (columns of $W$ as 28 x 28 images). Right, ten test digits: clean,
# corrupted by the variant's own noise (masking 30% for the ones trained without noise), and the
# reconstruction of the corrupted digit. What to look for: stroke-like filters (denoising,
# contractive, sparse) against blobs or noise (plain); reconstructions that fill in the masked
# pixels (the denoising variants) against ones that copy the holes.

# %%
def corrupt_for_figure(name, model, x):
    """The variant's own noise at its own level (masking 30% for the ones trained without noise)."""
    level = VARIANTS[name][3].get("corruption_level", 0.0)
    if level > 0:
        return model.get_corrupted_input(x, level, rng=numpy.random.RandomState(7))
    return masked(x, 0.3, 7)


def variant_figure(name, model):
    n_tiles = min(100, model.n_hidden)
    side = int(math.ceil(math.sqrt(n_tiles)))
    filters = dae.tile_raster_images(X=to_host(model.W).T[:n_tiles], img_shape=(28, 28),
                                     tile_shape=(side, side), tile_spacing=(1, 1))
    clean = test_x[:10]
    noisy = corrupt_for_figure(name, model, clean)
    recon = model.reconstruct(noisy)
    rows = numpy.concatenate([to_host(a) for a in (clean, noisy, recon)])
    digits = dae.tile_raster_images(X=numpy.clip(rows, 0.0, 1.0), img_shape=(28, 28), tile_shape=(3, 10),
                                    tile_spacing=(1, 1), scale_rows_to_unit_interval=False)
    fig = Figure(figsize=(10, 5.2))
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.05]})
    axes[0].imshow(filters, cmap="gray")
    axes[0].set_title(f"first {n_tiles} filters (columns of W)")
    axes[1].imshow(digits, cmap="gray", vmin=0, vmax=255)
    axes[1].set_title("test digits: clean / corrupted / reconstructed")
    for ax in axes:
        ax.axis("off")
    fig.suptitle(f"{name}: {VARIANTS[name][0]}", fontsize=10)
    fig.tight_layout()
    return fig

# %% [markdown]
# ## Train, measure and draw every variant
#
# Then a reference row: the probe on the raw pixels, with no model.

# %%
start = timeit.default_timer()
rows = []
for name in names:
    print(f"{name}: {VARIANTS[name][0]}", flush=True)
    model = build(name)
    t0 = timeit.default_timer()
    try:
        train(name, model)
    except dae.train.DivergenceError as exc:
        print(f"warning: {exc}", file=sys.stderr)
        row = dict.fromkeys(("recon", "denoise", "hoyer", "mean_abs_h", "jacobian", "probe", "seconds"))
        row["variant"] = f"{name} (diverged)"
        rows.append(row)
        continue
    seconds = timeit.default_timer() - t0
    row = evaluate(name, model)
    row["seconds"] = seconds
    rows.append(row)
    dae.tutorial.show(variant_figure(name, model), f"{output_folder}/variant_{name}.png")
rows.append({"variant": "(raw pixels, no model)", "recon": None, "denoise": None, "hoyer": None,
             "mean_abs_h": None, "jacobian": None, "seconds": None,
             "probe": probe_accuracy(train_x, train_y, test_x, test_y, probe_epochs, seed)})
total = timeit.default_timer() - start

# %% [markdown]
# ## The table
#
# One row per variant. What to look for: the denoising variants have the lowest denoising error
# (they were trained for it) at little cost in clean reconstruction; the contractive one has by
# far the smallest Jacobian norm; the sparse ones the highest Hoyer sparsity; and the probe's
# accuracy says which codes a classifier finds easiest to read.

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


table = markdown_table(rows)
print()
print(table)
print(f"\nThe code for file variants_tutorial.py ran for {total / 60.0:.2f}m", file=sys.stderr)
os.makedirs(output_folder, exist_ok=True)
with open(f"{output_folder}/results.md", "w", encoding="utf-8") as f:
    f.write(f"Command: variants_tutorial.py --n-train {n_train} --n-test {n_test} --epochs {epochs} "
            f"--batch-size {batch_size} --n-hidden {n_hidden} --optimizer {optimizer} "
            f"--learning-rate {learning_rate}\n\n{table}\n\nTotal: {total:.1f} s\n")

# %% [markdown]
# ## Your turn
#
# Write the sparse autoencoder's KL penalty and its gradient yourself, as in Andrew Ng's UFLDL notes,
# then train a sparse autoencoder with them.
#
# Fill in each stub between its `# ---- your code here ----` and `# ---- end of your code ----`
# markers and run its cell, then run the grading cell under it. The grading cell calls the same
# graders as `dae exercises check`: for each quantity your code returns it prints the relative
# error against the package's reference, beside its threshold, and for a mistake it recognises,
# a hint. Left untouched, a stub raises `NotImplementedError` and the grading cell prints
# `not started`. Use NumPy only; the graders call your functions with float64 arrays.
#
# Prefer an editor and pytest? `dae exercises start my_workbook` copies the same exercises into
# files, and `dae exercises check --dir my_workbook` (or `pytest` in that folder) grades them.

# %% [markdown]
# ### Exercise: the KL sparsity penalty (`sparse_kl`)
#
# Write `kl_penalty_and_grad(y, rho, weight)`. For the codes $\mathbf{y}$ of a minibatch (`y`,
# (N, H), sigmoid activations in (0, 1)), each unit's mean activation is
# $\hat\rho_j = \frac{1}{N} \sum_n y_{nj}$; with the target $\rho$ (`rho`) and the weight $\beta$
# (`weight`),
#
# $$\mathrm{KL}(\rho \,\|\, q) = \rho \log \frac{\rho}{q} + (1 - \rho) \log \frac{1 - \rho}{1 - q}, \qquad P = \beta \sum_{j=1}^{H} \mathrm{KL}(\rho \,\|\, \hat\rho_j).$$
#
# Return `(P, dy)`: the penalty, a real float, and $\partial P / \partial \mathbf{y}$, a float64 array
# of shape (N, H). Differentiate $\mathrm{KL}(\rho \,\|\, q)$ with respect to $q$ first, then chain
# through $\hat\rho_j$: how does it move when one $y_{nj}$ moves?

# %%
import numpy


def kl_penalty_and_grad(y, rho, weight):
    """The KL sparsity penalty and its gradient with respect to y: (P, dy)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("sparse_kl", kl_penalty_and_grad)

# %% [markdown]
# ### The payoff: a sparse autoencoder, trained with your penalty
#
# Once `sparse_kl` passes, the cell below trains this chapter's `sparse_kl` variant (500 hidden
# units, a target rate of 0.05, weight 1.0, learning rate 0.1, minibatches of 20, seed 123) with
# *your* `kl_penalty_and_grad` in place of the library's, on a slice of the training set that
# takes under a minute: the library computes the reconstruction cost and its gradient, your
# function adds the penalty and its gradient. Each epoch's cost is printed beside the library's own
# run on the same slice, and your filters are drawn beside the library's. Until the check passes,
# the cell says so in one line. From a terminal: `dae exercises train sparse_kl --dir my_workbook`.

# %%
import dae.exercises

payoff = dae.exercises.train("sparse_kl", kl_penalty_and_grad, output_folder=f"{output_folder}/yours")
