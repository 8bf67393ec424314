"""The kinds of the later chapters' single-phase models: the convolutional autoencoder and the VAE."""
from .autoencoders import one_phase
from .core import ModelKind, Option, _host, int_list, register_model


# ----- the convolutional autoencoder -----------------------------------------------------------
def register_conv():
    from ..models.conv_ae import NOISES, OUTPUTS, UNPOOLINGS, ConvAutoencoder

    def input_shape(cfg):
        shape = cfg.get("image_shape")
        if not shape:
            raise ValueError("--model conv needs images: a folder of images, an array (n, h, w) or (n, h, w, 3), "
                             "or rows of a square number of values")
        shape = [int(v) for v in shape]
        return [1] + shape if len(shape) == 2 else [shape[2], shape[0], shape[1]]

    def model_config(cfg):
        out = {"n_visible": int(cfg["n_visible"]), "input_shape": input_shape(cfg)}
        for key in ("channels", "code_size", "kernel_sizes", "noise", "output", "unpooling"):
            out[key] = cfg[key]
        return out

    def build(cfg, rng):
        kw = {key: cfg[key] for key in ("code_size", "noise", "output", "unpooling")}  # the level is the call's
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
        return one_phase(m, cfg, cost_kwargs={"corruption_level": cfg["corruption_level"]},
                         eval_kwargs={"corruption_level": 0.0}, kind="conv", unit_interval=cfg["output"] == "sigmoid")

    register_model(ModelKind(
        name="conv", cls="ConvAutoencoder",
        train_defaults={"optimizer": "adam", "learning_rate": 0.001},
        description="convolutional autoencoder (three convolutions, max-pooling, a linear code, a mirrored decoder; "
                    "images with sides divisible by 4)",
        build=build, config_of=config_of, make_config=model_config, phases=phases, to_model=to_model,
        options={
            "channels": Option(int_list, [8, 16, 16], "channels of the three convolutions (8,16,16)"),
            "code_size": Option(int, 32, "code units (32)"),
            "kernel_sizes": Option(int_list, [5, 3, 3], "odd kernel sizes of the three convolutions (5,3,3)"),
            "noise": Option(str, None, "", choices=NOISES),
            "output": Option(str, "linear", "decoder output: linear (squared error) or sigmoid (cross-entropy, data "
                                            "in [0, 1]) (linear)", choices=OUTPUTS),
            "unpooling": Option(str, "switches", "switches (the encoder's argmax) or nearest (switches)",
                                choices=UNPOOLINGS),
        },
        train_options={"corruption_level": Option(float, 0.0, "", only_with={"noise": ("masking", "gaussian")})},
        encode=lambda m, x: m.encode(to_model(x, m)),
        reconstruct=lambda m, x: from_model(m.reconstruct(to_model(x, m)), m),
        unit_interval=lambda cfg: cfg.get("output") == "sigmoid",
    ))


# ----- the VAE ---------------------------------------------------------------------------------
def register_vae():
    from ..layers.activations import ACTIVATIONS
    from ..models.vae import VAE

    def build(cfg, rng):
        return VAE(rng, n_visible=cfg["n_visible"], n_hidden=int_list(cfg["hidden_layers_sizes"]),
                   n_latent=cfg["n_latent"], activation=cfg["activation"])

    def config_of(m):
        return {"n_visible": m.n_visible, "hidden_layers_sizes": list(m.n_hidden), "n_latent": m.n_latent,
                "activation": m.activation}

    register_model(ModelKind(
        name="vae", cls="VAE",
        train_defaults={"optimizer": "adam", "learning_rate": 0.001},
        description="variational autoencoder (Kingma & Welling: Gaussian code, Bernoulli pixels, the negative ELBO; "
                    "dae sample draws from it)",
        build=build, config_of=config_of,
        phases=lambda m, cfg, data: one_phase(m, cfg, cost_kwargs={}, kind="vae", unit_interval=True),
        options={
            "hidden_layers_sizes": Option(int_list, [500], ""),
            "n_latent": Option(int, 20, "code dimensions (20)"),
            "activation": Option(str, "tanh", "", choices=tuple(ACTIVATIONS)),
        },
        train_options={},
        encode=lambda m, x: m.encode(x),
        reconstruct=lambda m, x: m.reconstruct(x),
        decode=lambda m, codes: m.decode(codes),
        sample=lambda m, n, rng: m.sample(n, rng=rng),
        filters=lambda m: _host(m.enc[0][0]).T,
    ))


register_conv()
register_vae()
