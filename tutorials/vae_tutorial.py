# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A variational autoencoder (VAE) on binarised MNIST, gradients by hand
#
# Kingma & Welling (2013) turned the autoencoder into a *generative model*: the encoder maps an
# image $\mathbf{x}$ to a Gaussian $q(\mathbf{z} \mid \mathbf{x})$ over a code $\mathbf{z}$, the decoder maps a
# code to Bernoulli pixel probabilities $p(\mathbf{x} \mid \mathbf{z})$, and both are trained together
# to maximise a lower bound on $\log p(\mathbf{x})$, the *evidence lower bound* (ELBO). Codes drawn
# from the prior $\mathcal{N}(0, I)$ then decode to new digits.
#
# This tutorial trains a 784-500-500-20 VAE (relu hidden units) with Adam for 30 epochs, reports
# its test negative ELBO and the tighter importance-weighted estimate of $-\log p(\mathbf{x})$
# (Burda et al., 2015), draws samples, then trains a VAE with a 2-D code to look at: the
# decoder's manifold of digits and where each test digit lands.
#
# Run it as a notebook, cell by cell, or as a script: `python tutorials/vae_tutorial.py` (about
# 8.5 CPU-minutes on one thread), `--quick`, `--help`. Training writes a checkpoint after every
# epoch (and on Ctrl-C) to `vae_plots/checkpoints/`; `--resume` goes on from them after an
# interruption, even a `kill -9`. The figures and the models go to `vae_plots/`.

# %% tags=["parameters"]
epochs = 30                  # passes over the training set for the main model
n_latent = 20                # dimension of the main model's code z
n_hidden = [500, 500]        # encoder hidden layer sizes, mirrored in the decoder
activation = "relu"          # hidden units: tanh, relu or sigmoid
batch_size = 100             # examples per minibatch
learning_rate = 1e-3         # Adam step size
n_train: int = None          # use only the first N training images (default: all 50,000)
n_test: int = None           # evaluate on the first N test images (default: all 10,000)
iw_samples = 100             # k, the importance samples per test image for the log-likelihood estimate
iw_n_test: int = None        # estimate the log-likelihood on the first N test images only (default: all)
epochs_2d = 10               # epochs for the 2-D model of the manifold figures (0 skips it)
seed = 123                   # seed of the weights and the noise
output_folder = "vae_plots"  # where the figures, models and checkpoints go
resume = False               # go on from the checkpoints of an interrupted run (in output_folder/checkpoints)
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                # a small slice (2,000 images, one layer of 64, 3 + 2 epochs): under a minute

# %% [markdown]
# The cell above holds the recipe; change it there, or give the same names as flags to the
# script. The next cell applies the command line (when this file runs as a script) and the small
# slice when `quick` is True.

# %%
import statistics
import sys
import time
import timeit

import numpy

import dae
from dae import backend as dae_backend
from dae.models.vae import binarize

dae.tutorial.parameters(
    globals(), quick=dict(n_train=2000, n_test=500, n_hidden=[64], epochs=3, epochs_2d=2, iw_samples=10),
    choices={"activation": ("tanh", "relu", "sigmoid")},
    positive=("epochs", "n_latent", "batch_size", "learning_rate", "n_train", "n_test", "iw_samples", "iw_n_test"))
if epochs_2d < 0:
    raise SystemExit(f"error: --epochs-2d must be 0 or more, got {epochs_2d}")
start_all = timeit.default_timer()

# %% [markdown]
# ## The data
#
# MNIST's grey values in $[0, 1)$. The VAE's decoder is a Bernoulli distribution over each
# pixel, so it is trained and scored on *binarised* digits, as in the literature: each pixel is
# 1 with its grey value as probability. The training set is binarised afresh every epoch
# (minibatch by minibatch, as the trainer's `augment`); the test set once, with a fixed seed,
# so every run and every model is scored on the same 0/1 images.

# %%
(train_x, _), (valid_x, _), (test_x, test_y) = dae.load_data()
if n_train is not None:
    train_x = train_x[:n_train]
if n_test is not None:
    test_x, test_y = test_x[:n_test], test_y[:n_test]
if train_x.shape[0] < batch_size:
    raise SystemExit(f"error: --batch-size {batch_size} is larger than the {train_x.shape[0]} training images")
test_x = dae_backend.asarray(binarize(test_x, numpy.random.RandomState(0)))
valid_x = dae_backend.asarray(binarize(valid_x[:test_x.shape[0]], numpy.random.RandomState(1)))
print(f"binarised MNIST: {train_x.shape[0]} training images (redrawn each epoch), "
      f"{test_x.shape[0]} test images (seed 0)")

# %% [markdown]
# ## The model and its cost
#
# With $f$ the hidden activation, the encoder gives the mean and log-variance of
# $q(\mathbf{z} \mid \mathbf{x}) = \mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(e^{\boldsymbol{\ell}}))$,
# and the decoder the logits $\mathbf{a}$ of the pixels:
#
# $$\mathbf{h} = f(\dots f(\mathbf{x} W_1 + \mathbf{b}_1) \dots), \qquad
#   \boldsymbol{\mu} = \mathbf{h} W_\mu + \mathbf{b}_\mu, \qquad \boldsymbol{\ell} = \mathbf{h} W_\ell + \mathbf{b}_\ell,$$
#
# $$\mathbf{z} = \boldsymbol{\mu} + e^{\boldsymbol{\ell}/2} \odot \boldsymbol{\epsilon}, \quad
#   \boldsymbol{\epsilon} \sim \mathcal{N}(0, I), \qquad
#   p(x_k = 1 \mid \mathbf{z}) = \sigma(a_k), \quad \mathbf{a} = \mathbf{g}(\mathbf{z}) W_{\mathrm{out}} + \mathbf{b}_{\mathrm{out}}.$$
#
# The cost is the negative ELBO, per image: the reconstruction term plus the KL divergence of
# $q$ from the prior, both in closed form,
#
# $$-\mathrm{ELBO}(\mathbf{x}) = \sum_k \left[\mathrm{softplus}(a_k) - x_k a_k\right]
#   \; - \; \frac{1}{2} \sum_j \left[1 + \ell_j - \mu_j^2 - e^{\ell_j}\right] \;\geq\; -\log p(\mathbf{x}).$$
#
# The *reparameterisation* $\mathbf{z} = \boldsymbol{\mu} + e^{\boldsymbol{\ell}/2} \odot \boldsymbol{\epsilon}$
# is what makes it trainable by back-propagation: $\boldsymbol{\epsilon}$ does not depend on the
# parameters, so the gradient goes *through* the sample. At the code, two paths meet:
#
# $$\frac{\partial C}{\partial \boldsymbol{\mu}} = \frac{\partial C}{\partial \mathbf{z}} + \frac{\boldsymbol{\mu}}{N}, \qquad
#   \frac{\partial C}{\partial \boldsymbol{\ell}} = \frac{1}{2} \frac{\partial C}{\partial \mathbf{z}} \odot \boldsymbol{\epsilon} \odot e^{\boldsymbol{\ell}/2}
#   + \frac{e^{\boldsymbol{\ell}} - 1}{2N}$$
#
# (the sampling path and the KL path; `dae.VAE.cost_and_grads` writes out every gradient, forward
# and backward side by side, and `dae.gradcheck` checks them).

# %% [markdown]
# ## Training
#
# Adam on the negative ELBO, in shuffled minibatches, through `dae.Trainer`: it binarises each
# minibatch afresh (`augment=binarize`), draws the reparameterisation noise, steps, and after
# every epoch measures the validation negative ELBO (`evaluate`, with a noise stream of its own)
# and writes a checkpoint. Every draw of the run (the shuffles, the binarisations, the
# $\boldsymbol{\epsilon}$) comes from one `dae.RandomStreams`, the run's generator, saved in the
# checkpoints, so a resumed run goes on exactly where it stopped. The output bias starts at the
# logit of the mean pixel, so the very first reconstructions are already the "average digit"
# rather than grey noise.
#
# What to look for: the training negative ELBO falls from about 200 nats to near 100 within a
# few epochs, and the validation one follows it (a VAE this size barely overfits in 30 epochs).

# %%
def mean_negative_elbo(model, x, noise, batch_size=1000):
    """The negative ELBO in nats per image, one sampled z per image, averaged over x."""
    total = 0.0
    for i in range(0, x.shape[0], batch_size):
        total += float(model.negative_elbo(x[i:i + batch_size], rng=noise).sum(dtype="float64"))
    return total / x.shape[0]


def train_vae(n_latent, epochs, label, validate=True):
    """A VAE with an n_latent-D code trained for ``epochs`` epochs; (model, training seconds)."""
    rng = numpy.random.RandomState(seed)
    noise = dae.RandomStreams(rng.randint(2 ** 30))
    model = dae.VAE(rng, n_visible=784, n_hidden=n_hidden, n_latent=n_latent, activation=activation)
    mean_pixel = numpy.clip(train_x.mean(axis=0, dtype=numpy.float64), 1e-3, 1 - 1e-3)
    model.b_out[...] = dae_backend.asarray(numpy.log(mean_pixel / (1 - mean_pixel)), dtype=model.b_out.dtype)
    cpu_start = time.process_time()

    def report(trainer, metrics):
        line = f"[{label}] epoch {metrics['epoch']}, train -ELBO {metrics['train_cost']:.2f}"
        if validate:
            line += f", valid -ELBO {metrics['extra']['valid_elbo']:.2f}"
        print(line + f"  ({60 * metrics['minutes_used']:.0f}s wall, {time.process_time() - cpu_start:.0f}s CPU)",
              flush=True)

    trainer = dae.Trainer(
        model, dae.optim.Adam(learning_rate=learning_rate), batch_size=batch_size, rng=noise, shuffle="examples",
        drop_last=True, augment=binarize, on_epoch_end=report,
        evaluate=(lambda t: {"valid_elbo": mean_negative_elbo(model, valid_x, dae.RandomStreams(1))}) if validate else None,
        checkpoint=dae.train.Checkpointing(f"{output_folder}/checkpoints/vae_z{n_latent}.npz"),
        display=dae.train.Display("bar" if sys.stdout.isatty() else "none"))
    if resume:
        trainer.resume()
    trainer.fit(train_x, epochs)
    return model, trainer.elapsed


model, seconds = train_vae(n_latent, epochs, f"z={n_latent}")

# %% [markdown]
# ## How good is it? The ELBO and the importance-weighted log-likelihood
#
# The test negative ELBO is an upper bound on $-\log p(\mathbf{x})$ (Kingma & Welling's Figure 2
# shows about 100 nats for a 20-D code). A tighter one draws $k$ codes from $q$ and weighs them:
#
# $$\log p(\mathbf{x}) \approx \log \frac{1}{k} \sum_{i=1}^{k}
#   \frac{p(\mathbf{x} \mid \mathbf{z}_i)\, p(\mathbf{z}_i)}{q(\mathbf{z}_i \mid \mathbf{x})}, \qquad \mathbf{z}_i \sim q(\mathbf{z} \mid \mathbf{x}),$$
#
# computed with log-sum-exp so nothing under- or overflows; $k = 1$ is the ELBO, and the bound
# tightens as $k$ grows. It is the number papers compare: expect it a few nats below the ELBO.

# %%
eval_noise = dae.RandomStreams(2024)
test_nelbo = mean_negative_elbo(model, test_x, eval_noise)
print(f"training took {seconds / 60:.2f}m ({seconds / epochs:.1f}s per epoch)")
print(f"test negative ELBO: {test_nelbo:.2f} nats ({n_latent}-D latent, {epochs} epochs)")
iw_x = test_x[:iw_n_test] if iw_n_test is not None else test_x
t0 = timeit.default_timer()
log_px = model.importance_weighted_log_likelihood(iw_x, k=iw_samples, rng=eval_noise)
iw_nll = -float(dae_backend.to_host(log_px).mean(dtype="float64"))
print(f"test -log p(x), importance-weighted with k={iw_samples} on {iw_x.shape[0]} test images: "
      f"{iw_nll:.2f} nats ({timeit.default_timer() - t0:.0f}s)")
dae.save_model(model, f"{output_folder}/vae_z{n_latent}.npz")
results = {"test_negative_elbo": test_nelbo, "iw_negative_log_likelihood": iw_nll,
           "iw_samples": iw_samples, "iw_n_test": int(iw_x.shape[0])}

# %% [markdown]
# ## Samples from the prior
#
# A hundred codes drawn from $\mathcal{N}(0, I)$, decoded: the pixel probabilities, 10 to a row.
# Most are recognisable digits, some are blends of two; they are blurry because each is the
# *mean* of the decoder's distribution, not a binary sample of it.

# %%
probs = dae_backend.to_host(model.sample(100, rng=eval_noise))
dae.tutorial.show(dae.tile_raster_images(probs, (28, 28), (10, 10), (1, 1), scale_rows_to_unit_interval=False),
                  f"{output_folder}/samples.png")

# %% [markdown]
# ## A 2-D code, to look at
#
# With $\mathbf{z} \in \mathbb{R}^2$ the whole latent space is a plane. The decoder's view: decode
# a 20 x 20 grid of the plane, evenly spaced *in probability* under the prior
# ($\mathbf{z} = \Phi^{-1}(\mathbf{u})$ for $\mathbf{u}$ on a grid of $[0.05, 0.95]^2$), and the digits morph
# smoothly into each other. The encoder's view: the means of $q(\mathbf{z} \mid \mathbf{x})$ of the test
# digits, coloured by their label (which the VAE never saw): the classes form regions.

# %%
def manifold_image(model, n=20):
    """Decode an n x n grid of the 2-D latent plane, evenly spaced in probability: z = Phi^-1(u)."""
    quantiles = [statistics.NormalDist().inv_cdf(u) for u in numpy.linspace(0.05, 0.95, n)]
    grid = numpy.array([[z0, z1] for z1 in quantiles[::-1] for z0 in quantiles])  # z0 across, z1 down from the top
    probs = dae_backend.to_host(model.decode(dae_backend.asarray(grid, dtype=model.dtype)))
    return dae.tile_raster_images(probs, (28, 28), (n, n), (0, 0), scale_rows_to_unit_interval=False)


def codes_figure(model, x, y):
    """A matplotlib Figure: the means of q(z|x) of the test images, coloured by their digit."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    mu = dae_backend.to_host(model.encode(x))
    fig = Figure(figsize=(7, 6))
    ax = fig.subplots()
    cmap = colormaps["tab10"]
    for digit in range(10):
        pick = y == digit
        ax.scatter(mu[pick, 0], mu[pick, 1], s=3, color=cmap(digit), label=str(digit), alpha=0.7)
    ax.set_xlabel("z0 (mean of q(z|x))")
    ax.set_ylabel("z1")
    ax.set_title("Test images in the 2-D latent space of a VAE")
    ax.legend(title="digit", markerscale=4, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


if n_latent == 2:
    model_2d = model
elif epochs_2d > 0:
    model_2d, _ = train_vae(2, epochs_2d, "z=2", validate=False)
    results["test_negative_elbo_2d"] = mean_negative_elbo(model_2d, test_x, eval_noise)
    print(f"test negative ELBO: {results['test_negative_elbo_2d']:.2f} nats (2-D latent, {epochs_2d} epochs)")
    dae.save_model(model_2d, f"{output_folder}/vae_z2.npz")
else:
    model_2d = None
if model_2d is not None:
    dae.tutorial.show(manifold_image(model_2d), f"{output_folder}/manifold_2d.png")
    dae.tutorial.show(codes_figure(model_2d, test_x, test_y), f"{output_folder}/codes_2d.png", dpi=100)
results["wall_seconds"] = timeit.default_timer() - start_all
print(f"figures in {output_folder}/; whole run {results['wall_seconds'] / 60:.2f}m")

# %% [markdown]
# ## Your turn
#
# The two paths of the gradient at the code, through the sample and through the KL term, are
# the heart of the VAE. Derive and code them yourself.
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
# ### Exercise: the reparameterised sample and the KL term (`vae_gradients`)
#
# The encoder gives $\boldsymbol{\mu}$ (`mu`) and $\log \boldsymbol{\sigma}^2$ (`logvar`), each
# (N, J). Three functions, every operation elementwise:
#
# - `reparameterize(mu, logvar, eps)`: the sample
#   $\mathbf{z} = \boldsymbol{\mu} + \boldsymbol{\sigma} \odot \boldsymbol{\epsilon}$ of
#   $\mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$, made from the standard normal
#   draws $\boldsymbol{\epsilon}$ (`eps`); $\boldsymbol{\sigma}$ is the standard deviation.
# - `reparameterize_backward(dz, mu, logvar, eps)`: given `dz` $= \partial C / \partial \mathbf{z}$ with
#   $\boldsymbol{\epsilon}$ held fixed, return `(dmu, dlogvar)`.
# - `kl_and_grads(mu, logvar)`: the minibatch's mean KL term and its gradients `(kl, dmu, dlogvar)`,
#
# $$\mathrm{KL}_n = -\frac{1}{2} \sum_{j=1}^{J} \left[ 1 + \log \sigma_{nj}^2 - \mu_{nj}^2 - \sigma_{nj}^2 \right], \qquad \mathrm{kl} = \frac{1}{N} \sum_{n=1}^{N} \mathrm{KL}_n.$$
#
# The gradients are analytic, in float64.

# %%
import numpy


def reparameterize(mu, logvar, eps):
    """The sample z of N(mu, diag(exp(logvar))) made from eps."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def reparameterize_backward(dz, mu, logvar, eps):
    """(dmu, dlogvar) given dz = dC/dz, eps held fixed."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def kl_and_grads(mu, logvar):
    """The mean KL(q(z|x) || N(0, I)) and its gradients: (kl, dmu, dlogvar)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("vae_gradients", reparameterize, reparameterize_backward, kl_and_grads)
