"""The workbook on disk: ``start`` copies the templates into a folder, ``check`` grades a folder.

A workbook is a folder holding the exercise files, README.md, a pytest.ini, conftest.py and
test_workbook.py (so ``pytest`` in it grades it) and the marker file ``.dae-workbook``. The
templates ship inside the package (``dae/exercises/templates``), so this works from a plain
``pip install``.
"""
import os

from ..io import atomic_write
from .core import grade_reference
from .graders import load
from .worker import grade_files

MARKER = ".dae-workbook"
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def exercises():
    """The exercises, in the workbook's order."""
    return load()


def get(name):
    """The exercise called ``name`` (``dA_gradients`` or ``dA_gradients.py``); ValueError otherwise."""
    stem = os.path.basename(name)
    stem = stem[:-3] if stem.endswith(".py") else stem
    for ex in exercises():
        if ex.name == stem:
            return ex
    raise ValueError(f"no exercise called {name!r}; the exercises are: {', '.join(e.name for e in exercises())}")


def template_files():
    """The files a fresh workbook holds (names relative to the workbook)."""
    return sorted(f for f in os.listdir(TEMPLATES)
                  if not f.startswith((".", "__")) and os.path.isfile(os.path.join(TEMPLATES, f)))


def start(directory, force=False):
    """Copy a fresh workbook into ``directory``; returns the files written.

    Refuses (FileExistsError) when ``directory`` already holds files, unless ``force``: then the
    workbook's files are replaced by fresh templates (other files are left alone).
    """
    directory = os.path.abspath(directory)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise FileExistsError(f"{directory} exists and is not a folder")
    if os.path.isdir(directory) and os.listdir(directory) and not force:
        what = "a workbook" if os.path.exists(os.path.join(directory, MARKER)) else "files"
        raise FileExistsError(f"{directory} already holds {what}; pass --force to overwrite the workbook's "
                              "files with fresh templates (your answers in them are lost)")
    os.makedirs(directory, exist_ok=True)
    written = []
    for name in template_files():
        with open(os.path.join(TEMPLATES, name), "rb") as fh:
            _replace(os.path.join(directory, name), fh.read())
        written.append(name)
    _replace(os.path.join(directory, MARKER), b"dae exercises workbook: `dae exercises check` grades this folder\n")
    return written


def _replace(path, data):
    """Put a new file with ``data`` at ``path``, replacing what is there: a symlink planted in the
    workbook is replaced, never written through (the file it points to is left alone)."""
    if os.path.islink(path) or (os.path.exists(path) and not os.path.isfile(path)):
        if os.path.isdir(path) and not os.path.islink(path):
            raise FileExistsError(f"{path} is a folder where the workbook has a file; move it away first")
        os.unlink(path)
    atomic_write(path, lambda f: f.write(data))


def find(directory=None):
    """The workbook folder: ``directory`` when given, else the current folder or the nearest parent
    holding the marker (or the one workbook folder right inside the current one).
    FileNotFoundError when there is none."""
    if directory is not None:
        directory = os.path.abspath(directory)
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"no workbook folder {directory} (create one with `dae exercises start DIR`)")
        return directory
    here = os.path.abspath(os.getcwd())
    path = here
    while True:
        if os.path.exists(os.path.join(path, MARKER)):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if any(os.path.exists(os.path.join(here, ex.filename)) for ex in exercises()):
        return here
    children = [os.path.join(here, d) for d in sorted(os.listdir(here))
                if os.path.exists(os.path.join(here, d, MARKER))]
    if len(children) == 1:  # run next to the one workbook
        return children[0]
    raise FileNotFoundError(f"{here} is not a workbook (nor inside one): pass --dir DIR, or create one with "
                            "`dae exercises start DIR`")


def check(names=None, directory=None, solutions=False, timeout=None):
    """Grade the named exercises (default: all) of the workbook, or the package's solutions.

    A name may be a path to the exercise's file (``my_workbook/dA_gradients.py``): its folder is
    then the workbook, unless ``directory`` says otherwise. Each file is graded in a child process
    with a time limit of ``timeout`` seconds per exercise (default: a minute; see worker)."""
    chosen = exercises() if not names else [get(n) for n in names]
    if solutions:
        return [grade_reference(ex) for ex in chosen]
    if directory is None and names and any(os.path.isfile(n) and os.path.dirname(n) for n in names):
        directory = os.path.dirname([n for n in names if os.path.isfile(n) and os.path.dirname(n)][0])
    folder = find(directory)
    return grade_files(chosen, folder, timeout)
