"""What the chapter tests share: a tutorial's code cells run one at a time as a notebook would,
with the lines they print (timings masked). The rules every chapter keeps (its maths renders,
short cells, ...) are in tests/test_chapters.py."""
import re

import pytest

import dae


def code_cells(script):
    """The code cells of the percent script at ``script``, in order (a line '# %%' starts a cell)."""
    with open(script, encoding="utf-8") as f:
        text = f.read()
    markers = re.findall(r"^# %%.*$", text, flags=re.M)
    cells = re.split(r"^# %%.*$", text, flags=re.M)[1:]
    return [c for c, marker in zip(cells, markers) if "[markdown]" not in marker]


def run_cell(script, cell, ns, capsys):
    """Run ``cell`` in the namespace ``ns``; the lines it printed, all but the timings (lines with
    ' ran for ', minutes such as ', 0.01m' or '(0.01 minutes')."""
    exec(compile(cell, script, "exec"), ns)
    out, err = capsys.readouterr()
    assert err == "", f"a cell wrote to stderr: {err!r}"
    return [re.sub(r"\d+\.\d\dm\b|\(\d+\.\d\d minutes", "<time>", line) for line in out.splitlines()
            if " ran for " not in line]


def index_of(cells, text):
    """The index of the one code cell that contains ``text``."""
    found = [i for i, c in enumerate(cells) if text in c]
    assert len(found) == 1, f"{len(found)} cells contain {text!r}"
    return found[0]


def small_namespace(script, capsys, **values):
    """(code cells, namespace) of the chapter at ``script`` after its parameters cell, run as in a
    notebook (no command line), with ``values`` (a small slice) put over its defaults."""
    cells = code_cells(script)
    ns = {"__name__": "chapter"}
    run_cell(script, cells[0], ns, capsys)
    ns.update(values)
    return cells, ns


def run_cells(script, cells, ns, capsys):
    """Every cell after the parameters cell, in order: the lines each printed (cell i's at i - 1)."""
    return [run_cell(script, cell, ns, capsys) for cell in cells[1:]]


def assert_prints_the_same_again(script, cells, ns, capsys, first, indices):
    """The cells at ``indices``, run again in that order, print what they printed the first time
    (``first``, from run_cells)."""
    for index in indices:
        assert run_cell(script, cells[index], ns, capsys) == first[index - 1], f"cell {index} printed other lines"


def assert_stop_until_trained(script, cells, ns, capsys, training, later, message):
    """With the cells before cells[training] run, each cell of ``later`` (sources) stops with
    dae.tutorial.RunFirst, its message matching the regular expression ``message``."""
    for cell in cells[1:training]:
        run_cell(script, cell, ns, capsys)
    for cell in later:
        with pytest.raises(dae.tutorial.RunFirst, match=message):
            run_cell(script, cell, ns, capsys)
