"""Denoising autoencoders (dA), the deeplearning.net tutorial's ``test_dA`` in NumPy.

Run it:  python tutorials/dA_tutorial.py            (15 epochs, both runs, about a minute)
         python tutorials/dA_tutorial.py --help     (every option)

Two autoencoders with 500 hidden units are trained on MNIST with stochastic gradient descent
(learning rate 0.1, minibatches of 20): first with no corruption (a plain autoencoder), then
with 30% of every input's pixels set to zero (a *denoising* autoencoder). Each run prints its
mean cost per epoch and writes its first 100 filters (columns of W) as a mosaic:
``dA_plots/filters_corruption_0.png`` and ``dA_plots/filters_corruption_30.png``.
The second set looks like pen strokes: that is what learning to undo noise buys.
"""
# %% [markdown]
# ## 1. Setup: the options of the original `test_dA`, plus the backend switch.
# %%
import argparse
import os
import sys
import timeit

import numpy

import dae
from dae import backend
from dae.fast import TiedSigmoidSGD  # the same update as get_cost_updates, with reused buffers



def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="The deeplearning.net denoising autoencoder tutorial (test_dA).")
    parser.add_argument("--learning-rate", type=float, default=0.1, help="SGD step size (0.1)")
    parser.add_argument("--training-epochs", type=int, default=15, help="passes over the training set (15)")
    parser.add_argument("--batch-size", type=int, default=20, help="examples per minibatch (20)")
    parser.add_argument("--output-folder", default="dA_plots", help="where the filter images go (dA_plots)")
    parser.add_argument("--backend", choices=backend.BACKENDS, default=None,
                        help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    parser.add_argument("--n-train", type=int, default=None,
                        help="use only the first N training images (for a quick look; default: all 50,000)")
    parser.add_argument("--readable", action="store_true",
                        help="train through get_cost_updates + apply_updates (slower, same numbers)")
    return parser.parse_args(argv)


def train_dA(train_set_x, corruption_level, learning_rate, training_epochs, batch_size, readable=False):
    """Build the tutorial's dA from seed 123 and train it; returns (dA, per-epoch mean costs)."""
    # %% [markdown]
    # ## 2. The model: the same seed and the same order of random draws as the tutorial.
    # `dA` draws the corruption stream's seed first, then W, exactly like
    # `theano_rng = RandomStreams(rng.randint(2 ** 30))` followed by the Theano dA's W.
    # %%
    rng = numpy.random.RandomState(123)
    theano_rng = dae.RandomStreams(rng.randint(2 ** 30))
    da = dae.dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=28 * 28, n_hidden=500)
    n_train_batches = train_set_x.shape[0] // batch_size

    # %% [markdown]
    # ## 3. Training: one SGD step per minibatch, the mean cost printed per epoch.
    # In Theano, `get_cost_updates` built a graph and `theano.function` compiled it into
    # `train_da(index)`. Here `get_cost_updates` computes the cost and the new parameter
    # values now, and `dae.apply_updates` writes them in place. `TiedSigmoidSGD` does the
    # same arithmetic with preallocated buffers (tests prove both give the same numbers).
    # %%
    if readable:
        def train_da(batch):
            cost, updates = da.get_cost_updates(batch, corruption_level=corruption_level,
                                                learning_rate=learning_rate)
            dae.apply_updates(updates)
            return cost
    else:
        train_da = TiedSigmoidSGD(da, batch_size, corruption_level, learning_rate)

    epoch_costs = []
    for epoch in range(training_epochs):
        c = []  # costs stay on the device; they are read once, at the end of the epoch
        for batch_index in range(n_train_batches):
            c.append(train_da(train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]))
        mean_cost = float(backend.to_host(backend.xp.stack(c)).mean(dtype="float64"))
        epoch_costs.append(mean_cost)
        print(f"Training epoch {epoch}, cost {mean_cost}", flush=True)
    return da, epoch_costs


def save_filters(da, filename):
    """The first 100 filters (rows of W^T), 28x28 each, in a 10x10 grid with 1-pixel gaps."""
    image = dae.tile_raster_images(X=backend.to_host(da.W).T, img_shape=(28, 28),
                                   tile_shape=(10, 10), tile_spacing=(1, 1))
    dae.plotting.save_image(image, filename)


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)

    # %% [markdown]
    # ## 4. Data: MNIST, the tutorial's split (50,000 / 10,000 / 10,000), pixels / 256.
    # %%
    datasets = dae.load_data()
    train_set_x, train_set_y = datasets[0]
    if args.n_train is not None:
        train_set_x = train_set_x[:args.n_train]
    train_set_x = backend.asarray(train_set_x)  # on the GPU when the backend is cupy
    if train_set_x.shape[0] < args.batch_size:
        raise SystemExit(f"error: --batch-size {args.batch_size} is larger than the {train_set_x.shape[0]} training images")
    os.makedirs(args.output_folder, exist_ok=True)
    script = os.path.split(__file__)[1]

    # %% [markdown]
    # ## 5. Building the model with no corruption: a plain autoencoder.
    # %%
    start_time = timeit.default_timer()
    da, _ = train_dA(train_set_x, 0.0, args.learning_rate, args.training_epochs, args.batch_size, args.readable)
    training_time = timeit.default_timer() - start_time
    print(f"The no corruption code for file {script} ran for {training_time / 60.0:.2f}m", file=sys.stderr)
    save_filters(da, os.path.join(args.output_folder, "filters_corruption_0.png"))

    # %% [markdown]
    # ## 6. Building the model with 30% corruption: a denoising autoencoder.
    # %%
    start_time = timeit.default_timer()
    da, _ = train_dA(train_set_x, 0.3, args.learning_rate, args.training_epochs, args.batch_size, args.readable)
    training_time = timeit.default_timer() - start_time
    print(f"The 30% corruption code for file {script} ran for {training_time / 60.0:.2f}m", file=sys.stderr)
    save_filters(da, os.path.join(args.output_folder, "filters_corruption_30.png"))


if __name__ == "__main__":
    main()
