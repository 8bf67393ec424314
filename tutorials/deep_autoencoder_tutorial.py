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
# PCA's 30 principal components: in their paper, a test squared error of 3.00 per image against
# PCA's 13.87. This tutorial builds their 784-1000-500-250-30 network (sigmoid layers, a
# *linear* 30-unit code, a mirrored decoder), trains it in their three stages (greedy
# pretraining, unrolling, fine-tuning), and compares it with PCA on the 10,000 test digits;
# then a second network with a 2-unit code draws the digits on a plane, beside PCA's first two
# components.
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
finetune_corruption = 0.0         # masking noise of the first model's fine-tuning (0: plain fine-tuning)
max_shift = 1                     # fine-tuning digits moved by up to this many pixels per axis (0: none)
shift_probability = 0.5           # the fraction of fine-tuning digits that get a random shift
weight_decay = 0.0                # weight decay of the fine-tuning optimiser (decoupled with adamw)
epochs = 80                       # fine-tuning passes for the first model; see also minutes
minutes: float = None             # instead of epochs: fine-tune the first model for this many minutes
epochs_2d = 20                    # fine-tuning passes for the 2-D model
minutes_2d: float = None          # as minutes, for the 2-D model
batch_size = 200                  # minibatch of fine-tuning
optimizer = "adam"                # fine-tuning optimiser
learning_rate = 3e-3              # fine-tuning step size at the start
schedule = "cosine"               # learning rate: cosine decay to 1% of the start, or constant
eval_every = 5                    # measure and print the test error every N epochs
n_train: int = None               # use the first N training digits (default: all 60,000)
n_test: int = None                # use the first N test digits (default: all 10,000)
knn = 5                           # neighbours of the k-NN classifier on the 2-D codes
skip_2d = False                   # train only the first model
seed = 1234                       # seed of the weights, shuffles and noise
output_folder = "deep_plots"      # where figures, models and checkpoints go
resume = False                    # go on from the checkpoints of an interrupted run
backend: str = None               # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                     # a small slice (2,000 digits, layers of 64 and 32, 3 + 2 epochs)

# %% [markdown]
# The cell above is the recipe; change it there, give the same names as flags to the script,
# or as papermill's `-p`. The next cell applies the command line (when this file runs as a
# script) and the small slice when `quick` is True (never over a value you set), and checks the
# values.

# %%
import timeit

import numpy

import dae
from dae import backend as dae_backend
from dae.augment import random_shifts
from dae.layers import Dense, Sequential, Sigmoid, SigmoidCrossEntropy
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
PAPER_ERROR = 3.00     # the paper's test squared error per image of its 784-1000-500-250-30 autoencoder
run_start = timeit.default_timer()

# %% [markdown]
# ## The data
#
# The paper's 60,000 training digits (the tutorial's training and validation sets together) and
# the 10,000 test digits. Pixels are put on the paper's scale, value/255, so they span $[0, 1]$
# exactly (`dae.load_data` gives value/256); on the value/256 scale every squared error would be
# $(256/255)^2 = 1.0079$ times smaller.

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
# $X = U S P^T$, the first $k$ rows of $P^T$, $P_k^T$, are the $k$ principal directions. A digit
# $\mathbf{x}$ is coded as $\mathbf{c} = (\mathbf{x} - \bar{\mathbf{x}}) P_k$, with
# $\bar{\mathbf{x}}$ the mean training digit, and rebuilt as
# $\hat{\mathbf{x}} = \bar{\mathbf{x}} + \mathbf{c} P_k^T$: the best any *linear* $k$-dimensional
# code can do, in squared error on the training set. The figure of merit, for PCA and the
# autoencoder alike, is the paper's squared error per image over $N$ test digits,
# $\frac{1}{N} \sum_n \sum_{j=1}^{784} (x_{nj} - \hat{x}_{nj})^2$.

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


# %%
mean, components = fit_pca(train_x, max(code_size, 2))
pca_30 = components[:code_size]
pca_error = squared_error_per_image(test_x, pca_reconstruct(test_x, mean, pca_30))
print(f"PCA with {code_size} components: test squared error {pca_error:.2f} per image", flush=True)

# %% [markdown]
# ## The deep autoencoder
#
# Write $s(a) = 1 / (1 + e^{-a})$ for the sigmoid and $n_0 = 784, n_1, \dots, n_L$ for the layer
# sizes ($n_L$ the code size). The encoder's layer $i$ has weights $W_i$ ($n_{i-1} \times n_i$)
# and biases $\mathbf{b}_i$; the decoder mirrors it with its own weights $V_i$
# ($n_{i+1} \times n_i$) and biases $\mathbf{d}_i$, and ends in 784 sigmoid outputs:
#
# $$\mathbf{h}_0 = \mathbf{x}, \quad \mathbf{h}_i = s(\mathbf{h}_{i-1} W_i + \mathbf{b}_i) \;(0 < i < L), \quad \mathbf{c} = \mathbf{h}_{L-1} W_L + \mathbf{b}_L, \quad \mathbf{g}_L = \mathbf{c}, \quad \mathbf{g}_{i} = s(\mathbf{g}_{i+1} V_i + \mathbf{d}_i) \;(i < L), \quad \mathbf{z} = \mathbf{g}_0 .$$
#
# In `dae.DeepAutoencoder` this is one `Sequential` list of $2L$ affine maps (`Dense`), each
# followed by its activation: a sigmoid, or the identity for the linear code (and for the last
# layer, whose sigmoid sits in the cost):

# %%
dae.tutorial.show_source(dae.DeepAutoencoder._layers, Sequential.forward, Dense.forward, Sigmoid.forward)

# %% [markdown]
# **The fine-tuning gradient.** The cost of a minibatch of $N$ digits is the cross-entropy of
# the reconstructions, $C = -\frac{1}{N} \sum_n \sum_j [x_{nj} \log z_{nj} + (1 - x_{nj}) \log (1 - z_{nj})]$.
# Number the $2L$ layers $k = 1, \dots, 2L$ in the order the data goes through them, with
# input $\mathbf{u}_k$, pre-activation $\mathbf{a}_k = \mathbf{u}_k A_k + \mathbf{e}_k$ ($A_k$, $\mathbf{e}_k$
# its weights and biases) and error $\boldsymbol{\delta}_k = \partial C / \partial \mathbf{a}_k$.
# At the output the sigmoid and the logarithm cancel, $\boldsymbol{\delta}_{2L} = (\mathbf{z} - \mathbf{x}) / N$;
# then, going down, $\partial C / \partial A_k = \mathbf{u}_k^T \boldsymbol{\delta}_k$,
# $\partial C / \partial \mathbf{e}_k$ the sum of the rows of $\boldsymbol{\delta}_k$, and
# $\boldsymbol{\delta}_{k-1} = (\boldsymbol{\delta}_k A_k^T) \odot f'_{k-1}$, where $\odot$ multiplies
# entry by entry and $f'$ is $\mathbf{h} \odot (1 - \mathbf{h})$ for a sigmoid layer, 1 for the code.
# `cost_and_grads` runs the network forward, the cost's `backward` gives $\boldsymbol{\delta}_{2L}$,
# and each layer's `backward` does one step down:

# %%
dae.tutorial.show_source(dae.DeepAutoencoder.cost_and_grads, SigmoidCrossEntropy.backward, Sequential.backward,
                         Dense.backward, Sigmoid.backward)

# %% [markdown]
# ## Three stages: pretraining, unrolling, fine-tuning
#
# The stages are the phases of `dae.recipes.deep_autoencoder_phases` (the recipe
# `dae train --model deep` runs too), each run by `dae.phases.run_phases` with its own checkpoint:
#
# 1. **Pretraining**, greedy, layer by layer: layer $i$ is a tied-weight denoising autoencoder
#    (masking noise of level `corruption_level`) trained to rebuild $\mathbf{h}_{i-1}$, the codes of the layers below,
#    with its own reconstruction biases $\mathbf{b}'_i$; the code layer is the same with a
#    linear code. (Hinton pretrained restricted Boltzmann machines; the denoising autoencoder
#    is their autoencoder counterpart, as in the SdA tutorial.)
# 2. **Unrolling**: the decoder starts as the encoder's mirror, *exactly*: $V_{i-1} = W_i^T$ and
#    $\mathbf{d}_{i-1} = \mathbf{b}'_i$.
# 3. **Fine-tuning**: the whole unrolled network (its decoder weights now free) trained end to
#    end by the gradient above, with Adam.

# %%
dae.tutorial.show_source(dae.DeepAutoencoder.unroll)

# %% [markdown]
# Two choices of the recipe: the learning rate follows a cosine from $\eta_0$ (`learning_rate`)
# down to 1% of it over the run, $\eta(p) = \eta_0 (0.01 + 0.99 \cdot \frac{1}{2}(1 + \cos \pi p))$,
# $p$ the fraction of the run done (of the epochs, or of the minutes under a time budget, so a
# budgeted run ends on time with its step annealed); and half of the training digits, drawn
# afresh each minibatch, are moved by a random -1, 0 or +1 pixel along each axis
# (`random_shifts`, the trainer's `augment`). The paper did not shift; without it the network
# overfits the 60,000 digits (see the README).
#
# The two functions below do the three stages for one network; they are used twice, for the
# first code and the 2-D code. They print a line per fine-tuning epoch: its cost, learning rate
# and minutes so far, and every `eval_every` epochs the test squared error, which they keep
# for the learning curve.

# %%
def deep_phases(model, rng, epochs, minutes, corruption):
    """The recipe's phases for ``model``: pretraining (one per layer), then fine-tuning."""
    phases = dae.recipes.deep_autoencoder_phases(
        model, rng, pretraining_epochs=pretrain_epochs, pretrain_lr=pretrain_learning_rate,
        corruption_level=corruption_level, pretrain_batch_size=pretrain_batch_size,
        epochs=epochs if minutes is None else 10 ** 9, optimizer=optimizer, learning_rate=learning_rate,
        weight_decay=weight_decay, batch_size=batch_size, finetune_corruption=corruption,
        schedule=dae.train.schedules.cosine(learning_rate) if schedule == "cosine" else None,
        augment=random_shifts(max_shift, probability=shift_probability)
        if max_shift > 0 and shift_probability > 0 else None)
    phases[-1].max_minutes = minutes
    return phases[:-1], phases[-1]


# %%
def train_deep_autoencoder(sizes, epochs, minutes, label, corruption=0.0):
    """A fresh DeepAutoencoder of ``sizes``, pretrained, unrolled and fine-tuned; returns (model, trainer,
    seconds, curve), curve [(fine-tuning epochs done, test squared error)] from 0 (just unrolled)."""
    rng = numpy.random.RandomState(seed)
    model = dae.DeepAutoencoder(rng, sizes)
    pretraining, finetuning = deep_phases(model, rng, epochs, minutes, corruption)
    checkpoints, start = f"{output_folder}/checkpoints/deep_{sizes[-1]}", timeit.default_timer()
    run_phases(pretraining, train_x, folder=checkpoints, resume=resume, display=dae.train.Display("auto"))
    pretrain_time, curve = timeit.default_timer() - start, [(0, model.unroll().reconstruction_error(dev_test))]
    print(f"[{label}] pretraining ran for {pretrain_time / 60.0:.2f}m; after unrolling, test squared error "
          f"{curve[0][1]:.2f} per image", flush=True)

    def report(phase, trainer, metrics):
        epoch = metrics["epoch"]
        line = (f"[{label}] fine-tuning epoch {epoch}, cost {metrics['train_cost']:.3f}, learning rate "
                f"{trainer.optimizer.learning_rate:.2e}, {pretrain_time / 60.0 + metrics['minutes_used']:.2f}m")
        finished = epoch + 1 >= epochs if minutes is None else trainer.fraction_done() >= 1.0
        if (epoch + 1) % eval_every == 0 or finished:
            curve.append((epoch + 1, model.reconstruction_error(dev_test)))
            line += f", test squared error {curve[-1][1]:.3f} per image"
        print(line, flush=True)

    trainers, _ = run_phases([finetuning], train_x, folder=checkpoints, resume=resume, on_epoch_end=report,
                             display=dae.tutorial.progress_bar())
    return model, trainers["finetune"], pretrain_time + trainers["finetune"].elapsed, curve


# %% [markdown]
# ## The first code
#
# This cell builds a fresh network from `seed` every time it runs, so running it again prints the
# same lines. What to look for: the test error just after unrolling, before any fine-tuning,
# beside PCA's (the pretrained layers pass the digit up and their mirrors pass it down, but they
# were never trained together); how fast fine-tuning brings it below PCA's and below the paper's
# 3.00 (the cell after it prints when); and the training error beside the test error at the
# end, which says how much the network overfits.

# %%
model = None   # set when training has finished
sizes = [784] + hidden_sizes + [code_size]
net, trainer, seconds, curve = train_deep_autoencoder(sizes, epochs, minutes, f"{code_size}-D", finetune_corruption)
epochs_done = len(trainer.history)
deep_error = net.reconstruction_error(dev_test)
train_error = net.reconstruction_error(dev_train)  # the gap to the test error: how much it overfits
dae.save_model(net, f"{output_folder}/deep_autoencoder_{code_size}.npz")
print(f"Deep autoencoder {'-'.join(map(str, sizes))}: test squared error {deep_error:.2f} per image "
      f"(PCA-{code_size}: {pca_error:.2f}; the paper: 3.00 and 13.87), training {train_error:.2f}, "
      f"{epochs_done} fine-tuning epochs", flush=True)
print(f"The training code for file {script} ran for {seconds / 60.0:.2f}m")
result = {"pca_error": pca_error, "deep_error": deep_error, "train_error": train_error, "epochs": epochs_done,
          "minutes": seconds / 60.0}
model = net

# %% [markdown]
# ## The learning curve
#
# The test squared error after unrolling (0 epochs of fine-tuning) and at every evaluation,
# against this chapter's two references: PCA's error with as many components (computed above)
# and the paper's 3.00. Then, from the same numbers, where the curve first went below each.

# %%
dae.tutorial.need(globals(), "model", "the training cell of the first code")
done, errors = zip(*curve)
figure = dae.plotting.learning_curve(
    [(f"deep autoencoder {'-'.join(map(str, sizes))}", done, errors)],
    [(f"PCA-{code_size}", pca_error), ("the paper's deep autoencoder", PAPER_ERROR)],
    xlabel="fine-tuning epochs done", ylabel="test squared error per image", ylim=(0, 1.5 * max(errors[0], pca_error)))
dae.tutorial.show(figure, f"{output_folder}/learning_curve.png", dpi=100)
minutes_at = {m["epoch"] + 1: m["minutes_used"] for m in trainer.history}
print(f"after unrolling, before fine-tuning: test squared error {curve[0][1]:.2f} per image "
      f"({'below' if curve[0][1] < pca_error else 'above'} PCA-{code_size}'s {pca_error:.2f})")
for name, level in ((f"PCA-{code_size}'s {pca_error:.2f}", pca_error), (f"the paper's {PAPER_ERROR:.2f}", PAPER_ERROR)):
    first = next((e for e, error in curve if error < level), None)
    print(f"first measured below {name}: " + ("never, in this run" if first is None else
          f"after {first} fine-tuning epochs ({minutes_at.get(first, 0.0):.2f} minutes of fine-tuning)"))

# %% [markdown]
# ## Reconstructions
#
# Twenty test digits (the first of each class, then the next ones), PCA's reconstruction from
# as many numbers as the code has, and the deep autoencoder's: compare the strokes.

# %%
dae.tutorial.need(globals(), "model", "the training cell of the first code")
firsts = [int(numpy.flatnonzero(test_y == d)[0]) for d in range(10) if (test_y == d).any()]
shown = (firsts + [i for i in range(test_x.shape[0]) if i not in firsts])[:20]
originals = test_x[shown]
figure = dae.plotting.image_rows(
    [originals, pca_reconstruct(originals, mean, pca_30), model.reconstruct(dae_backend.asarray(originals))],
    ["test digit", f"PCA-{code_size}", "deep AE"], title=f"Test digits and their reconstructions from {code_size} numbers")
dae.tutorial.show(figure, f"{output_folder}/reconstructions.png", dpi=100)

# %% [markdown]
# ## The 2-D maps
#
# With a code of 2 units the network must draw each digit as a point of the plane. A
# 784-1000-500-250-2 autoencoder, trained the same way, is put beside PCA's first two
# components. How well each map separates the ten classes is measured without any training on
# labels: a $k$-nearest-neighbour classifier ($k$ = `knn`) among the training digits' codes,
# scored on the test digits' codes.

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


# %% [markdown]
# The 2-D network's training cell (again a fresh network each time it runs; `skip_2d = True`
# skips it). What to look for: the two k-NN accuracies it prints, and in the figure after it
# how the classes spread over each plane.

# %%
model_2d = None   # set when training has finished
if skip_2d:
    print("skip_2d: the 2-D model is not trained")
else:
    net_2d, trainer_2d, seconds_2d, _ = train_deep_autoencoder([784] + hidden_sizes + [2], epochs_2d, minutes_2d, "2-D")
    dae.save_model(net_2d, f"{output_folder}/deep_autoencoder_2.npz")
    deep_train, deep_test = (numpy.concatenate([dae_backend.to_host(net_2d.encode(x[i:i + 2000]))
                                                for i in range(0, len(x), 2000)]) for x in (dev_train, dev_test))
    pca_train, pca_test = pca_encode(train_x, mean, components[:2]), pca_encode(test_x, mean, components[:2])
    acc_deep = knn_accuracy(deep_train, train_y, deep_test, test_y, knn)
    acc_pca = knn_accuracy(pca_train, train_y, pca_test, test_y, knn)
    print(f"2-D codes, {knn}-NN test accuracy: deep autoencoder {100 * acc_deep:.1f}%, "
          f"PCA {100 * acc_pca:.1f}% ({len(trainer_2d.history)} fine-tuning epochs); "
          f"2-D test squared error: deep {net_2d.reconstruction_error(dev_test):.2f}, "
          f"PCA {squared_error_per_image(test_x, pca_reconstruct(test_x, mean, components[:2])):.2f}", flush=True)
    print(f"The 2-D training code for file {script} ran for {seconds_2d / 60.0:.2f}m")
    model_2d = net_2d

# %%
if not skip_2d:
    dae.tutorial.need(globals(), "model_2d", "the 2-D training cell")
    figure = dae.plotting.codes_2d(
        [(deep_test, f"Deep autoencoder {'-'.join(map(str, model_2d.layer_sizes))}\n{knn}-NN accuracy on the 2-D "
                     f"codes: {100 * acc_deep:.1f}%", "code unit"),
         (pca_test, f"PCA, first 2 components\n{knn}-NN accuracy on the 2-D codes: {100 * acc_pca:.1f}%",
          "principal component")], test_y)
    dae.tutorial.show(figure, f"{output_folder}/codes_2d.png", dpi=100)
    result.update(knn_deep=acc_deep, knn_pca=acc_pca)
print(f"The code for file {script} ran for {(timeit.default_timer() - run_start) / 60.0:.2f}m")

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
