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
# units and optimiser). For each, the tutorial draws one figure (`variant_<name>_<its knobs>.png`:
# its first 100 filters, and test digits clean / corrupted / reconstructed) and writes one row of
# a table (`results.md`, also printed); the learning curves of all of them are drawn against the
# plain autoencoder's (the baseline) and PCA's error. Run it as a notebook or as a script:
# `python tutorials/variants_tutorial.py` (every variant, 20,000 digits x 5 epochs: minutes),
# `--variants plain,denoising,contractive --epochs 1`, `--kl-target 0.1`, `--optimizer adam`,
# `--quick`, `--help`. Each training prints how long it ran.

# %% tags=["parameters"]
n_train = 20000              # training images, the first N
n_test = 2000                # test images for the table, the first N
epochs = 5                   # passes over the training images
batch_size = 20              # examples per minibatch
n_hidden = 500               # hidden units of every variant
optimizer = "sgd"            # the update rule for every variant: sgd (the tutorial's), momentum or adam
learning_rate: float = None  # step size (default: sgd 0.1, momentum 0.01 with momentum 0.9, adam 0.001)
variants = "all"             # comma-separated subset of the variants below (default: all)
corruption_level = 0.3       # masking and salt-and-pepper noise: the fraction of pixels corrupted
gaussian_std = 0.5           # gaussian noise: its standard deviation
l1_weight = 0.1              # lambda of the L1 sparsity penalty
kl_target = 0.05             # rho, the mean activation the KL sparsity penalty asks of each unit
kl_weight = 1.0              # lambda of the KL sparsity penalty
contraction_level = 0.1      # lambda of the contractive penalty
dropout = 0.5                # the fraction of hidden units dropped while training
probe_epochs = 20            # epochs of the linear probe
output_folder = "variants_plots"  # figures and results.md
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
seed = 123                   # seed of every model's numpy_rng
quick = False                # a small slice (500 digits, 1 epoch, 32 hidden units): seconds

# %% [markdown]
# The cell above holds the knobs: change them there, give the same names as flags to the script,
# or as papermill's `-p`. The next one imports dae and applies them (from the command line when
# this file runs as a script; the small slice when `quick` is True, never over a value you set).

# %%
import math
import os
import timeit

import numpy

import dae
from dae.layers import ACTIVATIONS
from dae.models.autoencoder import kl_sparsity_penalty, l1_sparsity_penalty

dae.tutorial.parameters(globals(), quick=dict(n_train=500, n_test=200, epochs=1, n_hidden=32, probe_epochs=2),
                        choices={"optimizer": ("sgd", "momentum", "adam")},
                        positive=("n_train", "n_test", "epochs", "batch_size", "n_hidden", "probe_epochs",
                                  "learning_rate", "kl_target"))
xp, to_host = dae.backend.xp, dae.backend.to_host

# %% [markdown]
# ## The family
#
# All the variants but one are `dae.Autoencoder`, the family whose defaults are the tutorial's
# `dA`; the contractive one is `dae.cA` (its own chapter). A digit $\mathbf{x}$ (a row of 784
# grey levels) is corrupted into $\tilde{\mathbf{x}}$, encoded by the weights $W$ and biases
# $\mathbf{b}$ through the activation $f$, and decoded by $W'$ and $\mathbf{b}'$ through the
# output function $g$:
#
# $$\mathbf{y} = f(\tilde{\mathbf{x}} W + \mathbf{b}), \qquad \mathbf{z} = g(\mathbf{y} W' + \mathbf{b}').$$
#
# The plain autoencoder has $\tilde{\mathbf{x}} = \mathbf{x}$, $W' = W^T$ (tied weights), $f$ and
# $g$ the sigmoid $s(a) = 1 / (1 + e^{-a})$ and the cross-entropy
# $L(\mathbf{x}, \mathbf{z}) = -\sum_k \left[ x_k \log z_k + (1 - x_k) \log(1 - z_k) \right]$;
# the cost $C$ is the mean of $L$ over a minibatch of $N$ digits. Each variant changes one thing.
#
# **Denoising**: $\tilde{\mathbf{x}}$ is $\mathbf{x}$ with a fraction $\nu$ (`corruption_level`)
# of its pixels zeroed (masking), $\mathbf{x} + \sigma \boldsymbol{\epsilon}$ with
# $\boldsymbol{\epsilon} \sim \mathcal{N}(0, I)$ and $\sigma$ = `gaussian_std` (gaussian), or a
# fraction $\nu$ of its pixels set to 0 or 1 (salt and pepper), and $C$ compares $\mathbf{z}$
# with the *clean* $\mathbf{x}$:

# %%
dae.tutorial.show_source(dae.corruption.corrupt)

# %% [markdown]
# **Sparse**: the cost gets a penalty on the code. With L1, $\lambda \frac{1}{N} \sum_n \sum_j |y_{nj}|$
# ($\lambda$ = `l1_weight`), whose gradient $\frac{\lambda}{N} \mathrm{sign}(y_{nj})$ pushes every
# code value towards 0. With the KL penalty, each unit $j$'s mean activation over the minibatch,
# $\hat\rho_j = \frac{1}{N} \sum_n y_{nj}$, is asked to be a small target $\rho$ (`kl_target`),
# with $\lambda$ = `kl_weight`:
#
# $$P = \lambda \sum_j \mathrm{KL}(\rho \,\|\, \hat\rho_j), \qquad \mathrm{KL}(\rho \,\|\, q) = \rho \log\frac{\rho}{q} + (1 - \rho) \log\frac{1 - \rho}{1 - q}, \qquad \frac{\partial P}{\partial y_{nj}} = \frac{\lambda}{N} \left( -\frac{\rho}{\hat\rho_j} + \frac{1 - \rho}{1 - \hat\rho_j} \right).$$
#
# Both return the penalty and its gradient with respect to the code, added to the gradient that
# comes down from the decoder:

# %%
dae.tutorial.show_source(l1_sparsity_penalty, kl_sparsity_penalty)

# %% [markdown]
# **Contractive**: the cost gets $\lambda \| \partial \mathbf{y} / \partial \mathbf{x} \|_F^2$
# ($\lambda$ = `contraction_level`), the cA chapter's penalty. **Dropout**: while training, each
# hidden unit is zeroed with probability $p$ (`dropout`) and the others are multiplied by
# $1 / (1 - p)$, so the expected code is unchanged (and the code at test time is $\mathbf{y}$
# itself); the backward pass multiplies by the same mask:

# %%
dae.tutorial.show_source(dae.layers.Dropout.forward, dae.layers.Dropout.backward)

# %% [markdown]
# The architecture variants change one thing of the (masking) denoising autoencoder. **Untied**:
# $W'$ is a matrix of its own, not $W^T$. **ReLU**: $f(a) = \max(a, 0)$. **Squared error**:
# $L = \sum_k (z_k - x_k)^2$. **Linear**: $f$ and $g$ the identity and the squared error, whose
# optimum spans the same subspace as PCA's first components (and no noise). The model's
# `cost_and_grads` runs these boxes forward, then backward, layer by layer; with tied weights the
# decoder's gradient is added, transposed, to the encoder's:

# %%
dae.tutorial.show_source(dae.Autoencoder.cost_and_grads)

# %% [markdown]
# ## The variants
#
# One row each: what it is (its label, with the knobs' values), its class, its constructor
# options and the noise levels of each training call (keywords of `cost_and_grads`).

# %%
pct = lambda level: f"{100 * level:g}%"   # noqa: E731 - 0.3 -> "30%"
MASKED = {"corruption_level": corruption_level}
masking = f"masking {pct(corruption_level)}"
VARIANTS = {
    "plain": ("undercomplete plain AE (tied, sigmoid, cross-entropy, no noise)", "Autoencoder", {}, {}),
    "denoising": (f"denoising AE, masking noise {pct(corruption_level)}", "Autoencoder", {"noise": "masking"}, MASKED),
    "gaussian": (f"denoising AE, gaussian noise std {gaussian_std:g}", "Autoencoder", {"noise": "gaussian"},
                 {"corruption_level": gaussian_std}),
    "salt_and_pepper": (f"denoising AE, salt-and-pepper noise {pct(corruption_level)}", "Autoencoder",
                        {"noise": "salt_and_pepper"}, MASKED),
    "sparse_l1": (f"sparse AE, L1 on the code (weight {l1_weight:g})", "Autoencoder",
                  {"sparsity": "l1", "sparsity_weight": l1_weight}, {}),
    "sparse_kl": (f"sparse AE, KL to target rate {kl_target:g} (weight {kl_weight:g})", "Autoencoder",
                  {"sparsity": "kl", "sparsity_weight": kl_weight, "sparsity_target": kl_target}, {}),
    "contractive": (f"contractive AE (cA), contraction level {contraction_level:g}", "cA", {},
                    {"contraction_level": contraction_level}),
    "dropout": (f"plain AE with dropout {dropout:g} on the hidden units", "Autoencoder", {}, {"dropout": dropout}),
    "untied": (f"denoising AE ({masking}), untied decoder", "Autoencoder", {"tied_weights": False}, MASKED),
    "relu": (f"denoising AE ({masking}), ReLU encoder", "Autoencoder", {"activation": "relu"}, MASKED),
    "squared_error": (f"denoising AE ({masking}), squared error", "Autoencoder", {"loss": "squared_error"}, MASKED),
    "linear": ("linear AE (linear encoder and decoder, squared error): PCA's subspace", "Autoencoder",
               {"activation": "linear", "decoder": "linear", "loss": "squared_error", "tied_weights": False}, {}),
}

# %% [markdown]
# The variants to run, and the learning rate. The linear autoencoder's squared error on
# unbounded outputs has far larger gradients than the sigmoid ones: plain and momentum SGD
# diverge at the rate the others use, so they take a fraction of it (Adam's step does not scale
# with the gradient and needs no such factor).

# %%
DEFAULT_LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 1e-3}
SGD_LEARNING_RATE_SCALE = {"linear": 0.03}

if learning_rate is None:
    learning_rate = DEFAULT_LEARNING_RATES[optimizer]
names = list(VARIANTS) if variants == "all" else [v.strip() for v in variants.split(",") if v.strip()]
unknown = [v for v in names if v not in VARIANTS]
if unknown or not names:
    raise ValueError(f"variants: unknown {unknown or '(empty list)'}; choose from {', '.join(VARIANTS)}")
print(f"{len(names)} variants: {', '.join(names)}")


def file_name(name):
    """variant_<name>_<the values of its knobs>.png, so another setting does not overwrite it."""
    _, _, options, levels = VARIANTS[name]
    values = [options[k] for k in ("sparsity_target", "sparsity_weight") if k in options] + list(levels.values())
    return f"{output_folder}/" + "_".join([f"variant_{name}"] + [f"{v:g}" for v in values]) + ".png"

# %% [markdown]
# ## The data
#
# The first `n_train` training digits (with their labels, for the probe only) and the first
# `n_test` test digits, 784 grey levels in $[0, 1)$ each.

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
# corruption and dropout draws come from the `rng` the trainer passes. A variant whose cost stops
# being finite (or blows up) stops with `dae.train.DivergenceError`: reported, not fatal.

# %%
def build(name):
    """A fresh model of variant ``name``, its weights drawn from ``seed``."""
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

# %%
def train(name, model):
    """Minibatches in order through dae.Trainer; returns the mean training cost of each epoch."""
    levels = VARIANTS[name][3]

    def report(trainer, m):
        print(f"  {name}: training epoch {m['epoch']}, cost {m['train_cost']:.4f}", flush=True)

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
#   `dae.corruption`, the same for every variant whatever its own noise), against the clean digit;
# - code sparsity, Hoyer's measure $\left(\sqrt{H} - \|\mathbf{y}\|_1 / \|\mathbf{y}\|_2\right) / (\sqrt{H} - 1)$
#   for a code of $H$ units: 0 when every unit is equally active, 1 when one unit carries the
#   code; and the mean $|y_j|$;
# - the mean Jacobian norm $\| \partial \mathbf{y} / \partial \mathbf{x} \|_F$ (the contractive
#   penalty's root): with $a_j$ unit $j$'s input, $J_{ji} = f'(a_j) W_{ij}$, so
#   $\|J\|_F^2 = \sum_j f'(a_j)^2 \sum_i W_{ij}^2$.

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

# %%
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
# $P(Y = k \mid \mathbf{y}) = \mathrm{softmax}(\mathbf{y} V + \mathbf{c})_k$ with weights $V$ and
# biases $\mathbf{c}$, cost the mean negative log-likelihood) on the codes with Adam; its test
# accuracy is the probe's score. The codes are standardised first (training statistics), and the
# same probe on raw pixels is the reference row of the table.

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

# %%
def evaluate(name, model):
    """The variant's row of the table (see "Measuring a trained model")."""
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
# Left, the first 100 filters (columns of $W$ as 28 x 28 images; all of them when there are
# fewer). Right, ten test digits: clean, corrupted by the variant's own noise (masking 30% for
# the ones trained without noise), and the reconstruction of the corrupted digit. What to look
# for: which variants' filters look like strokes and which like blobs or noise, and which
# reconstructions fill in the masked pixels and which copy the holes.

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
    rows = numpy.concatenate([to_host(a) for a in (clean, noisy, model.reconstruct(noisy))])
    digits = dae.tile_raster_images(X=numpy.clip(rows, 0.0, 1.0), img_shape=(28, 28),
                                    tile_shape=(3, 10), tile_spacing=(1, 1), scale_rows_to_unit_interval=False)
    return dae.plotting.images_side_by_side({f"first {n_tiles} filters (columns of W)": filters,
                                             "test digits: clean / corrupted / reconstructed": digits},
                                            title=f"{name}: {VARIANTS[name][0]}", height=3.2)

# %% [markdown]
# ## Train, measure and draw every variant
#
# Each variant starts from a freshly built model, so running the cell again prints the same
# lines. Then a reference row: the probe on the raw pixels, with no model.

# %%
start = timeit.default_timer()
rows, curves, seconds = [], {}, {}
for name in names:
    print(f"{name}: {VARIANTS[name][0]}", flush=True)
    model = build(name)
    t0 = timeit.default_timer()
    try:
        curves[name] = train(name, model)
    except dae.train.DivergenceError as exc:
        print(f"{name} diverged, no row: {exc}")
        rows.append(dict.fromkeys(("recon", "denoise", "hoyer", "mean_abs_h", "jacobian", "probe"),
                                  None) | {"variant": f"{name} (diverged)"})
        continue
    seconds[name] = timeit.default_timer() - t0
    print(f"The {name} variant for file variants_tutorial.py ran for {seconds[name] / 60.0:.2f}m")
    rows.append(evaluate(name, model))
    dae.tutorial.show(variant_figure(name, model), file_name(name))
rows.append(dict.fromkeys(("recon", "denoise", "hoyer", "mean_abs_h", "jacobian"), None)
            | {"variant": "(raw pixels, no model)", "probe": probe_accuracy(train_x, train_y, test_x, test_y,
                                                                           probe_epochs, seed)})
print(f"The code for file variants_tutorial.py ran for {(timeit.default_timer() - start) / 60.0:.2f}m")

# %% [markdown]
# ## The learning curves
#
# Each variant's training cost per epoch, measured while it trains (the mean over the epoch's
# minibatches). Each curve is the variant's own objective, noise and penalty included, so the
# curves show how fast each objective falls, not which model is best (the table does that).
# Left, the cross-entropy objectives beside the plain autoencoder's, the baseline (in black);
# right, the squared-error ones beside PCA's error on the same training digits with as many
# components as there are hidden units, the optimum of the linear autoencoder (dashed, black):
# the mean over digits of $\| \mathbf{x} - \hat{\mathbf{x}} \|^2$, which is the sum of the
# variances the first $n_h$ principal directions leave out ($n_h$ = `n_hidden`).

# %%
def pca_error(x, k):
    """The mean squared error per digit of x's best k-dimensional affine reconstruction (PCA):
    the sum of the smallest eigenvalues of x's covariance, all but the k largest."""
    x = to_host(x).astype("float64")
    eigenvalues = numpy.linalg.eigvalsh(numpy.cov(x, rowvar=False, bias=True))   # ascending
    return float(eigenvalues[:max(0, x.shape[1] - k)].sum())


dae.tutorial.need(globals(), "curves", "the cell that trains every variant")
squared = {n: c for n, c in curves.items() if VARIANTS[n][2].get("loss") == "squared_error"}
cross_entropy = {(f"{n} (baseline)" if n == "plain" else n): c for n, c in curves.items() if n not in squared}
panels = [("cross-entropy objectives", "training cost per digit", cross_entropy)] if cross_entropy else []
if squared:
    pca = pca_error(train_x, n_hidden)
    panels.append(("squared-error objectives", "training cost per digit",
                   squared | {f"PCA, {n_hidden} components (reference)": pca}))
    print(f"PCA with {n_hidden} components: training squared error {pca:.2f} per digit")
if panels:
    dae.tutorial.show(dae.plotting.learning_curves(panels, title="The variants' training cost per epoch"),
                      f"{output_folder}/learning_curves.png", dpi=100)

# %% [markdown]
# ## The table
#
# One row per variant. What to look for: which variants have the lowest denoising error and
# what it costs them in clean reconstruction; which has the smallest Jacobian norm; which the
# highest Hoyer sparsity; and which codes the probe finds easiest to read, against the raw
# pixels' row.

# %%
COLUMNS = ("variant", "test recon. error", "denoising error (30% masked)", "code sparsity (Hoyer)", "mean |h|",
           "mean ||dh/dx||_F", "linear probe acc.")


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in rows:
        cells = [r["variant"]] + [("-" if r[k] is None else f"{r[k]:.{d}f}") for k, d in (
            ("recon", 2), ("denoise", 2), ("hoyer", 3), ("mean_abs_h", 3), ("jacobian", 2), ("probe", 4))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

# %%
dae.tutorial.need(globals(), "rows", "the cell that trains every variant")
table = markdown_table(rows)
print()
print(table)
knobs = ("n_train", "n_test", "epochs", "batch_size", "n_hidden", "optimizer", "learning_rate", "corruption_level",
         "gaussian_std", "l1_weight", "kl_target", "kl_weight", "contraction_level", "dropout", "probe_epochs")
os.makedirs(output_folder, exist_ok=True)
with open(f"{output_folder}/results.md", "w", encoding="utf-8") as f:
    f.write("Command: variants_tutorial.py " + " ".join(f"--{k.replace('_', '-')} {globals()[k]}" for k in knobs)
            + f"\n\n{table}\n\nTraining seconds: " + ", ".join(f"{n} {t:.1f}" for n, t in seconds.items()) + "\n")
print(f"wrote {output_folder}/results.md")

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
