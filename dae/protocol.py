"""The protocol every model and every layer in dae follows, written down once.

**A model** (dA, cA, SdA, DeepAutoencoder, ConvAutoencoder, VAE, HiddenLayer, LogisticRegression,
or a learner's own) has

- ``params``: a list of backend arrays, updated *in place* (so two models can share one, as
  the SdA's dA layers share W and b with its hidden layers);
- ``param_names``: a name per parameter, in the same order (the keys of model files and
  checkpoints, and what :func:`dae.gradcheck` reports);
- ``cost_and_grads(x, [y,] *, rng, **levels) -> (cost, grads)``: the minibatch cost and its
  gradients, ``grads[i]`` shaped like ``params[i]``. ``x`` is a minibatch, never one 1-D
  example; ``y`` is there for supervised models. The noise levels (``corruption_level``,
  ``contraction_level``, ``dropout`` ...) are keywords *of the call*, not options hidden in the
  constructor. Every random draw comes from ``rng``, which the caller always passes: a
  ``RandomState`` or a :class:`dae.RandomStreams` (the tutorial's ``theano_rng`` is the dA's
  stream, passed in by the loop that trains it). A model keeps no generator of its own.

**A layer** has ``out, cache = layer.forward(x)`` and ``dx, grads = layer.backward(dout, cache)``
(CS231n's order): ``cache`` holds what the backward pass needs, ``grads`` is aligned with the
layer's ``params`` (empty for a layer without any). Models are stacks of layers: their
``cost_and_grads`` runs the forwards, the loss, then the backwards in reverse.

**The rest of dae builds on nothing else:** optimisers take ``(params, grads)`` and update in
place (:mod:`dae.optim`); the one training loop (:class:`dae.train.Trainer`) batches, calls
``cost_and_grads``, steps, evaluates, checkpoints and stops; model files store
``param_names -> params`` plus the model's configuration; :func:`dae.gradcheck` compares
``grads`` with central differences of ``cost``, which is how learners check their own models.
"""
import inspect


def param_names(model):
    """The model's ``param_names``, or param0, param1, ... for a model without (usable) ones."""
    names = list(getattr(model, "param_names", None) or [])
    if len(names) != len(model.params) or len(set(names)) != len(names):
        names = [f"param{i}" for i in range(len(model.params))]
    return names


def check_model(model, name="model"):
    """Raise TypeError unless ``model`` follows the protocol above (checked without running it)."""
    if not hasattr(model, "params") or not callable(getattr(model, "cost_and_grads", None)):
        raise TypeError(f"{name} must follow the gradient protocol: a params list and cost_and_grads(x, *, rng, ...), "
                        f"got {type(model).__name__}")
    if not isinstance(model.params, (list, tuple)) or not all(hasattr(p, "shape") for p in model.params):
        raise TypeError(f"{name}.params must be a list of arrays")
    try:
        signature = inspect.signature(model.cost_and_grads)
    except (TypeError, ValueError):
        return model
    accepts_rng = "rng" in signature.parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    if not accepts_rng:
        raise TypeError(f"{name}.cost_and_grads must take the keyword rng (every random draw comes from the caller's "
                        f"generator), got cost_and_grads{signature}")
    return model


def check_layer(layer, name="layer"):
    """Raise TypeError unless ``layer`` has ``forward(x)`` and ``backward(dout, cache)``."""
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"{name} must have forward(x) -> (out, cache) and backward(dout, cache) -> (dx, grads); "
                            f"{type(layer).__name__} has no {method}")
    return layer
