"""Every tutorial, converted to a notebook by jupytext, runs in a real Jupyter kernel (papermill,
quick=True injected after its parameters cell) and shows its figures; notebooks/ is in step.

Each tutorial runs in a fresh kernel from a scratch folder, on the small slice of its
``quick`` parameter (seconds each; the kernel start is most of it).
"""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "tutorials")
NOTEBOOKS = os.path.join(ROOT, "notebooks")

# name -> (lines its output must contain, its figures in the output folder, the output folder)
EXPECTED = {
    "dA_tutorial": (["Training epoch 0, cost ", "Training epoch 1, cost ",
                     "The no corruption code for file dA_tutorial.py ran for",
                     "The 30% corruption code for file dA_tutorial.py ran for",
                     "filters, per-tile correlation with the original graph"],
                    ["filters_corruption_0.png", "filters_corruption_30.png", "denoising_30.png",
                     "costs_per_epoch.png", "filters_evolution_30.gif"], "dA_plots"),
    "cA_tutorial": (["Training epoch 0, reconstruction cost ", "jacobian norm ",
                     "The contraction level 0.1 code for file cA_tutorial.py ran for",
                     "The no-penalty reference code for file cA_tutorial.py ran for",
                     "wrote cA_plots/cae_filters_contraction_0.1.png"],
                    ["cae_filters_contraction_0.1.png", "learning_curve_contraction_0.1.png"], "cA_plots"),
    "variants_tutorial": (["  plain: training epoch 0, cost ", "| sparse_kl |", "| (raw pixels, no model) |",
                           "The sparse_kl variant for file variants_tutorial.py ran for",
                           "The code for file variants_tutorial.py ran for", "PCA with 32 components: "],
                          [f"variant_{v}.png" for v in ("plain", "denoising_0.3", "gaussian_0.5", "salt_and_pepper_0.3",
                                                        "sparse_l1_0.1", "sparse_kl_0.05_1", "contractive_0.1",
                                                        "dropout_0.5", "untied_0.3", "relu_0.3", "squared_error_0.3",
                                                        "linear")]
                          + ["learning_curves.png", "results.md"], "variants_plots"),
    "SdA_tutorial": (["Pre-training layer 0, epoch 0, cost ", "Pre-training layer 2, epoch 0, cost ",
                      "epoch 1, minibatch 20/20, validation error ", "test error of best model ",
                      "Optimization complete with best validation score of ",
                      "The pretraining code for file SdA_tutorial.py ran for",
                      "The training code for file SdA_tutorial.py ran for"],
                     ["filters_pretrained.png", "filters_layer0.png", "sda.npz"], "SdA_plots"),
    "deep_autoencoder_tutorial": (["PCA with 30 components: test squared error ",
                                   "Pre-training layer 0 (784-64), epoch 0, cost ",
                                   "[30-D] fine-tuning epoch 2, cost ", "Deep autoencoder 784-64-32-30: test squared error ",
                                   "first measured below PCA-30's ", "2-D codes, 5-NN test accuracy: ",
                                   "The code for file deep_autoencoder_tutorial.py ran for"],
                                  ["reconstructions.png", "learning_curve.png", "codes_2d.png",
                                   "deep_autoencoder_30.npz"], "deep_plots"),
    "conv_autoencoder_tutorial": (["PCA with 32 components: held-out error ", "Training epoch 1, cost ",
                                   ", held-out error ", "The conv autoencoder ",
                                   "first epoch with a held-out error below PCA's: ",
                                   "The training code for file conv_autoencoder_tutorial.py ran for"],
                                  ["filters_layer1.png", "reconstructions.png", "learning_curve.png",
                                   "conv_autoencoder.npz", "results.json"], "conv_plots"),
    "vae_tutorial": (["[z=20] epoch 2, train -ELBO ", ", valid -ELBO ", "test negative ELBO: ",
                      "test -log p(x), importance-weighted with k=10 on 500 test images: ", "[z=2] epoch 1, train -ELBO "],
                     ["samples_z20.png", "learning_curve_z20.png", "manifold_2d.png", "codes_2d.png", "vae_z20.npz"],
                     "vae_plots"),
}
# Not yet in top-level cells (their `# %%` markers sit inside functions): converted next, by the
# same rules (a parameters cell with `quick`, dae.tutorial.parameters / dae.tutorial.show).
NOT_YET_CONVERTED = ()


def _tools():
    spec = importlib.util.spec_from_file_location("build_notebooks", os.path.join(ROOT, "tools", "build_notebooks.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_parameters_cell(name):
    from dae.tutorial import parameters_cell

    with open(os.path.join(TUTORIALS, name + ".py"), encoding="utf-8") as f:
        try:
            parameters_cell(f.read())
        except ValueError:
            return False
    return True


def test_every_tutorial_is_listed():
    assert sorted(list(EXPECTED) + list(NOT_YET_CONVERTED)) == _tools().tutorial_names()
    for name in NOT_YET_CONVERTED:
        if _has_parameters_cell(name):
            pytest.fail(f"{name} has a parameters cell now: move it from NOT_YET_CONVERTED to EXPECTED")


def _outputs(notebook):
    """(all the text it printed, stdout and stderr, in order; the number of inline PNGs)."""
    text, images = [], 0
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type == "error":
                text.append("\n".join(out.traceback))
            images += "image/png" in out.get("data", {})
    return "".join(text), images


@pytest.mark.parametrize("name", sorted(EXPECTED) + sorted(NOT_YET_CONVERTED))
def test_tutorial_runs_as_a_notebook(name, tmp_path):
    if name in NOT_YET_CONVERTED:
        pytest.skip(f"{name} is not yet converted to top-level cells with a parameters cell (issue 16)")
    pytest.importorskip("papermill")
    pytest.importorskip("jupytext")
    pytest.importorskip("ipykernel")
    import nbformat

    lines, figures, folder = EXPECTED[name]
    path = _tools().build(name, str(tmp_path), quick=True, timeout=300, workdir=str(tmp_path))
    notebook = nbformat.read(path, as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert tags[0] == ["parameters"] and tags[1] == ["injected-parameters"]
    text, images = _outputs(notebook)
    for line in lines:
        assert line in text, f"{name}: {line!r} not printed; it printed:\n{text[-3000:]}"
    for figure in figures:
        assert (tmp_path / folder / figure).is_file(), f"{name} did not write {folder}/{figure}"
    assert images >= sum(f.endswith(".png") for f in figures), f"{name} showed {images} figures inline"


def _code_cells(notebook):
    return [cell.source.strip() for cell in notebook.cells
            if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", [])]


def test_notebooks_are_in_step_with_the_scripts():
    """notebooks/<name>.ipynb holds exactly the code cells of tutorials/<name>.py."""
    if not os.path.isdir(NOTEBOOKS):
        pytest.skip("notebooks/ is not built yet (python tools/build_notebooks.py)")
    jupytext = pytest.importorskip("jupytext")
    import nbformat

    stale = []
    for name in _tools().tutorial_names():
        path = os.path.join(NOTEBOOKS, name + ".ipynb")
        if not os.path.exists(path):
            stale.append(f"{name} (missing)")
            continue
        script = jupytext.read(os.path.join(TUTORIALS, name + ".py"))
        if _code_cells(nbformat.read(path, as_version=4)) != _code_cells(script):
            stale.append(name)
    assert not stale, f"notebooks out of step with tutorials/: {stale}; rebuild: python tools/build_notebooks.py {' '.join(n.split()[0] for n in stale)}"


def test_the_in_step_check_sees_a_changed_cell(tmp_path):
    """The comparison above would fail on a notebook whose code differs from its script."""
    jupytext = pytest.importorskip("jupytext")
    script = jupytext.read(os.path.join(TUTORIALS, "dA_tutorial.py"))
    edited = jupytext.read(os.path.join(TUTORIALS, "dA_tutorial.py"))
    next(c for c in edited.cells if c.cell_type == "code").source += "\nlearning_rate = 0.2"
    assert _code_cells(edited) != _code_cells(script)
    assert _code_cells(jupytext.read(os.path.join(TUTORIALS, "dA_tutorial.py"))) == _code_cells(script)
