"""The payoff of ``dA_gradients``: the tutorial's dA trained with the learner's own gradient.

    dae exercises train dA_gradients [--dir WB] [--n-train N] [--epochs E]
    dae.exercises.train("dA_gradients", dA_cost_and_grads, output_folder="dA_plots/yours")

The tutorial's two runs (no corruption, then 30%), with its settings (500 hidden units, learning
rate 0.1, minibatches of 20, ``RandomState(123)`` drawing the corruption stream's seed before W),
on a slice of the training set. Each minibatch's corruption is drawn by the library, as the dA
draws it; the learner's ``dA_cost_and_grads(W, b, b_prime, x, x_tilde)`` gives the cost and the
gradients, and SGD steps with them. The library's own run on the same slice, from the same
weights and masks, is trained beside it, in float64 both, so each epoch's two costs agree to
many digits when the gradient is right. The learner's filters are written as
``filters_corruption_0.png`` / ``filters_corruption_30.png``, and each beside the library's.

It refuses to train (the check's report, then one line) while the exercise does not pass.
"""
import os
import timeit

import numpy

from .. import config
from ..data import load_data
from ..models.da import dA
from ..optim import apply_updates
from ..plotting import save_image, tile_raster_images
from ..random import RandomStreams
from ..tutorial import show
from . import workbook
from .core import grade_file, load_functions
from .grading import unpack
from .notebook import grade_functions, inline_report

PAYOFFS = ("dA_gradients",)
N_TRAIN = 2000         # the slice: about a minute for both runs, both models, on a laptop's CPU
EPOCHS = 5
LEVELS = (0.0, 0.3)
LEARNING_RATE, BATCH_SIZE, N_HIDDEN = 0.1, 20, 500


def new_dA():
    """The tutorial's dA: 784 visible units, 500 hidden, seed 123, theano_rng drawn before W; float64."""
    rng = numpy.random.RandomState(123)
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


def epoch(step, da, train_x, level):
    """One pass over ``train_x`` in minibatches: the mean of the minibatch costs."""
    n_batches = train_x.shape[0] // BATCH_SIZE
    return float(numpy.mean([step(da, train_x[i * BATCH_SIZE:(i + 1) * BATCH_SIZE], level)
                             for i in range(n_batches)]))


def mosaic(da):
    """The first 100 filters, 10 x 10 tiles of 28 x 28, as the tutorial draws them."""
    return tile_raster_images(X=da.W.T, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1))


def beside(left, right, gap=8):
    """Two uint8 mosaics side by side, a white gap between them."""
    return numpy.hstack([left, numpy.full((left.shape[0], gap), 255, dtype=numpy.uint8), right])


def one_run(function, train_x, level, epochs, output_folder):
    """Train a fresh tutorial dA with the learner's gradient and one with the library's, epoch by
    epoch, printing the two costs side by side; write and show the filters."""
    label = "no corruption" if level == 0 else f"{level:.0%} corruption"
    print(f"{label}: {train_x.shape[0]} images, {epochs} epochs, {N_HIDDEN} hidden units, "
          f"learning rate {LEARNING_RATE}, minibatches of {BATCH_SIZE}", flush=True)
    da_yours, da_library, yours, library, took = new_dA(), new_dA(), [], [], 0.0
    for e in range(epochs):
        start = timeit.default_timer()
        yours.append(epoch(learner_step(function), da_yours, train_x, level))
        took += timeit.default_timer() - start
        library.append(epoch(library_step, da_library, train_x, level))
        print(f"  epoch {e}: your cost {yours[-1]:.6f}   the library's {library[-1]:.6f}   relative "
              f"difference {abs(yours[-1] - library[-1]) / max(abs(library[-1]), 1e-300):.1e}", flush=True)
    print(f"The {label} run with your gradient ran for {took / 60.0:.2f}m")
    name = f"filters_corruption_{round(level * 100)}.png"
    path = os.path.join(output_folder, name)
    os.makedirs(output_folder, exist_ok=True)
    save_image(mosaic(da_yours), path)
    both = os.path.join(output_folder, "beside_library_" + name)
    print(f"wrote {path} (your filters) and {both} (yours on the left, the library's on the right)")
    show(beside(mosaic(da_yours), mosaic(da_library)), both)
    return {"yours": yours, "library": library, "file": path}


def train_functions(functions, output_folder, n_train=None, epochs=None):
    """The two runs with the learner's ``{"dA_cost_and_grads": f}``: {level: costs and file}."""
    n_train = N_TRAIN if n_train is None else n_train
    epochs = EPOCHS if epochs is None else epochs
    if n_train < BATCH_SIZE or epochs < 1:
        raise ValueError(f"n_train must be at least {BATCH_SIZE} (one minibatch) and epochs at least 1, "
                         f"got n_train={n_train}, epochs={epochs}")
    train_x = numpy.asarray(load_data()[0][0][:n_train], dtype=numpy.float64)
    return {round(level * 100): one_run(functions["dA_cost_and_grads"], train_x, level, epochs, output_folder)
            for level in LEVELS}


def refusal(result, check):
    """The line printed instead of training, for a result that does not pass; ``check``: how to check."""
    ex = result.exercise
    if result.status == "not started":
        return f"{ex.name} is not started: fill it in and pass {check} first; then this trains the tutorial's dA with it."
    return f"{ex.name} does not pass yet, so nothing is trained: fix what the check reports above, then run this again."


def train(name, *functions, output_folder=None, dir=None, n_train=None, epochs=None, **named):
    """Train the tutorial's dA with the learner's gradient; None (after one line, or the report and
    one line) while the exercise does not pass.

    ``functions`` (or by name): the learner's, as for :func:`~dae.exercises.check`; without them,
    the exercise's file in the workbook ``dir``. ``output_folder``: where the filters go (default:
    the workbook, or the current folder)."""
    if name not in PAYOFFS:
        raise ValueError(f"{name!r} has no payoff to train; the exercises with one: {', '.join(PAYOFFS)}")
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
        result = grade_file(exercise, path)
        if not result.passed:
            print(result.report())
            print(refusal(result, f"`dae exercises check {name}`"))
            return None
        chosen = load_functions(exercise, path)
        folder = book if output_folder is None else output_folder
    return train_functions(chosen, folder, n_train, epochs)
