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
(CS231n's order): ``cache`` holds what the backward pass needs (an array or a small named
tuple), ``grads`` is aligned with the layer's ``params`` (empty for a layer without any). Options
(``inplace``, ``need_dx`` ...) belong to the constructor, never to the calls. A second input
(a loss's target, an unpooling's switches) is a keyword of ``forward`` named for what it is
(``loss.forward(a, target=y)``, ``unpool.forward(y, switches=s)``), and ``backward`` finds it in
the cache. Models are stacks of layers (:class:`dae.layers.Sequential`): their
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


def _signature(method):
    try:
        return inspect.signature(method)
    except (TypeError, ValueError):
        return None


def _positional(signature):
    """(required positional parameters, all positional parameters) of a bound method."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p for p in signature.parameters.values() if p.kind in kinds]
    return [p for p in positional if p.default is inspect.Parameter.empty], positional


def check_model(model, name="model"):
    """Raise TypeError unless ``model`` follows the protocol above (checked without running it):
    a params list of arrays, and ``cost_and_grads(x, [y,] *, rng, **levels)``: one or two
    required positional inputs, the keyword ``rng``, every other parameter with a default."""
    if not hasattr(model, "params") or not callable(getattr(model, "cost_and_grads", None)):
        raise TypeError(f"{name} must follow the gradient protocol: a params list and cost_and_grads(x, *, rng, ...), "
                        f"got {type(model).__name__}")
    if not isinstance(model.params, (list, tuple)) or not all(hasattr(p, "shape") for p in model.params):
        raise TypeError(f"{name}.params must be a list of arrays")
    signature = _signature(model.cost_and_grads)
    if signature is None:
        return model
    parameters = signature.parameters.values()
    accepts_rng = "rng" in signature.parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    if not accepts_rng:
        raise TypeError(f"{name}.cost_and_grads must take the keyword rng (every random draw comes from the caller's "
                        f"generator), got cost_and_grads{signature}")
    required, _ = _positional(signature)
    forwards = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)   # a wrapper's (*args, **kw)
    if not (1 <= len(required) <= 2 or (forwards and len(required) <= 2)):
        raise TypeError(f"{name}.cost_and_grads must take the minibatch x (and the labels y of a supervised model) "
                        f"as its only required positional inputs, got cost_and_grads{signature}")
    for p in parameters:
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty and p.name != "rng":
            raise TypeError(f"{name}.cost_and_grads: the keyword {p.name} needs a default (noise levels are keywords "
                            f"with defaults), got cost_and_grads{signature}")
    return model


def takes_labels(model):
    """Whether ``model.cost_and_grads`` needs labels (x, y), learns without (x), or either (None:
    ``y`` optional, or a wrapper's ``*args`` that does not say)."""
    signature = _signature(model.cost_and_grads)
    if signature is None or any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values()):
        return None
    required, positional = _positional(signature)
    if len(required) >= 2:
        return True
    return False if len(positional) == 1 else None


def check_layer(layer, name="layer"):
    """Raise TypeError unless ``layer`` has ``forward(x, *, keywords with meaning)`` and
    ``backward(dout, cache)``, the signatures of the layer protocol above."""
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"{name} must have forward(x) -> (out, cache) and backward(dout, cache) -> (dx, grads); "
                            f"{type(layer).__name__} has no {method}")
    forward, backward = _signature(layer.forward), _signature(layer.backward)
    if forward is not None:
        required, positional = _positional(forward)
        if len(required) != 1 or len(positional) != 1:
            raise TypeError(f"{name}.forward must take one positional input x (options belong to the constructor, "
                            f"a second input is a keyword), got forward{forward}")
    if backward is not None:
        required, positional = _positional(backward)
        others = [p for p in backward.parameters.values() if p not in positional]
        if len(required) != 2 or len(positional) != 2 or others:
            raise TypeError(f"{name}.backward must be backward(dout, cache) (options belong to the constructor), "
                            f"got backward{backward}")
    return layer
