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
# 10, 20 epochs). Its cost is the reconstruction cross-entropy plus $\lambda = 0.1$ times the
# squared Frobenius norm of the encoder's Jacobian $\partial \mathbf{h} / \partial \mathbf{x}$, which
# asks the code to stay put when the input moves a little. Each epoch prints the mean
# reconstruction cost and the mean Jacobian norm, as the tutorial did. The same autoencoder
# trained without the penalty is the reference run: the two learning curves and the two filter
# mosaics are drawn side by side. Each training cell prints how long it ran.
#
# Run it as a notebook or as a script: `python tutorials/cA_tutorial.py` (the tutorial's run),
# `--contraction-level 0.5`, `--n-train 5000 --training-epochs 2` (a quick look), `--quick`,
# `--help`. The figures go to `cA_plots/`, named after the contraction level.

# %% tags=["parameters"]
learning_rate = 0.01         # step size
optimizer = "sgd"            # update rule: sgd (the tutorial's), momentum (0.9) or adam
training_epochs = 20         # passes over the training set
batch_size = 10              # examples per minibatch
n_hidden = 500               # hidden units
contraction_level = 0.1      # lambda, the weight of the penalty ||dh/dx||_F^2 (0: no penalty)
baseline = True              # also train the same autoencoder with no penalty (lambda = 0): the reference run
seed = 123                   # seed of W's draw (the tutorial's 123)
output_folder = "cA_plots"   # where the figures go
n_train: int = None          # use only the first N training images (default: all 50,000)
backend: str = None          # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                # a small slice (1,000 images, 2 epochs): a first look in seconds

# %% [markdown]
# The cell above holds the knobs, the tutorial's values first: change them there, give the same
# names as flags to the script, or as papermill's `-p`. The next cell imports dae and applies
# them; a value you set is never replaced by `quick`'s small slice.

# %%
import timeit

import numpy

import dae

dae.tutorial.parameters(globals(), quick=dict(n_train=1000, training_epochs=2),
                        choices={"optimizer": ("sgd", "momentum", "adam")},
                        positive=("learning_rate", "training_epochs", "batch_size", "n_hidden", "n_train"))
if not contraction_level >= 0:
    raise ValueError(f"contraction_level must be >= 0, got {contraction_level}")
xp, to_host = dae.backend.xp, dae.backend.to_host
level = f"{contraction_level:g}"   # in labels and file names

# %% [markdown]
# ## The data
#
# MNIST's 50,000 training digits (the tutorial's split), each a row of 784 grey levels in
# $[0, 1)$. The labels are not used.

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
# ## The model and its penalty
#
# The cA is the autoencoder of the dA tutorial without the corruption, with tied weights and
# sigmoid units $s(a) = 1 / (1 + e^{-a})$. A digit $\mathbf{x}$ (a row of 784 values) is encoded
# by the weights $W$ (784 x $n_h$, for $n_h$ hidden units) and biases $\mathbf{b}$, decoded by
# $W^T$ and biases $\mathbf{b}'$:
#
# $$\mathbf{h} = s(\mathbf{x} W + \mathbf{b}), \qquad \mathbf{z} = s(\mathbf{h} W^T + \mathbf{b}'), \qquad L_{rec}(\mathbf{x}, \mathbf{z}) = -\sum_i \left[ x_i \log z_i + (1 - x_i) \log (1 - z_i) \right].$$
#
# A denoising autoencoder makes the reconstruction robust to a *finite* corruption of the input;
# the contractive autoencoder (Rifai et al., 2011) makes the *code* robust to an infinitesimal
# one, by penalising the encoder's Jacobian $J = \partial \mathbf{h} / \partial \mathbf{x}$. On a
# minibatch of $N$ digits $\mathbf{x}_1, \dots, \mathbf{x}_N$, with $\lambda$ the
# `contraction_level`:
#
# $$C = \frac{1}{N} \sum_{n=1}^{N} \left[ L_{rec}(\mathbf{x}_n, \mathbf{z}_n) + \lambda \, \| J(\mathbf{x}_n) \|_F^2 \right], \qquad J_{ji} = \frac{\partial h_j}{\partial x_i} = h_j (1 - h_j) W_{ij}.$$
#
# The reconstruction term wants the code to tell digits apart; the penalty wants it to ignore
# every direction of input space. The compromise: the code is sensitive only along the directions
# in which the digits actually vary (the data manifold), and flat across it.
#
# The tutorial built the Jacobian, $N \times 784 \times n_h$ numbers (`get_jacobian`). It is not
# needed: row $j$ of $J$ is $W$'s column $j$ scaled by $h_j (1 - h_j)$, so with
# $s_j = (h_j (1 - h_j))^2$ and $w_j = \sum_i W_{ij}^2$,
#
# $$\| J \|_F^2 = \sum_j \left( h_j (1 - h_j) \right)^2 \sum_i W_{ij}^2 = \sum_j s_j w_j,$$
#
# one pass over the code and one over $W$ (`jacobian_norm` gives its square root per digit):

# %%
dae.tutorial.show_source(dae.cA.get_jacobian, dae.cA.jacobian_norm)

# %% [markdown]
# ## The gradient, by hand
#
# Back-propagation through $C$, for the minibatch (rows $n$). The reconstruction error at the
# decoder's input is $\mathbf{d}^z_n = (\mathbf{z}_n - \mathbf{x}_n) / N$ (the sigmoid and the
# cross-entropy's logs cancel). Going down into the code, the penalty adds its own path through
# $s_j$, since $\partial s_j / \partial h_j = 2 h_j (1 - h_j)(1 - 2 h_j)$:
#
# $$\mathbf{d}^h_n = \mathbf{d}^z_n W + \frac{2 \lambda}{N} \, \mathbf{w} \odot \mathbf{h}_n \odot (1 - \mathbf{h}_n) \odot (1 - 2 \mathbf{h}_n), \qquad \mathbf{d}^a_n = \mathbf{d}^h_n \odot \mathbf{h}_n \odot (1 - \mathbf{h}_n),$$
#
# where $\odot$ multiplies entry by entry and $\mathbf{d}^a_n$ is the error at the encoder's
# input $\mathbf{x}_n W + \mathbf{b}$. $W$ is used three times (encoder, decoder, and the penalty
# through $w_j$), so its gradient has three terms; the biases one each:
#
# $$\frac{\partial C}{\partial W_{ij}} = \sum_n \left[ x_{ni} d^a_{nj} + d^z_{ni} h_{nj} \right] + \frac{2 \lambda}{N} W_{ij} \sum_n s_{nj}, \qquad \frac{\partial C}{\partial \mathbf{b}} = \sum_n \mathbf{d}^a_n, \qquad \frac{\partial C}{\partial \mathbf{b}'} = \sum_n \mathbf{d}^z_n.$$
#
# `cost_terms_and_grads` computes the forward pass and these gradients side by side, and hands
# back both terms of the cost (the tests check the gradients against finite differences):

# %%
dae.tutorial.show_source(dae.cA.cost_terms_and_grads)

# %% [markdown]
# ## Training
#
# One step per minibatch, in order. The tutorial's is plain SGD,
# $\theta \leftarrow \theta - \eta \, \partial C / \partial \theta$ with $\eta$ the
# `learning_rate`, what the tutorial's `ca.get_cost_updates` + `dae.apply_updates` compute; the
# optimisers of `dae.optim` (`optimizer = "momentum"` or `"adam"`) take the same gradients. Each
# epoch prints, as the tutorial did, the mean reconstruction cross-entropy and the mean over
# minibatches of $\sqrt{\| J \|_F^2}$. `train_ca` builds a fresh model (W drawn from `seed`, as
# the tutorial's `cA(numpy_rng, n_visible, n_hidden, n_batchsize)`) every time it is called.

# %%
def train_ca(level, label="Training"):
    """A fresh cA trained with contraction level ``level``: (model, [(rec, Jacobian norm, penalty) per epoch])."""
    ca = dae.cA(numpy_rng=numpy.random.RandomState(seed), n_visible=28 * 28, n_hidden=n_hidden, n_batchsize=batch_size)
    if optimizer == "momentum":
        opt = dae.optim.Momentum(learning_rate=learning_rate, momentum=0.9)
    else:
        opt = dae.optim.make(optimizer, learning_rate=learning_rate)
    history = []
    for epoch in range(training_epochs):
        rec, jac = [], []
        for batch_index in range(n_train_batches):
            batch = train_set_x[batch_index * batch_size:(batch_index + 1) * batch_size]
            (L_rec, L_jac), grads = ca.cost_terms_and_grads(batch, level)
            opt.step(ca.params, grads)
            rec.append(L_rec)
            jac.append(L_jac)
        jac = to_host(xp.stack(jac)).astype("float64")
        history.append((float(to_host(xp.stack(rec)).mean(dtype="float64")), float(numpy.sqrt(jac).mean()),
                        float(level * jac.mean())))
        print(f"{label} epoch {epoch}, reconstruction cost {history[-1][0]} jacobian norm {history[-1][1]}", flush=True)
    return ca, history

# %% [markdown]
# The tutorial's run. What to look for: how the reconstruction cost and the Jacobian norm move
# from epoch to epoch; the next cells set them beside the run without the penalty. Running this
# cell again trains a fresh model and prints the same lines.

# %%
start_time = timeit.default_timer()
ca, history = train_ca(contraction_level)
training_time = timeit.default_timer() - start_time
print(f"The contraction level {level} code for file cA_tutorial.py ran for {training_time / 60.0:.2f}m")

# %% [markdown]
# ## The reference run: no penalty
#
# The same model, data, seed and optimiser with $\lambda = 0$: a plain autoencoder with tied
# weights, the dA tutorial's without the corruption. Its lines print the Jacobian norm too,
# measured but not penalised. (`baseline = False` skips it.)

# %%
plain_ca, plain_history = None, None
if baseline:
    start_time = timeit.default_timer()
    plain_ca, plain_history = train_ca(0.0, "Reference (no penalty)")
    minutes = (timeit.default_timer() - start_time) / 60.0
    print(f"The no-penalty reference code for file cA_tutorial.py ran for {minutes:.2f}m")

# %% [markdown]
# ## The learning curves
#
# Per epoch, left the reconstruction cross-entropy, right the mean Jacobian norm, of the run with
# the penalty and of the reference run without it (in black). The gap between the curves is what
# the penalty buys (a smaller Jacobian) and what it costs (a worse reconstruction); the printed
# line gives the last epoch's numbers, and the size of the penalty term $\lambda \| J \|_F^2$ beside
# the reconstruction term.

# %%
dae.tutorial.need(globals(), "history", "the training cell")
runs = {f"contraction level {level}": history}
if plain_history is not None:
    runs["no penalty (reference)"] = plain_history
panels = [("reconstruction cross-entropy", "nats per digit", {k: [e[0] for e in h] for k, h in runs.items()}),
          ("Jacobian norm", "mean ||dh/dx||_F", {k: [e[1] for e in h] for k, h in runs.items()})]
figure = dae.plotting.learning_curves(panels, title="cA: the cost per epoch against the run without the penalty")
dae.tutorial.show(figure, f"{output_folder}/learning_curve_contraction_{level}.png", dpi=100)
rec, norm, penalty = history[-1]
print(f"epoch {len(history) - 1}, contraction level {level}: reconstruction cost {rec:.2f}, "
      f"Jacobian norm {norm:.2f}, penalty term {penalty:.2f}")
if plain_history is not None:
    print(f"epoch {len(plain_history) - 1}, no penalty: reconstruction cost {plain_history[-1][0]:.2f}, "
          f"Jacobian norm {plain_history[-1][1]:.2f}")

# %% [markdown]
# ## The filters
#
# Column $j$ of $W$ drawn as a 28 x 28 image is the filter of hidden unit $j$; here the first 100
# (all of them when $n_h < 100$), beside the reference run's. Compare the two mosaics, and with
# the dA tutorial's: what does the contraction do to the filters?

# %%
dae.tutorial.need(globals(), "ca", "the training cell")
mosaics = {f"contraction level {level}": ca}
if plain_ca is not None:
    mosaics["no penalty (reference)"] = plain_ca
n_tiles = min(100, n_hidden)
side = int(numpy.ceil(numpy.sqrt(n_tiles)))
images = {f"{name}: first {n_tiles} filters": dae.tile_raster_images(X=to_host(model.W).T[:n_tiles], img_shape=(28, 28),
                                                                    tile_shape=(side, side), tile_spacing=(1, 1))
          for name, model in mosaics.items()}
path = f"{output_folder}/cae_filters_contraction_{level}.png"
dae.tutorial.show(dae.plotting.images_side_by_side(images, height=5), path, dpi=100)
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
