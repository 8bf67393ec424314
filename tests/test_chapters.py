"""Rules every chapter (tutorials/*_tutorial.py and its executed notebook) keeps: the maths renders
on GitHub and in JupyterLab, timings go to stdout, the parameters cell is one commented line per
knob, and the teaching cells are short.

Each chapter's own behaviour (its lines, its figures, its cells run twice) is tested in
tests/test_tutorial_<chapter>.py; this module holds what they all share.
"""
import glob
import json
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHAPTERS = sorted(glob.glob(os.path.join(ROOT, "tutorials", "*_tutorial.py")))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*_tutorial.ipynb")))
MAX_CELL_LINES = 30   # "about 25 lines at most", blank lines and comments not counted


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _cells(text):
    """[(marker, body)] of a jupytext percent script, in order."""
    markers = re.findall(r"^# %%.*$", text, flags=re.M)
    return list(zip(markers, re.split(r"^# %%.*$", text, flags=re.M)[1:]))


def _markdown_cells(text):
    """The lines of every markdown cell (a list per cell), outside fenced code blocks."""
    for marker, body in _cells(text):
        if "[markdown]" not in marker:
            continue
        fenced, lines = False, []
        for line in body.splitlines():
            line = line[2:] if line.startswith("# ") else line.lstrip("#")
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced:
                lines.append(line)
        yield lines


def _name(path):
    return os.path.basename(path)[:-3]


def test_every_chapter_is_here():
    assert len(CHAPTERS) == 7 and len(NOTEBOOKS) == 7


# ----- the maths ------------------------------------------------------------------------------
def check_maths(lines):
    """Raise AssertionError for inline maths broken across lines (``$`` opened on one line and
    closed on the next renders as text, or as a list when the next line starts with ``+``), an
    unclosed display block, unbalanced braces or ``\\left``/``\\right``, or a ``\\textstyle``
    (it shrinks the rest of a display formula)."""
    text = "\n".join(re.sub(r"`[^`]*`", "", line) for line in lines)   # code spans may hold a literal $
    assert text.count("$$") % 2 == 0, "a display formula ($$) is not closed"
    formulas = re.findall(r"\$\$(.+?)\$\$", text, flags=re.S)
    for line in re.sub(r"\$\$.+?\$\$", " ", text, flags=re.S).splitlines():
        assert line.count("$") % 2 == 0, f"inline maths broken across lines: {line!r}"
        formulas += re.findall(r"\$([^$]+)\$", line)
    for formula in formulas:
        assert formula.count("{") == formula.count("}"), f"unbalanced braces in {formula!r}"
        lefts, rights = (len(re.findall(rf"\\{word}(?![a-zA-Z])", formula)) for word in ("left", "right"))
        assert lefts == rights, f"unbalanced \\left/\\right in {formula!r}"
        assert r"\textstyle" not in formula, f"\\textstyle shrinks the rest of the formula: {formula!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=_name)
def test_the_maths_renders(path):
    cells = list(_markdown_cells(_read(path)))
    assert sum(len(cell) for cell in cells) > 20
    for cell in cells:
        check_maths(cell)


@pytest.mark.parametrize("line", ["$\\mathbf{h}_1 = s(\\mathbf{x} W_1", "$$a = b", "$x$ and $$a$$ and $y",
                                  "$\\frac{1}{2$", "$$\\textstyle\\sum_n x$$", "$\\left( x$"])
def test_the_maths_check_sees_a_broken_formula(line):
    with pytest.raises(AssertionError):
        check_maths([line])


def test_the_maths_check_passes_good_maths():
    check_maths(["An input $\\mathbf{x} \\in [0, 1]^d$ and `$HOME` in code", "$$L = -\\sum_k x_k \\log z_k$$",
                 "$$\\mathbf{y} = s(\\mathbf{x} W), \\qquad", "  \\mathbf{z} = s(\\mathbf{y} W^T)$$ where $s$ is"])


# ----- timings and stderr -------------------------------------------------------------------
@pytest.mark.parametrize("path", CHAPTERS, ids=_name)
def test_timings_go_to_stdout(path):
    """A line printed to stderr shows as a pink error box in Jupyter."""
    assert "sys.stderr" not in _read(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_no_executed_notebook_has_a_stderr_output(path):
    notebook = json.loads(_read(path))
    stderr = [cell["source"][:1] for cell in notebook["cells"] if cell["cell_type"] == "code"
              for output in cell.get("outputs", []) if output.get("name") == "stderr"]
    assert not stderr, f"stderr outputs in the cells starting {stderr}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_no_executed_notebook_shows_an_error(path):
    notebook = json.loads(_read(path))
    errors = [output.get("ename") for cell in notebook["cells"] if cell["cell_type"] == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


# ----- the cells ----------------------------------------------------------------------------
def _code_lines(body):
    return [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("path", CHAPTERS, ids=_name)
def test_the_parameters_cell_is_one_commented_line_per_knob(path):
    cells = [body for marker, body in _cells(_read(path)) if 'tags=["parameters"]' in marker]
    assert len(cells) == 1
    lines = _code_lines(cells[0])
    assert 3 <= len(lines) <= 30
    for line in lines:
        assert re.match(r"^\w+(: [\w\[\]]+)? = .+  # \S", line), f"not one commented assignment: {line!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=_name)
def test_the_code_cells_are_short(path):
    for marker, body in _cells(_read(path)):
        if "[markdown]" not in marker:
            lines = _code_lines(body)
            assert len(lines) <= MAX_CELL_LINES, f"a {len(lines)}-line cell starting {lines[:1]}"
