"""Stacked denoising autoencoders (SdA), the deeplearning.net tutorial's ``test_SdA`` in NumPy.

Run it:  python tutorials/SdA_tutorial.py                    (the fast recipe: see below)
         python tutorials/SdA_tutorial.py --no-pretraining    (same network from random weights)
         python tutorials/SdA_tutorial.py --faithful          (the tutorial's recipe: ~days on a CPU)
         python tutorials/SdA_tutorial.py --help              (every option)

Three steps, as in the tutorial:
1. pretrain each of the 3 hidden layers (1000 sigmoid units each) as a denoising autoencoder on
   the codes of the layer below (masking noise 10%, 20%, 30%), without labels;
2. put a logistic regression on the top code;
3. fine-tune the whole network on the labels, with early stopping on the validation set.

The tutorial did both with minibatches of one example (pretraining lr 0.001, fine-tuning lr 0.1,
15 pretraining epochs per layer, up to 1000 fine-tuning epochs): 1.3% test error after 1,029
minutes. ``--faithful`` runs exactly that. The default is a *fast recipe* that keeps the model
and the three steps and changes only how they are optimised, so that it fits in a quarter of an
hour on 2 cores:

- pretraining: 3 epochs per layer, minibatches of 50, lr 0.25, each layer's input codes
  computed once for the whole training set (the tutorial's tip, ``cache_codes=True``);
- fine-tuning: minibatches of 50, lr 0.2 with momentum 0.9, the lr multiplied by 0.92 after
  every epoch, at most 30 epochs with the tutorial's early stopping, and every training image
  moved by a random -1, 0 or +1 pixel along each axis (``--max-shift 1``; 0 turns it off);
- the model kept at the end is the one with the best validation error.

Measured (commit 12d30b3, 1 BLAS thread, shared machine): 0.96% test error (best validation
1.16%) in 12.3 minutes of wall time (9.6 minutes of CPU time); the same recipe with
``--no-pretraining``: see the README's results table.
"""
# %% [markdown]
# ## 1. Setup: the options of the original `test_SdA`, plus the fast recipe's knobs.
# %%
import argparse
import os
import sys
import time
import timeit

import numpy

import dae
from dae import backend
from dae.augment import random_shifts

# The fast recipe (the defaults). See the README's results table for what it reaches.
FAST = dict(finetune_lr=0.2, pretraining_epochs=3, pretrain_lr=0.25, training_epochs=30, batch_size=50,
            momentum=0.9, lr_decay=0.92, pretrain_batch_size=50)
FAST_FINETUNE_EXTRAS = dict(dropout=0.0, input_dropout=0.0, max_shift=1)
NO_FINETUNE_EXTRAS = dict(dropout=0.0, input_dropout=0.0, max_shift=0)
# The tutorial's test_SdA, number for number.
FAITHFUL = dict(finetune_lr=0.1, pretraining_epochs=15, pretrain_lr=0.001, training_epochs=1000, batch_size=1,
                momentum=0.0, lr_decay=1.0, pretrain_batch_size=None)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="The deeplearning.net stacked denoising autoencoder tutorial (test_SdA).")
    p.add_argument("--finetune-lr", type=float, default=None, help=f"fine-tuning learning rate ({FAST['finetune_lr']})")
    p.add_argument("--pretraining-epochs", type=int, default=None,
                   help=f"pretraining epochs per layer ({FAST['pretraining_epochs']})")
    p.add_argument("--pretrain-lr", type=float, default=None, help=f"pretraining learning rate ({FAST['pretrain_lr']})")
    p.add_argument("--training-epochs", type=int, default=None,
                   help=f"most fine-tuning epochs; early stopping may end sooner ({FAST['training_epochs']})")
    p.add_argument("--batch-size", type=int, default=None, help=f"fine-tuning minibatch size ({FAST['batch_size']})")
    p.add_argument("--pretrain-batch-size", type=int, default=None,
                   help=f"pretraining minibatch size (default: {FAST['pretrain_batch_size']}; --faithful: --batch-size)")
    p.add_argument("--momentum", type=float, default=None,
                   help=f"fine-tuning momentum, 0 for the tutorial's plain SGD ({FAST['momentum']})")
    p.add_argument("--lr-decay", type=float, default=None,
                   help=f"fine-tuning learning rate multiplied by this after every epoch ({FAST['lr_decay']})")
    p.add_argument("--dropout", type=float, default=None,
                   help=f"fine-tuning dropout of the hidden units, 0 for none ({FAST_FINETUNE_EXTRAS['dropout']})")
    p.add_argument("--input-dropout", type=float, default=None,
                   help=f"fine-tuning dropout of the input pixels, 0 for none ({FAST_FINETUNE_EXTRAS['input_dropout']})")
    p.add_argument("--max-shift", type=int, default=None,
                   help=f"fine-tuning images moved by up to this many pixels at random, 0 for none "
                        f"({FAST_FINETUNE_EXTRAS['max_shift']})")
    p.add_argument("--hidden-layers-sizes", type=int, nargs="+", default=[1000, 1000, 1000],
                   help="units per hidden layer (1000 1000 1000)")
    p.add_argument("--corruption-levels", type=float, nargs="+", default=[0.1, 0.2, 0.3],
                   help="masking noise per layer during pretraining (0.1 0.2 0.3)")
    p.add_argument("--faithful", action="store_true",
                   help="the tutorial's recipe: batch size 1, pretrain lr 0.001, 15 pretraining epochs, "
                        "finetune lr 0.1, up to 1000 epochs, plain SGD (flags given explicitly still win)")
    p.add_argument("--no-pretraining", action="store_true",
                   help="skip step 1: fine-tune the same network from its random initial weights (the baseline)")
    p.add_argument("--finetune", choices=("all", "top"), default="all",
                   help="fine-tune the whole network (all, the tutorial) or the logistic regression only (top)")
    p.add_argument("--no-cache-codes", action="store_true",
                   help="recompute layers 1..k-1 for every minibatch of layer k's pretraining (the tutorial's way)")
    p.add_argument("--save-pretrained", metavar="PATH", default=None,
                   help="save the model after step 1 (.npz), to try several fine-tunings from one pretraining")
    p.add_argument("--load-pretrained", metavar="PATH", default=None,
                   help="skip step 1 and start fine-tuning from a model saved with --save-pretrained")
    p.add_argument("--seed", type=int, default=89677, help="numpy_rng seed (the tutorial's 89677)")
    p.add_argument("--n-train", type=int, default=None,
                   help="use only the first N training images (and N // 5 validation/test images), for a quick look")
    p.add_argument("--output-folder", default="SdA_plots", help="where the filters image and the model go (SdA_plots)")
    p.add_argument("--backend", choices=backend.BACKENDS, default=None,
                   help="numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy")
    args = p.parse_args(argv)
    recipe = FAITHFUL if args.faithful else FAST
    for key, value in recipe.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for key, value in (FAST_FINETUNE_EXTRAS if not args.faithful and args.finetune == "all" else NO_FINETUNE_EXTRAS).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.pretrain_batch_size is None:
        args.pretrain_batch_size = args.batch_size
    if len(args.corruption_levels) != len(args.hidden_layers_sizes):
        p.error(f"--corruption-levels needs one level per hidden layer ({len(args.hidden_layers_sizes)}), "
                f"got {len(args.corruption_levels)}")
    return args


def load_datasets(n_train=None):
    """The tutorial's split on the backend in force; ``n_train`` keeps a slice (and a fifth of it
    for validation and test)."""
    datasets = dae.load_data()
    if n_train is not None:
        sizes = (n_train, max(1, n_train // 5), max(1, n_train // 5))
        datasets = [(x[:n], y[:n]) for (x, y), n in zip(datasets, sizes)]
    return [(backend.asarray(x), backend.asarray(y, dtype=y.dtype)) for x, y in datasets]


def pretrain(sda, train_set_x, args):
    """Step 1: greedy layer-wise pretraining; returns the per-layer lists of epoch mean costs."""
    # %% [markdown]
    # ## 3. Pretraining: each layer is a dA on the codes of the layer below.
    # `pretraining_fns[i](index, corruption, lr)` does one SGD step of layer i's dA on minibatch
    # `index`. With cached codes (the tutorial's tip) layer i's inputs are computed once for the
    # whole training set instead of once per minibatch.
    # %%
    print("... getting the pretraining functions")
    pretraining_fns = sda.pretraining_functions(train_set_x=train_set_x, batch_size=args.pretrain_batch_size,
                                                cache_codes=not args.no_cache_codes)
    print("... pre-training the model")
    all_costs = []
    for i in range(sda.n_layers):
        layer_costs = []
        for epoch in range(args.pretraining_epochs):
            c = [pretraining_fns[i](index=batch_index, corruption=args.corruption_levels[i], lr=args.pretrain_lr)
                 for batch_index in range(pretraining_fns[i].n_batches)]
            mean_cost = float(backend.to_host(backend.xp.stack(c)).mean(dtype="float64"))
            layer_costs.append(mean_cost)
            print(f"Pre-training layer {i}, epoch {epoch}, cost {mean_cost:f}", flush=True)
        all_costs.append(layer_costs)
    return all_costs


def finetune(sda, datasets, args):
    """Steps 2-3: the classifier on top, fine-tuned with the tutorial's early stopping.
    Returns (best validation error, best iteration, test error), as fractions."""
    # %% [markdown]
    # ## 4. Fine-tuning with early stopping (the tutorial's loop, unchanged).
    # Validation every `validation_frequency` minibatches; each time the validation error
    # improves by more than 0.5%, patience grows to twice the current iteration; training stops
    # when patience runs out or after `training_epochs`. The test error is measured only for
    # the best model so far. The fast recipe adds momentum and multiplies the learning rate by
    # `lr_decay` after each epoch.
    # %%
    print("... getting the finetuning functions")
    train_fn, validate_model, test_model = sda.build_finetune_functions(
        datasets=datasets, batch_size=args.batch_size, learning_rate=args.finetune_lr,
        finetune=args.finetune, momentum=args.momentum, dropout=args.dropout, input_dropout=args.input_dropout,
        augment=random_shifts(args.max_shift) if args.max_shift > 0 else None)
    optimizer = train_fn.optimizer
    n_train_batches = train_fn.n_batches

    print("... finetunning the model")
    patience = 10 * n_train_batches  # look at this many examples regardless
    patience_increase = 2.0          # wait this much longer when a new best is found
    improvement_threshold = 0.995    # a relative improvement of this much is considered significant
    validation_frequency = min(n_train_batches, patience // 2)

    best_validation_loss = numpy.inf
    best_iter = 0
    test_score = 0.0
    best_params = None
    done_looping = False
    epoch = 0
    while epoch < args.training_epochs and not done_looping:
        epoch += 1
        for minibatch_index in range(n_train_batches):
            train_fn(minibatch_index)
            iter = (epoch - 1) * n_train_batches + minibatch_index
            if (iter + 1) % validation_frequency == 0:
                this_validation_loss = numpy.mean(validate_model())
                print(f"epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}, "
                      f"validation error {this_validation_loss * 100.0:f} %", flush=True)
                if this_validation_loss < best_validation_loss:
                    if this_validation_loss < best_validation_loss * improvement_threshold:
                        patience = max(patience, iter * patience_increase)
                    best_validation_loss = this_validation_loss
                    best_iter = iter
                    test_score = numpy.mean(test_model())
                    print(f"     epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}, "
                          f"test error of best model {test_score * 100.0:f} %", flush=True)
                    best_params = [backend.xp.array(p, copy=True) for p in sda.params]
            if patience <= iter:
                done_looping = True
                break
        optimizer.learning_rate *= args.lr_decay
    # The model kept is the one with the best validation error (what the test error describes).
    if best_params is not None:
        for p, best in zip(sda.params, best_params):
            p[...] = best
    return best_validation_loss, best_iter, test_score


def main(argv=None):
    args = parse_args(argv)
    if args.backend:
        backend.use(args.backend)
    script = os.path.split(__file__)[1]

    # %% [markdown]
    # ## 2. Data and model: MNIST (50,000 / 10,000 / 10,000), the tutorial's seed and order.
    # %%
    datasets = load_datasets(args.n_train)
    train_set_x = datasets[0][0]
    numpy_rng = numpy.random.RandomState(args.seed)
    print("... building the model")
    sda = dae.SdA(numpy_rng=numpy_rng, n_ins=28 * 28, hidden_layers_sizes=args.hidden_layers_sizes, n_outs=10,
                  corruption_levels=args.corruption_levels)
    os.makedirs(args.output_folder, exist_ok=True)

    cpu_start = time.process_time()
    start_time = timeit.default_timer()
    if args.load_pretrained:
        sda = dae.SdA.load(args.load_pretrained)
        pretraining_costs = []
    else:
        pretraining_costs = [] if args.no_pretraining else pretrain(sda, train_set_x, args)
    if args.save_pretrained:
        sda.save(args.save_pretrained)
    end_time = timeit.default_timer()
    pretraining_minutes = (end_time - start_time) / 60.0
    print(f"The pretraining code for file {script} ran for {pretraining_minutes:.2f}m", file=sys.stderr)

    start_time = timeit.default_timer()
    best_validation_loss, best_iter, test_score = finetune(sda, datasets, args)
    end_time = timeit.default_timer()
    training_minutes = (end_time - start_time) / 60.0
    print(f"Optimization complete with best validation score of {best_validation_loss * 100.0:f} %, "
          f"on iteration {best_iter + 1}, with test performance {test_score * 100.0:f} %")
    print(f"The training code for file {script} ran for {training_minutes:.2f}m", file=sys.stderr)
    # On a shared machine the wall time depends on the other jobs; the CPU time much less.
    cpu_minutes = (time.process_time() - cpu_start) / 60.0
    print(f"(pretraining + fine-tuning used {cpu_minutes:.2f}m of CPU time)", file=sys.stderr)

    # %% [markdown]
    # ## 5. What was learned: the first layer's filters, and the model itself (.npz, no pickle).
    # %%
    if sda.n_ins == 28 * 28:
        dae.plotting.save_image(sda.filters_image(), os.path.join(args.output_folder, "filters_layer0.png"))
    sda.save(os.path.join(args.output_folder, "sda.npz"))
    return {"best_validation_error": float(best_validation_loss), "best_iter": int(best_iter) + 1,
            "test_error": float(test_score), "pretraining_costs": pretraining_costs,
            "pretraining_minutes": pretraining_minutes, "training_minutes": training_minutes,
            "cpu_minutes": cpu_minutes}


if __name__ == "__main__":
    main()
