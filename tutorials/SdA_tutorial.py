# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Stacked denoising autoencoders (SdA)
#
# The deeplearning.net tutorial's `test_SdA`, in NumPy. Denoising autoencoders can be stacked:
# each one learns to clean up a corrupted copy of the code of the one below it, without labels,
# and the stack of their encoders is then the first part of a deep classifier (a multilayer
# perceptron), fine-tuned on the labels. The network here has three hidden layers of 1000
# sigmoid units and a softmax on top: 784-1000-1000-1000-10.
#
# The tutorial's own recipe (minibatches of one digit, 15 pretraining epochs per layer, up to
# 1000 fine-tuning epochs) reached 1.3% test error in about 17 hours. The defaults here are a
# *fast recipe* that keeps the model and the three steps and changes only how they are
# optimised, so that it runs in about a quarter of an hour on two cores; `faithful = True`
# (`--faithful`) runs the tutorial's numbers exactly.
#
# Run it as a notebook, cell by cell, or as a script: `python tutorials/SdA_tutorial.py`
# (the fast recipe), `--no-pretraining` (the same network from random weights, the baseline),
# `--faithful`, `--quick`, `--help`. The figure and the model go to `SdA_plots/`.

# %% tags=["parameters"]
finetune_lr = 0.2                          # fine-tuning learning rate (the tutorial: 0.1)
pretraining_epochs = 3                     # pretraining epochs per layer (the tutorial: 15)
pretrain_lr = 0.25                         # pretraining learning rate (the tutorial: 0.001)
training_epochs = 30                       # most fine-tuning epochs; early stopping may end sooner (the tutorial: 1000)
batch_size = 50                            # fine-tuning minibatch size (the tutorial: 1)
pretrain_batch_size = 50                   # pretraining minibatch size (the tutorial: 1)
momentum = 0.9                             # fine-tuning momentum, 0 for the tutorial's plain SGD
lr_decay = 0.92                            # fine-tuning learning rate multiplied by this after every epoch (the tutorial: 1)
dropout = 0.0                              # fine-tuning dropout of the hidden units, 0 for none
input_dropout = 0.0                        # fine-tuning dropout of the input pixels, 0 for none
max_shift = 1                              # fine-tuning images moved by up to this many pixels at random, 0 for none
hidden_layers_sizes = [1000, 1000, 1000]   # units per hidden layer
corruption_levels = [0.1, 0.2, 0.3]        # masking noise per layer during pretraining
faithful = False                           # the tutorial's recipe: batch size 1, pretrain lr 0.001, 15 pretraining epochs, finetune lr 0.1, up to 1000 epochs, plain SGD, no shifts (flags given explicitly still win)
pretraining = True                         # step 1; --no-pretraining fine-tunes the same network from its random initial weights (the baseline)
finetune = "all"                           # fine-tune the whole network (all, the tutorial) or the logistic regression only (top)
cache_codes = True                         # compute each layer's input codes once for the whole set (the tutorial's tip); --no-cache-codes recomputes them for every minibatch
save_pretrained: str = None                # save the model after step 1 (.npz), to try several fine-tunings from one pretraining
load_pretrained: str = None                # skip step 1 and start fine-tuning from a model saved with --save-pretrained
seed = 89677                               # numpy_rng seed (the tutorial's 89677)
n_train: int = None                        # use only the first N training images (and N // 5 validation and test images)
output_folder = "SdA_plots"                # where the filters image and the model go
backend: str = None                        # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                              # a small slice (1,000 images, layers of 100 units, 1 + 2 epochs): under a minute

# %% [markdown]
# The cell above is the recipe; change it there, or give the same names as flags to the script.
# The next cell applies the command line (when this file runs as a script), the small slice
# when `quick` is True, and the tutorial's own numbers when `faithful` is True.

# %%
import sys
import time
import timeit

import numpy

import dae
from dae.augment import random_shifts

given = dae.tutorial.parameters(
    globals(), quick=dict(n_train=1000, hidden_layers_sizes=[100, 100, 100], pretraining_epochs=1, training_epochs=2),
    choices={"finetune": ("all", "top")},
    positive=("finetune_lr", "pretraining_epochs", "pretrain_lr", "training_epochs", "batch_size",
              "pretrain_batch_size", "n_train"))
# The tutorial's test_SdA, number for number (what a flag gives explicitly still wins).
FAITHFUL = dict(finetune_lr=0.1, pretraining_epochs=15, pretrain_lr=0.001, training_epochs=1000, batch_size=1,
                pretrain_batch_size=1, momentum=0.0, lr_decay=1.0, max_shift=0)
if faithful:
    globals().update({k: v for k, v in FAITHFUL.items() if k not in given})
    if "batch_size" in given and "pretrain_batch_size" not in given:
        pretrain_batch_size = batch_size
if finetune == "top" and "max_shift" not in given:
    max_shift = 0                      # the codes are fixed: there is nothing to shift
if len(corruption_levels) != len(hidden_layers_sizes):
    raise SystemExit(f"error: --corruption-levels needs one level per hidden layer ({len(hidden_layers_sizes)}), "
                     f"got {len(corruption_levels)}")
script = "SdA_tutorial.py"

# %% [markdown]
# ## The data
#
# MNIST with the tutorial's split: 50,000 training, 10,000 validation and 10,000 test digits,
# each a row of 784 grey levels in $[0, 1)$, with its label. Pretraining reads the training
# images only; fine-tuning reads their labels; the validation set decides when to stop and
# which parameters to keep; the test set is only measured. (`n_train` keeps the first N
# training digits and N // 5 of each of the others.)

# %%
datasets = dae.load_data()
if n_train is not None:
    sizes = (n_train, max(1, n_train // 5), max(1, n_train // 5))
    datasets = [(x[:n], y[:n]) for (x, y), n in zip(datasets, sizes)]
datasets = [(dae.backend.asarray(x), dae.backend.asarray(y, dtype=y.dtype)) for x, y in datasets]
(train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y) = datasets
print(f"{train_set_x.shape[0]} training, {valid_set_x.shape[0]} validation, {test_set_x.shape[0]} test digits")

# %% [markdown]
# ## Stacked autoencoders
#
# A denoising autoencoder (the dA tutorial) maps a corrupted input $\tilde{\mathbf{x}}$ to a code
# $\mathbf{y} = s(\tilde{\mathbf{x}} W + \mathbf{b})$ and asks the reconstruction
# $\mathbf{z} = s(\mathbf{y} W^T + \mathbf{b}')$ to be the *clean* $\mathbf{x}$. Stacking them is
# greedy and layer-wise: once the first dA is trained, its codes $\mathbf{h}_1 = s(\mathbf{x} W_1
# + \mathbf{b}_1)$ of the clean inputs are the data of the second dA, whose codes are the data of
# the third, and so on:
#
# $$\mathbf{h}_0 = \mathbf{x}, \qquad \mathbf{h}_k = s(\mathbf{h}_{k-1} W_k + \mathbf{b}_k), \quad k = 1 \dots L.$$
#
# Each layer $k$ is at the same time a `HiddenLayer` of a multilayer perceptron and a `dA` that
# holds *the same* arrays $W_k$ and $\mathbf{b}_k$ (plus its own $\mathbf{b}'_k$): training the dA
# trains the perceptron's layer. On top sits a logistic regression,
#
# $$P(Y = i \mid \mathbf{x}) = \mathrm{softmax}_i(\mathbf{h}_L V + \mathbf{c}).$$
#
# Training then has three steps: pretrain the layers one at a time as denoising autoencoders,
# without labels (step 1); put the logistic regression on the top code (step 2); fine-tune the
# whole network on the labels, as an ordinary multilayer perceptron (step 3). The unsupervised
# step starts the perceptron in a region of its parameters from which gradient descent finds a
# better classifier than it does from random weights.

# %% [markdown]
# ## Putting it all together: the `SdA` class
#
# `dae.SdA` holds the parts: `sigmoid_layers` (the perceptron's `HiddenLayer`s), `dA_layers`
# (the autoencoders sharing their weights) and `logLayer` (a `dae.LogisticRegression`); its
# `params` are the fine-tuning parameters $[W_1, \mathbf{b}_1, \dots, W_L, \mathbf{b}_L, V, \mathbf{c}]$.
# The model is built in the tutorial's order from `numpy.random.RandomState(89677)`: the seed of
# the corruption stream `theano_rng`, then each layer's $W_k$ (uniform in
# $\pm 4\sqrt{6 / (n_{k-1} + n_k)}$); the logistic regression starts at zero. Each dA draws its
# masks from its own stream of `theano_rng` (`corruption0`, `corruption1`, ...), as each layer
# had its own random variable in Theano's graph.

# %%
numpy_rng = numpy.random.RandomState(seed)
print("... building the model")
sda = dae.SdA(numpy_rng=numpy_rng, n_ins=28 * 28, hidden_layers_sizes=hidden_layers_sizes, n_outs=10)
if load_pretrained:
    sda = dae.load_model(load_pretrained)
print(sda, "params:", sda.param_names)

# %% [markdown]
# ## Step 1: pretraining, one layer at a time
#
# Layer $k$'s dA is trained by minibatch SGD on the codes $\mathbf{h}_{k-1}$ of the frozen layers
# below, with masking noise of level $\nu_k$ (10%, 20%, 30%: more noise higher up) and the
# cross-entropy cost
#
# $$\tilde{\mathbf{h}} = \mathbf{h}_{k-1} \odot \mathbf{m}, \; m_j \sim \mathrm{Bernoulli}(1 - \nu_k), \qquad
#   L = -\sum_j \left[ h_j \log z_j + (1 - h_j) \log (1 - z_j) \right].$$
#
# No labels are used. The tutorial built one compiled function per layer
# (`sda.pretraining_functions`, still available) and looped over its minibatches; here the one
# training loop of the library, `dae.Trainer`, runs that loop: minibatches in order, `cost_and_grads`
# of the layer's dA with the layer's corruption level, one `dae.optim.SGD` step. The masks come
# from `theano_rng`, the run's generator.
#
# What to look for: each layer's cost falls from epoch to epoch; the higher layers' costs are on
# their own scale (their inputs are 1000 codes, not 784 pixels).

# %% [markdown]
# ### Tips and tricks: each layer's input computed once
#
# The tutorial's tip: computing $\mathbf{h}_{k-1}$ through the frozen layers below for every
# minibatch repeats the same work in every epoch. With `cache_codes` the codes of the whole
# training set are computed once per layer (`sda.get_codes`) and layer $k$'s dA trains on them;
# with `cache_codes = False` the trainer's `transform` pushes each minibatch through the lower
# layers, the tutorial's way (same numbers, more work).

# %%
def lower_layers(k):
    """transform(batch) -> h_{k-1}: the minibatch through the hidden layers below layer k."""
    return lambda batch: sda.get_codes(batch, layer=k - 1)


print("... getting the pretraining functions")
cpu_start = time.process_time()
start_time = timeit.default_timer()
pretraining_costs = []
if pretraining and not load_pretrained:
    print("... pre-training the model")
    for k, dA_layer in enumerate(sda.dA_layers):
        if k == 0 or not cache_codes:
            layer_input, transform = train_set_x, (lower_layers(k) if k > 0 else None)
        else:
            layer_input, transform = sda.get_codes(train_set_x, layer=k - 1), None
        trainer = dae.Trainer(
            dA_layer, dae.optim.SGD(pretrain_lr), batch_size=pretrain_batch_size,
            cost_kwargs={"corruption_level": corruption_levels[k]}, rng=sda.theano_rng, transform=transform,
            drop_last=True, progress=False,
            on_epoch_end=lambda t, m, k=k: print(f"Pre-training layer {k}, epoch {m['epoch']}, cost {m['train_cost']:f}",
                                                 flush=True))
        trainer.fit(layer_input, pretraining_epochs)
        pretraining_costs.append([m["train_cost"] for m in trainer.history])
if save_pretrained:
    dae.save_model(sda, save_pretrained)
pretraining_minutes = (timeit.default_timer() - start_time) / 60.0
print(f"The pretraining code for file {script} ran for {pretraining_minutes:.2f}m", file=sys.stderr)

# %% [markdown]
# ## What the first layer learned
#
# Each of the first layer's units looks at the digit through its column of $W_1$, 784 weights
# drawn as a 28 x 28 image (its *filter*). After pretraining they are strokes and blobs, the
# dA tutorial's pen strokes; from random weights (`pretraining = False`) they are noise.

# %%
dae.tutorial.show(sda.filters_image(), f"{output_folder}/filters_pretrained.png")

# %% [markdown]
# ## Steps 2 and 3: the classifier on top, fine-tuned with early stopping
#
# Now the labels. The whole network, the pretrained layers and the logistic regression, is
# trained by minibatch gradient descent on the negative log-likelihood of the labels,
#
# $$\mathrm{NLL} = -\frac{1}{N} \sum_{n} \log P(Y = y_n \mid \mathbf{x}_n),$$
#
# whose gradient back-propagates from the top, $D = (P - \mathrm{onehot}(y)) / N$, through each
# sigmoid layer: $A_k = G_k \odot \mathbf{h}_k (1 - \mathbf{h}_k)$, $\partial W_k = \mathbf{h}_{k-1}^T A_k$,
# $G_{k-1} = A_k W_k^T$ (`sda.cost_and_grads(x, y)`; the tutorial's `build_finetune_functions`
# is still there too). With `finetune = "top"` only the logistic regression trains, on the fixed
# top codes (`dae.LogisticRegression`): how good the unsupervised features are on their own.
#
# **Early stopping** (the tutorial's patience rule, `dae.EarlyStopping`): after every epoch the
# validation error $e$ is measured at iteration $t$ (minibatches so far). When $e$ is the best so
# far, the test error is measured, and if it beats the previous best by more than 0.5% the
# patience grows to $\max(\text{patience}, 2t)$; training stops once $t \geq$ patience (at first
# 10 epochs' worth) or after `training_epochs`. The parameters kept are the best epoch's.
#
# The fast recipe adds three things the tutorial did not have: momentum 0.9, a learning rate
# multiplied by 0.92 after every epoch (`dae.train.schedules.exponential`), and every training
# digit moved by a random -1, 0 or +1 pixel along each axis (`random_shifts`, the trainer's
# `augment`), a fresh variant of the training set every epoch.
#
# What to look for: the validation error falls fast for a few epochs, then slowly; the test
# error of the best model is printed each time the validation error improves.

# %%
print("... getting the finetuning functions")
n_train_batches = train_set_x.shape[0] // batch_size
if finetune == "top":       # the hidden layers are frozen: train the classifier on their codes
    model, train_inputs = sda.logLayer, sda.get_codes(train_set_x)
else:
    model, train_inputs = sda, train_set_x
optimizer = dae.optim.Momentum(finetune_lr, momentum) if momentum else dae.optim.SGD(finetune_lr)


def validation_error(trainer):
    error = sda.errors(valid_set_x, valid_set_y)
    print(f"epoch {trainer.epoch + 1}, minibatch {trainer.batch}/{n_train_batches}, "
          f"validation error {error * 100.0:f} %", flush=True)
    return error


def test_error_of_best_model(trainer):
    error = sda.errors(test_set_x, test_set_y)
    print(f"     epoch {trainer.epoch + 1}, minibatch {trainer.batch}/{n_train_batches}, "
          f"test error of best model {error * 100.0:f} %", flush=True)
    return error


early_stopping = dae.EarlyStopping(validation_error, patience=10 * n_train_batches, patience_increase=2.0,
                                   improvement_threshold=0.995, on_best=test_error_of_best_model, restore_best=True)
trainer = dae.Trainer(
    model, optimizer, batch_size=batch_size, rng=sda.theano_rng, drop_last=True, progress=False,
    cost_kwargs={} if finetune == "top" else {"dropout": dropout, "input_dropout": input_dropout},
    schedule=dae.train.schedules.exponential(finetune_lr, lr_decay) if lr_decay != 1.0 else None,
    augment=random_shifts(max_shift) if max_shift > 0 else None, early_stopping=early_stopping)

print("... finetunning the model")
start_time = timeit.default_timer()
trainer.fit(train_inputs, training_epochs, train_y=train_set_y)
training_minutes = (timeit.default_timer() - start_time) / 60.0
best_validation_loss, best_iter, test_score = early_stopping.best, early_stopping.best_iter, early_stopping.best_extra
print(f"Optimization complete with best validation score of {best_validation_loss * 100.0:f} %, "
      f"on iteration {best_iter + 1}, with test performance {test_score * 100.0:f} %")
print(f"The training code for file {script} ran for {training_minutes:.2f}m", file=sys.stderr)
# On a shared machine the wall time depends on the other jobs; the CPU time much less.
cpu_minutes = (time.process_time() - cpu_start) / 60.0
print(f"(pretraining + fine-tuning used {cpu_minutes:.2f}m of CPU time)", file=sys.stderr)

# %% [markdown]
# ## Running the code, and what it gives
#
# The fast recipe ends near 1% test error (see the README's results table for the measured
# runs, with and without pretraining); the tutorial's recipe reached 1.3% after 17 hours.
# The first layer's filters after fine-tuning are the pretrained ones, sharpened a little by the
# labels. The model kept is the best-validation one; it is saved as one model file
# (`dae info SdA_plots/sda.npz` describes it, `dae.load_model` reads it back).

# %%
dae.tutorial.show(sda.filters_image(), f"{output_folder}/filters_layer0.png")
dae.save_model(sda, f"{output_folder}/sda.npz")

# %% [markdown]
# ## Your turn
#
# Fine-tuning back-propagates through a softmax and sigmoid hidden layers. Derive and code that
# backward pass yourself, checked against finite differences, in the exercise `softmax_mlp`
# of the workbook:
#
# ```bash
# dae exercises start my_workbook
# ```
