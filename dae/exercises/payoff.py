"""The payoffs: a tutorial's model trained with the learner's own code, beside the library's.

    dae exercises train dA_gradients [--dir WB] [--n-train N] [--epochs E]
    dae.exercises.train("dA_gradients", dA_cost_and_grads, output_folder="dA_plots/yours")
    dae.exercises.train("sparse_kl", kl_penalty_and_grad, output_folder="variants_plots/yours")

``dA_gradients``: the dA tutorial's two runs (no corruption, then 30%), with its settings (500
hidden units, learning rate 0.1, minibatches of 20, ``RandomState(123)`` drawing the corruption
stream's seed before W). Each minibatch's corruption is drawn by the library, as the dA draws
it; the learner's ``dA_cost_and_grads(W, b, b_prime, x, x_tilde)`` gives the cost and the
gradients, and SGD steps with them. Filters: ``filters_corruption_0.png`` / ``filters_corruption_30.png``.

``sparse_kl``: the variants chapter's sparse autoencoder (``dae.Autoencoder(sparsity="kl")``,
target 0.05, weight 1.0, 500 hidden units, SGD 0.1, minibatches of 20, seed 123), its KL penalty
and the penalty's gradient given by the learner's ``kl_penalty_and_grad``. Filters: ``sparse_filters.png``.

Beside each, the library's own run on the same slice from the same weights (and masks), in
float64 both, so each epoch's two costs agree to many digits when the learner's code is right;
each mosaic is also drawn beside the library's (``beside_library_*.png``). Nothing is trained
(the check's report, then one line) while the exercise does not pass.
"""
import os
import timeit

import numpy

from .. import config
from ..data import load_data
from ..models.autoencoder import Autoencoder
from ..models.da import dA
from ..optim import apply_updates, sgd_updates
from ..plotting import save_image, tile_raster_images
from ..random import RandomStreams
from ..tutorial import show
from . import workbook
from .core import load_functions
from .grading import unpack
from .notebook import grade_functions, inline_report
from .worker import grade_files

N_TRAIN = 5000         # the slice: about a minute for the dA's two runs, both models, on one CPU core
EPOCHS = 5
LEARNING_RATE, BATCH_SIZE, N_HIDDEN, SEED = 0.1, 20, 500, 123
SPARSITY = dict(sparsity="kl", sparsity_target=0.05, sparsity_weight=1.0)   # the variants chapter's sparse_kl


def new_dA():
    """The tutorial's dA: 784 visible units, 500 hidden, seed 123, theano_rng drawn before W; float64."""
    rng = numpy.random.RandomState(SEED)
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    with config.floatX_as("float64"):
        return dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=28 * 28, n_hidden=N_HIDDEN)


def library_step(da, batch, level):
    """One SGD step with the library's gradient (the tutorial's get_cost_updates)."""
    cost, updates = da.get_cost_updates(batch, corruption_level=level, learning_rate=LEARNING_RATE)
    apply_updates(updates)
    return float(cost)


def learner_step(function):
    """One SGD step with the learner's ``dA_cost_and_grads``; the mask is the library's draw."""
    def step(da, batch, level):
        x_tilde = da.get_corrupted_input(batch, level)
        got = unpack(function(da.W, da.b, da.b_prime, batch, x_tilde), ("cost", "gW", "gb", "gb_prime"),
                     "dA_cost_and_grads")
        for param, name in zip(da.params, ("gW", "gb", "gb_prime")):
            param -= LEARNING_RATE * numpy.asarray(got[name], dtype=param.dtype).reshape(param.shape)
        return float(got["cost"])
    return step


class YourSparseAutoencoder(Autoencoder):
    """``dae.Autoencoder(sparsity="kl")`` whose penalty and its gradient come from the learner's
    ``kl_penalty_and_grad(y, rho, weight)`` (everything else is the library's)."""

    def __init__(self, penalty, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.penalty = penalty

    def _sparsity_penalty(self, y):
        got = unpack(self.penalty(y, self.sparsity_target, self.sparsity_weight), ("P", "dy"), "kl_penalty_and_grad")
        return float(got["P"]), numpy.asarray(got["dy"], dtype=y.dtype).reshape(y.shape)


def new_sparse(penalty=None):
    """The variants chapter's sparse autoencoder (seed 123), float64; with the learner's ``penalty``."""
    with config.floatX_as("float64"):
        if penalty is None:
            return Autoencoder(numpy.random.RandomState(SEED), n_visible=28 * 28, n_hidden=N_HIDDEN, **SPARSITY)
        return YourSparseAutoencoder(penalty, numpy.random.RandomState(SEED), n_visible=28 * 28,
                                     n_hidden=N_HIDDEN, **SPARSITY)


def sgd_step(model, batch, level):
    """One SGD step of a model's own ``cost_and_grads`` (no corruption here: ``level`` is 0)."""
    cost, grads = model.cost_and_grads(batch, rng=numpy.random.RandomState(0), corruption_level=level)
    apply_updates(sgd_updates(model.params, grads, LEARNING_RATE, cost=cost))
    return float(cost)


class Payoff:
    """One exercise's payoff: its runs ``(label, level, file name)`` and, for a run, the two models
    with their steps (``models(function, level) -> ((yours, step), (library's, step))``)."""

    def __init__(self, exercise, what, runs, models):
        self.exercise, self.what, self.runs, self.models = exercise, what, runs, models


PAYOFFS = {
    "dA_gradients": Payoff(
        "dA_gradients", "the tutorial's dA",
        [("no corruption", 0.0, "filters_corruption_0.png"), ("30% corruption", 0.3, "filters_corruption_30.png")],
        lambda fns, level: ((new_dA(), learner_step(fns["dA_cost_and_grads"])), (new_dA(), library_step))),
    "sparse_kl": Payoff(
        "sparse_kl", "the variants chapter's sparse autoencoder",
        [("sparse (KL to a target rate of 0.05, weight 1.0)", 0.0, "sparse_filters.png")],
        lambda fns, level: ((new_sparse(fns["kl_penalty_and_grad"]), sgd_step), (new_sparse(), sgd_step))),
}


def epoch(step, da, train_x, level):
    """One pass over ``train_x`` in minibatches: the mean of the minibatch costs."""
    n_batches = train_x.shape[0] // BATCH_SIZE
    return float(numpy.mean([step(da, train_x[i * BATCH_SIZE:(i + 1) * BATCH_SIZE], level)
                             for i in range(n_batches)]))


def mosaic(da):
    """The first 100 filters, 10 x 10 tiles of 28 x 28, as the tutorial draws them."""
    return tile_raster_images(X=da.params[0].T, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1))


def beside(left, right, gap=8):
    """Two uint8 mosaics side by side, a white gap between them."""
    return numpy.hstack([left, numpy.full((left.shape[0], gap), 255, dtype=numpy.uint8), right])


def one_run(payoff, functions, train_x, run, epochs, output_folder):
    """Train a fresh model with the learner's code and one with the library's, epoch by epoch,
    printing the two costs side by side; write and show the filters."""
    label, level, name = run
    print(f"{label}: {train_x.shape[0]} images, {epochs} epoch{'s' * (epochs != 1)}, {N_HIDDEN} hidden units, "
          f"learning rate {LEARNING_RATE}, minibatches of {BATCH_SIZE}", flush=True)
    (mine, my_step), (theirs, their_step) = payoff.models(functions, level)
    yours, library, took = [], [], 0.0
    for e in range(epochs):
        start = timeit.default_timer()
        yours.append(epoch(my_step, mine, train_x, level))
        took += timeit.default_timer() - start
        library.append(epoch(their_step, theirs, train_x, level))
        print(f"  epoch {e}: your cost {yours[-1]:.6f}   the library's {library[-1]:.6f}   relative "
              f"difference {abs(yours[-1] - library[-1]) / max(abs(library[-1]), 1e-300):.1e}", flush=True)
    print(f"The {label} run with your code ran for {took / 60.0:.2f}m")
    path = os.path.join(output_folder, name)
    os.makedirs(output_folder, exist_ok=True)
    save_image(mosaic(mine), path)
    both = os.path.join(output_folder, "beside_library_" + name)
    print(f"wrote {path} (your filters) and {both} (yours on the left, the library's on the right)")
    show(beside(mosaic(mine), mosaic(theirs)), both)
    return {"yours": yours, "library": library, "file": path}


def train_functions(payoff, functions, output_folder, n_train=None, epochs=None):
    """The payoff's runs with the learner's ``functions`` ({name: callable}): {level %: costs and file}."""
    n_train = N_TRAIN if n_train is None else n_train
    epochs = EPOCHS if epochs is None else epochs
    if n_train < BATCH_SIZE or epochs < 1:
        raise ValueError(f"n_train must be at least {BATCH_SIZE} (one minibatch) and epochs at least 1, "
                         f"got n_train={n_train}, epochs={epochs}")
    train_x = numpy.asarray(load_data()[0][0][:n_train], dtype=numpy.float64)
    return {round(run[1] * 100): one_run(payoff, functions, train_x, run, epochs, output_folder)
            for run in payoff.runs}


def refusal(result, check):
    """The line printed instead of training, for a result that does not pass; ``check``: how to check."""
    ex = result.exercise
    if result.status == "not started":
        return (f"{ex.name} is not started: fill it in and pass {check} first; then this trains "
                f"{PAYOFFS[ex.name].what} with it.")
    return f"{ex.name} does not pass yet, so nothing is trained: fix what the check reports above, then run this again."


def train(name, *functions, output_folder=None, dir=None, n_train=None, epochs=None, **named):
    """Train the payoff of exercise ``name`` with the learner's code; None (after one line, or the
    report and one line) while the exercise does not pass.

    ``functions`` (or by name): the learner's, as for :func:`~dae.exercises.check`; without them,
    the exercise's file in the workbook ``dir``. ``output_folder``: where the filters go (default:
    the workbook, or the current folder)."""
    if name not in PAYOFFS:
        raise ValueError(f"{name!r} has no payoff to train; the exercises with one: {', '.join(PAYOFFS)}")
    payoff = PAYOFFS[name]
    exercise = workbook.get(name)
    if functions or named:
        result = grade_functions(name, *functions, **named)
        if not result.passed:
            if result.status != "not started":
                print(inline_report(result))
            print(refusal(result, f'dae.exercises.check("{name}", ...)'))
            return None
        chosen = dict(zip(exercise.functions, functions), **named)
        folder = "." if output_folder is None else output_folder
    else:
        book = workbook.find(dir)
        path = os.path.join(book, exercise.filename)
        result = grade_files([exercise], book)[0]   # in a child process, with a time limit
        if not result.passed:
            print(result.report())
            print(refusal(result, f"`dae exercises check {name}`"))
            return None
        chosen = load_functions(exercise, path)
        folder = book if output_folder is None else output_folder
    return train_functions(payoff, chosen, folder, n_train, epochs)
