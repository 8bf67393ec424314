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
# As in the tutorial, the chapter builds two sets of functions, `pretraining_functions` and
# `build_finetune_functions`, and drives them with loops written out in its cells. The
# tutorial's own numbers (minibatches of one digit, 15 pretraining epochs per layer, up to 1000
# fine-tuning epochs) took its authors 17 hours; the defaults here are a *fast recipe* that keeps
# the model, the functions and the loops and changes only how they optimise (larger
# minibatches, momentum, a decaying learning rate, shifted digits). `faithful = True`
# (`--faithful`) runs the tutorial's numbers. Each training cell prints how long it ran.
#
# Run it as a notebook, cell by cell, or as a script: `python tutorials/SdA_tutorial.py`
# (the fast recipe), `--no-pretraining` (the same network from random weights, the baseline),
# `--faithful`, `--quick`, `--help`. The figures and the model go to `SdA_plots/`.

# %% tags=["parameters"]
finetune_lr = 0.2                          # fine-tuning learning rate (the tutorial: 0.1)
pretraining_epochs = 3                     # pretraining epochs per layer (the tutorial: 15)
pretrain_lr = 0.25                         # pretraining learning rate (the tutorial: 0.001)
training_epochs = 30                       # most fine-tuning epochs; early stopping may end sooner (the tutorial: 1000)
batch_size = 50                            # fine-tuning minibatch size (the tutorial: 1)
pretrain_batch_size = 50                   # pretraining minibatch size (the tutorial: 1)
momentum = 0.9                             # fine-tuning momentum (the tutorial: 0, plain SGD)
lr_decay = 0.92                            # fine-tuning learning rate multiplied by this after every epoch (the tutorial: 1)
dropout = 0.0                              # fine-tuning dropout of the hidden units (0: none)
input_dropout = 0.0                        # fine-tuning dropout of the input pixels (0: none)
max_shift = 1                              # fine-tuning digits moved by up to this many pixels at random (0: none, the tutorial)
hidden_layers_sizes = [1000, 1000, 1000]   # units per hidden layer
corruption_levels = [0.1, 0.2, 0.3]        # masking noise of each layer during pretraining
faithful = False                           # the tutorial's numbers for every knob above that is not set explicitly
pretraining = True                         # step 1; False fine-tunes the same network from its random weights (the baseline)
finetune = "all"                           # fine-tune the whole network (all, the tutorial) or the logistic regression only (top)
cache_codes = True                         # compute each layer's input codes once for the whole set (the tutorial's tip)
save_pretrained: str = None                # save the model after step 1 (.npz), to try several fine-tunings from one pretraining
load_pretrained: str = None                # skip step 1 and fine-tune a model saved with save_pretrained
seed = 89677                               # numpy_rng seed (the tutorial's 89677)
n_train: int = None                        # use only the first N training digits (and N // 5 validation and test digits)
output_folder = "SdA_plots"                # where the figures and the model go
backend: str = None                        # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
quick = False                              # a small slice (1,000 digits, layers of 100 units, 1 + 2 epochs): under a minute

# %% [markdown]
# The cell above is the recipe: change it there, give the same names as flags to the script, or
# as papermill's `-p`. The next cell reads them; a value you set is never replaced by `quick`'s
# small slice or by `faithful`'s numbers.

# %%
import copy
import timeit

import numpy

import dae
from dae.augment import random_shifts

# the tutorial's test_SdA, number for number (what faithful = True sets)
TUTORIAL = dict(finetune_lr=0.1, pretraining_epochs=15, pretrain_lr=0.001, training_epochs=1000, batch_size=1,
                pretrain_batch_size=1, momentum=0.0, lr_decay=1.0, max_shift=0)
given = dae.tutorial.parameters(
    globals(), presets={"faithful": TUTORIAL}, lengths={"corruption_levels": "hidden_layers_sizes"},
    quick=dict(n_train=1000, hidden_layers_sizes=[100, 100, 100], pretraining_epochs=1, training_epochs=2),
    choices={"finetune": ("all", "top")},
    positive=("finetune_lr", "pretraining_epochs", "pretrain_lr", "training_epochs", "batch_size",
              "pretrain_batch_size", "n_train"))
script = "SdA_tutorial.py"

# %% [markdown]
# ## The data
#
# MNIST with the tutorial's split: 50,000 training, 10,000 validation and 10,000 test digits,
# each a row of 784 grey levels in $[0, 1]$, with its label. Pretraining reads the training
# images only; fine-tuning reads their labels; the validation set decides when to stop and
# which parameters to keep; the test set is only measured.

# %%
datasets = dae.load_data()
if n_train is not None:
    sizes = (n_train, max(1, n_train // 5), max(1, n_train // 5))
    datasets = [(x[:n], y[:n]) for (x, y), n in zip(datasets, sizes)]
datasets = [(dae.backend.asarray(x), dae.backend.asarray(y, dtype=y.dtype)) for x, y in datasets]
(train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y) = datasets
print(f"{train_set_x.shape[0]} training, {valid_set_x.shape[0]} validation, {test_set_x.shape[0]} test digits")

# %% [markdown]
# ## The multilayer perceptron: hidden layers and a logistic regression
#
# Write a minibatch of $N$ digits as the rows of a matrix $X$ (one digit $\mathbf{x}$ per row),
# and $s(a) = 1 / (1 + e^{-a})$ for the sigmoid, applied to every entry. Hidden layer $k$ of
# $L$ has $n_k$ units, a weight matrix $W_k$ of $n_{k-1} \times n_k$ and a bias vector
# $\mathbf{b}_k$ of $n_k$; its code is
#
# $$H_0 = X, \qquad H_k = s(H_{k-1} W_k + \mathbf{b}_k), \quad k = 1, \dots, L.$$
#
# The library's `HiddenLayer` computes this (`forward`), and, given $G = \partial C / \partial H_k$
# for a cost $C$, the gradients (`backward`): $A = G \odot H_k \odot (1 - H_k)$ (where $\odot$
# multiplies entry by entry), $\partial C / \partial W_k = H_{k-1}^T A$,
# $\partial C / \partial \mathbf{b}_k$ the sum of the rows of $A$, and
# $\partial C / \partial H_{k-1} = A W_k^T$ (the `Dense` part is the affine map):

# %%
dae.tutorial.show_source(dae.HiddenLayer.forward, dae.HiddenLayer.backward, dae.layers.Dense.forward,
                         dae.layers.Dense.backward)

# %% [markdown]
# On the top code sits a logistic regression over the 10 classes, with weights $V$ and biases
# $\mathbf{c}$: the probability that digit $n$ (row $\mathbf{h}_n$ of $H_L$) is of class $i$ is
#
# $$P(Y = i \mid \mathbf{x}_n) = \mathrm{softmax}_i(\mathbf{h}_n V + \mathbf{c}) = \frac{e^{(\mathbf{h}_n V + \mathbf{c})_i}}{\sum_j e^{(\mathbf{h}_n V + \mathbf{c})_j}},$$
#
# and its cost is the mean negative log-likelihood of the labels $y_n$,
#
# $$\mathrm{NLL} = -\frac{1}{N} \sum_{n=1}^{N} \log P(Y = y_n \mid \mathbf{x}_n),$$
#
# whose gradient with respect to the logits is $(P - \mathrm{onehot}(y)) / N$ (the softmax
# cross-entropy layer): from there `backward` passes the error down through $V$ to $H_L$.

# %%
dae.tutorial.show_source(dae.LogisticRegression.forward, dae.LogisticRegression.backward,
                         dae.LogisticRegression.errors)

# %% [markdown]
# ## Stacked autoencoders
#
# A denoising autoencoder (the dA chapter) corrupts its input $\mathbf{x}$ into
# $\tilde{\mathbf{x}}$, maps it to a code $\mathbf{y} = s(\tilde{\mathbf{x}} W + \mathbf{b})$, and
# asks the reconstruction $\mathbf{z} = s(\mathbf{y} W^T + \mathbf{b}')$ to be the *clean*
# $\mathbf{x}$. Stacking them is greedy and layer-wise. Each hidden layer $k$ is at the same time
# a `HiddenLayer` of the perceptron and a `dA` that holds *the same* arrays $W_k$ and
# $\mathbf{b}_k$ (plus its own $\mathbf{b}'_k$): training the dA trains the perceptron's layer.
# Once the first dA is trained, the codes $H_1$ of the clean inputs are the data of the second
# dA, whose codes are the data of the third, and so on.
#
# Training has three steps: pretrain the layers one at a time as denoising autoencoders, without
# labels (step 1); put the logistic regression on the top code (step 2); fine-tune the whole
# network on the labels, as an ordinary multilayer perceptron (step 3). The unsupervised step
# starts the perceptron in a region of its parameters from which gradient descent finds a
# better classifier than it does from random weights.
#
# `dae.SdA(numpy_rng, n_ins, hidden_layers_sizes, n_outs)` holds the parts: `sigmoid_layers`,
# `dA_layers` and `logLayer`. It is built in the tutorial's order from
# `numpy.random.RandomState(89677)`: the seed of the corruption stream `theano_rng`, then each
# layer's $W_k$, uniform in $\pm 4\sqrt{6 / (n_{k-1} + n_k)}$; $V$ and $\mathbf{c}$ start at zero.
# Each dA draws its masks from its own stream of `theano_rng`, as each layer had its own random
# variable in Theano's graph.

# %% [markdown]
# ## Step 1: pretraining, one layer at a time
#
# Layer $k$'s dA is trained by minibatch SGD on the codes $H_{k-1}$ of the frozen layers below.
# Its input $\mathbf{h}$ (a row of $H_{k-1}$, $n_{k-1}$ values in $[0, 1]$) is corrupted by
# masking noise of level $\nu_k$ (10%, 20%, 30%: more noise higher up): each entry is set to zero
# with probability $\nu_k$, and the reconstruction $\mathbf{z}$ of the clean $\mathbf{h}$ is
# scored by the cross-entropy
#
# $$\tilde{\mathbf{h}} = \mathbf{h} \odot \mathbf{m}, \quad m_j \sim \mathrm{Bernoulli}(1 - \nu_k); \qquad C = -\sum_{j=1}^{n_{k-1}} \left[ h_j \log z_j + (1 - h_j) \log (1 - z_j) \right].$$
#
# `pretraining_functions` returns one function per layer, `f(index, corruption, lr)`: one SGD
# step on minibatch `index` of layer $k$'s input, returning its mean cost. With `cache_codes`
# each layer's input is computed once for the whole training set (the tutorial's tip) instead of
# once per minibatch. Like Theano's compiled functions, the steps are fused (`dae.fast`: one pass
# of in-place updates over preallocated buffers) and give the readable `cost_and_grads` path's
# numbers (`fused=False`), as the tests check.

# %%
dae.tutorial.show_source(dae.SdA.pretraining_functions)

# %% [markdown]
# The tutorial's loop: for each layer, for each epoch, every minibatch once, in order; it prints
# the mean cost of each epoch. What to look for: each layer's cost falls from epoch to epoch; the
# higher layers' costs are on their own scale (their inputs are codes, not pixels). Running this
# cell again builds the model afresh and prints the same lines.

# %%
print("... building the model")
sda = dae.SdA(numpy_rng=numpy.random.RandomState(seed), n_ins=28 * 28, hidden_layers_sizes=hidden_layers_sizes,
              n_outs=10)
if load_pretrained:
    sda = dae.load_model(load_pretrained)
print("... getting the pretraining functions")
pretraining_fns = sda.pretraining_functions(train_set_x=train_set_x, batch_size=pretrain_batch_size,
                                            cache_codes=cache_codes)
n_train_batches = train_set_x.shape[0] // pretrain_batch_size
print("... pre-training the model")
start_time = timeit.default_timer()
pretraining_costs = [[] for _ in range(sda.n_layers)]
for i in range(sda.n_layers if pretraining and not load_pretrained else 0):
    for epoch in range(pretraining_epochs):
        c = [pretraining_fns[i](index=batch_index, corruption=corruption_levels[i], lr=pretrain_lr)
             for batch_index in range(n_train_batches)]
        pretraining_costs[i].append(float(sum(c)) / len(c))
        print(f"Pre-training layer {i}, epoch {epoch}, cost {pretraining_costs[i][-1]:f}", flush=True)
end_time = timeit.default_timer()
print(f"The pretraining code for file {script} ran for {(end_time - start_time) / 60.0:.2f}m")
if save_pretrained:
    dae.save_model(sda, save_pretrained)
pretrained_sda, finetuned_sda = copy.deepcopy(sda), None   # what steps 2 and 3 start from

# %% [markdown]
# ## What the first layer learned
#
# Each of the first layer's units looks at the digit through its column of $W_1$, 784 weights
# drawn as a 28 x 28 image (its *filter*), here the first 100 of them. With `pretraining = False`
# they are the random initial weights.

# %%
dae.tutorial.need(globals(), "pretrained_sda", "the pretraining cell (step 1)")
dae.tutorial.show(pretrained_sda.filters_image(), f"{output_folder}/filters_pretrained.png")

# %% [markdown]
# ## Steps 2 and 3: the classifier on top, fine-tuned with early stopping
#
# Now the labels. The whole network, the pretrained layers and the logistic regression, is
# trained by minibatch SGD on the NLL above, its gradient back-propagated from the top through
# each hidden layer's `backward`. `build_finetune_functions` returns `train_fn(minibatch_index)`
# (one step, the mean cost of the minibatch) and two functions that give the error rate of
# every minibatch of the validation and test sets. With `finetune = "top"` only the logistic
# regression trains, on the fixed top codes: how good the unsupervised features are on their own.
#
# The fast recipe adds what the tutorial did not have, all options of these functions and
# loops: momentum, a learning rate multiplied by `lr_decay` after every epoch, and every training
# digit moved by a random whole number of pixels, at most `max_shift`, along each axis (a fresh
# variant of the training set every epoch).

# %%
dae.tutorial.show_source(dae.SdA.build_finetune_functions)

# %% [markdown]
# **Early stopping**, the tutorial's patience rule. Every `validation_frequency` minibatches
# (once an epoch) the mean validation error $e$ is measured, at iteration $t$ (the number of
# minibatches trained so far, counted from 0). When $e$ is the best so far, the test error is
# measured and the parameters are kept; if $e$ is also below 0.995 times the previous best,
# the patience grows to $\max(\text{patience}, 2t)$. Training stops once $t \geq$ patience
# (at first 10 epochs' worth of minibatches) or after `training_epochs`. The model kept is the
# best-validation one. The first cell below holds the fine-tuning options and the rule's two
# constants; running the second one again starts again from the pretrained model.

# %%
finetune_options = dict(learning_rate=finetune_lr, finetune=finetune, momentum=momentum, dropout=dropout,
                        input_dropout=input_dropout,
                        augment=random_shifts(max_shift) if max_shift and finetune == "all" else None)
patience_increase = 2.0       # wait this much longer (times the iteration) after a clear improvement
improvement_threshold = 0.995  # a relative improvement of more than 0.5% is clear

# %%
dae.tutorial.need(globals(), "pretrained_sda", "the pretraining cell (step 1)")
sda = copy.deepcopy(pretrained_sda)
print("... getting the finetuning functions")
train_fn, validate_model, test_model = sda.build_finetune_functions(datasets, batch_size, **finetune_options)
n_train_batches = train_fn.n_batches
patience = 10 * n_train_batches  # look at this many minibatches at least
validation_frequency = min(n_train_batches, patience // 2)
print("... finetunning the model")
best_validation_loss, best_iter, test_score, best_params = numpy.inf, 0, 0.0, None
start_time, epoch, done_looping = timeit.default_timer(), 0, False
while epoch < training_epochs and not done_looping:
    epoch = epoch + 1
    for minibatch_index in range(n_train_batches):
        train_fn(minibatch_index)
        iter = (epoch - 1) * n_train_batches + minibatch_index
        if (iter + 1) % validation_frequency == 0:
            this_validation_loss = numpy.mean(validate_model())
            where = f"epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}"
            print(f"{where}, validation error {this_validation_loss * 100.0:f} %", flush=True)
            if this_validation_loss < best_validation_loss:
                if this_validation_loss < best_validation_loss * improvement_threshold:
                    patience = max(patience, iter * patience_increase)
                best_validation_loss, best_iter, best_params = this_validation_loss, iter, copy.deepcopy(sda.params)
                test_score = numpy.mean(test_model())
                print(f"     {where}, test error of best model {test_score * 100.0:f} %", flush=True)
        if patience <= iter:
            done_looping = True
            break
    train_fn.optimizer.learning_rate *= lr_decay
end_time, finetuned_sda = timeit.default_timer(), sda

# %% [markdown]
# The run's summary, in the tutorial's words; the model keeps the best-validation parameters.

# %%
dae.tutorial.need(globals(), "finetuned_sda", "the fine-tuning cell (steps 2 and 3)")
for p, best in zip(finetuned_sda.params, best_params):
    p[...] = best
print(f"Optimization complete with best validation score of {best_validation_loss * 100.0:f} %, "
      f"on iteration {best_iter + 1}, with test performance {test_score * 100.0:f} %")
print(f"The training code for file {script} ran for {(end_time - start_time) / 60.0:.2f}m")
print(f"fine-tuning epochs run: {epoch}")

# %% [markdown]
# ## The filters after fine-tuning
#
# The same 100 filters of $W_1$ after fine-tuning; the printed correlation says how far the labels
# moved them from the pretrained ones. The model kept is saved as one model file
# (`dae info SdA_plots/sda.npz` describes it, `dae.load_model` reads it back).

# %%
dae.tutorial.need(globals(), "finetuned_sda", "the fine-tuning cell (steps 2 and 3)")
dae.tutorial.show(finetuned_sda.filters_image(), f"{output_folder}/filters_layer0.png")
before, after = (dae.backend.to_host(m.sigmoid_layers[0].W).ravel() for m in (pretrained_sda, finetuned_sda))
print(f"correlation of W_1 before and after fine-tuning: {numpy.corrcoef(before, after)[0, 1]:.3f}")
dae.save_model(finetuned_sda, f"{output_folder}/sda.npz")

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
