# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deep autoencoders: 30 numbers per digit, against PCA
#
# Hinton & Salakhutdinov (Science, 2006) showed that a *deep* autoencoder, pretrained one layer
# at a time and then fine-tuned as a whole, codes MNIST digits in 30 numbers far better than
# PCA's 30 principal components: a test squared error of 3.00 per image against PCA's 13.87.
# This tutorial builds their 784-1000-500-250-30 network (sigmoid layers, a *linear* 30-unit
# code, a mirrored decoder), trains it in their three stages (greedy pretraining, unrolling,
# fine-tuning), and compares it with PCA on the 10,000 test digits; then a second network
# with a 2-unit code draws the digits on a plane, beside PCA's first two components.
#
# Run it as a notebook, cell by cell, or as a script: `python tutorials/deep_autoencoder_tutorial.py`
# (80 fine-tuning epochs), `--minutes 20 --minutes-2d 5` (a wall-time budget instead of epochs:
# the recipe of the README's figures), `--quick`, `--help`. A long run writes a checkpoint after
# every epoch (and on Ctrl-C) to `deep_plots/checkpoints/`; `--resume` goes on from them after an
# interruption, even a `kill -9`. The figures and the models go to `deep_plots/`.

# %% tags=["parameters"]
hidden_sizes = [1000, 500, 250]   # sizes of the encoder's sigmoid layers
code_size = 30                    # units in the linear code of the first model
pretrain_epochs = 1               # passes over the data per pretrained layer (0: no pretraining)
pretrain_batch_size = 100         # minibatch of pretraining
pretrain_learning_rate = 1e-3     # Adam step of pretraining
corruption_level = 0.1            # masking noise of the pretraining denoising autoencoders
finetune_corruption = 0.0         # masking noise of the 30-D model's fine-tuning: it reads x~ and is scored on x (0: plain fine-tuning, the measured recipe)
max_shift = 1                     # fine-tuning sees training digits moved by up to this many pixels along each axis (0: the digits as they are)
shift_probability = 0.5           # the fraction of fine-tuning digits that get a random shift
weight_decay = 0.0                # weight decay of the fine-tuning optimiser (decoupled with --optimizer adamw)
epochs = 80                       # fine-tuning passes for the 30-D model; see also --minutes
minutes: float = None             # instead of --epochs: fine-tune the 30-D model for this many minutes of training time, the learning-rate schedule running on the fraction of them used
epochs_2d = 20                    # fine-tuning passes for the 2-D model
minutes_2d: float = None          # as --minutes, for the 2-D model
batch_size = 200                  # minibatch of fine-tuning
optimizer = "adam"                # fine-tuning optimiser
learning_rate = 3e-3              # fine-tuning step size at the start
schedule = "cosine"               # learning rate: cosine decay to 1% of the start, or constant
eval_every = 5                    # print the test error every N epochs
n_train: int = None               # use the first N training digits (default: all 60,000)
n_test: int = None                # use the first N test digits (default: all 10,000)
knn = 5                           # neighbours of the k-NN classifier on the 2-D codes
skip_2d = False                   # train only the 30-D model
seed = 1234                       # seed of the weights, shuffles and noise
output_folder = "deep_plots"      # where figures, models and checkpoints go
resume = False                    # go on from the checkpoints of an interrupted run (in output_folder/checkpoints)
backend: str = None               # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                     # a small slice (2,000 digits, layers of 64 and 32, 3 + 2 epochs): under a minute

# %% [markdown]
# The cell above is the recipe; change it there, or give the same names as flags to the script.
# The next cell applies the command line (when this file runs as a script) and the small slice
# when `quick` is True, and checks the values.

# %%
import sys
import timeit

import numpy

import dae
from dae import backend as dae_backend
from dae.augment import random_shifts
from dae.phases import run_phases

dae.tutorial.parameters(
    globals(), quick=dict(n_train=2000, n_test=500, hidden_sizes=[64, 32], epochs=3, epochs_2d=2, eval_every=1),
    choices={"optimizer": sorted(dae.optim.OPTIMIZERS), "schedule": ("cosine", "constant")},
    positive=("code_size", "pretrain_batch_size", "pretrain_learning_rate", "epochs", "epochs_2d", "batch_size",
              "learning_rate", "eval_every", "knn", "n_train", "n_test", "minutes", "minutes_2d"))
random_shifts(max_shift, probability=shift_probability)   # refuses a bad shift in its own words
for name, value in (("corruption_level", corruption_level), ("finetune_corruption", finetune_corruption)):
    if not 0.0 <= value < 1.0:
        raise SystemExit(f"error: --{name.replace('_', '-')} must be in [0, 1), got {value}")
if weight_decay < 0 or pretrain_epochs < 0:
    raise SystemExit("error: --weight-decay and --pretrain-epochs must be >= 0")
script = "deep_autoencoder_tutorial.py"
run_start = timeit.default_timer()

# %% [markdown]
# ## The data
#
# The paper's 60,000 training digits (the tutorial's training and validation sets together) and
# the 10,000 test digits. Pixels are put on the paper's scale, value/255, so they span $[0, 1]$
# exactly (`dae.load_data` gives value/256). On that scale PCA-30 gives the paper's 13.87 on the
# test set; on the value/256 scale every squared error is $(256/255)^2 = 1.0079$ times smaller.

# %%
(train_x, train_y), (valid_x, valid_y), (test_x, test_y) = dae.load_data()
train_x, train_y = numpy.concatenate([train_x, valid_x]), numpy.concatenate([train_y, valid_y])
scale = numpy.float32(256.0 / 255.0)  # value/256 -> value/255: pixels span [0, 1]
train_x = numpy.minimum(train_x * scale, numpy.float32(1.0))
test_x = numpy.minimum(test_x * scale, numpy.float32(1.0))
if n_train is not None:
    train_x, train_y = train_x[:n_train], train_y[:n_train]
if n_test is not None:
    test_x, test_y = test_x[:n_test], test_y[:n_test]
dev_train, dev_test = dae_backend.asarray(train_x), dae_backend.asarray(test_x)
print(f"... {train_x.shape[0]} training digits, {test_x.shape[0]} test digits", flush=True)

# %% [markdown]
# ## The yardstick: PCA
#
# With $X$ the centred training digits (one per row) and its singular value decomposition
# $X = U S V^T$, the first $k$ rows of $V^T$, $V_k^T$, are the $k$ principal directions. A digit
# is coded as $\mathbf{c} = (\mathbf{x} - \bar{\mathbf{x}}) V_k$ and rebuilt as
# $\hat{\mathbf{x}} = \bar{\mathbf{x}} + \mathbf{c} V_k^T$: the best any *linear* $k$-dimensional
# code can do, in squared error on the training set. The figure of merit, for PCA and the
# autoencoder alike, is the paper's squared error per image,
# $\frac{1}{N} \sum_n \sum_{k=1}^{784} (x_{nk} - \hat{x}_{nk})^2$.

# %%
def fit_pca(train_x, k):
    """(mean, components (k, 784)) of the training digits, by SVD in float64."""
    x = numpy.asarray(train_x, dtype=numpy.float64)
    mean = x.mean(axis=0)
    _, _, vt = numpy.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:k]


def pca_encode(x, mean, components):
    return (numpy.asarray(x, dtype=numpy.float64) - mean) @ components.T


def pca_reconstruct(x, mean, components):
    return mean + pca_encode(x, mean, components) @ components


def squared_error_per_image(x, x_hat):
    """sum over pixels of (x - x_hat)^2, mean over images: the paper's figure of merit."""
    d = numpy.asarray(x, dtype=numpy.float64) - numpy.asarray(x_hat, dtype=numpy.float64)
    return float((d * d).sum(axis=1).mean())


mean, components = fit_pca(train_x, max(code_size, 2))
pca_30 = components[:code_size]
pca_error = squared_error_per_image(test_x, pca_reconstruct(test_x, mean, pca_30))
print(f"PCA with {code_size} components: test squared error {pca_error:.2f} per image", flush=True)

# %% [markdown]
# ## The deep autoencoder
#
# The encoder is a stack of sigmoid layers ending in a linear code; the decoder mirrors it and
# ends in 784 sigmoid outputs (`dae.DeepAutoencoder`, whose docstring has the backward pass):
#
# $$\mathbf{h}_0 = \mathbf{x}, \quad \mathbf{h}_i = s(\mathbf{h}_{i-1} W_i + \mathbf{b}_i) \;(i < L), \quad
#   \mathbf{c} = \mathbf{h}_{L-1} W_L + \mathbf{b}_L, \quad
#   \mathbf{g}_{i} = s(\mathbf{g}_{i+1} V_i + \mathbf{d}_i), \quad \mathbf{z} = \mathbf{g}_0 .$$
#
# It trains in three stages, the phases of `dae.recipes.deep_autoencoder_phases` (the recipe
# `dae train --model deep` runs too), each run by `dae.phases.run_phases` with its own checkpoint:
#
# 1. **Pretraining**, greedy, layer by layer: layer $i$ is a tied-weight
#    denoising autoencoder (masking noise 10%) trained to rebuild $\mathbf{h}_{i-1}$, the codes of
#    the layers below; the code layer is the same with a linear code. (Hinton pretrained
#    restricted Boltzmann machines; the denoising autoencoder is their autoencoder counterpart,
#    as in the SdA tutorial.) Each layer trains through `dae.Trainer`.
# 2. **Unrolling**: the decoder starts as the encoder's mirror, *exactly*: $V_{i-1} = W_i^T$ and
#    $\mathbf{d}_{i-1} = \mathbf{b}'_i$ (the pretraining autoencoders' reconstruction biases).
# 3. **Fine-tuning**: the whole unrolled network (its decoder weights now
#    free) trained end to end by back-propagation on the cross-entropy of its reconstructions,
#    $-\sum_k [x_k \log z_k + (1 - x_k) \log (1 - z_k)]$, with Adam, through the same trainer.
#
# Two choices of the recipe: the learning rate follows a cosine from 3e-3 down to 1% of it
# over the run, $\eta(p) = \eta_0 (0.01 + 0.99 \cdot \tfrac{1}{2}(1 + \cos \pi p))$, $p$ the
# fraction of the run done (of the epochs, or of the minutes under a time budget, so a
# budgeted run ends on time with its step annealed); and half of the training digits, drawn
# afresh each minibatch, are moved by a random -1, 0 or +1 pixel along each axis
# (`random_shifts`, the trainer's `augment`). The paper did not shift; without it the network
# overfits the 60,000 digits (see the README).
#
# The function below does the three stages for one network; it is used twice, for the 30-D and
# the 2-D code. It prints a line per fine-tuning epoch: its cost, learning rate and minutes so
# far, and every `eval_every` epochs the test squared error.

# %%
def train_deep_autoencoder(sizes, epochs, minutes, label, corruption=0.0):
    """Pretrain, unroll and fine-tune a DeepAutoencoder of ``sizes``; (model, fine-tuning trainer, seconds)."""
    rng = numpy.random.RandomState(seed)
    model = dae.DeepAutoencoder(rng, sizes)
    phases = dae.recipes.deep_autoencoder_phases(
        model, rng, pretraining_epochs=pretrain_epochs, pretrain_lr=pretrain_learning_rate,
        corruption_level=corruption_level, pretrain_batch_size=pretrain_batch_size,
        epochs=epochs if minutes is None else 10 ** 9, optimizer=optimizer, learning_rate=learning_rate,
        weight_decay=weight_decay, batch_size=batch_size, finetune_corruption=corruption,
        schedule=dae.train.schedules.cosine(learning_rate) if schedule == "cosine" else None,
        augment=random_shifts(max_shift, probability=shift_probability)
        if max_shift > 0 and shift_probability > 0 else None)
    finetuning = phases.pop()
    finetuning.max_minutes = minutes
    checkpoints = f"{output_folder}/checkpoints/deep_{sizes[-1]}"
    start = timeit.default_timer()
    run_phases(phases, train_x, folder=checkpoints, resume=resume, display=dae.train.Display("auto"))
    model.unroll()
    pretrain_time = timeit.default_timer() - start
    print(f"[{label}] pretraining took {pretrain_time / 60.0:.2f}m; after unrolling, test squared error "
          f"{model.reconstruction_error(dev_test):.2f} per image", flush=True)

    def report(phase, trainer, metrics):
        epoch = metrics["epoch"]
        line = (f"[{label}] fine-tuning epoch {epoch}, cost {metrics['train_cost']:.3f}, learning rate "
                f"{trainer.optimizer.learning_rate:.2e}, {pretrain_time / 60.0 + metrics['minutes_used']:.2f}m")
        finished = epoch + 1 >= epochs if minutes is None else trainer.fraction_done() >= 1.0
        if (epoch + 1) % eval_every == 0 or finished:
            line += f", test squared error {model.reconstruction_error(dev_test):.3f} per image"
        print(line, flush=True)

    trainers, _ = run_phases([finetuning], train_x, folder=checkpoints, resume=resume, on_epoch_end=report,
                             display=dae.train.Display("bar" if sys.stdout.isatty() else "none"))
    trainer = trainers["finetune"]
    return model, trainer, pretrain_time + trainer.elapsed


# %% [markdown]
# ## The 30-D code
#
# What to look for: after unrolling, before any fine-tuning, the network is already a fair
# autoencoder (the pretrained layers pass the digit up, their mirrors pass it down); fine-tuning
# then brings the test error below PCA's within an epoch or two, and below the paper's 3.00
# within a few minutes. The training error printed at the end, beside the test error, says how
# much the network overfits.

# %%
sizes = [784] + hidden_sizes + [code_size]
model, trainer, seconds = train_deep_autoencoder(sizes, epochs, minutes, f"{code_size}-D", finetune_corruption)
epochs_done = len(trainer.history)
deep_error = model.reconstruction_error(dev_test)
train_error = model.reconstruction_error(dev_train)  # the gap to the test error: how much it overfits
dae.save_model(model, f"{output_folder}/deep_autoencoder_{code_size}.npz")
print(f"Deep autoencoder {'-'.join(map(str, sizes))}: test squared error {deep_error:.2f} per image "
      f"(PCA-{code_size}: {pca_error:.2f}; the paper: 3.00 and 13.87), training {train_error:.2f}, "
      f"{epochs_done} fine-tuning epochs, trained in {seconds / 60.0:.2f}m", flush=True)

# %% [markdown]
# ## Reconstructions
#
# Twenty test digits (the first of each class, then the next ones), PCA's reconstruction from
# 30 numbers, and the deep autoencoder's from 30 numbers. PCA's are blurred sums of ghostly
# templates; the autoencoder's keep the strokes.

# %%
def plot_reconstructions(rows, names):
    """A matplotlib Figure: one row of 28 x 28 images per entry of ``rows``, labelled by ``names``."""
    from matplotlib.figure import Figure

    n = rows[0].shape[0]
    fig = Figure(figsize=(n * 0.75, len(rows) * 0.95))
    axes = numpy.asarray(fig.subplots(len(rows), n)).reshape(len(rows), n)
    for r, (images, name) in enumerate(zip(rows, names)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(numpy.clip(images[c], 0, 1).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(f"Test digits and their reconstructions from {code_size} numbers", fontsize=10)
    return fig


firsts = [int(numpy.flatnonzero(test_y == d)[0]) for d in range(10) if (test_y == d).any()]
shown = (firsts + [i for i in range(test_x.shape[0]) if i not in firsts])[:20]
originals = test_x[shown]
figure = plot_reconstructions([originals, pca_reconstruct(originals, mean, pca_30),
                               dae_backend.to_host(model.reconstruct(dae_backend.asarray(originals)))],
                              ["test digit", f"PCA-{code_size}", "deep AE"])
dae.tutorial.show(figure, f"{output_folder}/reconstructions.png", dpi=100)

# %% [markdown]
# ## The 2-D maps
#
# With a code of 2 units the network must draw each digit as a point of the plane. A
# 784-1000-500-250-2 autoencoder, trained the same way, is put beside PCA's first two
# components. How well each map separates the ten classes is measured without any training on
# labels: a $k$-nearest-neighbour classifier (k = 5) among the training digits' codes, scored on
# the test digits' codes.
#
# What to look for: PCA's plane is one overlapping cloud (about 42% k-NN accuracy); the
# autoencoder's has arms, one or two classes each (over 80%).

# %%
def knn_accuracy(train_codes, train_y, test_codes, test_y, k, chunk=500):
    """Fraction of test codes whose k nearest training codes (Euclidean) vote for their class."""
    train_codes = numpy.asarray(train_codes, dtype=numpy.float64)
    test_codes = numpy.asarray(test_codes, dtype=numpy.float64)
    k = min(k, train_codes.shape[0])
    sq_train = (train_codes ** 2).sum(axis=1)
    correct = 0
    for i in range(0, test_codes.shape[0], chunk):
        t = test_codes[i:i + chunk]
        dist = (t ** 2).sum(axis=1)[:, None] - 2.0 * t @ train_codes.T + sq_train[None, :]
        nearest = numpy.argpartition(dist, k - 1, axis=1)[:, :k]
        votes = numpy.zeros((t.shape[0], 10), dtype=numpy.int64)
        numpy.add.at(votes, (numpy.arange(t.shape[0])[:, None], train_y[nearest]), 1)
        correct += int((votes.argmax(axis=1) == test_y[i:i + chunk]).sum())
    return correct / test_codes.shape[0]


def plot_codes(deep_codes, pca_codes, labels, accuracies, deep_name):
    """A matplotlib Figure: the 2-D codes of the test digits coloured by class, deep beside PCA."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 6))
    axes = fig.subplots(1, 2)
    colours = colormaps["tab10"]
    for ax, codes, title, acc, axis in zip(axes, (deep_codes, pca_codes),
                                           (f"Deep autoencoder {deep_name}", "PCA, first 2 components"),
                                           accuracies, ("code unit", "principal component")):
        for digit in range(10):
            pts = codes[labels == digit]
            ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.6, color=colours(digit), label=str(digit))
        ax.set_title(f"{title}\n{knn}-NN accuracy on the 2-D codes: {100 * acc:.1f}%", fontsize=10)
        ax.set_xlabel(f"{axis} 1")
        ax.set_ylabel(f"{axis} 2")
        ax.legend(title="digit", markerscale=6, fontsize=8, loc="best")
    return fig


result = {"pca_error": pca_error, "deep_error": deep_error, "train_error": train_error, "epochs": epochs_done,
          "minutes": seconds / 60.0}
if not skip_2d:
    model_2d, trainer_2d, seconds_2d = train_deep_autoencoder([784] + hidden_sizes + [2], epochs_2d, minutes_2d, "2-D")
    epochs_2d_done = len(trainer_2d.history)
    dae.save_model(model_2d, f"{output_folder}/deep_autoencoder_2.npz")

    def to_codes(x):
        """The 2-D codes of x, computed in chunks, on the host."""
        return numpy.concatenate([dae_backend.to_host(model_2d.encode(x[i:i + 2000]))
                                  for i in range(0, x.shape[0], 2000)])

    deep_train, deep_test = to_codes(dev_train), to_codes(dev_test)
    pca_train, pca_test = pca_encode(train_x, mean, components[:2]), pca_encode(test_x, mean, components[:2])
    acc_deep = knn_accuracy(deep_train, train_y, deep_test, test_y, knn)
    acc_pca = knn_accuracy(pca_train, train_y, pca_test, test_y, knn)
    print(f"2-D codes, {knn}-NN test accuracy: deep autoencoder {100 * acc_deep:.1f}%, "
          f"PCA {100 * acc_pca:.1f}% ({epochs_2d_done} fine-tuning epochs, {seconds_2d / 60.0:.2f}m); "
          f"2-D test squared error: deep {model_2d.reconstruction_error(dev_test):.2f}, "
          f"PCA {squared_error_per_image(test_x, pca_reconstruct(test_x, mean, components[:2])):.2f}", flush=True)
    figure = plot_codes(deep_test, pca_test, test_y, (acc_deep, acc_pca), "-".join(map(str, model_2d.layer_sizes)))
    dae.tutorial.show(figure, f"{output_folder}/codes_2d.png", dpi=100)
    result.update(knn_deep=acc_deep, knn_pca=acc_pca)
print(f"The code for file {script} ran for {(timeit.default_timer() - run_start) / 60.0:.2f}m", file=sys.stderr)

# %% [markdown]
# ## Your turn
#
# The fine-tuning gradient starts at the output layer, where the sigmoid and the logarithm of
# the cross-entropy cancel. Write that layer yourself, stable at saturated units.
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
# ### Exercise: the sigmoid and a stable cross-entropy (`sigmoid_cross_entropy`)
#
# Three functions of the logits $\mathbf{a}$ (the output layer's pre-activations, `a`):
#
# - `sigmoid(a)`: $s(a) = 1 / (1 + e^{-a})$ elementwise, finite and accurate for every $a$, even
#   $a = \pm 800$ (which of $e^{a}$ and $e^{-a}$ overflows depends on the sign of $a$).
# - `cross_entropy_from_logits(x, a)`: each row's summed cross-entropy between the targets
#   $\mathbf{x}$ (`x`, (N, D), in [0, 1]) and $\mathbf{z} = s(\mathbf{a})$,
#   $L_n = -\sum_k \left[ x_{nk} \log z_{nk} + (1 - x_{nk}) \log (1 - z_{nk}) \right]$, an array of
#   shape (N,). Written from $\mathbf{a}$ it never takes $\log 0$: express $\log s(a)$ and
#   $\log (1 - s(a))$ with $\log(1 + e^{t})$ alone (`numpy.logaddexp(0, t)`). The graders use
#   logits of $\pm 800$.
# - `cross_entropy_grad(x, a)`: $\partial C / \partial \mathbf{a}$ for $C = \sum_n L_n$ (no mean),
#   shaped like `a`. The answer is short, and it is why a sigmoid output goes with the
#   cross-entropy.

# %%
import numpy


def sigmoid(a):
    """s(a) = 1 / (1 + exp(-a)) elementwise, finite for every a."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def cross_entropy_from_logits(x, a):
    """Each row's summed cross-entropy between x and s(a): shape (N,)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def cross_entropy_grad(x, a):
    """dC/da for C = the sum of the rows' cross-entropies: shaped like a."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("sigmoid_cross_entropy", sigmoid, cross_entropy_from_logits, cross_entropy_grad)
