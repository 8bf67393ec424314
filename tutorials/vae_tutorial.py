"""A variational autoencoder (Kingma & Welling, 2013) on binarised MNIST, gradients by hand.

Run it:  python tutorials/vae_tutorial.py            (the defaults: about 8.5 CPU-minutes, one thread)
         python tutorials/vae_tutorial.py --help     (every option)

Measured (defaults: 784-500-500-20 relu VAE, Adam 0.001, minibatches of 100, 30 epochs on the
50,000 training images; single-threaded NumPy): test negative ELBO 97.00 nats, importance-
weighted -log p(x) 91.93 nats (k=100, all 10,000 test images); the 2-D model (10 epochs) 143.35
nats. About 13 s of CPU per epoch for the 20-D model, 8 min 21 s of CPU for the whole script.

The VAE's encoder maps an image x to a Gaussian q(z|x) over a 20-dimensional code; its
decoder maps a code z to Bernoulli pixel probabilities p(x|z). Training maximises the evidence
lower bound (ELBO) with Adam, on MNIST binarised afresh every epoch (each pixel is 1 with its
grey value as probability). The script then reports, on the 10,000 test images binarised once
with a fixed seed:

- the test negative ELBO in nats (an upper bound on -log p(x); Kingma & Welling's Figure 2
  shows about 100 nats for a 20-D code), and
- the importance-weighted estimate of -log p(x) with k samples (Burda et al., 2015), a
  tighter bound, the number papers compare.

It writes ``samples.png`` (decoded codes drawn from the prior N(0, I)), then trains a second
model with a 2-D code and writes ``manifold_2d.png`` (decoded points over the latent plane,
through the inverse normal CDF) and ``codes_2d.png`` (the test images' codes, coloured by digit).
"""
# %% [markdown]
# ## 1. Setup: options, seeds and the backend switch.
# %%
import argparse
import os
import statistics
import time
import timeit

import numpy

import dae
from dae import backend
from dae.models.vae import VAE, binarize


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="A variational autoencoder on binarised MNIST, gradients by hand.")
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training set for the main model (30)")
    parser.add_argument("--n-latent", type=int, default=20, help="dimension of the main model's code z (20)")
    parser.add_argument("--n-hidden", type=int, nargs="*", default=[500, 500],
                        help="encoder hidden layer sizes, mirrored in the decoder (500 500)")
    parser.add_argument("--activation", default="relu", choices=("tanh", "relu", "sigmoid"),
                        help="hidden units (relu)")
    parser.add_argument("--batch-size", type=int, default=100, help="examples per minibatch (100)")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam step size (0.001)")
    parser.add_argument("--n-train", type=int, default=None,
                        help="use only the first N training images (default: all 50,000)")
    parser.add_argument("--n-test", type=int, default=None,
                        help="evaluate on the first N test images (default: all 10,000)")
    parser.add_argument("--iw-samples", type=int, default=100,
                        help="k, the importance samples per test image for the log-likelihood estimate (100)")
    parser.add_argument("--iw-n-test", type=int, default=None,
                        help="estimate the log-likelihood on the first N test images only (default: all)")
    parser.add_argument("--epochs-2d", type=int, default=10,
                        help="epochs for the 2-D model of the manifold figures (10; 0 skips it)")
    parser.add_argument("--seed", type=int, default=123, help="seed of the weights and the noise (123)")
    parser.add_argument("--output-folder", default="vae_plots", help="where the figures go (vae_plots)")
    parser.add_argument("--backend", choices=backend.BACKENDS, default=None,
                        help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    args = parser.parse_args(argv)
    for name in ("epochs", "n_latent", "batch_size", "iw_samples"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    for name in ("n_train", "n_test", "iw_n_test"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.epochs_2d < 0:
        parser.error(f"--epochs-2d must be 0 or more, got {args.epochs_2d}")
    if not args.learning_rate > 0:
        parser.error(f"--learning-rate must be positive, got {args.learning_rate}")
    return args


# %% [markdown]
# ## 2. Training: Adam on the negative ELBO, the training set binarised afresh each epoch.
# `cost_and_grads` draws the reparameterisation noise eps from `noise`, runs the encoder,
# samples z = mu + exp(logvar / 2) * eps, runs the decoder and writes out every gradient
# (see `dae/vae.py`). The output bias starts at the logit of the mean pixel, so the very
# first reconstructions are already the "average digit" rather than grey noise.
# %%
def train_vae(train_x, valid_x, n_latent, epochs, args, label):
    rng = numpy.random.RandomState(args.seed)
    noise = dae.RandomStreams(rng.randint(2 ** 30))
    model = VAE(rng, n_visible=784, n_hidden=args.n_hidden, n_latent=n_latent,
                activation=args.activation, rng=noise)
    mean_pixel = numpy.clip(backend.to_host(train_x).mean(axis=0, dtype=numpy.float64), 1e-3, 1 - 1e-3)
    model.b_out[...] = backend.asarray(numpy.log(mean_pixel / (1 - mean_pixel)), dtype=model.b_out.dtype)
    opt = dae.optim.Adam(learning_rate=args.learning_rate)
    n_batches = train_x.shape[0] // args.batch_size
    start, cpu_start = timeit.default_timer(), time.process_time()
    for epoch in range(epochs):
        order = backend.asarray(rng.permutation(train_x.shape[0]), dtype="int64")
        costs = []
        for i in range(n_batches):
            # a fresh binarisation of every image, every epoch (drawn minibatch by minibatch)
            x = binarize(train_x[order[i * args.batch_size:(i + 1) * args.batch_size]], noise)
            cost, grads = model.cost_and_grads(x, rng=noise)
            opt.step(model.params, grads)
            costs.append(cost)
        train_cost = float(backend.to_host(backend.xp.stack(costs)).mean(dtype="float64"))
        line = f"[{label}] epoch {epoch}, train -ELBO {train_cost:.2f}"
        if valid_x is not None:
            line += f", valid -ELBO {mean_negative_elbo(model, valid_x, noise):.2f}"
        print(line + f"  ({timeit.default_timer() - start:.0f}s wall, {time.process_time() - cpu_start:.0f}s CPU)",
              flush=True)
    return model, timeit.default_timer() - start


def mean_negative_elbo(model, x, noise, batch_size=1000):
    """The negative ELBO in nats per image, one sampled z per image, averaged over x."""
    total = 0.0
    for i in range(0, x.shape[0], batch_size):
        total += float(model.negative_elbo(x[i:i + batch_size], rng=noise).sum(dtype="float64"))
    return total / x.shape[0]


# %% [markdown]
# ## 3. Pictures: samples from the prior, the 2-D manifold and the 2-D codes.
# %%
def save_samples(model, filename, noise, n=100):
    """Decoded probabilities of n codes drawn from N(0, I), 10 to a row."""
    probs = backend.to_host(model.sample(n, rng=noise))
    image = dae.tile_raster_images(probs, (28, 28), (n // 10, 10), (1, 1), scale_rows_to_unit_interval=False)
    dae.plotting.save_image(image, filename)


def save_manifold(model, filename, n=20):
    """Decode an n x n grid of the 2-D latent plane, evenly spaced in probability: z = Phi^-1(u)."""
    quantiles = [statistics.NormalDist().inv_cdf(u) for u in numpy.linspace(0.05, 0.95, n)]
    grid = numpy.array([[z0, z1] for z1 in quantiles[::-1] for z0 in quantiles])  # z0 across, z1 down from the top
    probs = backend.to_host(model.decode(backend.asarray(grid, dtype=model.dtype)))
    image = dae.tile_raster_images(probs, (28, 28), (n, n), (0, 0), scale_rows_to_unit_interval=False)
    dae.plotting.save_image(image, filename)


def save_codes(model, x, y, filename):
    """The means of q(z|x) of the test images, coloured by their digit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mu = backend.to_host(model.encode(x)[0])
    fig, ax = plt.subplots(figsize=(7, 6))
    cmap = plt.get_cmap("tab10")
    for digit in range(10):
        pick = y == digit
        ax.scatter(mu[pick, 0], mu[pick, 1], s=3, color=cmap(digit), label=str(digit), alpha=0.7)
    ax.set_xlabel("z0 (mean of q(z|x))")
    ax.set_ylabel("z1")
    ax.set_title("Test images in the 2-D latent space of a VAE")
    ax.legend(title="digit", markerscale=4, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(filename, dpi=100)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)
    os.makedirs(args.output_folder, exist_ok=True)
    start_all = timeit.default_timer()

    # %% [markdown]
    # ## 4. Data: MNIST's grey values in [0, 1). The test set is binarised once, with a fixed
    # seed, so every run and every model is scored on the same 0/1 images.
    # %%
    (train_x, _), (valid_x, _), (test_x, test_y) = dae.load_data()
    if args.n_train is not None:
        train_x = train_x[:args.n_train]
    if args.n_test is not None:
        test_x, test_y = test_x[:args.n_test], test_y[:args.n_test]
    if train_x.shape[0] < args.batch_size:
        raise SystemExit(f"error: --batch-size {args.batch_size} is larger than the {train_x.shape[0]} training images")
    train_x = backend.asarray(train_x)
    test_x = backend.asarray(binarize(test_x, numpy.random.RandomState(0)))
    valid_x = backend.asarray(binarize(valid_x[:test_x.shape[0]], numpy.random.RandomState(1)))
    print(f"binarised MNIST: {train_x.shape[0]} training images (redrawn each epoch), "
          f"{test_x.shape[0]} test images (seed 0)")

    # %% [markdown]
    # ## 5. The main model: a 784-500-z VAE, the test negative ELBO and the
    # importance-weighted log-likelihood.
    # %%
    model, seconds = train_vae(train_x, valid_x, args.n_latent, args.epochs, args, f"z={args.n_latent}")
    eval_noise = dae.RandomStreams(2024)
    test_nelbo = mean_negative_elbo(model, test_x, eval_noise)
    print(f"training took {seconds / 60:.2f}m ({seconds / args.epochs:.1f}s per epoch)")
    print(f"test negative ELBO: {test_nelbo:.2f} nats ({args.n_latent}-D latent, {args.epochs} epochs)")
    iw_x = test_x[:args.iw_n_test] if args.iw_n_test is not None else test_x
    t0 = timeit.default_timer()
    log_px = model.importance_weighted_log_likelihood(iw_x, k=args.iw_samples, rng=eval_noise)
    iw_nll = -float(backend.to_host(log_px).mean(dtype="float64"))
    print(f"test -log p(x), importance-weighted with k={args.iw_samples} on {iw_x.shape[0]} test images: "
          f"{iw_nll:.2f} nats ({timeit.default_timer() - t0:.0f}s)")
    model.save(os.path.join(args.output_folder, f"vae_z{args.n_latent}.npz"))
    save_samples(model, os.path.join(args.output_folder, "samples.png"), eval_noise)

    # %% [markdown]
    # ## 6. A 2-D code: small enough to look at. The decoder's view (the manifold) and the
    # encoder's view (where each test digit lands).
    # %%
    results = {"test_negative_elbo": test_nelbo, "iw_negative_log_likelihood": iw_nll,
               "iw_samples": args.iw_samples, "iw_n_test": int(iw_x.shape[0])}
    if args.n_latent == 2:
        model2 = model
    elif args.epochs_2d > 0:
        model2, _ = train_vae(train_x, None, 2, args.epochs_2d, args, "z=2")
        results["test_negative_elbo_2d"] = mean_negative_elbo(model2, test_x, eval_noise)
        print(f"test negative ELBO: {results['test_negative_elbo_2d']:.2f} nats (2-D latent, {args.epochs_2d} epochs)")
    else:
        model2 = None
    if model2 is not None:
        save_manifold(model2, os.path.join(args.output_folder, "manifold_2d.png"))
        save_codes(model2, test_x, test_y, os.path.join(args.output_folder, "codes_2d.png"))
    results["wall_seconds"] = timeit.default_timer() - start_all
    print(f"figures in {args.output_folder}/; whole run {results['wall_seconds'] / 60:.2f}m")
    return results


if __name__ == "__main__":
    main()
