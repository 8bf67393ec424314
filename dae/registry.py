"""The model registry: per model kind, how to build, save, train, encode and draw it.

``MODELS`` maps a name (``dA``, ``cA``, ``SdA``, ``deep``, ``conv``, ``vae``) to a
:class:`ModelKind`. The model files (:mod:`dae.model_files`), the command line (``dae train
--model NAME``, ``encode``, ``reconstruct``, ``plot``, ``info``, ``sample``) and the training
runs (:mod:`dae.phases`) read everything they need about a model from here, so a new model is
one ``register_model(ModelKind(...))`` call::

    register_model(ModelKind(
        name="cA", cls="cA", description="contractive autoencoder",
        build=lambda cfg, rng: cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"]),
        config_of=lambda m: {"n_visible": m.n_visible, "n_hidden": m.n_hidden},
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(float, 0.1, "Jacobian penalty weight (0.1)")},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x)))

Training is a list of :class:`Phase` (``kind.phases(model, cfg, data)``): one phase for dA,
cA, conv and vae; greedy layer-wise pretraining (one phase per layer, each through the
Trainer with ``transform=`` the lower layers' codes) then fine-tuning for SdA (supervised,
the tutorial's early stopping) and deep. Every phase runs through ``dae.train.Trainer``.
"""
import copy
import dataclasses
from typing import Any, Callable, Dict, Optional


from . import backend


# ----- options -------------------------------------------------------------------------------
def int_list(text):
    """``"1000,500,30"`` (or a list) -> [1000, 500, 30]."""
    if isinstance(text, str):
        parts = [p for p in text.replace(" ", "").split(",") if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated integers such as 1000,500,30, got {text!r}") from None
    return [int(v) for v in text]


def float_list(text):
    """``"0.1,0.2"`` (or a list) -> [0.1, 0.2]."""
    if isinstance(text, str):
        parts = [p for p in text.replace(" ", "").split(",") if p]
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"expected comma-separated numbers such as 0.1,0.2,0.3, got {text!r}") from None
    return [float(v) for v in text]


int_list.__name__ = "int_list"
float_list.__name__ = "float_list"


@dataclasses.dataclass
class Option:
    """One hyper-parameter of a model kind: its type, default and a line of help.

    ``choices`` may hold None (written "none" on the command line, null in config.json).
    ``only_with={"sparsity": ("kl",)}``: the option matters only when those other options have
    those values; the command line refuses it otherwise instead of ignoring it."""

    type: Callable
    default: Any
    help: str
    choices: Optional[tuple] = None
    only_with: Optional[Dict[str, tuple]] = None


# ----- phases --------------------------------------------------------------------------------
@dataclasses.dataclass
class Phase:
    """One run of the training loop: ``model`` (sharing arrays with the whole model) trained
    for ``epochs`` with ``learning_rate``.

    - ``cost_kwargs`` / ``eval_kwargs``: the ``cost_and_grads`` keywords (training, validation).
    - ``transform(batch)``: the phase model's input from a minibatch of data (the lower layers).
    - ``supervised``: pass the labels (``train_y``/``valid_y``).
    - ``rng``: the trainer's random stream (the model's own ``theano_rng`` where the tutorial
      drew from it); None: ``RandomState(seed + index)``.
    - ``before(model)``: run before the phase's trainer starts (e.g. unroll the deep encoder);
      resuming runs it too, then restores the checkpoint over it.
    - ``kind``/``config``: the registry name and configuration of ``model`` for its checkpoints
      (so ``dae info`` and ``dae.load_model`` read them); None when it is no registered kind.
    - ``early_stopping(data) -> dae.train.EarlyStopping`` and ``evaluate(data) -> fn(trainer)``.
    """

    name: str
    model: Any
    epochs: int
    learning_rate: float
    cost_kwargs: dict = dataclasses.field(default_factory=dict)
    eval_kwargs: Optional[dict] = None
    eval_model: Any = None
    transform: Optional[Callable] = None
    supervised: bool = False
    rng: Any = None
    before: Optional[Callable] = None
    kind: Optional[str] = None
    config: Optional[dict] = None
    early_stopping: Optional[Callable] = None
    evaluate: Optional[Callable] = None
    unit_interval: bool = False
    label: str = "Training"       # the progress lines' first words: "Training epoch 0, cost ..."


# ----- model kinds ---------------------------------------------------------------------------
def _named_params(model):
    return dict(zip(model.param_names, model.params))


@dataclasses.dataclass
class ModelKind:
    """How the files, the training runs and the command line handle one model class.

    - ``cls``: the class name (``kind_of(model)`` finds the kind of a model by it).
    - ``build(cfg, rng)``: the model from ``cfg`` (``n_visible`` plus ``options``) and a
      RandomState for the initial weights (the tutorial's ``numpy_rng``).
    - ``config_of(model)``: the constructor configuration of a built model (what a file stores).
    - ``options``: constructor hyper-parameters; ``train_options``: those of the training.
    - ``arrays(model)``: {name: array} of everything a model file holds (params and any
      pretraining-only arrays, e.g. the SdA's dA visible biases). Default: the named params.
    - ``encode`` / ``reconstruct`` / ``decode`` / ``sample(model, n, rng)``: for users;
      ``filters(model)``: a host array (n_filters, n_visible) to draw, or None.
    - ``phases(model, cfg, data)``: the training, a list of :class:`Phase`.
    - ``unit_interval(cfg)``: whether the data must lie in [0, 1].
    - ``supervised``: training needs labels (``--labels``).
    - ``make_config(cfg)``: the constructor configuration from a run's configuration (default:
      ``n_visible`` and ``options``); :meth:`model_config` applies it.
    - ``to_model(x, model)``: the data rows as the model reads them (conv: HWC -> CHW).
    """

    name: str
    cls: str
    build: Callable
    config_of: Callable
    options: Dict[str, Option]
    train_options: Dict[str, Option]
    encode: Callable
    reconstruct: Callable
    phases: Callable = None
    arrays: Callable = _named_params
    decode: Optional[Callable] = None
    sample: Optional[Callable] = None
    filters: Optional[Callable] = None
    unit_interval: Callable = lambda cfg: True
    supervised: bool = False
    description: str = ""
    make_config: Optional[Callable] = None
    to_model: Optional[Callable] = None

    def defaults(self):
        out = {k: o.default for k, o in self.options.items()}
        out.update({k: o.default for k, o in self.train_options.items()})
        return out

    def model_config(self, cfg):
        """The part of ``cfg`` the constructor needs (what a model file stores)."""
        if self.make_config is not None:
            return self.make_config(cfg)
        out = {"n_visible": int(cfg["n_visible"])}
        for key in self.options:
            out[key] = cfg[key]
        return out

    def needs_unit_interval(self, cfg):
        return bool(self.unit_interval(cfg))


MODELS = {}


def register_model(kind):
    """Add a :class:`ModelKind` to ``MODELS`` (the command line picks it up by name)."""
    if not isinstance(kind, ModelKind):
        raise TypeError(f"kind must be a dae.registry.ModelKind, got {type(kind).__name__}")
    MODELS[kind.name] = kind
    return kind


def get_model_kind(name):
    if name not in MODELS:
        raise ValueError(f"model must be one of {tuple(MODELS)}, got {name!r}")
    return MODELS[name]


def kind_of(model):
    """The registered kind of ``model`` (by its class), or a TypeError."""
    for klass in type(model).__mro__:
        for kind in MODELS.values():
            if kind.cls == klass.__name__:
                return kind
    raise TypeError(f"{type(model).__name__} is not a model kind dae can save "
                    f"(known: {', '.join(k.cls for k in MODELS.values())})")


def _host(a):
    return backend.to_host(a)


# ----- dA and cA -------------------------------------------------------------------------------
DA_FAMILY = ("tied_weights", "loss", "activation", "decoder", "noise", "sparsity", "sparsity_weight",
             "sparsity_target", "dropout")


def _one_phase(model, cfg, *, cost_kwargs, eval_kwargs=None, eval_model=None, rng=None, kind=None,
               unit_interval=False):
    return [Phase("train", model, cfg["epochs"], cfg["learning_rate"], cost_kwargs=cost_kwargs,
                  eval_kwargs=eval_kwargs, eval_model=eval_model, rng=rng, kind=kind,
                  config=None if kind is None else MODELS[kind].config_of(model), unit_interval=unit_interval)]


def _register_dA_cA():
    from .corruption import NOISES
    from .functions import ACTIVATIONS
    from .models.ca import cA
    from .models.da import DECODERS, LOSSES, SPARSITIES, dA

    def build_dA(cfg, rng):
        # the tutorial's order: dA draws theano_rng's seed from rng, then W
        family = {key: cfg[key] for key in DA_FAMILY if key in cfg}
        return dA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"], **family)

    def config_of_dA(m):
        out = {"n_visible": m.n_visible, "n_hidden": m.n_hidden}
        out.update({key: getattr(m, key) for key in DA_FAMILY})
        return out

    def without_dropout(model):
        # the validation cost is the test-time model's: no dropout. A shallow copy shares the
        # parameter arrays, which training updates in place.
        if not model.dropout:
            return None
        twin = copy.copy(model)
        twin.dropout = 0.0
        return twin

    def phases_dA(model, cfg, data):
        unit = cfg.get("loss", "cross_entropy") == "cross_entropy"
        return _one_phase(model, cfg, cost_kwargs={"corruption_level": cfg["corruption_level"]},
                          eval_kwargs={"corruption_level": 0.0}, eval_model=without_dropout(model),
                          rng=model.theano_rng, kind="dA", unit_interval=unit)

    register_model(ModelKind(
        name="dA", cls="dA",
        description="denoising autoencoder (the tutorial's dA: tied weights, sigmoid, cross-entropy, masking "
                    "noise) and its family",
        build=build_dA, config_of=config_of_dA, phases=phases_dA,
        options={
            "n_hidden": Option(int, 500, "hidden units (500)"),
            "tied_weights": Option(bool, True, "decoder weights W' = W^T (the tutorial's), or a matrix of "
                                               "their own with --no-tied-weights (tied)"),
            "loss": Option(str, "cross_entropy", "reconstruction loss: cross_entropy needs data in [0, 1] and the "
                                                 "sigmoid decoder (cross_entropy)", choices=LOSSES),
            "activation": Option(str, "sigmoid", "hidden nonlinearity (dA: sigmoid; vae: tanh)",
                                 choices=tuple(ACTIVATIONS)),
            "decoder": Option(str, "sigmoid", "decoder output: linear needs --loss squared_error (sigmoid)",
                              choices=DECODERS),
            "noise": Option(str, "masking", "corruption: masking (zeros), gaussian (adds level * N(0, 1)) or "
                                            "salt_and_pepper (dA: masking; conv: none)", choices=NOISES),
            "sparsity": Option(str, None, "sparsity penalty on the code: l1, or kl (sigmoid encoder only) "
                                          "(none)", choices=SPARSITIES),
            "sparsity_weight": Option(float, 0.1, "weight of the sparsity penalty (0.1)",
                                      only_with={"sparsity": ("l1", "kl")}),
            "sparsity_target": Option(float, 0.05, "target mean activation of each hidden unit, in (0, 1) (0.05)",
                                      only_with={"sparsity": ("kl",)}),
            "dropout": Option(float, 0.0, "probability of dropping each hidden unit in training, in [0, 1) (0)"),
        },
        train_options={"corruption_level": Option(
            float, 0.3, "masking / salt_and_pepper: fraction of each input's values corrupted, in [0, 1); "
                        "gaussian: the noise's standard deviation (dA: 0.3; conv: 0)")},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        decode=lambda model, codes: model.get_reconstructed_input(codes),
        filters=lambda model: _host(model.W).T,
        unit_interval=lambda cfg: cfg.get("loss", "cross_entropy") == "cross_entropy",
    ))

    def build_cA(cfg, rng):
        # n_batchsize is only recorded by cA (it takes N from each minibatch): the run's batch size
        return cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"],
                  n_batchsize=int(cfg.get("batch_size") or 1))

    register_model(ModelKind(
        name="cA", cls="cA",
        description="contractive autoencoder (the tutorial's cA: tied weights, sigmoid, cross-entropy plus the "
                    "encoder Jacobian's squared norm)",
        build=build_cA, config_of=lambda m: {"n_visible": m.n_visible, "n_hidden": m.n_hidden},
        phases=lambda model, cfg, data: _one_phase(
            model, cfg, cost_kwargs={"contraction_level": cfg["contraction_level"]}, kind="cA", unit_interval=True),
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(
            float, 0.1, "weight of the Jacobian penalty mean ||dh/dx||^2, >= 0 (0.1)")},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x),
        decode=lambda model, codes: model.get_reconstructed_input(codes),
        filters=lambda model: _host(model.W).T,
    ))


# ----- SdA -------------------------------------------------------------------------------------
LAYERWISE = {
    "pretraining_epochs": Option(int, 15, "pretraining epochs per layer (SdA: 15, the tutorial's; deep: 1)"),
    "pretrain_lr": Option(float, 0.001, "pretraining learning rate (SdA: 0.001, the tutorial's; deep: 0.01)"),
}


def _dA_phase(name, layer, epochs, lr, corruption, transform, rng):
    from .models.da import dA

    if isinstance(layer, dA):
        kind, config = "dA", MODELS["dA"].config_of(layer)
    else:
        kind, config = None, None
    return Phase(name, layer, epochs, lr, cost_kwargs={"corruption_level": corruption},
                 eval_kwargs={"corruption_level": 0.0}, transform=transform, rng=rng, kind=kind, config=config,
                 unit_interval=True, label=f"Pre-training layer {name[len('pretrain'):]},")


def _register_SdA():
    from .models.sda import SdA

    def levels(cfg):
        sizes = int_list(cfg["hidden_layers_sizes"])
        given = cfg.get("corruption_levels")
        return float_list(given) if given is not None else [round(0.1 * (i + 1), 10) for i in range(len(sizes))]

    def model_config(cfg):
        return {"n_visible": int(cfg["n_visible"]), "hidden_layers_sizes": int_list(cfg["hidden_layers_sizes"]),
                "n_outs": int(cfg["n_outs"]), "corruption_levels": levels(cfg)}

    def build(cfg, rng):
        return SdA(rng, n_ins=cfg["n_visible"], hidden_layers_sizes=int_list(cfg["hidden_layers_sizes"]),
                   n_outs=int(cfg["n_outs"]), corruption_levels=levels(cfg))

    def arrays(m):
        out = _named_params(m)
        for i, layer in enumerate(m.dA_layers):
            out[f"layer{i}_b_prime"] = layer.b_prime
        return out

    def codes_below(m, i):
        if i == 0:
            return None
        return lambda batch: m.get_codes(batch, layer=i - 1)

    def phases(m, cfg, data):
        out = [_dA_phase(f"pretrain{i}", layer, cfg["pretraining_epochs"], cfg["pretrain_lr"],
                         m.corruption_levels[i], codes_below(m, i), m.theano_rng)
               for i, layer in enumerate(m.dA_layers)]

        def valid_error(trainer=None):
            return float(m.errors(data.valid_x, data.valid_y))

        out.append(Phase("finetune", m, cfg["epochs"], cfg["learning_rate"], cost_kwargs={"dropout": cfg["dropout"]},
                         eval_kwargs={}, supervised=True, rng=m.theano_rng, kind="SdA", config=config_of(m),
                         label="Fine-tuning",
                         early_stopping=(lambda data: _early_stopping(valid_error, cfg)) if
                         data.valid_x is not None else None,
                         evaluate=(lambda data: lambda trainer: {"valid_error": valid_error()})
                         if data.valid_x is not None else None))
        return out

    def config_of(m):
        return {"n_visible": m.n_ins, "hidden_layers_sizes": list(m.hidden_layers_sizes), "n_outs": m.n_outs,
                "corruption_levels": list(m.corruption_levels)}

    def reconstruct(m, x):
        h = x
        for layer in m.dA_layers:
            h = layer.get_hidden_values(h)
        for layer in reversed(m.dA_layers):
            h = layer.get_reconstructed_input(h)
        return h

    register_model(ModelKind(
        name="SdA", cls="SdA", supervised=True,
        description="stacked denoising autoencoder (the tutorial's SdA: layer-wise dA pretraining, then supervised "
                    "fine-tuning with early stopping; needs labels)",
        build=build, config_of=config_of, make_config=model_config, arrays=arrays, phases=phases,
        options={
            "hidden_layers_sizes": Option(int_list, [1000, 1000, 1000], "SdA: hidden layer sizes, bottom first "
                                          "(1000,1000,1000); vae: the encoder's (500)"),
            "n_outs": Option(int, None, "classes (default: the largest label + 1)"),
            "corruption_levels": Option(float_list, None, "masking level of each layer's pretraining "
                                        "(0.1,0.2,0.3,...: one per layer)"),
        },
        train_options=dict(LAYERWISE, **{
            "dropout": Option(float, 0.0, "dA: probability of dropping each hidden unit in training; SdA: the same "
                                          "in fine-tuning, in [0, 1) (0)"),
            "patience": Option(int, None, "SdA early stopping: look at least this many minibatches, doubled at "
                                          "each significant improvement (10 epochs' worth, the tutorial's)"),
        }),
        encode=lambda m, x: m.get_codes(x),
        reconstruct=reconstruct,
        filters=lambda m: _host(m.sigmoid_layers[0].W).T,
    ))


def _early_stopping(score, cfg):
    from .train import EarlyStopping

    return EarlyStopping(lambda trainer: score(), patience=cfg["patience"], patience_increase=2.0,
                         improvement_threshold=0.995)


# ----- the deep autoencoder --------------------------------------------------------------------
def _register_deep():
    from .models.deep import LOSSES, DeepAutoencoder

    def model_config(cfg):
        return {"n_visible": int(cfg["n_visible"]), "layer_sizes": int_list(cfg["layer_sizes"]), "loss": cfg["loss"]}

    def build(cfg, rng):
        return DeepAutoencoder(rng, [int(cfg["n_visible"])] + int_list(cfg["layer_sizes"]), loss=cfg["loss"])

    def arrays(m):
        out = _named_params(m)
        out.update({f"visible_b{i}": b for i, b in enumerate(m.visible_b)})
        return out

    def phases(m, cfg, data):
        out = []
        for i in range(m.n_layers):
            transform = None if i == 0 else (lambda i: lambda batch: m._propagate(batch, i))(i)
            out.append(_dA_phase(f"pretrain{i}", m.pretraining_layer(i), cfg["pretraining_epochs"], cfg["pretrain_lr"],
                                 cfg["pretrain_corruption_level"], transform, None))
        out.append(Phase("finetune", m, cfg["epochs"], cfg["learning_rate"],
                         cost_kwargs={"corruption_level": 0.0}, before=lambda model: model.unroll(),
                         kind="deep", config=config_of(m), unit_interval=cfg["loss"] == "cross_entropy",
                         label="Fine-tuning"))
        return out

    def config_of(m):
        return {"n_visible": m.layer_sizes[0], "layer_sizes": list(m.layer_sizes[1:]), "loss": m.loss}

    register_model(ModelKind(
        name="deep", cls="DeepAutoencoder",
        description="deep autoencoder (Hinton & Salakhutdinov: sigmoid layers, linear code; layer-wise "
                    "pretraining, then fine-tuning of the unrolled network)",
        build=build, config_of=config_of, make_config=model_config, arrays=arrays, phases=phases,
        options={
            "layer_sizes": Option(int_list, [1000, 500, 250, 30], "encoder layer sizes after the input, the code "
                                  "last (1000,500,250,30)"),
            "loss": Option(str, "cross_entropy", "reconstruction loss (cross_entropy)", choices=LOSSES),
        },
        train_options={
            "pretraining_epochs": dataclasses.replace(LAYERWISE["pretraining_epochs"], default=1),
            "pretrain_lr": dataclasses.replace(LAYERWISE["pretrain_lr"], default=0.01),
            "pretrain_corruption_level": Option(float, 0.1, "masking level of the layer-wise pretraining (0.1)")},
        encode=lambda m, x: m.encode(x),
        reconstruct=lambda m, x: m.reconstruct(x),
        decode=lambda m, codes: m.decode(codes),
        filters=lambda m: _host(m.encoder_W[0]).T,
        unit_interval=lambda cfg: True,   # the pretraining's cross-entropy
    ))


# ----- the convolutional autoencoder -----------------------------------------------------------
def _register_conv():
    from .models.conv_ae import NOISES, OUTPUTS, UNPOOLINGS, ConvAutoencoder

    def input_shape(cfg):
        shape = cfg.get("image_shape")
        if not shape:
            raise ValueError("--model conv needs images: a folder of images, an array (n, h, w) or (n, h, w, 3), "
                             "or rows of a square number of values")
        shape = [int(v) for v in shape]
        return [1] + shape if len(shape) == 2 else [shape[2], shape[0], shape[1]]

    def model_config(cfg):
        out = {"n_visible": int(cfg["n_visible"]), "input_shape": input_shape(cfg)}
        for key in ("channels", "code_size", "kernel_sizes", "noise", "corruption_level", "output", "unpooling"):
            out[key] = cfg[key]
        return out

    def build(cfg, rng):
        kw = {key: cfg[key] for key in ("code_size", "noise", "corruption_level", "output", "unpooling")}
        return ConvAutoencoder(rng, input_shape=tuple(cfg["input_shape"]), channels=tuple(int_list(cfg["channels"])),
                               kernel_sizes=tuple(int_list(cfg["kernel_sizes"])), **kw)

    def config_of(m):
        c, h, w = m.input_shape
        out = {"n_visible": c * h * w}
        out.update(m.config())
        return out

    def to_model(x, m):
        """Rows in the command line's image order (h, w, c interleaved) -> the model's (c, h, w)."""
        c, h, w = m.input_shape
        if c == 1:
            return x
        return x.reshape(x.shape[0], h, w, c).transpose(0, 3, 1, 2).reshape(x.shape[0], -1)

    def from_model(z, m):
        n = z.shape[0]
        c, h, w = m.input_shape
        return z.reshape(n, c, h, w).transpose(0, 2, 3, 1).reshape(n, -1)

    def phases(m, cfg, data):
        return _one_phase(m, cfg, cost_kwargs={}, rng=m.theano_rng, kind="conv",
                          unit_interval=cfg["output"] == "sigmoid")

    register_model(ModelKind(
        name="conv", cls="ConvAutoencoder",
        description="convolutional autoencoder (three convolutions, max-pooling, a linear code, a mirrored decoder; "
                    "images with sides divisible by 4)",
        build=build, config_of=config_of, make_config=model_config, phases=phases, to_model=to_model,
        options={
            "channels": Option(int_list, [8, 16, 16], "channels of the three convolutions (8,16,16)"),
            "code_size": Option(int, 32, "code units (32)"),
            "kernel_sizes": Option(int_list, [5, 3, 3], "odd kernel sizes of the three convolutions (5,3,3)"),
            "noise": Option(str, None, "", choices=NOISES),
            "corruption_level": Option(float, 0.0, ""),
            "output": Option(str, "linear", "decoder output: linear (squared error) or sigmoid (cross-entropy, data "
                                            "in [0, 1]) (linear)", choices=OUTPUTS),
            "unpooling": Option(str, "switches", "switches (the encoder's argmax) or nearest (switches)",
                                choices=UNPOOLINGS),
        },
        train_options={},
        encode=lambda m, x: m.encode(to_model(x, m)),
        reconstruct=lambda m, x: from_model(m.reconstruct(to_model(x, m)), m),
        unit_interval=lambda cfg: cfg.get("output") == "sigmoid",
    ))


# ----- the VAE ---------------------------------------------------------------------------------
def _register_vae():
    from .functions import ACTIVATIONS
    from .models.vae import VAE

    def build(cfg, rng):
        return VAE(rng, n_visible=cfg["n_visible"], n_hidden=int_list(cfg["hidden_layers_sizes"]),
                   n_latent=cfg["n_latent"], activation=cfg["activation"])

    def config_of(m):
        return {"n_visible": m.n_visible, "hidden_layers_sizes": list(m.n_hidden), "n_latent": m.n_latent,
                "activation": m.activation}

    register_model(ModelKind(
        name="vae", cls="VAE",
        description="variational autoencoder (Kingma & Welling: Gaussian code, Bernoulli pixels, the negative ELBO; "
                    "dae sample draws from it)",
        build=build, config_of=config_of,
        phases=lambda m, cfg, data: _one_phase(m, cfg, cost_kwargs={}, rng=m.rng, kind="vae", unit_interval=True),
        options={
            "hidden_layers_sizes": Option(int_list, [500], ""),
            "n_latent": Option(int, 20, "code dimensions (20)"),
            "activation": Option(str, "tanh", "", choices=tuple(ACTIVATIONS)),
        },
        train_options={},
        encode=lambda m, x: m.encode(x)[0],
        reconstruct=lambda m, x: m.reconstruct(x),
        decode=lambda m, codes: m.decode(codes),
        sample=lambda m, n, rng: m.sample(n, rng=rng),
        filters=lambda m: _host(m.enc[0][0]).T,
    ))


_register_dA_cA()
_register_SdA()
_register_deep()
_register_conv()
_register_vae()
