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
# The deeplearning.net tutorial's `test_dA`, in NumPy. Two autoencoders with `n_hidden` hidden
# units (the tutorial's 500) are trained on MNIST by stochastic gradient descent (learning rate
# 0.1, minibatches of 20): first with no corruption (a plain autoencoder), then with a fraction
# `corruption_level` (the tutorial's 30%) of every input's pixels set to zero (a *denoising*
# autoencoder). The chapter shows the library's code of each step beside its maths, prints the
# mean cost of every epoch, and draws what the two models learned: their filters, their
# reconstructions of corrupted digits, their costs against the original tutorial's run, and an
# animation of the filters forming.
#
# Run it as a notebook (cell by cell, top to bottom) or as a script:
# `python tutorials/dA_tutorial.py` (15 epochs, both runs, a few minutes),
# `python tutorials/dA_tutorial.py --n-hidden 100 --corruption-level 0.5`, `--quick`, `--help`.
# The figures go to `dA_plots/`.

# %% tags=["parameters"]
n_hidden = 500               # hidden units (filters) of both autoencoders
corruption_level = 0.3       # fraction of the pixels the second run sets to zero (the first run: none)
learning_rate = 0.1          # SGD step size
training_epochs = 15         # passes over the training set
batch_size = 20              # examples per minibatch
n_train: int = None          # use only the first N training images (default: all 50,000)
output_folder = "dA_plots"   # where the figures go
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
fast = False                 # train with the fused dae.fast.TiedSigmoidSGD step (same numbers)
quick = False                # a small slice (1,000 images, 2 epochs): a first look in seconds

# %% [markdown]
# The cell above holds the knobs; change them there, pass them to the script as flags
# (`--n-hidden 100`), or to papermill as parameters (`-p n_hidden 100`). The next cell imports
# dae and applies them; `quick`'s small slice never replaces a value given as a flag or by
# papermill.

# %%
import timeit

import numpy

import dae

dae.tutorial.parameters(globals(), quick=dict(n_train=1000, training_epochs=2),
                        positive=("n_hidden", "learning_rate", "training_epochs", "batch_size", "n_train"))
corruption_level = dae.corruption.check_corruption_level(corruption_level)
xp, to_host = dae.backend.xp, dae.backend.to_host


def percent(level):
    """The corruption level as a percentage for labels and file names: "30" for 0.3."""
    return f"{100 * level:g}"

# %% [markdown]
# ## The data
#
# MNIST with the tutorial's split: 50,000 training, 10,000 validation and 10,000 test digits,
# each a row of 28 x 28 = 784 grey levels scaled to [0, 1) (pixel / 256). The autoencoders
# train on the training images only, and never see a label: this is unsupervised learning. A
# few test digits are kept for the pictures at the end.

# %%
(train_set_x, _), _, (test_set_x, test_set_y) = dae.load_data()
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
# $$\mathbf{y} = s(\mathbf{x} W + \mathbf{b}), \qquad \mathbf{z} = s(\mathbf{y} W' + \mathbf{b}'), \qquad s(a) = \frac{1}{1 + e^{-a}}.$$
#
# Here $d = 784$ pixels and $d'$ = `n_hidden`. Rows are examples, so $\mathbf{x} W$ here is the
# tutorial's $W\mathbf{x}$. With *tied weights*, $W' = W^T$: one matrix of $d \times d'$ numbers,
# read once to encode and once to decode. In the library these are two methods of `dae.dA`
# (`_input` checks the array's shape and type; `W_prime` is the view $W^T$; `sigmoid` computes
# $s$ as $(1 + \tanh(a / 2)) / 2$, the same function, which never overflows):

# %%
dae.tutorial.show_source(dae.dA.get_hidden_values, dae.dA.get_reconstructed_input, dae.functions.sigmoid)

# %% [markdown]
# Training asks $\mathbf{z}$ to be close to $\mathbf{x}$. As the pixels are in $[0, 1]$, each is
# read as the probability of a bit, and the distance is the cross-entropy
#
# $$L(\mathbf{x}, \mathbf{z}) = -\sum_{k=1}^{d} \left[ x_k \log z_k + (1 - x_k) \log (1 - z_k) \right].$$
#
# The library computes it from the decoder's input $\mathbf{a}_z = \mathbf{y} W^T + \mathbf{b}'$
# (so $\mathbf{z} = s(\mathbf{a}_z)$): as $\log z_k = a_k - \log(1 + e^{a_k})$ and
# $\log(1 - z_k) = -\log(1 + e^{a_k})$, the same $L$ is
# $\sum_k [\log(1 + e^{a_k}) - x_k a_k]$, which stays finite when a unit saturates:

# %%
dae.tutorial.show_source(dae.functions.cross_entropy_from_logits)

# %% [markdown]
# With fewer hidden units than pixels, the code is a compression of the digit (akin to PCA's
# first components); with more, nothing stops an autoencoder from learning the identity, and
# that is what the denoising criterion is for.
#
# ## Denoising autoencoders
#
# The idea of the denoising autoencoder (Vincent et al., 2008) is simple: corrupt the input,
# and ask for the *clean* input back. The corruption here sets each pixel to zero with
# probability $p$ (the `corruption_level`; the tutorial's second run uses $p = 0.3$),
# independently (masking noise); $\odot$ multiplies entry by entry:
#
# $$\tilde{\mathbf{x}} = \mathbf{x} \odot \mathbf{m}, \qquad m_k \sim \mathrm{Bernoulli}(1 - p).$$
#
# The code is computed from the corrupted $\tilde{\mathbf{x}}$, the cost compares the
# reconstruction with the clean $\mathbf{x}$. For a minibatch of $N$ examples
# $\mathbf{x}_1, \dots, \mathbf{x}_N$:
#
# $$\mathbf{y} = s(\tilde{\mathbf{x}} W + \mathbf{b}), \qquad \mathbf{z} = s(\mathbf{y} W^T + \mathbf{b}'), \qquad \mathrm{cost} = \frac{1}{N} \sum_{n=1}^{N} L(\mathbf{x}_n, \mathbf{z}_n).$$
#
# To fill in the missing pixels the code must capture how pixels depend on each other (strokes,
# shapes), so the identity is no longer a solution, even with more hidden units than pixels.
# One can also read it as learning the distribution of the data: the model learns to move a
# corrupted point back towards where the digits lie. With $p = 0$, $\tilde{\mathbf{x}} = \mathbf{x}$
# and this is the plain autoencoder of the first run.
#
# The masks are the tutorial's own draws: Theano's `RandomStreams(seed)` gave each random
# variable a `numpy.random.RandomState` seeded from the stream's seed, and `dae.RandomStreams`
# does the same (`binomial` draws the 0/1 mask $\mathbf{m}$, with a 1 of probability $1 - p$,
# from the model's stream `theano_rng`), so a run sees the masks the Theano run saw. Of `corrupt`
# only the masking branch is the tutorial's; the other noises are for the variants chapter.

# %%
dae.tutorial.show_source(dae.dA.get_corrupted_input, dae.corruption.corrupt)

# %% [markdown]
# ## The model
#
# The model is built as the tutorial did: `numpy.random.RandomState(123)` draws first the seed of
# the corruption stream (`theano_rng`), then $W$, uniform in $\pm 4 \sqrt{6 / (d + d')}$ (a range
# suited to sigmoid units); the biases start at zero. The same seed and the same order of draws
# give the same initial weights as the Theano tutorial. Both runs start from such a model.

# %%
def new_dA():
    """The tutorial's dA: 784 visible units, n_hidden hidden, seed 123, theano_rng drawn before W."""
    rng = numpy.random.RandomState(123)
    theano_rng = dae.RandomStreams(rng.randint(2 ** 30))
    return dae.dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=28 * 28, n_hidden=n_hidden)


example = new_dA()
print(example, "params:", example.param_names, [tuple(p.shape) for p in example.params])

# %% [markdown]
# ## The cost's gradient
#
# The gradients of the cost with respect to $W$, $\mathbf{b}$ and $\mathbf{b}'$ are what
# Theano's `T.grad` produced, written out by hand. Write the minibatch as
# matrices whose rows are examples (the $N$ rows of $\mathbf{x}$, $\tilde{\mathbf{x}}$,
# $\mathbf{y}$, $\mathbf{z}$), and $\mathbf{a}_z = \mathbf{y} W^T + \mathbf{b}'$ for the
# decoder's input as above. The sigmoid and the logarithm cancel, and back-propagation is a few
# lines, with $\delta_z$ the gradient with respect to $\mathbf{a}_z$ and $\delta_y$ the one with
# respect to the encoder's input $\tilde{\mathbf{x}} W + \mathbf{b}$:
#
# $$\delta_z = \frac{\mathbf{z} - \mathbf{x}}{N}, \qquad \delta_y = (\delta_z W) \odot \mathbf{y} \odot (1 - \mathbf{y}),$$
#
# $$\frac{\partial\,\mathrm{cost}}{\partial W} = \tilde{\mathbf{x}}^T \delta_y + \delta_z^T \mathbf{y}, \qquad \frac{\partial\,\mathrm{cost}}{\partial \mathbf{b}} = \sum_{n=1}^{N} (\delta_y)_n, \qquad \frac{\partial\,\mathrm{cost}}{\partial \mathbf{b}'} = \sum_{n=1}^{N} (\delta_z)_n.$$
#
# $W$ appears twice (encoder and decoder), so its gradient has two terms; the bias gradients sum
# the rows. `dA.cost_and_grads` draws the mask and hands the clean and the corrupted minibatch to
# `tied_cost_and_grads`, which is these equations line by line:

# %%
dae.tutorial.show_source(dae.dA.cost_and_grads, dae.models.da.tied_cost_and_grads)

# %% [markdown]
# ## One SGD step per minibatch: `get_cost_updates`
#
# Each step moves every parameter $\theta$ against its gradient,
# $\theta \leftarrow \theta - \lambda\, \partial\,\mathrm{cost} / \partial \theta$, with
# $\lambda$ the `learning_rate`. In Theano, `get_cost_updates` built a symbolic graph and
# `theano.function` compiled it into `train_da(index)`. Here `da.get_cost_updates(batch, ...)`
# computes the cost and the new parameter values now, as the same list of
# `(param, new_value)` pairs, and `dae.apply_updates` writes them in place: what the compiled
# function did after each call. (`fast = True` trains with `dae.fast.TiedSigmoidSGD` instead:
# the same arithmetic with preallocated buffers and one in-place matrix product for the update;
# the tests check that both print the same costs, to float32 rounding.)

# %%
dae.tutorial.show_source(dae.dA.get_cost_updates)

# %% [markdown]
# ## Filters
#
# Each hidden unit $j$ responds to the input through column $j$ of $W$, 784 weights that can be
# drawn as a 28 x 28 image: the unit's *filter*. `tile_raster_images` draws the first 100 (or
# all of them, when there are fewer) in a grid of 10 columns with 1-pixel gaps, each scaled to
# the full grey range on its own, so a tile's contrast says nothing about the size of its
# weights. A line printed under each mosaic says what it shows.

# %%
def filter_mosaic(da):
    """The first (up to) 100 filters, rows of W^T as 28 x 28 images, in a grid that fits them."""
    return dae.tile_raster_images(X=to_host(da.W).T, img_shape=(28, 28),
                                  tile_shape=dae.plotting.mosaic_tile_shape(da.n_hidden), tile_spacing=(1, 1))


def mosaic_caption(da, name, epochs, level):
    """The line printed under a filter mosaic: which filters, after what training."""
    shown = min(da.n_hidden, 100)
    which = f"all {shown}" if shown == da.n_hidden else f"the first {shown} of the {da.n_hidden}"
    rows, columns = dae.plotting.mosaic_tile_shape(da.n_hidden)
    return (f"{name}: {which} filters ({rows} x {columns} tiles, 28 x 28 pixels each) after {epochs} "
            f"epoch{'s' if epochs != 1 else ''} at {percent(level)}% corruption, shown at twice the file's size")

# %% [markdown]
# ## The training loop
#
# The loop is the tutorial's: for each epoch, one `train_da` call per minibatch in order, then
# the epoch's mean cost printed. At the end of each epoch it also keeps the filter mosaic (it
# reads $W$, never changes it) for the animation at the end of the chapter.

# %%
def train(da, corruption_level):
    """Train da for training_epochs epochs, printing the mean cost of each. Returns the costs
    and the filter mosaics: before training, then after each epoch."""
    if fast:
        train_da = dae.fast.TiedSigmoidSGD(da, batch_size, corruption_level, learning_rate)
    else:
        def train_da(batch):
            cost, updates = da.get_cost_updates(batch, corruption_level=corruption_level,
                                                learning_rate=learning_rate)
            dae.apply_updates(updates)
            return cost

    epoch_costs, mosaics = [], [filter_mosaic(da)]
    for epoch in range(training_epochs):
        c = []  # the costs stay on the device; they are read once, at the end of the epoch
        for batch_index in range(n_train_batches):
            c.append(train_da(train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]))
        epoch_costs.append(float(to_host(xp.stack(c)).mean(dtype="float64")))
        print(f"Training epoch {epoch}, cost {epoch_costs[-1]}", flush=True)
        mosaics.append(filter_mosaic(da))
    return epoch_costs, mosaics

# %% [markdown]
# ## Running the code: no corruption
#
# First a plain autoencoder: corruption level 0, so $\tilde{\mathbf{x}} = \mathbf{x}$. The cell
# builds a fresh model, so running it again prints the same lines. What to look for: at the full
# default size the first epoch prints the Theano tutorial's `Training epoch 0, cost 63.2891...`
# (the comparison below checks every epoch).

# %%
costs_0 = None  # set when the run ends: until then the cells below ask for this one
da_0 = new_dA()
start_time = timeit.default_timer()
costs_0, mosaics_0 = train(da_0, corruption_level=0.0)
training_time = timeit.default_timer() - start_time
print(f"The no corruption code for file dA_tutorial.py ran for {training_time / 60.0:.2f}m")

# %% [markdown]
# ## Its filters
#
# The plain autoencoder's filters (the line under the picture says what it shows):

# %%
dae.tutorial.need(globals(), "costs_0", "the no-corruption training cell")
filters_0 = filter_mosaic(da_0)
dae.tutorial.show(filters_0, f"{output_folder}/filters_corruption_0.png", zoom=2)
print(mosaic_caption(da_0, "filters_corruption_0.png", len(costs_0), 0.0))

# %% [markdown]
# ## Compared with the original Theano graph
#
# `dae.reference` ships an independent run of the tutorial's own graph (on PyTensor, Theano's
# successor, in float64, with the tutorial's seed, data order and hyper-parameters, no
# corruption): its 15 costs and its filter mosaic after the last epoch. At the full default size
# our costs should agree with its costs to about six digits, and each of our 100 filters should
# be its filter: the per-tile correlation (1 = the same image up to brightness and contrast) is
# printed below. (The mosaic published on the tutorial's web page is not this run's: it came
# from a different run, and agrees with both only loosely, a correlation of about 0.7 per
# tile.) On a quick slice or another size the numbers are printed too, but they are not
# expected to agree.

# %%
dae.tutorial.need(globals(), "costs_0", "the no-corruption training cell")
reference_costs = dae.reference.original_graph_costs()
reference_filters = dae.reference.original_graph_filters()
full_size = n_train is None and (da_0.n_hidden, len(costs_0), batch_size, learning_rate) == (500, 15, 20, 0.1)
compared = min(len(costs_0), len(reference_costs))
worst = max(abs(ours / theirs - 1) for ours, theirs in zip(costs_0[:compared], reference_costs))
print(f"{'full default size' if full_size else 'NOT the full default size: not expected to agree'}")
print(f"epoch 0: cost {costs_0[0]:.4f} here, {reference_costs[0]:.4f} in the original graph")
print(f"costs of epochs 0-{compared - 1}: largest relative difference from the original graph {worst:.1e}")
ours = filter_mosaic(da_0)
if ours.shape == reference_filters.shape:
    agreement = dae.reference.tile_correlations(ours, reference_filters)
    print(f"filters, per-tile correlation with the original graph: mean {agreement.mean():.4f}, "
          f"min {agreement.min():.4f}, tiles above 0.99: {int((agreement > 0.99).sum())} of {agreement.size}")
else:
    print(f"filters: not compared (the original graph's mosaic has 10 x 10 tiles, this one "
          f"{' x '.join(map(str, dae.plotting.mosaic_tile_shape(da_0.n_hidden)))})")

# %% [markdown]
# ## Running the code: with corruption
#
# Now the denoising autoencoder: a fresh model from the same initial weights, trained in the same
# way; only the corruption level changes, to `corruption_level` (its value is in every line,
# label and file name below). This cell, too, builds its model afresh, so running it again
# prints the same lines, and it keeps its model apart from the first run's (`da_noisy`,
# `da_0`), so no figure below can mix them up.

# %%
costs_noisy = None  # set when the run ends: until then the cells below ask for this one
noisy_level = corruption_level  # the level this model is trained at: its figures are labelled with it
da_noisy = new_dA()
start_time = timeit.default_timer()
costs_noisy, mosaics_noisy = train(da_noisy, corruption_level=noisy_level)
training_time = timeit.default_timer() - start_time
print(f"The {percent(noisy_level)}% corruption code for file dA_tutorial.py ran for {training_time / 60.0:.2f}m")

# %% [markdown]
# ## Its filters
#
# The denoising autoencoder's filters, drawn in the same way. Vincent et al. (2008) found that
# with corruption the filters of an autoencoder with more hidden units than pixels change in
# kind, towards local detectors of strokes and edges. Put this mosaic beside the first: how much
# of that these epochs, this size and this corruption level show is for you to judge (the
# animation at the end shows how both sets form).

# %%
dae.tutorial.need(globals(), "costs_noisy", "the with-corruption training cell")
filters_noisy = filter_mosaic(da_noisy)
name = f"filters_corruption_{percent(noisy_level)}.png"
dae.tutorial.show(filters_noisy, f"{output_folder}/{name}", zoom=2)
print(mosaic_caption(da_noisy, name, len(costs_noisy), noisy_level))

# %% [markdown]
# ## What denoising does
#
# The first test digit of each class (the models never trained on these), the same digits
# corrupted with the second run's masking noise (a fixed seed, so the picture is the same each
# time), and what each model reconstructs from the corrupted digits: the denoising model, and
# the plain one. The cost $L$ of each reconstruction against the clean digits is printed.

# %%
dae.tutorial.need(globals(), "costs_0", "the no-corruption training cell")
dae.tutorial.need(globals(), "costs_noisy", "the with-corruption training cell")
shown = [int(numpy.flatnonzero(test_set_y == digit)[0]) for digit in range(10)]
clean = dae.backend.asarray(test_set_x[shown])
corrupted = da_noisy.get_corrupted_input(clean, noisy_level, rng=numpy.random.RandomState(1))
images, names = [clean, corrupted], ["clean", f"corrupted\n({percent(noisy_level)}%)"]
for level, da in ((noisy_level, da_noisy), (0.0, da_0)):
    images.append(da.get_reconstructed_input(da.get_hidden_values(corrupted)))
    names.append(f"rebuilt by\nthe {percent(level)}% dA")
    cost = dae.models.da.tied_cost_and_grads(da.W, da.b, da.b_prime, clean, corrupted)[0]
    print(f"the dA trained at {percent(level)}% corruption: mean cost L of its reconstructions {float(cost):.2f}")
figure = dae.plotting.image_rows(images, names, title="Test digits, corrupted, and rebuilt from the corrupted")
dae.tutorial.show(figure, f"{output_folder}/denoising_{percent(noisy_level)}.png", dpi=100)

# %% [markdown]
# ## The cost per epoch
#
# Both runs' mean cost per epoch, drawn against the original Theano graph's costs. The reference
# run is shipped for the no-corruption run only (`dae.reference.original_graph_costs()`, the
# full default size): no reference curve is shipped for a run with corruption, so that one has
# its own line only. A corrupted input is harder to rebuild, so the two runs' costs are not
# on the same footing.

# %%
dae.tutorial.need(globals(), "costs_0", "the no-corruption training cell")
dae.tutorial.need(globals(), "costs_noisy", "the with-corruption training cell")
reference = dae.reference.original_graph_costs()
figure = dae.plotting.learning_curve(
    [("0% corruption (plain)", range(len(costs_0)), costs_0),
     (f"{percent(noisy_level)}% corruption (denoising)", range(len(costs_noisy)), costs_noisy)],
    reference_curves=[("original Theano graph, 0% (full default size)", range(len(reference)), reference)],
    ylabel="mean cost per example")
dae.tutorial.show(figure, f"{output_folder}/costs_per_epoch.png", dpi=100)

# %% [markdown]
# ## How the filters form
#
# The mosaics the training loop kept for the denoising run, before training and after each
# epoch, as an animation (a GIF that loops; run as a script, it is only written to the file).
# The plain run's mosaics are in `mosaics_0`, to animate the same way if you like.

# %%
dae.tutorial.need(globals(), "costs_noisy", "the with-corruption training cell")
labels = ["before training"] + [f"after epoch {epoch}" for epoch in range(len(mosaics_noisy) - 1)]
name = f"filters_evolution_{percent(noisy_level)}.gif"
frames = dae.tutorial.show_animation(mosaics_noisy, f"{output_folder}/{name}", duration=600, labels=labels, zoom=2)
print(f"{name}: {frames} frames, the filters of the {percent(noisy_level)}% corruption run before training and "
      f"after every epoch ({len(mosaics_noisy) - 1} in all), 0.6 s each, shown at twice the file's size")

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
