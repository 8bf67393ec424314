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
# decoder's manifold of digits and where each test digit lands. Each training cell prints how
# long it ran.
#
# Run it as a notebook, cell by cell, or as a script: `python tutorials/vae_tutorial.py`,
# `--n-latent 10`, `--quick`, `--help`. Training writes a checkpoint after every epoch (and on
# Ctrl-C) to `vae_plots/checkpoints/`; `--resume` goes on from them after an interruption, even a
# `kill -9`. The figures and the models go to `vae_plots/`, named after the code's size.

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
# The cell above holds the recipe; change it there, give the same names as flags to the script,
# or as papermill's `-p`. The next cell applies the command line (when this file runs as a
# script) and the small slice when `quick` is True; a value you set is never replaced by it.

# %%
import statistics
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
# ## The model: encoder, sample, decoder
#
# Write $f$ for the hidden units' activation (`activation`, relu by default), applied to every
# entry, and $L$ for the number of hidden layers. The encoder's layers $l = 1, \dots, L$ have weights $W_l$ and biases
# $\mathbf{b}_l$; its top layer $\mathbf{h}$ gives, through two heads with weights $W_\mu$, $W_\ell$
# and biases $\mathbf{b}_\mu$, $\mathbf{b}_\ell$, the mean $\boldsymbol{\mu}$ and the
# log-variance $\boldsymbol{\ell}$ of $q(\mathbf{z} \mid \mathbf{x}) = \mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(e^{\boldsymbol{\ell}}))$,
# a Gaussian with a diagonal covariance:
#
# $$\mathbf{h} = f(\dots f(\mathbf{x} W_1 + \mathbf{b}_1) \dots W_L + \mathbf{b}_L), \qquad \boldsymbol{\mu} = \mathbf{h} W_\mu + \mathbf{b}_\mu, \qquad \boldsymbol{\ell} = \mathbf{h} W_\ell + \mathbf{b}_\ell.$$
#
# A code is drawn from $q$ by the *reparameterisation*: noise $\boldsymbol{\epsilon}$ that does
# not depend on the parameters, moved and scaled ($\odot$ multiplies entry by entry),
#
# $$\mathbf{z} = \boldsymbol{\mu} + e^{\boldsymbol{\ell}/2} \odot \boldsymbol{\epsilon}, \qquad \boldsymbol{\epsilon} \sim \mathcal{N}(0, I).$$
#
# The decoder mirrors the encoder, with weights $V_l$ and biases $\mathbf{c}_l$: its top hidden
# layer $\mathbf{g}(\mathbf{z})$ gives, through weights $W_{\mathrm{out}}$ and biases
# $\mathbf{b}_{\mathrm{out}}$, the logits $\mathbf{a}$ of the 784 pixels, and the
# sigmoid $\sigma(a) = 1 / (1 + e^{-a})$ their probabilities,
#
# $$\mathbf{g}(\mathbf{z}) = f(\dots f(\mathbf{z} V_1 + \mathbf{c}_1) \dots V_L + \mathbf{c}_L), \qquad \mathbf{a} = \mathbf{g}(\mathbf{z}) W_{\mathrm{out}} + \mathbf{b}_{\mathrm{out}}, \qquad p(x_k = 1 \mid \mathbf{z}) = \sigma(a_k).$$
#
# The library draws the sample so (the encoder and the decoder themselves are a `Sequential` each,
# a `Dense` and an activation per layer, as in the SdA chapter):

# %%
dae.tutorial.show_source(dae.models.vae.reparameterize)

# %% [markdown]
# ## The cost: the negative ELBO
#
# Per image, the reconstruction term (the Bernoulli negative log-likelihood, from the logits:
# $\mathrm{softplus}(a) = \log(1 + e^{a})$) plus the KL divergence of $q$ from the prior, both
# in closed form ($k$ runs over the 784 pixels, $j$ over the entries of the code):
#
# $$-\mathrm{ELBO}(\mathbf{x}) = \sum_k \left[\mathrm{softplus}(a_k) - x_k a_k\right] \; - \; \frac{1}{2} \sum_j \left[1 + \ell_j - \mu_j^2 - e^{\ell_j}\right] \;\geq\; -\log p(\mathbf{x}).$$
#
# The training cost $C$ is its mean over a minibatch of $N$ images. The KL term:

# %%
dae.tutorial.show_source(dae.models.vae.gaussian_kl)

# %% [markdown]
# ## The gradients, by hand
#
# Back-propagation from $C$: at the logits, $\partial C / \partial \mathbf{a} = (\sigma(\mathbf{a}) - \mathbf{x}) / N$
# (the sigmoid and the logs cancel), then down through the decoder's layers, each `backward`
# multiplying by $f'$ and by the transposed weights, to $\partial C / \partial \mathbf{z}$. Because
# $\boldsymbol{\epsilon}$ does not depend on the parameters, the gradient goes *through* the
# sample, with $\partial z_j / \partial \mu_j = 1$ and $\partial z_j / \partial \ell_j = \epsilon_j e^{\ell_j/2} / 2$.
# At the code, two paths meet, the sampling path and the KL path:
#
# $$\frac{\partial C}{\partial \boldsymbol{\mu}} = \frac{\partial C}{\partial \mathbf{z}} + \frac{\boldsymbol{\mu}}{N}, \qquad \frac{\partial C}{\partial \boldsymbol{\ell}} = \frac{1}{2} \frac{\partial C}{\partial \mathbf{z}} \odot \boldsymbol{\epsilon} \odot e^{\boldsymbol{\ell}/2} + \frac{e^{\boldsymbol{\ell}} - 1}{2N}.$$
#
# From there the two heads pass $\partial C / \partial \mathbf{h}$ (the sum of their two paths)
# down through the encoder. `cost_and_grads` writes out the forward and the backward pass side
# by side (`dae.gradcheck` checks every gradient against finite differences in the tests):

# %%
dae.tutorial.show_source(dae.VAE.cost_and_grads)

# %% [markdown]
# ## Training
#
# Adam on the negative ELBO, in shuffled minibatches, through `dae.Trainer`: it binarises each
# minibatch afresh (`augment=binarize`), draws the reparameterisation noise, steps, and after
# every epoch measures the validation negative ELBO (`mean_negative_elbo`, with a noise stream of
# its own). Every draw of the run (the shuffles, the binarisations, the $\boldsymbol{\epsilon}$)
# comes from one `dae.RandomStreams`, the run's generator, saved in the checkpoints, so a resumed
# run goes on exactly where it stopped. The output bias starts at the logit of the mean pixel, so
# the very first reconstructions are already the "average digit" rather than grey noise.
# `train_vae` builds a fresh model every time it is called.

# %%
def mean_negative_elbo(model, x, noise, batch_size=1000):
    """The negative ELBO in nats per image, one sampled z per image, averaged over x."""
    total = 0.0
    for i in range(0, x.shape[0], batch_size):
        total += float(model.negative_elbo(x[i:i + batch_size], rng=noise).sum(dtype="float64"))
    return total / x.shape[0]

# %%
def train_vae(n_latent, epochs, label, validate=True):
    """A fresh VAE with an n_latent-D code trained for ``epochs`` epochs: (model, one dict per epoch)."""
    rng = numpy.random.RandomState(seed)
    noise = dae.RandomStreams(rng.randint(2 ** 30))
    model = dae.VAE(rng, n_visible=784, n_hidden=n_hidden, n_latent=n_latent, activation=activation)
    mean_pixel = numpy.clip(train_x.mean(axis=0, dtype=numpy.float64), 1e-3, 1 - 1e-3)
    model.b_out[...] = dae_backend.asarray(numpy.log(mean_pixel / (1 - mean_pixel)), dtype=model.b_out.dtype)

    def report(trainer, metrics):
        valid = f", valid -ELBO {metrics['extra']['valid_elbo']:.2f}" if validate else ""
        print(f"[{label}] epoch {metrics['epoch']}, train -ELBO {metrics['train_cost']:.2f}{valid}", flush=True)

    def validation(trainer):
        return {"valid_elbo": mean_negative_elbo(model, valid_x, dae.RandomStreams(1))}

    trainer = dae.Trainer(model, dae.optim.Adam(learning_rate=learning_rate), batch_size=batch_size, rng=noise,
                          shuffle="examples", drop_last=True, augment=binarize, on_epoch_end=report,
                          evaluate=validation if validate else None,
                          **dae.tutorial.long_run(f"{output_folder}/checkpoints/vae_z{n_latent}.npz"))
    return model, dae.tutorial.fit(trainer, train_x, epochs, resume=resume)

# %% [markdown]
# What to look for: how fast the training negative ELBO falls in the first epochs, and how close
# the validation one stays to it (a gap that opens up is overfitting); the last line prints the
# gap after the last epoch. Running the cell again trains a fresh model and prints the same lines.

# %%
start_time, cpu_start = timeit.default_timer(), time.process_time()
model, history = train_vae(n_latent, epochs, f"z={n_latent}")
train_curve, valid_curve = [m["train_cost"] for m in history], [m["extra"]["valid_elbo"] for m in history]
print(f"[z={n_latent}] epoch {len(history) - 1}: train -ELBO {train_curve[-1]:.2f}, valid -ELBO {valid_curve[-1]:.2f} "
      f"(validation minus training: {valid_curve[-1] - train_curve[-1]:+.2f} nats)")
print(f"The z={n_latent} training code for file vae_tutorial.py ran for "
      f"{(timeit.default_timer() - start_time) / 60:.2f}m ({(time.process_time() - cpu_start) / 60:.2f} CPU-minutes)")

# %% [markdown]
# ## How good is it? The ELBO and the importance-weighted log-likelihood
#
# The test negative ELBO is an upper bound on $-\log p(\mathbf{x})$ (Kingma & Welling's Figure 2
# shows about 100 nats for a 20-D code). A tighter one draws $k$ codes from $q$ and weighs them:
#
# $$\log p(\mathbf{x}) \approx \log \frac{1}{k} \sum_{i=1}^{k} \frac{p(\mathbf{x} \mid \mathbf{z}_i)\, p(\mathbf{z}_i)}{q(\mathbf{z}_i \mid \mathbf{x})}, \qquad \mathbf{z}_i \sim q(\mathbf{z} \mid \mathbf{x}),$$
#
# computed with log-sum-exp so nothing under- or overflows; $k = 1$ is the ELBO, and the bound
# tightens as $k$ grows. It is the number papers compare; the cell prints how far below the ELBO
# it lands.

# %%
dae.tutorial.need(globals(), "model", "the training cell")
eval_noise = dae.RandomStreams(2024)
test_nelbo = mean_negative_elbo(model, test_x, eval_noise)
print(f"test negative ELBO: {test_nelbo:.2f} nats ({n_latent}-D latent, {len(history)} epochs)")
iw_x = test_x[:iw_n_test] if iw_n_test is not None else test_x
t0 = timeit.default_timer()
log_px = model.importance_weighted_log_likelihood(iw_x, k=iw_samples, rng=eval_noise)
iw_nll = -float(dae_backend.to_host(log_px).mean(dtype="float64"))
print(f"test -log p(x), importance-weighted with k={iw_samples} on {iw_x.shape[0]} test images: {iw_nll:.2f} nats "
      f"({test_nelbo - iw_nll:.2f} below the ELBO)")
print(f"The importance-weighted estimate for file vae_tutorial.py ran for {(timeit.default_timer() - t0) / 60:.2f}m")
dae.save_model(model, f"{output_folder}/vae_z{n_latent}.npz")
results = {"test_negative_elbo": test_nelbo, "iw_negative_log_likelihood": iw_nll,
           "iw_samples": iw_samples, "iw_n_test": int(iw_x.shape[0])}

# %% [markdown]
# ## Samples from the prior
#
# A hundred codes drawn from $\mathcal{N}(0, I)$, decoded: the pixel probabilities, 10 to a row.
# They are grey rather than black and white because each is the *mean* of the decoder's
# distribution, not a binary sample of it. How many would you read as digits, and how many look
# like blends of two?

# %%
dae.tutorial.need(globals(), "model", "the training cell")
probs = dae_backend.to_host(model.sample(100, rng=dae.RandomStreams(2025)))
dae.tutorial.show(dae.tile_raster_images(probs, (28, 28), (10, 10), (1, 1), scale_rows_to_unit_interval=False),
                  f"{output_folder}/samples_z{n_latent}.png")

# %% [markdown]
# ## A 2-D code, to look at
#
# With $\mathbf{z} \in \mathbb{R}^2$ the whole latent space is a plane. A second VAE, the same in
# all but its code of two numbers (and trained for `epochs_2d` epochs, without the validation
# pass), is the reference run of the learning curves below: what squeezing the code costs. When
# `n_latent` is 2 already, the main model serves.

# %%
start_time = timeit.default_timer()
model_2d, history_2d, nelbo_2d = None, None, None
if n_latent == 2:
    model_2d, history_2d = dae.tutorial.need(globals(), "model", "the training cell"), history
elif epochs_2d > 0:
    model_2d, history_2d = train_vae(2, epochs_2d, "z=2", validate=False)
    nelbo_2d = mean_negative_elbo(model_2d, test_x, dae.RandomStreams(2024))
    print(f"test negative ELBO: {nelbo_2d:.2f} nats (2-D latent, {epochs_2d} epochs)")
    dae.save_model(model_2d, f"{output_folder}/vae_z2.npz")
    print(f"The z=2 training code for file vae_tutorial.py ran for {(timeit.default_timer() - start_time) / 60:.2f}m")

# %% [markdown]
# ## The learning curves
#
# The negative ELBO per epoch: the main model's training and validation curves, and the 2-D
# model's training curve (in black), with the main model's test negative ELBO and
# importance-weighted $-\log p(\mathbf{x})$ as dashed lines.

# %%
dae.tutorial.need(globals(), "results", "the evaluation cell (How good is it?)")
curves = {f"z={n_latent} train": train_curve, f"z={n_latent} validation": valid_curve,
          f"z={n_latent} test -ELBO": results["test_negative_elbo"],
          f"z={n_latent} test -log p(x), k={iw_samples}": results["iw_negative_log_likelihood"]}
if n_latent != 2 and epochs_2d > 0:
    history_2d = dae.tutorial.need(globals(), "history_2d", "the 2-D model's cell")
    curves["z=2 train (reference)"] = [m["train_cost"] for m in history_2d]
    results["test_negative_elbo_2d"] = nelbo_2d
figure = dae.plotting.learning_curves([("negative ELBO per epoch", "nats per image", curves)], width=7)
dae.tutorial.show(figure, f"{output_folder}/learning_curve_z{n_latent}.png", dpi=100)

# %% [markdown]
# Two pictures of the 2-D model. The decoder's view: decode a 20 x 20 grid of the plane, evenly
# spaced *in probability* under the prior, $\mathbf{z} = \Phi^{-1}(\mathbf{u})$ for $\mathbf{u}$ on
# a grid of $[0.05, 0.95]^2$, where $\Phi^{-1}$ is the inverse of the standard normal's cumulative
# distribution function, applied to each coordinate. The encoder's view: the means of
# $q(\mathbf{z} \mid \mathbf{x})$ of the test digits, coloured by their label (which the VAE never
# saw). Look for how smoothly neighbouring digits of the grid change into each other, and for
# which classes get regions of their own and which overlap.

# %%
def manifold_image(model, n=20):
    """Decode an n x n grid of the 2-D latent plane, evenly spaced in probability: z = Phi^-1(u)."""
    quantiles = [statistics.NormalDist().inv_cdf(u) for u in numpy.linspace(0.05, 0.95, n)]
    grid = numpy.array([[z0, z1] for z1 in quantiles[::-1] for z0 in quantiles])  # z0 across, z1 down from the top
    probs = dae_backend.to_host(model.decode(dae_backend.asarray(grid, dtype=model.dtype)))
    return dae.tile_raster_images(probs, (28, 28), (n, n), (0, 0), scale_rows_to_unit_interval=False)


if n_latent == 2 or epochs_2d > 0:
    dae.tutorial.need(globals(), "model_2d", "the 2-D model's cell")
    dae.tutorial.show(manifold_image(model_2d), f"{output_folder}/manifold_2d.png")
    codes = dae_backend.to_host(model_2d.encode(test_x))
    figure = dae.plotting.codes_2d([(codes, "Test images in the 2-D latent space of a VAE (means of q(z|x))", "z")],
                                   dae_backend.to_host(test_y))
    dae.tutorial.show(figure, f"{output_folder}/codes_2d.png", dpi=100)
results["wall_seconds"] = timeit.default_timer() - start_all
print(f"The whole code for file vae_tutorial.py ran for {results['wall_seconds'] / 60:.2f}m")
print(f"figures and models in {output_folder}/")

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
