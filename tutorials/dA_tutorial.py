# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Denoising autoencoders (dA)
#
# The deeplearning.net tutorial's `test_dA`, in NumPy. Two autoencoders with 500 hidden units
# are trained on MNIST by stochastic gradient descent (learning rate 0.1, minibatches of 20):
# first with no corruption (a plain autoencoder), then with 30% of every input's pixels set to
# zero (a *denoising* autoencoder). Each run prints its mean cost per epoch and draws its first
# 100 filters; the second set looks like pen strokes, and that is what learning to undo noise buys.
#
# Run it as a notebook (cell by cell, top to bottom) or as a script:
# `python tutorials/dA_tutorial.py` (15 epochs, both runs, a couple of minutes),
# `python tutorials/dA_tutorial.py --training-epochs 2 --n-train 500`, `--quick`, `--help`.
# The figures go to `dA_plots/`.

# %% tags=["parameters"]
learning_rate = 0.1          # SGD step size
training_epochs = 15         # passes over the training set
batch_size = 20              # examples per minibatch
output_folder = "dA_plots"   # where the filter images go
n_train: int = None          # use only the first N training images (default: all 50,000)
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
fast = False                 # train with the fused dae.fast.TiedSigmoidSGD step (same numbers)
quick = False                # a small slice (1,000 images, 2 epochs): a first look in seconds

# %% [markdown]
# The cell above holds the tutorial's hyper-parameters; change them there (or pass them as flags
# to the script). The next cell imports dae and applies them: from the command line when this
# file runs as a script, and the small slice when `quick` is True.

# %%
import sys
import timeit

import numpy

import dae

dae.tutorial.parameters(globals(), quick=dict(n_train=1000, training_epochs=2),
                        positive=("learning_rate", "training_epochs", "batch_size", "n_train"))
xp, to_host = dae.backend.xp, dae.backend.to_host

# %% [markdown]
# ## The data
#
# MNIST with the tutorial's split: 50,000 training, 10,000 validation and 10,000 test digits,
# each a row of 28 x 28 = 784 grey levels scaled to [0, 1) (pixel / 256). The autoencoder only
# needs the training images; their labels are never used: this is unsupervised learning.

# %%
train_set_x, train_set_y = dae.load_data()[0]
if n_train is not None:
    train_set_x = train_set_x[:n_train]
train_set_x = dae.backend.asarray(train_set_x)  # on the GPU when the backend is cupy
n_train_batches = train_set_x.shape[0] // batch_size
if n_train_batches == 0:
    raise ValueError(f"batch_size ({batch_size}) is larger than the {train_set_x.shape[0]} training images")
print(f"{train_set_x.shape[0]} training images of {train_set_x.shape[1]} pixels, {n_train_batches} minibatches")

# %% [markdown]
# ## Autoencoders
#
# An autoencoder maps an input $\mathbf{x} \in [0, 1]^d$ to a hidden code
# $\mathbf{y} \in [0, 1]^{d'}$ through an affine map and a sigmoid, then maps the code back to a
# reconstruction $\mathbf{z}$ of the same shape as the input:
#
# $$\mathbf{y} = s(\mathbf{x} W + \mathbf{b}), \qquad
#   \mathbf{z} = s(\mathbf{y} W' + \mathbf{b}'), \qquad s(a) = \frac{1}{1 + e^{-a}}.$$
#
# (Rows are examples, so $\mathbf{x} W$ here is the tutorial's $W\mathbf{x}$.) With *tied
# weights*, $W' = W^T$: one matrix of $784 \times 500$ numbers, read once to encode and once
# to decode. Training asks $\mathbf{z}$ to be close to $\mathbf{x}$. As the pixels are in
# $[0, 1]$, each is read as the probability of a bit, and the distance is the cross-entropy
#
# $$L(\mathbf{x}, \mathbf{z}) = -\sum_{k=1}^{d} \left[ x_k \log z_k + (1 - x_k) \log (1 - z_k) \right].$$
#
# With fewer hidden units than pixels, the code is a compression of the digit (akin to PCA's
# first components); with more, nothing stops an autoencoder from learning the identity, and
# that is what the denoising criterion below is for.
#
# The model is built as the tutorial did: `numpy.random.RandomState(123)` draws first the seed of
# the corruption stream (`theano_rng`), then $W$, uniform in
# $\pm 4 \sqrt{6 / (d + d')}$ (a range suited to sigmoid units); the biases start at zero. The
# same seed and the same order of draws give the same initial weights as the Theano tutorial.

# %%
def new_dA():
    """The tutorial's dA: 784 visible units, 500 hidden, seed 123, theano_rng drawn before W."""
    rng = numpy.random.RandomState(123)
    theano_rng = dae.RandomStreams(rng.randint(2 ** 30))
    return dae.dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=28 * 28, n_hidden=500)


da = new_dA()
print(da, "params:", da.param_names, [tuple(p.shape) for p in da.params])

# %% [markdown]
# ## Putting it all together: the cost, its gradients, one SGD step per minibatch
#
# The cost of a minibatch of $N$ rows is the mean of $L$. Its gradients are what Theano's
# `T.grad` produced, written out by hand (`dae/models/da.py`). Writing
# $\mathbf{a}_z = \mathbf{y} W^T + \mathbf{b}'$ for the decoder's input, the sigmoid and the
# logarithm cancel, and back-propagation is four lines:
#
# $$\delta_z = \frac{\mathbf{z} - \mathbf{x}}{N}, \qquad
#   \delta_y = (\delta_z W) \odot \mathbf{y} \odot (1 - \mathbf{y}),$$
#
# $$\frac{\partial\,\mathrm{cost}}{\partial W} = \tilde{\mathbf{x}}^T \delta_y + \delta_z^T \mathbf{y}, \qquad
#   \frac{\partial\,\mathrm{cost}}{\partial \mathbf{b}} = \textstyle\sum_n \delta_y, \qquad
#   \frac{\partial\,\mathrm{cost}}{\partial \mathbf{b}'} = \textstyle\sum_n \delta_z.$$
#
# $W$ appears twice (encoder and decoder), so its gradient has two terms. Each step moves every
# parameter against its gradient: $\theta \leftarrow \theta - 0.1\, \partial\,\mathrm{cost} / \partial \theta$.
#
# In Theano, `get_cost_updates` built a symbolic graph and `theano.function` compiled it into
# `train_da(index)`. Here `da.get_cost_updates(batch, ...)` computes the cost and the new
# parameter values now, as the same list of `(param, new_value)` pairs, and
# `dae.apply_updates` writes them in place: what the compiled function did after each call.
# (`fast = True` trains with `dae.fast.TiedSigmoidSGD` instead: the same arithmetic with
# preallocated buffers and one in-place matrix product for the update; the tests prove both give
# the same numbers.)
#
# What to look for: the cost falls fast in the first epoch and slowly after; the Theano tutorial
# printed `Training epoch 0, cost 63.2891...` for the first run, and so does this one.

# %%
def train(da, corruption_level):
    """Train ``da`` for training_epochs epochs; print and return the mean cost of each."""
    if fast:
        train_da = dae.fast.TiedSigmoidSGD(da, batch_size, corruption_level, learning_rate)
    else:
        def train_da(batch):
            cost, updates = da.get_cost_updates(batch, corruption_level=corruption_level,
                                                learning_rate=learning_rate)
            dae.apply_updates(updates)
            return cost

    epoch_costs = []
    for epoch in range(training_epochs):
        c = []  # the costs stay on the device; they are read once, at the end of the epoch
        for batch_index in range(n_train_batches):
            c.append(train_da(train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]))
        mean_cost = float(to_host(xp.stack(c)).mean(dtype="float64"))
        epoch_costs.append(mean_cost)
        print(f"Training epoch {epoch}, cost {mean_cost}", flush=True)
    return epoch_costs

# %% [markdown]
# ## Running the code: no corruption
#
# First a plain autoencoder: corruption level 0, so $\tilde{\mathbf{x}} = \mathbf{x}$.

# %%
start_time = timeit.default_timer()
costs_0 = train(da, corruption_level=0.0)
training_time = timeit.default_timer() - start_time
print(f"The no corruption code for file dA_tutorial.py ran for {training_time / 60.0:.2f}m", file=sys.stderr)

# %% [markdown]
# ## Its filters
#
# Each hidden unit $j$ responds to the input through column $j$ of $W$, 784 weights that can be
# drawn as a 28 x 28 image: the unit's *filter*. `tile_raster_images` draws the first 100 in a
# 10 x 10 mosaic, each scaled to the full grey range. Without corruption, many filters are blurry
# blobs or noise: the network can reconstruct well without learning much about digits.

# %%
def filter_mosaic(da):
    """The first 100 filters (rows of W^T), 28 x 28 each, in a 10 x 10 grid with 1-pixel gaps."""
    return dae.tile_raster_images(X=to_host(da.W).T, img_shape=(28, 28), tile_shape=(10, 10),
                                  tile_spacing=(1, 1))


filters_0 = filter_mosaic(da)
dae.tutorial.show(filters_0, f"{output_folder}/filters_corruption_0.png")

# %% [markdown]
# ## Compared with the original Theano graph
#
# `dae.reference` ships an independent run of the tutorial's own graph (on PyTensor, Theano's
# successor, in float64, with the tutorial's seed, data order and hyper-parameters): its 15
# costs and its filter mosaic after the last epoch. At the full default size our costs should
# agree with its costs to about six digits, and each of our 100 filters should be its filter:
# the per-tile correlation (1 = the same image up to brightness and contrast) is printed below.
# (The mosaic published on the tutorial's web page is not this run's: it came from a different
# run, and agrees with both only loosely, a correlation of about 0.7 per tile.) On a quick slice
# the numbers are printed too, but they are not expected to agree.

# %%
reference_costs = dae.reference.original_graph_costs()
full_size = n_train is None and (training_epochs, batch_size, learning_rate) == (15, 20, 0.1)
compared = min(len(costs_0), len(reference_costs))
worst = max(abs(ours / theirs - 1) for ours, theirs in zip(costs_0[:compared], reference_costs))
agreement = dae.reference.tile_correlations(filters_0, dae.reference.original_graph_filters())
print(f"{'full default size' if full_size else 'NOT the full default size: not expected to agree'}")
print(f"costs of epochs 0-{compared - 1}: largest relative difference from the original graph {worst:.1e}")
print(f"filters, per-tile correlation with the original graph: mean {agreement.mean():.4f}, "
      f"min {agreement.min():.4f}, tiles above 0.99: {int((agreement > 0.99).sum())} of {agreement.size}")

# %% [markdown]
# ## Denoising autoencoders
#
# The idea of the denoising autoencoder (Vincent et al., 2008) is simple: corrupt the input,
# and ask for the *clean* input back. Here the corruption sets each pixel to zero with
# probability 0.3 (masking noise), independently:
#
# $$\tilde{\mathbf{x}} = \mathbf{x} \odot \mathbf{m}, \qquad m_k \sim \mathrm{Bernoulli}(1 - 0.3),$$
#
# $$\mathbf{y} = s(\tilde{\mathbf{x}} W + \mathbf{b}), \qquad \mathbf{z} = s(\mathbf{y} W^T + \mathbf{b}'),
#   \qquad \mathrm{cost} = \frac{1}{N} \sum_n L(\mathbf{x}_n, \mathbf{z}_n).$$
#
# To fill in the missing 30% the code must capture how pixels depend on each other (strokes,
# shapes), so the identity is no longer a solution, even with more hidden units than pixels.
# One can also read it as learning the distribution of the data: the model learns to move a
# corrupted point back towards where the digits lie.
#
# The masks are the tutorial's own draws: Theano's `RandomStreams(seed)` gave each random
# variable a `numpy.random.RandomState` seeded from the stream's seed, and `dae.RandomStreams`
# does the same, so this run sees the masks the Theano run saw. The model starts again from the
# same initial weights; only `corruption_level` changes.

# %%
da = new_dA()
start_time = timeit.default_timer()
costs_30 = train(da, corruption_level=0.3)
training_time = timeit.default_timer() - start_time
print(f"The 30% corruption code for file dA_tutorial.py ran for {training_time / 60.0:.2f}m", file=sys.stderr)

# %% [markdown]
# ## Its filters
#
# The cost is higher (the task is harder), but look at the filters: localised strokes and edge
# detectors, where the plain autoencoder had blobs. These are the features that, stacked, make
# the SdA tutorial's classifier better than one trained from random weights.

# %%
filters_30 = filter_mosaic(da)
dae.tutorial.show(filters_30, f"{output_folder}/filters_corruption_30.png")

# %% [markdown]
# ## Your turn
#
# Two exercises, in the manner of CS231n's assignments: the gradient checker that every gradient here was
# tested with, then the dA's backward pass, by hand; and a payoff: the tutorial's dA trained with your
# gradient.
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
# ### Exercise: a gradient checker (`gradient_checker`)
#
# Every gradient derived by hand is checked against a finite-difference estimate, as UFLDL's
# `computeNumericalGradient` and CS231n's `eval_numerical_gradient` do. Write
# `numerical_gradient(f, x, eps=1e-5)`: for a scalar function $f$ and a float64 array $\mathbf{x}$
# of any shape, the central difference at every entry $i$,
#
# $$g_i = \frac{f(\mathbf{x} + \epsilon \mathbf{e}_i) - f(\mathbf{x} - \epsilon \mathbf{e}_i)}{2 \epsilon},$$
#
# where $\mathbf{e}_i$ is 1 at entry $i$ and 0 elsewhere, and $\epsilon$ is `eps`. Its error is
# $O(\epsilon^2)$; the one-sided $(f(\mathbf{x} + \epsilon \mathbf{e}_i) - f(\mathbf{x})) / \epsilon$ is
# only $O(\epsilon)$. The rules: use the `eps` you are given, return an array shaped like `x`, and
# leave `x` exactly as you found it (change one entry, evaluate, put it back). For example
# $h(\mathbf{x}) = x_1^2 + 3 x_1 x_2$ at $(4, 10)$ has the gradient $(38, 12)$, and
# `for i in numpy.ndindex(x.shape)` visits every entry of an array of any shape.
#
# Your checker is for checking your own code: the graders of the other exercises do not use it,
# they compare with the package's own functions and gradients.

# %%
import numpy


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of the scalar function f at the float64 array x: an array shaped like x."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("gradient_checker", numerical_gradient)

# %% [markdown]
# ### Exercise: the dA's cost and gradients (`dA_gradients`)
#
# Write `dA_cost_and_grads(W, b, b_prime, x, x_tilde)`: the cost of a minibatch of $N$ rows and
# its three gradients, with the corrupted input $\tilde{\mathbf{x}}$ (`x_tilde`) given,
#
# $$\mathbf{y} = s(\tilde{\mathbf{x}} W + \mathbf{b}), \qquad \mathbf{z} = s(\mathbf{y} W^T + \mathbf{b}'), \qquad \mathrm{cost} = \frac{1}{N} \sum_{n=1}^{N} L(\mathbf{x}_n, \mathbf{z}_n),$$
#
# with $s$ the sigmoid and $L$ the cross-entropy of this chapter, against the *clean* $\mathbf{x}$.
# Shapes: `W` (n_visible, n_hidden), `b` (n_hidden,), `b_prime` (n_visible,), `x` and `x_tilde`
# (N, n_visible) with values in [0, 1]. Return `(cost, gW, gb, gb_prime)`: a float and three
# float64 arrays shaped like `W`, `b` and `b_prime`, computed analytically (the chain rule, not
# finite differences). Derive them on paper first: work backwards from the decoder's
# pre-activation, and remember that $W$ is used twice, so its gradient has a term from each use.
# The formulas earlier in this chapter are there to compare with once you are done.

# %%
import numpy


def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
    """The dA's minibatch cost and its gradients: (cost, gW, gb, gb_prime)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("dA_gradients", dA_cost_and_grads)

# %% [markdown]
# ### The payoff: the tutorial's dA, trained with your gradient
#
# Once `dA_gradients` passes, the cell below trains the tutorial's two dAs (no corruption, then
# 30%: 500 hidden units, learning rate 0.1, minibatches of 20, seed 123) with *your*
# `dA_cost_and_grads` in place of the library's, on a slice of the training set that takes about a
# minute. The library draws the corruption, as the dA does; your function gives the cost and the
# gradients, and SGD steps with them. Each epoch's cost is printed beside the library's own run on
# the same slice, and your filters are drawn beside the library's. Until the check passes, the cell
# says so in one line. From a terminal: `dae exercises train dA_gradients --dir my_workbook`.

# %%
import dae.exercises

payoff = dae.exercises.train("dA_gradients", dA_cost_and_grads, output_folder=f"{output_folder}/yours")
