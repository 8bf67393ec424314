"""What every tutorial shares: its parameters cell becomes command-line flags, its figures show inline.

A tutorial (``tutorials/*.py``) is a jupytext "percent" script whose top-level cells, run in
order, do the whole tutorial. Its first code cell holds the parameters as plain assignments,
tagged for papermill, each with a comment that is its ``--help`` line::

    # %% tags=["parameters"]
    learning_rate = 0.1        # SGD step size
    training_epochs = 15       # passes over the training set
    n_train: int = None        # use only the first N training images (default: all)
    backend: str = None        # numpy (CPU) or cupy (NVIDIA GPU); default: $DAE_BACKEND or numpy
    fast = False               # train with the fused dae.fast step instead of the readable one
    quick = False              # a small slice, under a minute (what the tests run)

    # %%
    import dae
    dae.tutorial.parameters(globals(), quick=dict(n_train=1000, training_epochs=2))

``parameters`` does the rest:

- **run as a script** (``python tutorials/dA_tutorial.py --training-epochs 2 --n-train 500``):
  it reads the parameters cell of the script's own file and turns every name into a flag:
  underscores become dashes, the type is the default's (or the annotation's, for a default of
  None: ``int``, ``float``, ``str``, ``bool``; a list default such as ``[1000, 1000]`` takes one
  or more values, ``--hidden-sizes 16 8``), a bool becomes ``--name`` / ``--no-name``, the
  trailing comment is the help. The flags given override the cell's values in ``globals()``.
- **in Jupyter** (a kernel, papermill, nbclient) it reads no command line: the cell's values,
  and those papermill injected after it, stand.
- in both: when ``quick`` is True, the ``quick=`` values replace the parameters they name
  (on the command line, a flag given explicitly wins over them); the ``choices=`` and
  ``positive=`` rules are checked (a bad value is an ``error:`` of argparse in a script, a
  ``ValueError`` in a notebook); and a ``backend`` parameter that is set is put in force with
  ``dae.backend.use``.

Figures: ``dae.tutorial.show(image_or_figure, path)`` writes a uint8 mosaic (what
``tile_raster_images`` returns) or a matplotlib ``Figure`` to ``path`` (its folder is made) and,
in Jupyter, also displays that file inline (a mosaic ``zoom=`` times larger, pixels kept
sharp); run as a script it only writes the file. Returns None. ``show_animation(frames, path)``
does the same for a list of mosaics, written as an animated GIF.

Code: ``dae.tutorial.show_source(obj, ...)`` shows the source of live functions, methods or
classes (highlighted in Jupyter, plain text on stdout in a script), so a chapter shows what runs.
A cell that needs an earlier one starts with ``dae.tutorial.need(globals(), name, cell)``, which
stops with one line (``RunFirst``, no traceback in Jupyter) naming the cell to run first.

Long runs: ``dae.Trainer(..., **dae.tutorial.long_run(path))`` checkpoints every epoch and shows a
progress bar only on a terminal; ``dae.tutorial.fit(trainer, x, epochs, resume)`` goes on from the
checkpoint when ``resume`` is set. The chapter's cells keep the teaching, not this plumbing.

Tests run a tutorial as a script in-process with ``run_script(path, argv)``, which returns the
tutorial's globals after the last cell.

A tutorial, from top to bottom (``tutorials/dA_tutorial.py`` is the model to copy):

1. the jupytext header naming the ``python3`` kernel (so ``jupytext --to ipynb`` + papermill run
   it with no kernel flag), then a markdown cell: the title, what the tutorial does, how to run it;
2. the parameters cell (above): the original's defaults, one comment each, ``quick = False``;
3. a code cell with the imports and ``dae.tutorial.parameters(globals(), quick=..., ...)``;
4. the steps in the original tutorial's order (data, model, training, figures), each a markdown
   cell (what the step does and why, its equations in LaTeX, what to look for in its output)
   followed by top-level code (no ``# %%`` inside a function; a function only where it is a
   reusable unit); the library's own classes, not copies of them;
5. figures through ``dae.tutorial.show(image, f"{output_folder}/name.png")``;
6. a last markdown cell pointing to its exercise (``dae exercises start my_workbook``).

Then list it in ``tests/test_notebooks.py`` (EXPECTED: the lines it prints, its figures) and
run ``python tools/build_notebooks.py --quick --output-dir /tmp/nb NAME`` to try it.
"""
import argparse
import ast
import io
import os
import re
import runpy
import sys
import tokenize

from . import backend as _backend
from .plotting import save_gif, save_image
from .plotting import zoom as zoom_image
from .train import Checkpointing, Display

_PARAMETERS_CELL = re.compile(r"^# %%.*\btags\s*=\s*\[[^\]]*[\"']parameters[\"']")
_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


def in_notebook():
    """True inside a Jupyter kernel (the notebook, papermill, nbclient), False in a script."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel always brings IPython
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def running_as_script(namespace):
    """True when ``namespace`` (a tutorial's globals) is a script run from the command line."""
    return namespace.get("__name__") == "__main__" and "__file__" in namespace and not in_notebook()


# ----- the parameters cell ------------------------------------------------------------------
class Parameter:
    """One assignment of the parameters cell: name, default, type and help."""

    def __init__(self, name, default, type_, help_):
        self.name, self.default, self.type, self.help = name, default, type_, help_

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")

    def __repr__(self):
        return f"Parameter({self.name!r}, {self.default!r}, {self.type.__name__}, {self.help!r})"


def _annotation_type(node, name):
    """int / float / str / bool from an annotation such as ``int``, ``int | None`` or
    ``Optional[int]``."""
    if isinstance(node, ast.Name) and node.id in _TYPES:
        return _TYPES[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for side in (node.left, node.right):
            if not (isinstance(side, ast.Constant) and side.value is None):
                return _annotation_type(side, name)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Optional":
        return _annotation_type(node.slice, name)
    raise ValueError(f"parameter {name}: annotation {ast.unparse(node)!r} is not one of int, float, str, bool")


def parameters_cell(source):
    """The source text of the cell tagged ``parameters`` in a percent script (ValueError if none)."""
    lines = source.splitlines()
    for start, line in enumerate(lines):
        if _PARAMETERS_CELL.match(line):
            end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("# %%")), len(lines))
            return "\n".join(lines[start + 1:end]) + "\n"
    raise ValueError('no cell tagged parameters (a line "# %% tags=[\\"parameters\\"]")')


def read_parameters(source):
    """[Parameter, ...] of the parameters cell of a percent script's ``source``, in order.

    Every statement must be ``name = literal`` or ``name: type = literal``; the comment at the
    end of its line is its help."""
    cell = parameters_cell(source)
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(cell).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params = []
    for node in ast.parse(cell).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, node.annotation
        else:
            raise ValueError(f"the parameters cell holds plain assignments only, got {ast.unparse(node)!r}")
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ValueError(f"parameter {name}: the value must be a literal, got {ast.unparse(node.value)!r}") from None
        if annotation is not None:
            type_ = _annotation_type(annotation, name)
        elif default is None:
            type_ = str
        elif isinstance(default, list) and default and len({type(v) for v in default}) == 1 \
                and type(default[0]) in (int, float, str):
            type_ = type(default[0])      # a list: the flag takes one or more values (nargs="+")
        else:
            type_ = type(default)
            if type_ not in _TYPES.values():
                raise ValueError(f"parameter {name}: {type_.__name__} values cannot be flags "
                                 f"(int, float, str, bool, or a list of int, float or str)")
        params.append(Parameter(name, default, type_, comments.get(node.end_lineno, "")))
    return params


def _flag_type(param):
    if param.type is int:
        def parse_int(text):
            return None if text.lower() == "none" and param.default is None else int(text)
        parse_int.__name__ = "int"
        return parse_int
    if param.type is float:
        def parse_float(text):
            return None if text.lower() == "none" and param.default is None else float(text)
        parse_float.__name__ = "float"
        return parse_float
    return str


def _parser(params, description, choices):
    parser = argparse.ArgumentParser(description=description, argument_default=argparse.SUPPRESS)
    for p in params:
        shown = "" if p.default is None else f" ({p.default})"
        if p.type is bool:
            parser.add_argument(p.flag, dest=p.name, action=argparse.BooleanOptionalAction,
                                help=f"{p.help}{' (on)' if p.default else ''}")
        else:
            parser.add_argument(p.flag, dest=p.name, type=_flag_type(p), choices=choices.get(p.name),
                                nargs="+" if isinstance(p.default, list) else None, metavar=None if p.name in choices else p.type.__name__.upper(), help=f"{p.help}{shown}")
    return parser


def _check(namespace, choices, positive, fail):
    for name, allowed in choices.items():
        value = namespace.get(name)
        if value is not None and value not in allowed:
            fail(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")
    for name in positive:
        value = namespace.get(name)
        if value is not None and not value > 0:
            fail(f"{name} must be positive, got {value!r}")


def parameters(namespace, *, quick=None, presets=None, choices=None, positive=(), lengths=None,
               description=None, argv=None):
    """Apply the command line (scripts only), the presets, the quick slice and the checks to a
    tutorial's globals ``namespace``; put a ``backend`` parameter in force. See the module docstring.

    - ``quick``: {name: value} used when ``quick`` is True (a small slice, under a minute).
    - ``presets``: {switch: {name: value}}: the values used when the bool parameter ``switch``
      is True (e.g. ``faithful``: the original tutorial's numbers).
    - Neither ``quick`` nor a preset overrides a value the user set: a flag given in a script,
      a parameter papermill injected in a notebook. What they do set is printed in one line (a
      value typed into the parameters cell itself cannot be told from its default).
    - ``choices``: {name: allowed values}; ``positive``: names whose value must be > 0;
      ``lengths``: {list name: list name it must match in length}.
    - ``description``: the ``--help`` text (default: the first markdown heading of the file).
    - ``argv``: the arguments (default ``sys.argv[1:]``); ignored outside a script.

    Returns {name: value} of the parameters the user set (command line or papermill).
    """
    quick, choices, presets = dict(quick or {}), dict(choices or {}), dict(presets or {})
    if "backend" in namespace and "backend" not in choices:
        choices["backend"] = _backend.BACKENDS
    given = {}
    if running_as_script(namespace):
        with open(namespace["__file__"], encoding="utf-8") as f:
            source = f.read()
        params = read_parameters(source)
        if description is None:
            heading = re.search(r"^# #+ (.+)$", source, re.MULTILINE)
            description = heading.group(1) if heading else None
        parser = _parser(params, description, choices)
        given = vars(parser.parse_args(sys.argv[1:] if argv is None else argv))
        fail = parser.error
    else:
        given = {name: namespace[name] for name in injected_parameters() if name in namespace}

        def fail(message):
            raise ValueError(message)
    for switch, values in list(presets.items()) + [("quick", quick)]:
        if values and given.get(switch, namespace.get(switch, False)):
            applied = {k: v for k, v in values.items() if k not in given}
            if applied:   # said, not silent: a value typed into the cell itself looks like a default
                print(f"{switch} = True sets " + ", ".join(f"{k} = {v!r}" for k, v in applied.items())
                      + " (a value given as a flag or a papermill parameter is kept)")
            namespace.update(applied)
    namespace.update(given)
    _check(namespace, choices, positive, fail)
    for name, other in (lengths or {}).items():
        if len(namespace[name]) != len(namespace[other]):
            fail(f"{name} needs one value per item of {other} ({len(namespace[other])}), got {len(namespace[name])}")
    if namespace.get("backend"):
        _backend.use(namespace["backend"])
    return given


def injected_parameters():
    """The names papermill set in this Jupyter kernel (the assignments of its injected cell,
    which starts with ``# Parameters``); empty outside a kernel or without papermill."""
    if not in_notebook():
        return set()
    from IPython import get_ipython
    shell = get_ipython()
    for source in reversed(shell.user_ns.get("In", []) if shell is not None else []):
        if source.lstrip().startswith("# Parameters"):
            return {node.targets[0].id for node in ast.parse(source).body
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    return set()


# ----- the code the chapter teaches ---------------------------------------------------------
def show_source(*objects):
    """Show the source of live functions, methods or classes (``inspect.getsource``), so what a
    chapter shows is what runs: highlighted Python in Jupyter, plain text in a script (stdout)."""
    import inspect
    import textwrap
    parts = []
    for obj in objects:
        where = os.path.relpath(inspect.getsourcefile(obj), os.path.dirname(os.path.dirname(__file__)))
        parts.append(f"# {where}: {obj.__qualname__}\n" + textwrap.dedent(inspect.getsource(obj)))
    text = "\n".join(parts)
    if in_notebook():
        from IPython.display import display
        display({"text/markdown": f"```python\n{text}```", "text/plain": text}, raw=True)
    else:
        print(text)


class RunFirst(Exception):
    """A cell needs another one run first; Jupyter shows only its one line, no traceback."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def need(namespace, name, cell):
    """Stop with one line (``RunFirst``) unless ``name`` is set (not None) in ``namespace``: the
    figure or step that uses it needs ``cell`` run first."""
    if namespace.get(name) is None:
        raise RunFirst(f"run {cell} first (this cell uses its {name})")
    return namespace[name]


# ----- long runs ----------------------------------------------------------------------------
def progress_bar():
    """The trainer's display for a chapter's training cell: a progress bar on a terminal, nothing
    in a notebook or a log (the cell prints its own line per epoch)."""
    return Display("bar" if sys.stdout.isatty() else "none")


def long_run(checkpoint):
    """The ``dae.Trainer`` keywords a chapter's long run needs but does not teach: a checkpoint
    written to ``checkpoint`` after every epoch and on Ctrl-C, and a progress bar only when stdout
    is a terminal (a notebook shows the chapter's own epoch lines). Pass as ``**long_run(path)``."""
    return {"checkpoint": Checkpointing(checkpoint), "display": progress_bar()}


def fit(trainer, train_x, epochs, resume=False):
    """``trainer.fit(train_x, epochs)``; with ``resume``, first go on from the trainer's checkpoint
    if there is one (an interrupted run, even a ``kill -9``, ends as the uninterrupted one would)."""
    if resume:
        trainer.resume()
    return trainer.fit(train_x, epochs)


# ----- figures ------------------------------------------------------------------------------
def show(figure, path, dpi=80, zoom=1):
    """Write ``figure`` (a uint8 image array, or a matplotlib Figure) to ``path`` and, in a
    Jupyter kernel, display the written file inline; an image array is displayed ``zoom`` times
    larger (each pixel repeated: sharp, not blurred), the file keeps its own size."""
    _make_folder(path)
    if hasattr(figure, "savefig"):
        figure.savefig(path, dpi=dpi)
        if getattr(figure.canvas, "manager", None) is not None:
            # made by pyplot: close it, or the inline backend would draw it a second time
            import matplotlib.pyplot as plt
            plt.close(figure)
    else:
        save_image(figure, path)
    if in_notebook():
        from IPython.display import Image, display
        if zoom != 1 and not hasattr(figure, "savefig"):
            display(Image(data=_png_bytes(zoom_image(figure, zoom)), format="png"))
        else:
            display(Image(filename=path))


def show_animation(frames, path, duration=400, labels=None, zoom=1):
    """Write the uint8 ``frames`` to ``path`` as a looping GIF (``dae.plotting.save_gif``:
    ``duration`` ms a frame, ``labels`` under them) and, in a Jupyter kernel, display it inline,
    ``zoom`` times wider than the file (which stays small). Returns the number of frames written."""
    _make_folder(path)
    n_frames = save_gif(frames, path, duration=duration, labels=labels)
    if in_notebook():
        from IPython.display import Image, display
        display(Image(filename=path, width=zoom * frames[0].shape[1]))
    return n_frames


def _make_folder(path):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)


def _png_bytes(array):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


# ----- tests --------------------------------------------------------------------------------
def run_script(path, argv=()):
    """Run the tutorial at ``path`` as ``python path *argv`` would, in this process; returns
    its globals after the last cell (``SystemExit`` of a bad flag propagates)."""
    saved = sys.argv
    sys.argv = [str(path)] + [str(a) for a in argv]
    try:
        return runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = saved
