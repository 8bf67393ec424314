"""Contractive autoencoders (cA), the deeplearning.net tutorial's ``test_cA`` in NumPy.

Run it:  python tutorials/cA_tutorial.py                      (the tutorial's run: 20 epochs)
         python tutorials/cA_tutorial.py --n-train 5000 --training-epochs 2   (a quick look)
         python tutorials/cA_tutorial.py --help               (every option)

A contractive autoencoder with 500 hidden units is trained on MNIST with stochastic gradient
descent (learning rate 0.01, minibatches of 10). Its cost is the reconstruction cross-entropy
plus 0.1 times the squared Frobenius norm of the encoder's Jacobian dh/dx, which asks the code
to stay put when the input moves a little. Each epoch prints the mean reconstruction cost and
the mean Jacobian norm, as the tutorial did; at the end the first 100 filters are written to
``cA_plots/cae_filters.png``.
"""
# %% [markdown]
# ## 1. Setup: the options of the original `test_cA`, plus the backend switch and a subset flag.
# %%
import argparse
import os
import sys
import timeit

import numpy

import dae
from dae import backend


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="The deeplearning.net contractive autoencoder tutorial (test_cA).")
    parser.add_argument("--learning-rate", type=float, default=0.01, help="step size (0.01)")
    parser.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd",
                        help="update rule: sgd (the tutorial's), momentum (0.9) or adam")
    parser.add_argument("--training-epochs", type=int, default=20, help="passes over the training set (20)")
    parser.add_argument("--batch-size", type=int, default=10, help="examples per minibatch (10)")
    parser.add_argument("--n-hidden", type=int, default=500, help="hidden units (500)")
    parser.add_argument("--contraction-level", type=float, default=0.1, help="weight of ||dh/dx||_F^2 (0.1)")
    parser.add_argument("--output-folder", default="cA_plots", help="where cae_filters.png goes (cA_plots)")
    parser.add_argument("--backend", choices=backend.BACKENDS, default=None,
                        help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    parser.add_argument("--n-train", type=int, default=None,
                        help="use only the first N training images (for a quick look; default: all 50,000)")
    args = parser.parse_args(argv)
    for name in ("training_epochs", "batch_size", "n_hidden"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.n_train is not None and args.n_train < args.batch_size:
        parser.error(f"--n-train must be at least the batch size ({args.batch_size}), got {args.n_train}")
    if not args.learning_rate > 0:
        parser.error(f"--learning-rate must be positive, got {args.learning_rate}")
    if not args.contraction_level >= 0:
        parser.error(f"--contraction-level must be >= 0, got {args.contraction_level}")
    return args


def train_cA(train_set_x, learning_rate, training_epochs, batch_size, n_hidden, contraction_level, optimizer="sgd"):
    """Build the tutorial's cA from seed 123 and train it; returns (cA, per-epoch (rec, jac norm))."""
    # %% [markdown]
    # ## 2. The model: `cA(numpy_rng, n_visible, n_hidden, n_batchsize)`, as in the tutorial.
    # %%
    rng = numpy.random.RandomState(123)
    ca = dae.cA(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, n_batchsize=batch_size)
    n_train_batches = train_set_x.shape[0] // batch_size

    # %% [markdown]
    # ## 3. Training: one step per minibatch (plain SGD, `p <- p - lr g`, is the tutorial's;
    # `ca.get_cost_updates` + `dae.apply_updates` compute the same numbers). The tutorial printed,
    # per epoch, the mean reconstruction cross-entropy and the mean of sqrt(||J||_F^2) over
    # minibatches. `cost_terms_and_grads` hands both terms back with the gradients of their sum.
    # %%
    if optimizer == "momentum":
        opt = dae.optim.Momentum(learning_rate=learning_rate, momentum=0.9)
    else:
        opt = dae.optim.make(optimizer, learning_rate=learning_rate)
    history = []
    for epoch in range(training_epochs):
        rec, jac = [], []
        for batch_index in range(n_train_batches):
            batch = train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]
            (L_rec, L_jac), grads = ca.cost_terms_and_grads(batch, contraction_level)
            opt.step(ca.params, grads)
            rec.append(L_rec)
            jac.append(L_jac)
        xp = backend.xp
        mean_rec = float(backend.to_host(xp.stack(rec)).mean(dtype="float64"))
        mean_jac_norm = float(numpy.sqrt(backend.to_host(xp.stack(jac)).astype("float64")).mean())
        history.append((mean_rec, mean_jac_norm))
        print(f"Training epoch {epoch}, reconstruction cost {mean_rec} jacobian norm {mean_jac_norm}", flush=True)
    return ca, history


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)

    # %% [markdown]
    # ## 4. Data: MNIST, the tutorial's training split, pixels / 256.
    # %%
    train_set_x, _ = dae.load_data()[0]
    if args.n_train is not None:
        train_set_x = train_set_x[:args.n_train]
    train_set_x = backend.asarray(train_set_x)
    os.makedirs(args.output_folder, exist_ok=True)

    start_time = timeit.default_timer()
    ca, history = train_cA(train_set_x, args.learning_rate, args.training_epochs, args.batch_size,
                           args.n_hidden, args.contraction_level, args.optimizer)
    training_time = timeit.default_timer() - start_time
    print(f"The code for file {os.path.split(__file__)[1]} ran for {training_time / 60.0:.2f}m", file=sys.stderr)

    # %% [markdown]
    # ## 5. The filters: columns of W as 28x28 images, the first 100 in a 10x10 mosaic.
    # %%
    n_tiles = min(100, args.n_hidden)
    side = int(numpy.ceil(numpy.sqrt(n_tiles)))
    image = dae.tile_raster_images(X=backend.to_host(ca.W).T[:n_tiles], img_shape=(28, 28),
                                   tile_shape=(side, side), tile_spacing=(1, 1))
    path = os.path.join(args.output_folder, "cae_filters.png")
    dae.plotting.save_image(image, path)
    print(f"wrote {path}")
    return ca, history


if __name__ == "__main__":
    main()
