"""The package imports downwards only: every module sits on one layer, and no import (at module
level or inside a function) reaches a module on a higher layer.

    foundation  arrays, files, settings, randomness, validation, maths, update rules
    layers      forward/backward pairs (dae.layers) and the fused steps built on them (dae.fast)
    models      params, cost_and_grads, encode/decode: nothing about training, files or registries
    train       the one training loop, its checkpoints, progress and stopping rules
    recipes     multi-phase training (the SdA's and the deep autoencoder's)
    registry    how the command line builds, trains, encodes each kind
    files       model files, the scikit-learn estimator, the phases runner
    top         the command line, the tutorials' helpers, the exercises, the package itself

``dae.optim`` is foundation: the tutorial's own classes (``dA.get_cost_updates``,
``SdA.pretraining_functions``) are SGD, so the one SGD sits below the models.
"""
import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "dae")

LAYERS = ["foundation", "layers", "models", "train", "recipes", "registry", "files", "top"]
PLACES = {  # longest prefix wins; every module of dae must match one
    "dae.layers": "layers", "dae.fast": "layers",
    "dae.models": "models",
    "dae.train": "train",
    "dae.recipes": "recipes",
    "dae.registry": "registry",
    "dae.model_files": "files", "dae.sklearn": "files", "dae.phases": "files",
    "dae.cli": "top", "dae.tutorial": "top", "dae.exercises": "top", "dae.__main__": "top", "dae": "top",
}
FOUNDATION = {"version", "envvars", "config", "backend", "random", "validation", "functions", "corruption", "io",
              "data", "paths", "plotting", "augment", "threads", "protocol", "gradcheck", "patches", "reference",
              "optim", "kernels", "divergence"}


def layer_of(module):
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in FOUNDATION:
        return "foundation"
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in PLACES:
            return PLACES[prefix]
    raise AssertionError(f"{module} has no layer: add it to tests/test_layering.py")


def modules():
    out = {}
    for folder, _, files in os.walk(ROOT):
        if "templates" in folder.split(os.sep):
            continue        # the learner's workbook files, copied out of the package
        for name in files:
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(folder, name), os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                out[rel[:-len(".__init__")] if rel.endswith(".__init__") else rel] = os.path.join(folder, name)
    return out


def imported(module, path):
    """The dae modules that ``module`` imports anywhere in its file (``from .. import backend``
    counts as dae.backend, not as the package dae)."""
    package = module.split(".") if path.endswith("__init__.py") else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "dae")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[:len(package) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] != "dae":
                continue
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.add(name if _is_module(name) else base)
    return found


def _is_module(name):
    path = os.path.join(os.path.dirname(ROOT), *name.split("."))
    return os.path.isdir(path) or os.path.isfile(path + ".py")


def test_every_module_has_a_layer():
    for module in modules():
        assert layer_of(module) in LAYERS


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_go_downwards(module):
    mine = LAYERS.index(layer_of(module))
    for target in imported(module, modules()[module]):
        if target == "dae":
            continue        # `from .. import X` where X is a module was resolved to X above
        assert LAYERS.index(layer_of(target)) <= mine, (
            f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)}), a higher layer")


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from ..train import Trainer\n")
    assert imported("dae.models.bad", str(bad)) == {"dae.train"}
    assert LAYERS.index(layer_of("dae.train")) > LAYERS.index(layer_of("dae.models.bad"))
