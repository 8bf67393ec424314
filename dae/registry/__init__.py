"""The model registry: per model kind, how to build, save, train, encode and draw it.

``MODELS`` maps a name (``dA``, ``cA``, ``SdA``, ``deep``, ``conv``, ``vae``) to a
:class:`ModelKind`. The model files (:mod:`dae.model_files`), the command line (``dae train
--model NAME``, ``encode``, ``reconstruct``, ``plot``, ``info``, ``sample``) and the training
runs (:mod:`dae.phases`) read everything they need about a model from here, and never a
kind's name. A kind is one module-level definition::

    CA = register_model(ModelKind(
        name="cA", model_class=cA, description="contractive autoencoder",
        build=lambda cfg, rng: cA(rng, n_visible=cfg["n_visible"], n_hidden=cfg["n_hidden"]),
        config_of=lambda m: {"n_visible": m.n_visible, "n_hidden": m.n_hidden},
        phases=lambda model, cfg, data: one_phase(model, cfg, cost_kwargs={...}),
        options={"n_hidden": Option(int, 500, "hidden units (500)")},
        train_options={"contraction_level": Option(float, 0.1, "Jacobian penalty weight (0.1)")},
        encode=lambda model, x: model.get_hidden_values(x),
        reconstruct=lambda model, x: model.reconstruct(x)))

Training is a list of :class:`dae.recipes.Phase` (``kind.phases(model, cfg, data)``): one
phase for dA, cA, conv and vae; the recipes of :mod:`dae.recipes` for SdA and deep.

core.py: Option, ModelKind, MODELS; autoencoders.py: dA, cA; stacked.py: SdA, deep;
conv_vae.py: conv, vae (each module registers its kinds when imported, in this order).
"""
from .core import MODELS, ModelKind, Option, float_list, get_model_kind, int_list, kind_of, register_model
from .autoencoders import DA_FAMILY
from . import stacked, conv_vae  # noqa: F401,E402  (registers SdA, deep, conv, vae)

__all__ = ["MODELS", "ModelKind", "Option", "DA_FAMILY", "register_model", "get_model_kind", "kind_of",
           "int_list", "float_list"]
