# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Contractive autoencoders (cA)
#
# The deeplearning.net tutorial's `test_cA`, in NumPy. A contractive autoencoder with 500 hidden
# units is trained on MNIST by stochastic gradient descent (learning rate 0.01, minibatches of
# 10, 20 epochs). Its cost is the reconstruction cross-entropy plus 0.1 times the squared
# Frobenius norm of the encoder's Jacobian $\partial \mathbf{h} / \partial \mathbf{x}$, which
# asks the code to stay put when the input moves a little. Each epoch prints the mean
# reconstruction cost and the mean Jacobian norm, as the tutorial did; at the end the first 100
# filters are drawn.
#
# Run it as a notebook or as a script: `python tutorials/cA_tutorial.py` (the tutorial's run),
# `python tutorials/cA_tutorial.py --n-train 5000 --training-epochs 2` (a quick look), `--quick`,
# `--help`. The figure goes to `cA_plots/cae_filters.png`.

# %% tags=["parameters"]
learning_rate = 0.01         # step size
optimizer = "sgd"            # update rule: sgd (the tutorial's), momentum (0.9) or adam
training_epochs = 20         # passes over the training set
batch_size = 10              # examples per minibatch
n_hidden = 500               # hidden units
contraction_level = 0.1      # weight of the penalty ||dh/dx||_F^2
output_folder = "cA_plots"   # where cae_filters.png goes
n_train: int = None          # use only the first N training images (default: all 50,000)
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                # a small slice (1,000 images, 2 epochs): a first look in seconds

# %% [markdown]
# The cell above holds the tutorial's hyper-parameters; the next one imports dae and applies
# them (from the command line when this file runs as a script; the small slice when `quick`).

# %%
import sys
import timeit

import numpy

import dae

dae.tutorial.parameters(globals(), quick=dict(n_train=1000, training_epochs=2),
                        choices={"optimizer": ("sgd", "momentum", "adam")},
                        positive=("learning_rate", "training_epochs", "batch_size", "n_hidden", "n_train"))
if not contraction_level >= 0:
    raise ValueError(f"contraction_level must be >= 0, got {contraction_level}")
xp, to_host = dae.backend.xp, dae.backend.to_host

# %% [markdown]
# ## The data
#
# MNIST's 50,000 training digits (the tutorial's split), each a row of 784 grey levels in
# [0, 1). The labels are not used.

# %%
train_set_x, _ = dae.load_data()[0]
if n_train is not None:
    train_set_x = train_set_x[:n_train]
train_set_x = dae.backend.asarray(train_set_x)
n_train_batches = train_set_x.shape[0] // batch_size
if n_train_batches == 0:
    raise ValueError(f"n_train must be at least the batch size ({batch_size}), got {train_set_x.shape[0]}")
print(f"{train_set_x.shape[0]} training images, {n_train_batches} minibatches of {batch_size}")

# %% [markdown]
# ## The contractive penalty
#
# The cA is the autoencoder of the dA tutorial without the corruption, with tied weights and
# sigmoid units: $\mathbf{h} = s(\mathbf{x} W + \mathbf{b})$,
# $\mathbf{z} = s(\mathbf{h} W^T + \mathbf{b}')$, and the cross-entropy
# $L_{rec}(\mathbf{x}, \mathbf{z})$ between input and reconstruction. A denoising autoencoder
# makes the reconstruction robust to a *finite* corruption of the input; the contractive
# autoencoder (Rifai et al., 2011) makes the *code* robust to an infinitesimal one, by
# penalising the encoder's Jacobian:
#
# $$\mathrm{cost} = \frac{1}{N} \sum_n \left[ L_{rec}(\mathbf{x}_n, \mathbf{z}_n)
#     + \lambda \, \| J(\mathbf{x}_n) \|_F^2 \right], \qquad
#   J_{ji} = \frac{\partial h_j}{\partial x_i} = h_j (1 - h_j) W_{ij}.$$
#
# The reconstruction term wants the code to tell digits apart; the penalty wants it to ignore
# every direction of input space. The compromise: the code is sensitive only along the directions
# in which the digits actually vary (the data manifold), and flat across it. With $\lambda = 0.1$
# (`contraction_level`) the two terms are of a comparable size.
#
# The Jacobian never needs to be built ($N \times 784 \times 500$ numbers): since row $j$ of $J$
# is $W$'s column $j$ scaled by $h_j (1 - h_j)$,
#
# $$\| J \|_F^2 = \sum_j \left( h_j (1 - h_j) \right)^2 \sum_i W_{ij}^2,$$
#
# which takes one pass over the code and one over $W$. Its gradient is written out by hand in
# `dae/models/ca.py` (and checked against finite differences in the tests). The model is built
# as the tutorial did: `cA(numpy_rng, n_visible, n_hidden, n_batchsize)`, W drawn from seed 123.

# %%
rng = numpy.random.RandomState(123)
ca = dae.cA(numpy_rng=rng, n_visible=28 * 28, n_hidden=n_hidden, n_batchsize=batch_size)
print(ca)

# %% [markdown]
# ## Training
#
# One step per minibatch. The tutorial's is plain SGD, $\theta \leftarrow \theta - 0.01\, g$,
# what `ca.get_cost_updates` + `dae.apply_updates` compute; the optimisers of `dae.optim`
# (`optimizer = "momentum"` or `"adam"`) take the same gradients. `cost_terms_and_grads` hands
# back both terms of the cost, and the gradients of their weighted sum, so the loop can print
# them apart, as the tutorial did: the mean reconstruction cross-entropy and the mean over
# minibatches of $\sqrt{\| J \|_F^2}$.
#
# What to look for: the reconstruction cost falls epoch after epoch while the Jacobian norm is
# held down (it rises at first, as the filters form, then settles).

# %%
if optimizer == "momentum":
    opt = dae.optim.Momentum(learning_rate=learning_rate, momentum=0.9)
else:
    opt = dae.optim.make(optimizer, learning_rate=learning_rate)

start_time = timeit.default_timer()
history = []
for epoch in range(training_epochs):
    rec, jac = [], []
    for batch_index in range(n_train_batches):
        batch = train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]
        (L_rec, L_jac), grads = ca.cost_terms_and_grads(batch, contraction_level)
        opt.step(ca.params, grads)
        rec.append(L_rec)
        jac.append(L_jac)
    mean_rec = float(to_host(xp.stack(rec)).mean(dtype="float64"))
    mean_jac_norm = float(numpy.sqrt(to_host(xp.stack(jac)).astype("float64")).mean())
    history.append((mean_rec, mean_jac_norm))
    print(f"Training epoch {epoch}, reconstruction cost {mean_rec} jacobian norm {mean_jac_norm}", flush=True)
training_time = timeit.default_timer() - start_time
print(f"The code for file cA_tutorial.py ran for {training_time / 60.0:.2f}m", file=sys.stderr)

# %% [markdown]
# ## The filters
#
# Column $j$ of $W$ drawn as a 28 x 28 image is the filter of hidden unit $j$; here the first 100
# in a 10 x 10 mosaic. Compare them with the dA tutorial's: the contraction, like the denoising,
# turns blobs into localised strokes.

# %%
n_tiles = min(100, n_hidden)
side = int(numpy.ceil(numpy.sqrt(n_tiles)))
image = dae.tile_raster_images(X=to_host(ca.W).T[:n_tiles], img_shape=(28, 28),
                               tile_shape=(side, side), tile_spacing=(1, 1))
path = f"{output_folder}/cae_filters.png"
dae.tutorial.show(image, path)
print(f"wrote {path}")

# %% [markdown]
# ## Your turn
#
# Derive and code the contractive penalty's gradient yourself, and answer a question about the
# Theano tutorial's version of it.
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
# ### Exercise: the contractive penalty (`contractive_penalty`)
#
# Write `contractive_penalty_and_grads(W, b, x)`. With the tied cA's encoder
# $\mathbf{h}_n = s(\mathbf{x}_n W + \mathbf{b})$ and its Jacobian
# $J_n[j, i] = \partial h_{nj} / \partial x_{ni} = h_{nj} (1 - h_{nj}) W_{ij}$, the penalty of a
# minibatch of $N$ rows is
#
# $$\mathrm{penalty} = \frac{1}{N} \sum_{n=1}^{N} \lVert J_n \rVert_F^2 = \frac{1}{N} \sum_{n} \sum_{j} \left( h_{nj} (1 - h_{nj}) \right)^2 \sum_{i} W_{ij}^2.$$
#
# Shapes: `W` (n_visible, n_hidden), `b` (n_hidden,), `x` (N, n_visible) in [0, 1]. Return
# `(penalty, gW, gb)`: a float and float64 arrays shaped like `W` and `b`, analytic. Do not build
# $J$: the sum factorises into a per-unit factor of the data and one of $W$'s column alone. $W$
# enters along two paths (through $\mathbf{h}$, and directly): add what each gives.
#
# A question to answer for yourself: the Theano tutorial wrote
# `L_jacob = T.sum(J ** 2) // n_batchsize`, and training printed a penalty, yet the penalty did
# nothing to the weights. Why does `//` silently give no gradient? (`dae exercises solution
# contractive_penalty` prints the answer.)

# %%
import numpy


def contractive_penalty_and_grads(W, b, x):
    """The mean squared Frobenius norm of the encoder's Jacobian: (penalty, gW, gb)."""
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----

# %%
import dae.exercises

dae.exercises.check("contractive_penalty", contractive_penalty_and_grads)
