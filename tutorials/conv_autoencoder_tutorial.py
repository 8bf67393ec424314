# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A convolutional autoencoder on colour photographs, every gradient by hand
#
# The autoencoders of the earlier chapters see an image as a row of pixels: a digit moved by one
# pixel is, to them, another pattern. A *convolutional* autoencoder reuses one small filter at
# every position of the image and pools over neighbourhoods, so what it learns about a patch of
# texture holds everywhere. This tutorial trains one on random 32 x 32 RGB patches cut from three
# public-domain photographs (`data/images/`) and scores it on patches of a fourth photograph (the
# cat) that training never sees, against PCA with as many components as the autoencoder has
# code units (PCA is the best *linear* code of that size).
#
# Run it as a notebook, cell by cell, or as a script:
# `python tutorials/conv_autoencoder_tutorial.py` (the training cell prints how long it ran),
# `--n-train 640 --n-test 100 --epochs 1` (a quick look), `--quick`, `--help`. The pictures, the
# model and `results.json` go to `conv_plots/`.

# %% tags=["parameters"]
n_train = 20000                # training patches
n_test = 2000                  # held-out patches, from chelsea.png
patch_size = 32                # patch height and width, divisible by 4
epochs = 20                    # passes over the training patches
batch_size = 16                # patches per minibatch
learning_rate = 2e-3           # Adam step size at the start (it decays linearly to zero)
channels = "8,16,16"           # c1,c2,c3: the feature maps of the three convolutions
kernel_sizes = "5,3,3"         # k1,k2,k3, odd
code_size = 32                 # units in the code, and PCA components
noise: str = None              # corrupt the input (a denoising autoencoder): masking or gaussian (none)
corruption_level = 0.0         # masking fraction or Gaussian std
output = "linear"              # output unit: linear + squared error, or sigmoid + cross-entropy
unpooling = "switches"         # decoder unpooling: the encoder's argmax switches, or nearest upsampling
seed = 123                     # weights, patches and minibatch order
output_folder = "conv_plots"   # where the pictures and files go
backend: str = None            # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                  # a small slice (640 patches of 16 x 16, 2 epochs): under a minute

# %% [markdown]
# The cell above holds the recipe; change it there, give the same names as flags to the script,
# or as papermill's `-p`. The next cell applies the command line (when this file runs as a
# script) and the small slice when `quick` is True (never over a value you set), and checks the
# values.

# %%
import json
import timeit

import numpy

import dae
from dae import backend as dae_backend
from dae.layers import conv as conv_layers, pool as pool_layers
from dae.models.conv_ae import NOISES, OUTPUTS, UNPOOLINGS
from dae.patches import load_patches

dae.tutorial.parameters(
    globals(), quick=dict(n_train=640, n_test=100, patch_size=16, epochs=2),
    choices={"noise": [n for n in NOISES if n], "output": OUTPUTS, "unpooling": UNPOOLINGS},
    positive=("n_train", "n_test", "patch_size", "epochs", "batch_size", "learning_rate", "code_size"))
if patch_size % 4:
    raise ValueError(f"--patch-size must divide by 4 (two 2x2 poolings), got {patch_size}")
channels_, kernel_sizes_ = (tuple(int(v) for v in text.split(",")) for text in (channels, kernel_sizes))
script = "conv_autoencoder_tutorial.py"
t_start = timeit.default_timer()

# %% [markdown]
# ## The data
#
# `load_patches` cuts random patches (reproducibly, from `seed`) out of the three training
# photographs and, separately, out of the held-out one: arrays of shape (N, 3, 32, 32), the
# three colour channels first, values in $[0, 1]$.

# %%
train_host, test_host = load_patches(n_train, n_test, patch_size, seed=seed)
train_x, test_x = dae_backend.asarray(train_host), dae_backend.asarray(test_host)
print(f"... {len(train_host)} training patches, {len(test_host)} held-out patches "
      f"of 3x{patch_size}x{patch_size}", flush=True)

# %% [markdown]
# ## The yardstick: PCA with as many components as the code has units
#
# Write a patch as a row $\mathbf{x}$ of $D = 3 \times 32 \times 32$ values. With $\bar{\mathbf{x}}$
# the mean training patch and $V$ ($k \times D$) the top-$k$ principal directions (the
# eigenvectors of the training patches' covariance), a patch is rebuilt as
# $\hat{\mathbf{x}} = \bar{\mathbf{x}} + (\mathbf{x} - \bar{\mathbf{x}}) V^T V$. No linear code of
# size $k$ does better on the training patches. Both models are scored by the summed squared
# error per patch, $\frac{1}{N} \sum_n \lVert \mathbf{x}_n - \hat{\mathbf{x}}_n \rVert^2$, over the
# $N$ held-out patches.

# %%
def pca_fit(train_flat, k):
    """(mean, V) with V (k, D): the top-k principal directions (float64, host)."""
    x = numpy.asarray(train_flat)
    mean = x.mean(axis=0, dtype=numpy.float64)
    # the eigenvectors of the D x D covariance: cheaper than an SVD of the n x D data for n >> D
    # (the product in x's precision, float32 for patches; the eigen-decomposition in float64)
    centred = x - mean.astype(x.dtype)
    cov = (centred.T @ centred).astype(numpy.float64) / x.shape[0]
    _, vecs = numpy.linalg.eigh(cov)
    return mean, vecs[:, ::-1][:, :k].T


def pca_reconstruct(mean, V, flat):
    x = numpy.asarray(flat, dtype=numpy.float64)
    return mean + ((x - mean) @ V.T) @ V


def sse_per_patch(x, z):
    """Mean over patches of the summed squared error (what both models are scored by)."""
    d = numpy.asarray(z, dtype=numpy.float64).reshape(len(x), -1) - numpy.asarray(x, numpy.float64).reshape(len(x), -1)
    return float((d * d).sum(axis=1).mean())


# %%
mean, V = pca_fit(train_host.reshape(len(train_host), -1), code_size)
pca_test = pca_reconstruct(mean, V, test_host.reshape(len(test_host), -1)).reshape(test_host.shape)
pca_error = sse_per_patch(test_host, pca_test)
print(f"PCA with {code_size} components: held-out error {pca_error:.4f} (summed squared error per patch)",
      flush=True)

# %% [markdown]
# ## The convolutional autoencoder
#
# Three convolutions with ReLU units ('same' padding), max-pooling after the second and the
# third, a linear code of `code_size` units, and a decoder that mirrors it all:
#
# $$\mathbf{h}_1 = \mathrm{relu}(\mathrm{conv}_1(\mathbf{x})), \quad \mathbf{h}_2 = \mathrm{pool}(\mathrm{relu}(\mathrm{conv}_2(\mathbf{h}_1))), \quad \mathbf{h}_3 = \mathrm{pool}(\mathrm{relu}(\mathrm{conv}_3(\mathbf{h}_2))), \quad \mathbf{y} = \mathrm{flatten}(\mathbf{h}_3) W_{\mathrm{code}} + \mathbf{b}_{\mathrm{code}},$$
#
# and back: a dense layer expands the code, each pooling is undone by *unpooling with the
# encoder's switches*, each convolution by a convolution, and the last one is linear: the
# reconstruction $\mathbf{z}$. The cost $J$ is the mean over the minibatch of $\sum_k (z_k - x_k)^2$.
#
# **The convolution.** A layer with $F$ filters of $C$ channels and $k_h \times k_w$ pixels has
# weights $W$ of shape $(F, C, k_h, k_w)$ and a bias $b_f$ per filter; output map $f$ at pixel
# $(p, q)$ is $y_{f,p,q} = b_f + \sum_{c,i,j} W_{f,c,i,j} \, x_{c,p+i,q+j}$ (the input padded
# so that the maps keep their size). Gather every $C k_h k_w$ window of the input as a column
# of a matrix $X = \mathrm{im2col}(\mathbf{x})$ and the convolution is one matrix product,
# $Y = W_r X + \mathbf{b}$, with $W_r$ the filters as rows. Its backward pass is two more: for
# the output gradient $\delta = \partial J / \partial Y$, $\partial J / \partial W_r = \delta X^T$,
# $\partial J / \partial \mathbf{b}$ the sums of the rows of $\delta$, and
# $\partial J / \partial \mathbf{x} = \mathrm{col2im}(W_r^T \delta)$, where $\mathrm{col2im}$ adds
# each column back onto the window it came from. The code (stride 1) builds $X$ on the padded
# maps flattened into one long row per channel, where moving a window by $(i, j)$ is a shift
# by $i$ padded rows plus $j$ pixels: each block of $X$'s rows is then one contiguous
# copy (`shifted_copies`), and the backward pass adds the same shifts back. When a layer has
# fewer filters than input channels, `correlate_flat` multiplies first and then shifts and
# adds (the same sums, fewer numbers moved). The library's code:

# %%
dae.tutorial.show_source(conv_layers.shifted_copies, conv_layers.correlate_flat, conv_layers.Conv2D.forward,
                         conv_layers.Conv2D.backward, conv_layers.Conv2D._backward_flat)
print(f"dae.config.kernels = {dae.config.kernels!r} (DAE_KERNELS): " + (
    "the NumPy code shown here runs, line for line." if dae.config.kernels == "numpy" else
    "where the code above asks kernels.active(...), dae.kernels' compiled loops run instead of the NumPy "
    "lines beside it, with the same numbers to float32 rounding (tests/test_kernels.py); DAE_KERNELS=numpy "
    "runs the NumPy lines."))

# %% [markdown]
# **Max-pooling and unpooling with switches.** Pooling keeps the largest of each
# non-overlapping $2 \times 2$ window, $y_{p,q} = \max_{(i,j) \in R(p,q)} x_{i,j}$, and remembers
# where it was: the *switch* $s_{p,q}$, the window offset of the maximum (0 to 3). Its
# backward pass sends each gradient to that one position and zero to the other three. The
# decoder's unpooling is the mirror: each value goes back to the position its encoder window's
# switch names, the rest are zero (`place`), and its backward pass reads the gradient at those
# positions (`gather`). With `unpooling = "nearest"` the decoder copies each value to the whole
# window instead, without switches.

# %%
dae.tutorial.show_source(pool_layers.MaxPool2D.forward, pool_layers.MaxPool2D.backward, pool_layers.place,
                         pool_layers.MaxUnpool2D.forward, pool_layers.MaxUnpool2D.backward, pool_layers.gather)

# %% [markdown]
# Every layer has its `forward` and `backward` side by side in `dae.layers` and a
# finite-difference test. The model chains them; the decoder reads the encoder's switches:

# %%
dae.tutorial.show_source(dae.ConvAutoencoder._decode, dae.ConvAutoencoder._backward)

# %% [markdown]
# ## Training
#
# Adam on shuffled minibatches, through `dae.Trainer`, which also measures the held-out error
# after every epoch (`evaluate`). Two small choices matter at this budget of steps:
# the output bias starts at the training patches' mean colour (so the first steps are not spent
# learning the average), and the learning rate decays linearly to zero over the run,
# $\eta_t = \eta_0 (1 - t / T)$, where $\eta_0$ is `learning_rate` and $t / T$ the fraction of the
# run done (the minibatch noise of such varied patches otherwise keeps the final parameters
# jumping around). Small minibatches (16) give more updates for the same arithmetic.
#
# The cell builds a fresh model from `seed` every time it runs, so running it again prints the
# same lines. What to look for: the epoch at which the held-out error first drops below PCA's
# (the next cell prints it), and how the training cost compares with the held-out error.

# %%
rng = numpy.random.RandomState(seed)
model = dae.ConvAutoencoder(rng, input_shape=(3, patch_size, patch_size), channels=channels_, code_size=code_size,
                            kernel_sizes=kernel_sizes_, noise=noise, output=output, unpooling=unpooling)
print(f"... building {model}", flush=True)
model.dec1.b[...] = train_x.mean(axis=(0, 2, 3))
trained_model = None   # set when training has finished


def report(trainer, metrics):
    print(f"Training epoch {metrics['epoch']}, cost {metrics['train_cost']:.4f}, "
          f"held-out error {metrics['extra']['held_out_error']:.4f}", flush=True)


trainer = dae.Trainer(
    model, dae.optim.Adam(learning_rate=learning_rate), batch_size=batch_size, rng=rng, shuffle="examples",
    cost_kwargs={"corruption_level": corruption_level}, drop_last=True,
    schedule=lambda t: learning_rate * (1.0 - t.fraction_done()),
    evaluate=lambda t: {"held_out_error": model.reconstruction_error(test_x)}, on_epoch_end=report,
    display=dae.tutorial.progress_bar())
t_train = timeit.default_timer()
trainer.fit(train_host, epochs)
training_time = timeit.default_timer() - t_train
costs = [m["train_cost"] for m in trainer.history]
held_out = [m["extra"]["held_out_error"] for m in trainer.history]
trained_model = model
print(f"The training code for file {script} ran for {training_time / 60.0:.2f}m (dae.config.kernels: {dae.config.kernels})")

# %% [markdown]
# ## The held-out comparison
#
# The autoencoder's summed squared error per held-out patch against PCA's, and per value (a
# patch has $D$ values); then the first epoch (counted from 0) whose held-out error is below
# PCA's, and the last epoch's training cost beside its held-out error. The training cost is
# the mean over the epoch's minibatches, measured while the parameters were still moving and
# on other photographs than the held-out cat, so the two need not be close.

# %%
dae.tutorial.need(globals(), "trained_model", "the training cell")
recon = dae_backend.to_host(trained_model.reconstruct(test_x))
conv_error = sse_per_patch(test_host, recon)
pixels = 3 * patch_size ** 2
print(f"Held-out error, summed squared error per patch (per pixel): conv autoencoder {conv_error:.4f} "
      f"({conv_error / pixels:.6f}), PCA {pca_error:.4f} ({pca_error / pixels:.6f})")
print(f"The conv autoencoder {'beats' if conv_error < pca_error else 'does NOT beat'} PCA at code size "
      f"{code_size}: error ratio {conv_error / pca_error:.3f}")
below = [epoch for epoch, error in enumerate(held_out) if error < pca_error]
print(f"first epoch with a held-out error below PCA's: {below[0] if below else 'none'} (of epochs 0 to {len(held_out) - 1})")
print(f"last epoch: training cost {costs[-1]:.4f}, held-out error {held_out[-1]:.4f} "
      f"(held-out / training: {held_out[-1] / costs[-1]:.2f})")

# %% [markdown]
# ## Pictures
#
# The learning curve: the training cost and the held-out error of every epoch, against the
# reference this chapter has, PCA's held-out error (dashed).

# %%
dae.tutorial.need(globals(), "trained_model", "the training cell")
epoch_numbers = list(range(len(costs)))
figure = dae.plotting.learning_curve(
    [("conv autoencoder, training cost", epoch_numbers, costs),
     ("conv autoencoder, held-out error", epoch_numbers, held_out)],
    [("PCA, held-out error", pca_error)], ylabel="squared error per patch", ylim=(0, 2.5 * pca_error))
dae.tutorial.show(figure, f"{output_folder}/learning_curve.png", dpi=100)

# %% [markdown]
# The first layer's filters in colour: each of the $c_1$ filters (the first entry of `channels`) is a
# $3 \times k_1 \times k_1$ block of weights ($k_1$ the first of `kernel_sizes`), drawn as a small colour image, scaled to $[0, 1]$ as a whole (its three
# colours keep their balance) and enlarged 16 times so its pixels can be seen. What they look
# like depends on the run: with a few filters of a few pixels and a short training they can
# still look much like noise. Then held-out patches (top row) above the autoencoder's
# reconstructions (middle) and PCA's (bottom).

# %%
dae.tutorial.need(globals(), "trained_model", "the training cell")
filters = dae_backend.to_host(trained_model.enc1.W)
dae.tutorial.show(dae.plotting.rgb_filters_image(filters, scale=16), f"{output_folder}/filters_layer1.png")
print(f"The {filters.shape[0]} first-layer filters, {filters.shape[1]} x {filters.shape[2]} x {filters.shape[3]} "
      f"weights each, one colour image per filter, enlarged 16 times.")
n_show = min(12, len(test_host))
rows = [test_host[:n_show], recon[:n_show], pca_test[:n_show]]
dae.tutorial.show(dae.plotting.rgb_tiles(numpy.concatenate(rows), (3, n_show), spacing=2, scale=3),
                  f"{output_folder}/reconstructions.png")
print(f"{n_show} held-out patches (top), the conv autoencoder's reconstructions (middle), PCA's (bottom).")

# %% [markdown]
# ## The model and the numbers
#
# The model goes to one model file (`dae info conv_plots/conv_autoencoder.npz` describes it,
# `dae.load_model` reads it back), the numbers to `results.json`.

# %%
dae.tutorial.need(globals(), "trained_model", "the training cell")
dae.save_model(trained_model, f"{output_folder}/conv_autoencoder.npz")
settings = {name: globals()[name] for name in ("n_train", "n_test", "patch_size", "epochs", "batch_size",
                                               "learning_rate", "channels", "kernel_sizes", "code_size", "noise",
                                               "corruption_level", "output", "unpooling", "seed")}
results = {
    "conv_error": conv_error, "pca_error": pca_error, "conv_mse_per_pixel": conv_error / pixels,
    "pca_mse_per_pixel": pca_error / pixels, "epoch_costs": costs, "epoch_held_out_errors": held_out,
    "training_seconds": training_time, "total_seconds": timeit.default_timer() - t_start, "args": settings,
    "model": trained_model.config(),
}
with open(f"{output_folder}/results.json", "w") as f:
    json.dump(results, f, indent=2)

# %% [markdown]
# ## Your turn
#
# The convolution's and the max-pooling's backward passes are this chapter's two new gradients.
# Write them yourself, CS231n style.
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
# ### Exercise: a convolution layer, forward and backward (`conv_backward`)
#
# Arrays are NCHW: (examples, channels, height, width). Write
# `conv_forward(x, W, b, stride=1, padding=0)`: with `x` (N, C, H, W), `W` (F, C, kh, kw), `b` (F,),
# the stride $S$ and $\bar{x}$ the input zero-padded by `padding` on both spatial axes,
#
# $$\mathrm{out}_{n f p q} = b_f + \sum_{c, i, j} W_{f c i j} \, \bar{x}_{n, c, p S + i, q S + j},$$
#
# of shape (N, F, Ho, Wo) with Ho = (H + 2 padding - kh) // stride + 1 (Wo likewise): a
# cross-correlation, what every deep-learning library calls a convolution. Then
# `conv_backward(dout, x, W, b, stride=1, padding=0)`: given `dout`
# $= \partial E / \partial\,\mathrm{out}$ for a scalar cost $E$, return `(dx, dW, db)` shaped like
# `x`, `W` and `b`. The helpers `im2col` (unfold every patch into a column, so the layer is one
# matrix product) and `col2im` (its adjoint: every entry of a column is *added* back where it was
# read from, overlapping patches summing) are not graded on their own; use them, or not.

# %%
import numpy


def im2col(x, kh, kw, stride, padding):
    """Helper: x's kh x kw patches as the columns of a (C kh kw, N Ho Wo) matrix."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def col2im(cols, x_shape, kh, kw, stride, padding):
    """Helper: im2col's adjoint, an array of shape x_shape."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def conv_forward(x, W, b, stride=1, padding=0):
    """The layer's output, (N, F, Ho, Wo)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def conv_backward(dout, x, W, b, stride=1, padding=0):
    """The gradients (dx, dW, db) given dout = dE/dout."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("conv_backward", conv_forward, conv_backward)

# %% [markdown]
# ### Exercise: max pooling with switches (`maxpool_backward`)
#
# Write `maxpool_forward(x, size=2)`: the maximum over each non-overlapping size x size window,
#
# $$\mathrm{out}_{n c p q} = \max_{0 \le i, j < \mathrm{size}} x_{n, c, p \cdot \mathrm{size} + i, q \cdot \mathrm{size} + j},$$
#
# of shape (N, C, H / size, W / size) (H and W divisible by size), returned with its *switches*:
# whatever your backward pass needs to know where each maximum was (e.g. the position
# 0 .. size^2 - 1 inside each window). Then `maxpool_backward(dout, switches, size=2)`: given
# `dout` $= \partial E / \partial\,\mathrm{out}$, the gradient `dx` $= \partial E / \partial x$ of shape
# (N, C, H, W). The rule for ties, as dae's `MaxPool2D` has it: each window's maximum is its
# *first* maximum in row-major order (the one `numpy.argmax` picks), and only that entry receives
# the window's gradient; an all-equal window (all zeros after a ReLU, say) sends it to its
# top-left entry.

# %%
import numpy


def maxpool_forward(x, size=2):
    """Max over each size x size window, and the switches: (out, switches)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def maxpool_backward(dout, switches, size=2):
    """dx = dE/dx given dout = dE/dout and the switches."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("maxpool_backward", maxpool_forward, maxpool_backward)
