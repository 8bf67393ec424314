"""dae.tutorial: the parameters cell read from a script, turned into flags (scripts only), the
quick slice, the checks, and figures written (and shown inline in a kernel)."""
import sys
import textwrap

import numpy
import pytest

import dae
from dae import tutorial
from dae.tutorial import Parameter, parameters, read_parameters, run_script

SCRIPT = '''\
# %% [markdown]
# # A small tutorial

# %% tags=["parameters"]
learning_rate = 0.1          # step size
epochs = 3                   # passes
name = "run"                 # a label
n_train: int = None          # first N images
scale: float = None          # a factor
fast = False                 # the fused step
quick = False                # a small slice

# %%
import dae
given = dae.tutorial.parameters(globals(), quick=dict(epochs=1, n_train=10), positive=("epochs",),
                                choices={"name": ("run", "other")})
'''


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "small_tutorial.py"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_read_parameters_names_types_defaults_and_help():
    params = read_parameters(SCRIPT)
    assert [(p.name, p.default, p.type, p.help) for p in params] == [
        ("learning_rate", 0.1, float, "step size"), ("epochs", 3, int, "passes"), ("name", "run", str, "a label"),
        ("n_train", None, int, "first N images"), ("scale", None, float, "a factor"),
        ("fast", False, bool, "the fused step"), ("quick", False, bool, "a small slice")]
    assert params[3].flag == "--n-train"


def test_no_flags_keep_the_cells_values(script):
    ns = run_script(script, [])
    assert (ns["learning_rate"], ns["epochs"], ns["name"], ns["n_train"], ns["fast"], ns["given"]) == \
        (0.1, 3, "run", None, False, {})


def test_flags_override_the_cell(script):
    ns = run_script(script, ["--learning-rate", "0.5", "--epochs", "7", "--name", "other", "--n-train", "20",
                             "--scale", "2", "--fast"])
    assert (ns["learning_rate"], ns["epochs"], ns["name"], ns["n_train"], ns["scale"], ns["fast"]) == \
        (0.5, 7, "other", 20, 2.0, True)
    assert isinstance(ns["epochs"], int) and isinstance(ns["scale"], float)
    assert run_script(script, ["--no-fast"])["fast"] is False
    assert run_script(script, ["--n-train", "None"])["n_train"] is None


def test_quick_sets_its_values_but_explicit_flags_win(script):
    ns = run_script(script, ["--quick"])
    assert (ns["epochs"], ns["n_train"], ns["quick"]) == (1, 10, True)
    ns = run_script(script, ["--quick", "--epochs", "5"])
    assert (ns["epochs"], ns["n_train"]) == (5, 10)


def test_bool_flags(script):
    assert run_script(script, ["--fast"])["fast"] is True
    assert run_script(script, ["--fast", "--no-fast"])["fast"] is False  # the last flag wins


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--epochs", "1.5"], ["--name", "bogus"], ["--unknown", "1"],
                                  ["--learning-rate", "fast"]])
def test_bad_flags_are_argparse_errors(script, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        run_script(script, argv)
    assert exc.value.code == 2 and "error:" in capsys.readouterr().err


def test_help_lists_every_parameter_with_its_comment(script, capsys):
    with pytest.raises(SystemExit):
        run_script(script, ["--help"])
    out = capsys.readouterr().out
    assert "A small tutorial" in out
    for text in ("--learning-rate", "step size (0.1)", "--n-train", "--fast, --no-fast", "--quick"):
        assert text in out


def test_outside_a_script_the_command_line_is_not_read(monkeypatch):
    """Imported (or in a kernel), sys.argv belongs to someone else: only quick and the checks apply."""
    monkeypatch.setattr(sys, "argv", ["pytest", "--epochs", "99"])
    ns = {"__name__": "not_main", "epochs": 3, "n_train": None, "quick": True}
    assert parameters(ns, quick={"epochs": 1}) == {}
    assert ns["epochs"] == 1
    with pytest.raises(ValueError, match="epochs must be positive"):
        parameters({"__name__": "not_main", "epochs": 0}, positive=("epochs",))
    with pytest.raises(ValueError, match="backend must be one of"):
        parameters({"__name__": "not_main", "backend": "tpu"})


def test_in_a_kernel_nothing_is_parsed(monkeypatch):
    monkeypatch.setattr(tutorial, "in_notebook", lambda: True)
    monkeypatch.setattr(sys, "argv", ["kernel", "-f", "connection.json"])
    ns = {"__name__": "__main__", "__file__": "/nonexistent.py", "epochs": 3, "quick": False}
    assert parameters(ns, quick={"epochs": 1}) == {} and ns["epochs"] == 3


def test_a_parameters_cell_with_code_is_refused():
    with pytest.raises(ValueError, match="plain assignments"):
        read_parameters('# %% tags=["parameters"]\nx = 1\nprint(x)\n')
    with pytest.raises(ValueError, match="literal"):
        read_parameters('# %% tags=["parameters"]\nx = 1 + y\n')
    with pytest.raises(ValueError, match="no cell tagged parameters"):
        read_parameters("# %%\nx = 1\n")
    with pytest.raises(ValueError, match="annotation"):
        read_parameters('# %% tags=["parameters"]\nx: list = None\n')


def test_optional_annotations():
    params = read_parameters(textwrap.dedent('''\
        # %% tags=["parameters"]
        a: int | None = None
        b: "float" = None
        '''.replace('"float"', "Optional[float]")))
    assert [p.type for p in params] == [int, float]
    assert repr(params[0]) == repr(Parameter("a", None, int, ""))


def test_show_writes_an_image_and_a_figure(tmp_path):
    from matplotlib.figure import Figure
    from PIL import Image

    image = numpy.arange(6 * 7, dtype="uint8").reshape(6, 7)
    assert tutorial.show(image, str(tmp_path / "a" / "mosaic.png")) is None
    assert numpy.array_equal(numpy.asarray(Image.open(tmp_path / "a" / "mosaic.png")), image)
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1])
    tutorial.show(fig, str(tmp_path / "fig.png"))
    assert Image.open(tmp_path / "fig.png").size == (160, 80)


def test_show_displays_inline_in_a_kernel(tmp_path, monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(tutorial, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    tutorial.show(numpy.zeros((3, 3), dtype="uint8"), str(tmp_path / "z.png"))
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Image)
    assert shown[0].data == (tmp_path / "z.png").read_bytes()


def test_not_in_a_notebook_here():
    assert tutorial.in_notebook() is False
    assert dae.tutorial is tutorial


def test_show_closes_a_pyplot_figure(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    tutorial.show(fig, str(tmp_path / "p.png"))
    assert not plt.fignum_exists(fig.number) and (tmp_path / "p.png").is_file()


def test_a_list_parameter_takes_one_or_more_values(tmp_path, capsys):
    path = tmp_path / "lists.py"
    path.write_text(textwrap.dedent('''\
        # %% tags=["parameters"]
        sizes = [1000, 500]          # layer sizes
        levels = [0.1, 0.2]          # noise levels
        quick = False                # a small slice

        # %%
        import dae
        dae.tutorial.parameters(globals(), quick=dict(sizes=[8]))
        '''), encoding="utf-8")
    params = {p.name: p for p in read_parameters(path.read_text())}
    assert (params["sizes"].type, params["levels"].type) == (int, float)
    ns = run_script(path, ["--sizes", "16", "8", "--levels", "0.3"])
    assert (ns["sizes"], ns["levels"]) == ([16, 8], [0.3])
    assert run_script(path, [])["sizes"] == [1000, 500]
    assert run_script(path, ["--quick"])["sizes"] == [8]
    with pytest.raises(SystemExit):
        run_script(path, ["--sizes"])             # one value at least
    with pytest.raises(SystemExit):
        run_script(path, ["--sizes", "1.5"])      # of the elements' type
    with pytest.raises(ValueError, match="list of int, float or str"):
        read_parameters('# %% tags=["parameters"]\nmixed = [1, "a"]\n')


def test_long_run_checkpoints_and_fit_resumes_only_when_asked(tmp_path):
    import numpy

    import dae

    path = tmp_path / "run.npz"
    options = dae.tutorial.long_run(path)
    assert options["checkpoint"].path == str(path) and options["display"].mode == "none"   # captured stdout: no bar
    x = numpy.random.RandomState(0).uniform(0, 1, (40, 6)).astype(dae.config.floatX)

    def trainer():
        model = dae.Autoencoder(numpy.random.RandomState(1), n_visible=6, n_hidden=3)
        return dae.Trainer(model, dae.optim.SGD(learning_rate=0.1), batch_size=10, rng=numpy.random.RandomState(2),
                           **dae.tutorial.long_run(path))

    whole = dae.tutorial.fit(trainer(), x, 2)
    assert path.exists() and len(whole) == 2
    assert len(dae.tutorial.fit(trainer(), x, 3, resume=True)) == 3   # two restored, one more
    assert len(dae.tutorial.fit(trainer(), x, 1)) == 1                 # without resume: from the start


def test_show_zooms_a_mosaic_inline_and_keeps_the_file_small(tmp_path, monkeypatch):
    from PIL import Image
    import io
    import IPython.display

    shown = []
    monkeypatch.setattr(tutorial, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    image = numpy.arange(12, dtype="uint8").reshape(3, 4)
    tutorial.show(image, str(tmp_path / "m.png"), zoom=2)
    assert Image.open(tmp_path / "m.png").size == (4, 3)
    inline = numpy.asarray(Image.open(io.BytesIO(shown[0].data)))
    numpy.testing.assert_array_equal(inline, image.repeat(2, 0).repeat(2, 1))


def test_show_animation_writes_a_gif_and_displays_it(tmp_path, monkeypatch, capsys):
    from PIL import Image
    import IPython.display

    frames = [numpy.full((5, 6), v, dtype="uint8") for v in (0, 100, 200)]
    assert tutorial.show_animation(frames, str(tmp_path / "a" / "f.gif"), duration=100) == 3
    assert Image.open(tmp_path / "a" / "f.gif").n_frames == 3 and capsys.readouterr().out == ""
    shown = []
    monkeypatch.setattr(tutorial, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    tutorial.show_animation(frames, str(tmp_path / "g.gif"), labels=["a", "b", "c"], zoom=3)
    assert len(shown) == 1 and shown[0].format == "gif" and shown[0].width == 18
    assert shown[0].data == (tmp_path / "g.gif").read_bytes()


def test_quick_says_what_it_sets_and_keeps_what_was_given(capsys):
    ns = {"quick": True, "n_train": None, "epochs": 2, "batch_size": 20}
    dae.tutorial.parameters(ns, quick={"n_train": 1000, "epochs": 2, "batch_size": 10})
    assert (ns["n_train"], ns["epochs"], ns["batch_size"]) == (1000, 2, 10)
    out = capsys.readouterr().out
    assert out == ("quick = True sets n_train = 1000, epochs = 2, batch_size = 10 (a value given as a flag or a "
                   "papermill parameter is kept)\n")
    dae.tutorial.parameters(ns, quick={"n_train": 1000, "epochs": 2, "batch_size": 10})   # run again: the same line
    assert capsys.readouterr().out == out
    ns = {"quick": False, "n_train": None}
    dae.tutorial.parameters(ns, quick={"n_train": 1000})
    assert ns["n_train"] is None and capsys.readouterr().out == ""
