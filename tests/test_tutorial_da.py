"""tutorials/dA_tutorial.py run as a script on a small slice, its flags (n_hidden and the
corruption level in every line and file name), its cells re-run as in a notebook, its maths, and
its first epochs on the full data against the original Theano graph's costs (dae.reference)."""
import logging
import os
import re

import numpy
import pytest
from PIL import Image

import dae
from dae.tutorial import run_script
from _chapter import run_cell, small_namespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tutorials", "dA_tutorial.py")


def _costs(out):
    return [float(line.split("cost ")[1]) for line in out.splitlines() if line.startswith("Training epoch")]


def test_runs_on_a_slice_and_writes_both_filter_images(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--n-train", "200", "--training-epochs", "2", "--output-folder", tmp_path])
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.startswith("Training epoch")]
    assert [line.split(",")[0] for line in lines] == ["Training epoch 0", "Training epoch 1"] * 2
    assert _costs(out) == ns["costs_0"] + ns["costs_noisy"] and all(c > 0 for c in _costs(out))
    assert err == ""   # timings go to stdout: nothing shows as an error box in a notebook
    assert re.search(r"^The no corruption code for file dA_tutorial.py ran for \d+\.\d\dm$", out, re.M)
    assert re.search(r"^The 30% corruption code for file dA_tutorial.py ran for \d+\.\d\dm$", out, re.M)
    assert "NOT the full default size" in out
    for name in ("filters_corruption_0.png", "filters_corruption_30.png"):
        image = Image.open(tmp_path / name)
        assert image.size == (289, 289) and image.mode == "L"
        assert f"{name}: the first 100 of the 500 filters (10 x 10 tiles" in out
    for name in ("denoising_30.png", "costs_per_epoch.png"):
        assert Image.open(tmp_path / name).size[0] > 500
    assert ns["fast"] is False and ns["train_set_x"].shape == (200, 784)
    assert ns["da_0"] is not ns["da_noisy"] and ns["noisy_level"] == 0.3


def test_the_code_it_teaches_is_shown_from_the_live_objects(tmp_path, capsys):
    run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--output-folder", tmp_path])
    out = capsys.readouterr().out
    for method in ("get_corrupted_input", "get_hidden_values", "get_reconstructed_input", "cost_and_grads",
                   "get_cost_updates"):
        assert f"# dae/models/da.py: dA.{method}\ndef {method}(self" in out   # dedented, from the live class
    assert "# dae/models/da.py: tied_cost_and_grads\ndef tied_cost_and_grads(W, b, b_prime, x, tilde_x):" in out
    assert "gW = tilde_x.T @ delta_y + delta_z.T @ y" in out       # the gradient, as the maths writes it
    assert "# dae/functions.py: cross_entropy_from_logits" in out


def test_n_hidden_and_corruption_level_are_knobs(tmp_path, capsys):
    """--n-hidden 100 --corruption-level 0.5: 100-unit filters, and 50% in every line and file name."""
    ns = run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "2", "--n-hidden", "100",
                             "--corruption-level", "0.5", "--output-folder", tmp_path])
    out = capsys.readouterr().out
    assert ns["da_0"].W.shape == ns["da_noisy"].W.shape == (784, 100)
    assert re.search(r"^The 50% corruption code for file dA_tutorial.py ran for ", out, re.M)
    assert "30%" not in out and "_30" not in out
    assert "filters_corruption_50.png: all 100 filters (10 x 10 tiles, 28 x 28 pixels each) after 2 epochs at 50% " \
           "corruption" in out
    assert "the dA trained at 50% corruption: mean cost L" in out
    assert "filters_evolution_50.gif: 3 frames" in out
    assert sorted(os.listdir(tmp_path)) == ["costs_per_epoch.png", "denoising_50.png", "filters_corruption_0.png",
                                            "filters_corruption_50.png", "filters_evolution_50.gif"]
    # every tile of the mosaic is one of the 100 filters: none stays black
    tiles = dae.reference.tiles(numpy.asarray(Image.open(tmp_path / "filters_corruption_50.png")))
    assert tiles.shape == (100, 28, 28) and all(tile.max() > 0 for tile in tiles)


def test_fewer_filters_than_tiles_draw_a_smaller_mosaic(tmp_path, capsys):
    run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--n-hidden", "50", "--output-folder", tmp_path])
    out = capsys.readouterr().out
    image = numpy.asarray(Image.open(tmp_path / "filters_corruption_30.png"))
    assert image.shape == (5 * 29 - 1, 10 * 29 - 1)    # 5 x 10 tiles: no black half
    tiles = dae.reference.tiles(image, tile_shape=(5, 10))
    assert all(tile.max() > 0 for tile in tiles)
    assert "filters_corruption_30.png: all 50 filters (5 x 10 tiles" in out
    assert "filters: not compared (the original graph's mosaic has 10 x 10 tiles, this one 5 x 10)" in out


def test_the_animation_has_a_frame_per_epoch_and_snapshots_change_no_number(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "3", "--output-folder", tmp_path])
    capsys.readouterr()
    gif = Image.open(tmp_path / "filters_evolution_30.gif")
    assert gif.n_frames == 4 == len(ns["mosaics_noisy"]) and gif.info["loop"] == 0
    gif.seek(3)
    last = numpy.asarray(gif.convert("L"))[:289]
    numpy.testing.assert_array_equal(last, ns["filters_noisy"])       # the last frame: the trained filters
    assert not numpy.array_equal(ns["mosaics_noisy"][0], ns["mosaics_noisy"][-1])
    # the same loop without snapshots gives the very same costs
    rng = numpy.random.RandomState(123)
    da = dae.dA(numpy_rng=rng, theano_rng=dae.RandomStreams(rng.randint(2 ** 30)), n_visible=784, n_hidden=500)
    x = ns["train_set_x"]
    costs = []
    for epoch in range(3):
        c = []
        for i in range(x.shape[0] // 20):
            cost, updates = da.get_cost_updates(x[i * 20:(i + 1) * 20], corruption_level=0.3, learning_rate=0.1)
            dae.apply_updates(updates)
            c.append(cost)
        costs.append(float(numpy.stack(c).mean(dtype="float64")))
    assert costs == ns["costs_noisy"]


def test_papermill_parameters_n_hidden_and_corruption_level(tmp_path, caplog):
    """The chapter as a notebook, papermill -p n_hidden 100 -p corruption_level 0.5 (and quick):
    no unknown-parameter warning, 50% in the output and the file names."""
    pytest.importorskip("papermill")
    pytest.importorskip("jupytext")
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("build_notebooks", os.path.join(ROOT, "tools", "build_notebooks.py"))
    tools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tools)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        path = tools.build("dA_tutorial", str(tmp_path), quick=True, timeout=300, workdir=str(tmp_path),
                           parameters={"n_hidden": 100, "corruption_level": 0.5, "training_epochs": 1})
    assert not [r for r in caplog.records if "unknown parameter" in r.getMessage()]
    notebook = nbformat.read(path, as_version=4)
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert not [out for out in outputs if out.output_type == "error" or out.get("name") == "stderr"]
    assert "The 50% corruption code for file dA_tutorial.py ran for" in text and "30%" not in text
    assert "filters_corruption_50.png: all 100 filters" in text and "after 1 epoch at 50% corruption" in text
    assert (tmp_path / "dA_plots" / "filters_corruption_50.png").is_file()
    assert sum("image/gif" in out.get("data", {}) for out in outputs) == 1
    assert sum("image/png" in out.get("data", {}) for out in outputs) >= 4
    shown = "".join(out["data"].get("text/markdown", "") for out in outputs if "data" in out)
    assert "```python\n# dae/models/da.py: dA.get_cost_updates" in shown


# ----- the chapter as a notebook: cells re-run cleanly, figure cells name the cell to run first ------------
def _run_cell(cell, ns, capsys):
    return run_cell(SCRIPT, cell, ns, capsys)


def _small_namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=100, training_epochs=2, output_folder=str(tmp_path))


def _index(cells, text):
    return next(i for i, c in enumerate(cells) if text in c)


def test_training_cells_give_the_same_lines_when_run_again(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    outputs = [None] + [_run_cell(cell, ns, capsys) for cell in cells[1:]]
    plain, noisy = _index(cells, "= train(da_0, "), _index(cells, "= train(da_noisy, ")
    assert [line.split(",")[0] for line in outputs[plain]] == ["Training epoch 0", "Training epoch 1"]
    assert outputs[noisy] == [line for line in outputs[noisy] if line.startswith("Training epoch")]
    first_filters = numpy.asarray(Image.open(tmp_path / "filters_corruption_30.png"))
    for index in (plain, noisy, plain, *range(plain + 1, len(cells))):
        assert _run_cell(cells[index], ns, capsys) == outputs[index], f"cell {index} printed other lines"
    numpy.testing.assert_array_equal(numpy.asarray(Image.open(tmp_path / "filters_corruption_30.png")), first_filters)


def test_figure_cells_before_training_name_the_cell_to_run(tmp_path, capsys):
    cells, ns = _small_namespace(tmp_path, capsys)
    plain, noisy = _index(cells, "= train(da_0, "), _index(cells, "= train(da_noisy, ")
    for cell in cells[1:plain]:
        _run_cell(cell, ns, capsys)
    needing = [i for i in range(plain + 1, len(cells)) if "dae.tutorial.need(" in cells[i]]
    assert len(needing) == 6
    for i in needing:
        with pytest.raises(dae.tutorial.RunFirst, match=r"^run the (no-corruption|with-corruption) training cell "
                                                        r"first \(this cell uses its costs_(0|noisy)\)$"):
            _run_cell(cells[i], ns, capsys)
    assert os.listdir(tmp_path) == []       # nothing drawn from an untrained model
    _run_cell(cells[plain], ns, capsys)
    # after the plain run only, no cell of the denoising run draws the plain model
    for i in needing:
        if i > noisy:
            with pytest.raises(dae.tutorial.RunFirst, match="with-corruption training cell"):
                _run_cell(cells[i], ns, capsys)
    assert sorted(os.listdir(tmp_path)) == []
    assert dae.tutorial.RunFirst("x")._render_traceback_() == ["RunFirst: x"]   # one line in Jupyter


def test_readable_default_and_fast_option_print_the_same_costs(tmp_path, capsys):
    run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "1", "--output-folder", tmp_path])
    readable = _costs(capsys.readouterr().out)
    ns = run_script(SCRIPT, ["--n-train", "100", "--training-epochs", "1", "--output-folder", tmp_path, "--fast"])
    fast = _costs(capsys.readouterr().out)
    assert ns["fast"] is True and len(readable) == len(fast) == 2
    numpy.testing.assert_allclose(fast, readable, rtol=1e-5)


def test_quick_flag_and_explicit_flags_win(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--quick", "--training-epochs", "1", "--output-folder", tmp_path])
    assert (ns["n_train"], ns["training_epochs"], ns["quick"]) == (1000, 1, True)
    assert len(_costs(capsys.readouterr().out)) == 2


def test_the_removed_readable_alias_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--readable", "--output-folder", tmp_path])
    ns = run_script(SCRIPT, ["--n-train", "40", "--training-epochs", "1", "--no-fast", "--output-folder", tmp_path])
    assert ns["fast"] is False


def test_first_epochs_are_the_original_graphs():
    """The original Theano graph (dae.reference) printed 63.289169 and 55.786657 for corruption 0."""
    train_x = dae.load_data()[0][0]
    rng = numpy.random.RandomState(123)
    da = dae.dA(numpy_rng=rng, theano_rng=dae.RandomStreams(rng.randint(2 ** 30)), n_visible=784, n_hidden=500)
    costs = []
    for epoch in range(2):
        c = []
        for i in range(train_x.shape[0] // 20):
            cost, updates = da.get_cost_updates(train_x[i * 20:(i + 1) * 20], corruption_level=0.0, learning_rate=0.1)
            dae.apply_updates(updates)
            c.append(cost)
        costs.append(float(numpy.mean(numpy.asarray(c, dtype="float64"))))
    reference = dae.reference.original_graph_costs()
    assert costs[0] == pytest.approx(63.2891, rel=1e-5)  # the tutorial page's line
    numpy.testing.assert_allclose(costs, reference[:2], rtol=1e-6)


@pytest.mark.slow
def test_full_run_matches_the_original_graph_tile_by_tile(tmp_path, capsys):
    """15 epochs at the tutorial's size (about a minute): the costs and every filter are the
    original graph's (per-tile correlation above 0.9999; pixels within one grey level)."""
    ns = run_script(SCRIPT, ["--output-folder", tmp_path])
    numpy.testing.assert_allclose(ns["costs_0"], dae.reference.original_graph_costs(), rtol=1e-6)
    ours = numpy.asarray(Image.open(tmp_path / "filters_corruption_0.png"))
    theirs = dae.reference.original_graph_filters()
    agreement = dae.reference.tile_correlations(ours, theirs)
    assert agreement.shape == (100,) and agreement.min() > 0.9999
    assert numpy.abs(ours.astype(int) - theirs).max() <= 1
    assert "tiles above 0.99: 100 of 100" in capsys.readouterr().out


def test_batch_larger_than_the_data_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        run_script(SCRIPT, ["--n-train", "10", "--batch-size", "20", "--output-folder", tmp_path])


@pytest.mark.parametrize("argv", [["--training-epochs", "0"], ["--learning-rate", "-1"], ["--backend", "tpu"],
                                  ["--n-train", "many"]])
def test_bad_flags_exit_with_a_message(argv, capsys):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, argv)
    assert "error" in capsys.readouterr().err
