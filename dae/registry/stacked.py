"""The stacked kinds, trained in phases (layer-wise pretraining, then fine-tuning): SdA and deep.

Their training is :mod:`dae.recipes`' (the same the tutorials run), with the command line's
settings; the defaults of the options below are the command line's."""
import dataclasses

from .. import backend
from ..models.deep import LOSSES, DeepAutoencoder
from ..models.sda import SdA
from ..recipes import deep_autoencoder_phases, sda_phases
from .core import ModelKind, Option, float_list, int_list, named_params, register_model, run_rng, with_run_settings

LAYERWISE = {
    "pretraining_epochs": Option(int, 15, "pretraining epochs per layer (SdA: 15, the tutorial's; deep: 1)"),
    "pretrain_lr": Option(float, 0.001, "pretraining learning rate (SdA: 0.001, the tutorial's; deep: 0.01)"),
}


# ----- SdA -------------------------------------------------------------------------------------
def sda_levels(cfg):
    sizes = int_list(cfg["hidden_layers_sizes"])
    given = cfg.get("corruption_levels")
    if given is None:
        return [round(0.1 * (i + 1), 10) for i in range(len(sizes))]
    levels = float_list(given)
    if len(levels) != len(sizes):
        raise ValueError(f"--corruption-levels must give one level per hidden layer ({len(sizes)}, for "
                         f"--hidden-layers-sizes {','.join(map(str, sizes))}), got {len(levels)}: "
                         f"{','.join(f'{v:g}' for v in levels)}")
    return levels


def sda_model_config(cfg):
    return {"n_visible": int(cfg["n_visible"]), "hidden_layers_sizes": int_list(cfg["hidden_layers_sizes"]),
            "n_outs": int(cfg["n_outs"])}


def build_sda(cfg, rng):
    return SdA(rng, n_ins=cfg["n_visible"], hidden_layers_sizes=int_list(cfg["hidden_layers_sizes"]),
               n_outs=int(cfg["n_outs"]))


def config_of_sda(m):
    return {"n_visible": m.n_ins, "hidden_layers_sizes": list(m.hidden_layers_sizes), "n_outs": m.n_outs}


def arrays_of_sda(m):
    out = named_params(m)
    for i, layer in enumerate(m.dA_layers):
        out[f"layer{i}_b_prime"] = layer.b_prime
    return out


def phases_sda(m, cfg, data):
    validation = None if data.valid_x is None else (data.valid_x, data.valid_y)
    return with_run_settings(sda_phases(
        m, corruption_levels=sda_levels(cfg), pretraining_epochs=cfg["pretraining_epochs"],
        pretrain_lr=cfg["pretrain_lr"], epochs=cfg["epochs"], learning_rate=cfg["learning_rate"],
        batch_size=cfg["batch_size"], optimizer=cfg["optimizer"], dropout=cfg["dropout"], validation=validation,
        patience=cfg["patience"]), cfg)


def reconstruct_sda(m, x):
    h = x
    for layer in m.dA_layers:
        h = layer.get_hidden_values(h)
    for layer in reversed(m.dA_layers):
        h = layer.get_reconstructed_input(h)
    return h


SDA = register_model(ModelKind(
    name="SdA", model_class=SdA, needs_labels=True,
    description="stacked denoising autoencoder (the tutorial's SdA: layer-wise dA pretraining, then supervised "
                "fine-tuning with early stopping; needs labels)",
    build=build_sda, config_of=config_of_sda, make_config=sda_model_config, arrays=arrays_of_sda, phases=phases_sda,
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
    reconstruct=reconstruct_sda,
    filters=lambda m: backend.to_host(m.sigmoid_layers[0].W).T,
))


# ----- the deep autoencoder --------------------------------------------------------------------
def arrays_of_deep(m):
    out = named_params(m)
    out.update({f"visible_b{i}": b for i, b in enumerate(m.visible_b)})
    return out


def phases_deep(m, cfg, data):
    return with_run_settings(deep_autoencoder_phases(
        m, run_rng(cfg), pretraining_epochs=cfg["pretraining_epochs"], pretrain_lr=cfg["pretrain_lr"],
        corruption_level=cfg["pretrain_corruption_level"], pretrain_batch_size=cfg["batch_size"],
        epochs=cfg["epochs"], optimizer=cfg["optimizer"], learning_rate=cfg["learning_rate"],
        batch_size=cfg["batch_size"]), cfg)


DEEP = register_model(ModelKind(
    name="deep", model_class=DeepAutoencoder,
    train_defaults={"optimizer": "adam", "learning_rate": 0.001},
    description="deep autoencoder (Hinton & Salakhutdinov: sigmoid layers, linear code; layer-wise "
                "pretraining, then fine-tuning of the unrolled network)",
    build=lambda cfg, rng: DeepAutoencoder(rng, [int(cfg["n_visible"])] + int_list(cfg["layer_sizes"]),
                                           loss=cfg["loss"]),
    config_of=lambda m: {"n_visible": m.layer_sizes[0], "layer_sizes": list(m.layer_sizes[1:]), "loss": m.loss},
    make_config=lambda cfg: {"n_visible": int(cfg["n_visible"]), "layer_sizes": int_list(cfg["layer_sizes"]),
                             "loss": cfg["loss"]},
    arrays=arrays_of_deep, phases=phases_deep,
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
    filters=lambda m: backend.to_host(m.encoder_W[0]).T,
    unit_interval=lambda cfg: True,   # the pretraining's cross-entropy
))
