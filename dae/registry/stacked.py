"""The stacked kinds, trained in phases (layer-wise pretraining, then fine-tuning): SdA and deep."""
import dataclasses

from .core import MODELS, ModelKind, Option, Phase, _host, _named_params, float_list, int_list, register_model


# ----- SdA -------------------------------------------------------------------------------------
LAYERWISE = {
    "pretraining_epochs": Option(int, 15, "pretraining epochs per layer (SdA: 15, the tutorial's; deep: 1)"),
    "pretrain_lr": Option(float, 0.001, "pretraining learning rate (SdA: 0.001, the tutorial's; deep: 0.01)"),
}


def _dA_phase(name, layer, epochs, lr, corruption, transform, rng):
    from ..models.autoencoder import Autoencoder
    from ..models.da import dA

    if isinstance(layer, (dA, Autoencoder)):
        kind, config = "dA", MODELS["dA"].config_of(layer)
    else:
        kind, config = None, None
    return Phase(name, layer, epochs, lr, cost_kwargs={"corruption_level": corruption},
                 eval_kwargs={"corruption_level": 0.0}, transform=transform, rng=rng, kind=kind, config=config,
                 unit_interval=True, label=f"Pre-training layer {name[len('pretrain'):]},")


def register_SdA():
    from ..models.sda import SdA

    def levels(cfg):
        sizes = int_list(cfg["hidden_layers_sizes"])
        given = cfg.get("corruption_levels")
        return float_list(given) if given is not None else [round(0.1 * (i + 1), 10) for i in range(len(sizes))]

    def model_config(cfg):
        return {"n_visible": int(cfg["n_visible"]), "hidden_layers_sizes": int_list(cfg["hidden_layers_sizes"]),
                "n_outs": int(cfg["n_outs"])}

    def build(cfg, rng):
        return SdA(rng, n_ins=cfg["n_visible"], hidden_layers_sizes=int_list(cfg["hidden_layers_sizes"]),
                   n_outs=int(cfg["n_outs"]))

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
                         levels(cfg)[i], codes_below(m, i), m.theano_rng)
               for i, layer in enumerate(m.dA_layers)]

        def valid_error(trainer=None):
            return float(m.errors(data.valid_x, data.valid_y))  # the tutorial's zero-one validation error

        out.append(Phase("finetune", m, cfg["epochs"], cfg["learning_rate"], cost_kwargs={"dropout": cfg["dropout"]},
                         eval_kwargs={}, supervised=True, rng=m.theano_rng, kind="SdA", config=config_of(m),
                         label="Fine-tuning",
                         early_stopping=(lambda data: _early_stopping(valid_error, cfg)) if
                         data.valid_x is not None else None))
        return out

    def config_of(m):
        return {"n_visible": m.n_ins, "hidden_layers_sizes": list(m.hidden_layers_sizes), "n_outs": m.n_outs}

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
    from ..train import EarlyStopping

    # the tutorial's rule; the model kept is the best validation epoch's
    return EarlyStopping(lambda trainer: score(), patience=cfg["patience"], patience_increase=2.0,
                         improvement_threshold=0.995, restore_best=True)


# ----- the deep autoencoder --------------------------------------------------------------------
def register_deep():
    from ..models.deep import LOSSES, DeepAutoencoder

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
        train_defaults={"optimizer": "adam", "learning_rate": 0.001},
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


register_SdA()
register_deep()
