"""The one-layer autoencoders' kinds: the autoencoder family (the tutorial's dA by default) and cA."""
from .. import backend
from ..corruption import NOISES
from ..layers.activations import ACTIVATIONS
from ..models.autoencoder import DECODERS, LOSSES, SPARSITIES, Autoencoder
from ..models.ca import cA
from ..models.da import dA
from .core import ModelKind, Option, one_phase, register_model

# ----- dA --------------------------------------------------------------------------------------
DA_FAMILY = ("tied_weights", "loss", "activation", "decoder", "noise", "sparsity", "sparsity_weight",
             "sparsity_target")
DA_OPTIONS = {
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
}


def build_dA(cfg, rng):
    # the tutorial's order: theano_rng's seed is drawn from rng, then W
    family = {key: cfg[key] for key in DA_FAMILY if key in cfg}
    return Autoencoder(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"], **family)


def config_of_dA(m):
    # the tutorial's dA (an SdA's layer, say) is the family model with its defaults
    out = {"n_visible": m.n_visible, "n_hidden": m.n_hidden}
    out.update({key: getattr(m, key, DA_OPTIONS[key].default) for key in DA_FAMILY})
    return out


def cross_entropy_dA(cfg):
    return cfg.get("loss", "cross_entropy") == "cross_entropy"


def phases_dA(model, cfg, data):
    # the validation cost is the test-time model's: no corruption, no dropout
    return one_phase(model, cfg, cost_kwargs={"corruption_level": cfg["corruption_level"], "dropout": cfg["dropout"]},
                     eval_kwargs={"corruption_level": 0.0}, rng=model.theano_rng, unit_interval=cross_entropy_dA(cfg))


DA = register_model(ModelKind(
    name="dA", model_class=Autoencoder, also_saves=(dA,),
    description="denoising autoencoder (the tutorial's dA: tied weights, sigmoid, cross-entropy, masking "
                "noise) and its family",
    build=build_dA, config_of=config_of_dA, phases=phases_dA,
    options=DA_OPTIONS,
    train_options={
        "corruption_level": Option(
            float, 0.3, "masking / salt_and_pepper: fraction of each input's values corrupted, in [0, 1); "
                        "gaussian: the noise's standard deviation (dA: 0.3; conv: 0)"),
        "dropout": Option(float, 0.0, "probability of dropping each hidden unit in training, in [0, 1) (0)"),
    },
    encode=lambda model, x: model.get_hidden_values(x),
    reconstruct=lambda model, x: model.reconstruct(x),
    decode=lambda model, codes: model.get_reconstructed_input(codes),
    filters=lambda model: backend.to_host(model.W).T,
    unit_interval=cross_entropy_dA,
    unit_interval_hint="--loss squared_error --decoder linear",
))


# ----- cA --------------------------------------------------------------------------------------
CA = register_model(ModelKind(
    name="cA", model_class=cA,
    description="contractive autoencoder (the tutorial's cA: tied weights, sigmoid, cross-entropy plus the "
                "encoder Jacobian's squared norm)",
    build=lambda cfg, rng: cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"]),
    config_of=lambda m: {"n_visible": m.n_visible, "n_hidden": m.n_hidden},
    phases=lambda model, cfg, data: one_phase(
        model, cfg, cost_kwargs={"contraction_level": cfg["contraction_level"]}, unit_interval=True),
    options={"n_hidden": Option(int, 500, "hidden units (500)")},
    train_options={"contraction_level": Option(
        float, 0.1, "weight of the Jacobian penalty mean ||dh/dx||^2, >= 0 (0.1)")},
    encode=lambda model, x: model.get_hidden_values(x),
    reconstruct=lambda model, x: model.reconstruct(x),
    decode=lambda model, codes: model.get_reconstructed_input(codes),
    filters=lambda model: backend.to_host(model.W).T,
))
