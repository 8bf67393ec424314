"""Multi-phase training: the SdA's and the deep autoencoder's recipes, as lists of phases.

A :class:`Phase` is one run of the training loop (one ``dae.train.Trainer``): a model sharing
its arrays with the whole network, its epochs, its optimiser and its noise. The recipes build
the phases; :func:`dae.phases.run_phases` runs them in order, each with its own checkpoint, so
a run cut short anywhere resumes where it stopped. The tutorials and the command line train
the SdA and the deep autoencoder through these functions:

- :func:`sda_phases` (:func:`sda_pretraining_phases`, then :func:`sda_finetuning_phase`): greedy
  layer-wise pretraining (layer k's dA on the codes of the layers below, masking noise
  ``corruption_levels[k]``), then supervised fine-tuning of the whole network with the
  tutorial's early stopping on the validation error.
- :func:`deep_autoencoder_phases`: greedy layer-wise pretraining of the encoder (tied denoising
  autoencoders, the code layer's linear), then unrolling (the decoder starts as the encoder's
  mirror) and fine-tuning of the whole network (Hinton & Salakhutdinov 2006).
"""
import dataclasses
from typing import Any, Callable, Optional

import numpy

from . import backend, optim
from .models.autoencoder import Autoencoder
from .random import RandomStreams
from .train import EarlyStopping


@dataclasses.dataclass
class Phase:
    """One run of the training loop: ``model`` trained for ``epochs`` with ``optimizer``.

    - ``rng``: the run's generator (RandomState or RandomStreams; phases may share one).
    - ``cost_kwargs`` / ``eval_kwargs``: the ``cost_and_grads`` keywords (training, validation).
    - ``inputs(x)``: the phase model's data from the run's, computed once (e.g. the codes of
      the layers below); ``transform(batch)``: the same, per minibatch.
    - ``supervised``: pass the labels (``train_y``/``valid_y``).
    - ``before(model)``: run before the phase's trainer starts (e.g. unroll the deep encoder);
      resuming runs it too, then restores the checkpoint over it.
    - ``early_stopping``: a ``dae.train.EarlyStopping``; ``evaluate(trainer) -> dict``.
    - ``label``: the first words of each epoch's line ("Training epoch 0, cost ...").
    """

    name: str
    model: Any
    epochs: int
    optimizer: Any
    rng: Any
    batch_size: int = 20
    cost_kwargs: dict = dataclasses.field(default_factory=dict)
    eval_kwargs: Optional[dict] = None
    inputs: Optional[Callable] = None
    transform: Optional[Callable] = None
    supervised: bool = False
    shuffle: Any = False
    drop_last: bool = False
    augment: Optional[Callable] = None
    schedule: Optional[Callable] = None
    max_minutes: Optional[float] = None
    before: Optional[Callable] = None
    early_stopping: Optional[EarlyStopping] = None
    evaluate: Optional[Callable] = None
    unit_interval: bool = False
    label: str = "Training"

    @property
    def learning_rate(self):
        return getattr(self.optimizer, "learning_rate", None)


# ----- the SdA ---------------------------------------------------------------------------------
def sda_pretraining_phases(sda, *, corruption_levels, epochs=15, learning_rate=0.001, batch_size=1,
                           optimizer="sgd", drop_last=False, cache_codes=False):
    """One phase per dA layer, all drawing from ``sda.theano_rng``: layer k's dA trained on the
    codes of the layers below (per minibatch, the tutorial's way, or once with ``cache_codes``),
    with masking noise ``corruption_levels[k]``."""
    phases = []
    for k, layer in enumerate(sda.dA_layers):
        below = None if k == 0 else (lambda x, k=k: sda.get_codes(x, layer=k - 1))
        phases.append(Phase(f"pretrain{k}", layer, epochs, optim.make(optimizer, learning_rate=learning_rate),
                            sda.theano_rng, batch_size, cost_kwargs={"corruption_level": corruption_levels[k]},
                            eval_kwargs={"corruption_level": 0.0}, inputs=below if cache_codes else None,
                            transform=None if cache_codes else below, drop_last=drop_last, unit_interval=True,
                            label=f"Pre-training layer {k},"))
    return phases


def sda_finetuning_phase(sda, *, epochs=1000, learning_rate=0.1, batch_size=1, optimizer="sgd", dropout=0.0,
                         validation=None, patience=None):
    """Supervised fine-tuning of the whole SdA; ``validation``: ``(valid_x, valid_y)`` for the
    tutorial's early stopping (patience: ``patience`` minibatches, default 10 epochs' worth;
    the model kept is the best validation epoch's), or None (no early stopping)."""
    stopping = None
    if validation is not None:
        valid_x, valid_y = validation
        stopping = EarlyStopping(lambda trainer: float(sda.errors(valid_x, valid_y)), patience=patience,
                                 patience_increase=2.0, improvement_threshold=0.995, restore_best=True,
                                 name="validation error", percent=True)
    return Phase("finetune", sda, epochs, optim.make(optimizer, learning_rate=learning_rate), sda.theano_rng,
                 batch_size, cost_kwargs={"dropout": dropout}, eval_kwargs={}, supervised=True,
                 early_stopping=stopping, label="Fine-tuning")


def sda_phases(sda, *, corruption_levels, pretraining_epochs=15, pretrain_lr=0.001, epochs=1000,
               learning_rate=0.1, batch_size=1, optimizer="sgd", dropout=0.0, validation=None, patience=None):
    """The tutorial's SdA training: the pretraining phases, then fine-tuning (the defaults are
    the tutorial's)."""
    return sda_pretraining_phases(sda, corruption_levels=corruption_levels, epochs=pretraining_epochs,
                                  learning_rate=pretrain_lr, batch_size=batch_size, optimizer=optimizer) + [
        sda_finetuning_phase(sda, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
                             optimizer=optimizer, dropout=dropout, validation=validation, patience=patience)]


# ----- the deep autoencoder --------------------------------------------------------------------
def deep_pretraining_layer(model, i):
    """The tied autoencoder that pretrains encoder layer ``i`` of a ``DeepAutoencoder``, sharing
    its arrays: sigmoid for the hidden layers, a linear code for the top one. Its reconstruction
    bias is the model's ``visible_b[i]``, which unrolling makes the decoder's bias."""
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < model.n_layers:
        raise ValueError(f"i must be a layer index in [0, {model.n_layers}), got {i!r}")
    activation = "linear" if i == model.n_layers - 1 else "sigmoid"
    # theano_rng is given so that nothing is drawn from numpy_rng (W is shared in)
    return Autoencoder(numpy.random.RandomState(0), theano_rng=RandomStreams(0), n_visible=model.layer_sizes[i],
                       n_hidden=model.layer_sizes[i + 1], W=model.encoder_W[i], bhid=model.encoder_b[i],
                       bvis=model.visible_b[i], activation=activation)


def _per_layer(epochs, n_layers):
    if isinstance(epochs, (list, tuple)):
        if len(epochs) != n_layers:
            raise ValueError(f"pretraining_epochs must be an int or a list of {n_layers} ints (one per layer), "
                             f"got {list(epochs)!r}")
        return list(epochs)
    return [epochs] * n_layers


def deep_autoencoder_phases(model, rng, *, pretraining_epochs=1, pretrain_lr=0.001, corruption_level=0.1,
                            pretrain_batch_size=100, epochs=1, optimizer="adam", learning_rate=0.001,
                            weight_decay=0.0, batch_size=100, finetune_corruption=0.0, augment=None, schedule=None):
    """Hinton & Salakhutdinov's three stages as phases, all drawing from ``rng``:

    1. ``pretrain{i}``: layer i, a tied denoising autoencoder (masking noise
       ``corruption_level``) on the codes of the layers below (computed once, clean), for
       ``pretraining_epochs`` (an int, or one per layer; 0 skips the layer);
    2. unrolling, when fine-tuning starts: the decoder set to the encoder's mirror;
    3. ``finetune``: the whole network end to end (``finetune_corruption`` > 0: denoising),
       on minibatches made a new variant by ``augment(batch, rng)``, its learning rate set by
       ``schedule(trainer)``.

    Every phase shuffles the examples afresh each epoch; ``optimizer`` names the ``dae.optim``
    rule of every phase (``weight_decay``: the fine-tuning's)."""
    phases = []
    for i, layer_epochs in enumerate(_per_layer(pretraining_epochs, model.n_layers)):
        if layer_epochs == 0:
            continue
        sizes = f"{model.layer_sizes[i]}-{model.layer_sizes[i + 1]}"
        below = None if i == 0 else (lambda x, i=i: backend.to_host(model._propagate(backend.asarray(x), i)))
        phases.append(Phase(f"pretrain{i}", deep_pretraining_layer(model, i), layer_epochs,
                            optim.make(optimizer, learning_rate=pretrain_lr), rng, pretrain_batch_size,
                            cost_kwargs={"corruption_level": corruption_level}, eval_kwargs={"corruption_level": 0.0},
                            inputs=below, shuffle="examples", unit_interval=True,
                            label=f"Pre-training layer {i} ({sizes}),"))
    finetuning = optim.make(optimizer, learning_rate=learning_rate, weight_decay=weight_decay)
    phases.append(Phase("finetune", model, epochs, finetuning, rng,
                        batch_size, cost_kwargs={"corruption_level": finetune_corruption},
                        eval_kwargs={"corruption_level": 0.0}, shuffle="examples", augment=augment, schedule=schedule,
                        before=lambda m: m.unroll(), unit_interval=model.loss == "cross_entropy", label="Fine-tuning"))
    return phases
