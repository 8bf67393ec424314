"""Build notebooks/*.ipynb from tutorials/*.py: convert with jupytext, execute with papermill.

    pip install -e ".[notebooks]"
    python tools/build_notebooks.py                    # every tutorial, at its full default size
    python tools/build_notebooks.py dA_tutorial cA_tutorial   # some of them
    python tools/build_notebooks.py --quick --output-dir /tmp/nb   # quick=True: a smoke test

The scripts in tutorials/ are the source; the notebooks are made from them by this command and
never edited by hand (tests/test_notebooks.py checks that their code cells are the scripts').
Each notebook runs in a fresh "python3" Jupyter kernel, cell by cell, from a scratch folder
(the tutorial's ``*_plots/`` figures are written there and shown inline, so the notebook
carries them), with this checkout's ``dae`` first on the kernel's path. ``--quick`` injects
``quick = True`` after the parameters cell (papermill's convention) and is for testing only:
the notebooks in the repository are executed at full size.
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "tutorials")


def tutorial_names():
    return sorted(name[:-3] for name in os.listdir(TUTORIALS) if name.endswith("_tutorial.py"))


def convert(script_path, notebook_path):
    """The percent script as an (unexecuted) notebook with a python3 kernelspec."""
    import jupytext

    notebook = jupytext.read(script_path)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)  # the notebook stands alone; the script is the source
    jupytext.write(notebook, notebook_path, fmt="ipynb")
    return notebook_path


def build(name, output_dir, quick=False, parameters=None, timeout=None, workdir=None, log_output=False):
    """Convert tutorials/<name>.py to <output_dir>/<name>.ipynb and execute it in place;
    returns the notebook's path. ``parameters`` are injected after the parameters cell."""
    import papermill

    os.makedirs(output_dir, exist_ok=True)
    path = convert(os.path.join(TUTORIALS, name + ".py"), os.path.join(output_dir, name + ".ipynb"))
    params = dict(parameters or {})
    if quick:
        params["quick"] = True
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = ROOT + (os.pathsep + env_path if env_path else "")  # the kernel's dae
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}_") as scratch:
            papermill.execute_notebook(path, path, parameters=params, kernel_name="python3",
                                       cwd=workdir or scratch, progress_bar=False, log_output=log_output,
                                       execution_timeout=timeout)
    finally:
        os.environ["PYTHONPATH"] = env_path
        if not env_path:
            del os.environ["PYTHONPATH"]
    _strip_run_metadata(path)
    return path


def _strip_run_metadata(path):
    """Drop what papermill records about the run (local paths, timestamps), so that rebuilding
    an unchanged tutorial changes only what its cells print."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Convert and execute the tutorials as notebooks.")
    parser.add_argument("names", nargs="*", help=f"tutorials to build (default: all of {', '.join(tutorial_names())})")
    parser.add_argument("--output-dir", default=os.path.join(ROOT, "notebooks"), help="where the .ipynb go (notebooks/)")
    parser.add_argument("--quick", action="store_true", help="run each with quick=True (a smoke test, not for the repo)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: none)")
    parser.add_argument("--log-output", action="store_true", help="echo the cells' output while they run")
    args = parser.parse_args(argv)
    names = [n[:-3] if n.endswith(".py") else n for n in args.names] or tutorial_names()
    unknown = [n for n in names if n not in tutorial_names()]
    if unknown:
        parser.error(f"unknown tutorials {unknown}; choose from {', '.join(tutorial_names())}")
    for name in names:
        start = time.time()
        path = build(name, args.output_dir, quick=args.quick, timeout=args.timeout, log_output=args.log_output)
        print(f"{path}: executed in {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
