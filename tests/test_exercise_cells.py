"""The `## Your turn` cells of every chapter: untouched, each grading cell prints `not started`;
with the stubs filled in by a correct attempt (tests/exercise_attempts/), `passed`. The cells are
executed here as a kernel would run them, one after another in one namespace, each twice."""
import ast
import contextlib
import io
import os
import re
import textwrap

import pytest

from dae.exercises import payoff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ATTEMPTS = os.path.join(ROOT, "tests", "exercise_attempts")
CHAPTERS = {"dA_tutorial": ["gradient_checker", "dA_gradients"], "SdA_tutorial": ["softmax_mlp"],
            "cA_tutorial": ["contractive_penalty"], "variants_tutorial": ["sparse_kl"],
            "deep_autoencoder_tutorial": ["sigmoid_cross_entropy"],
            "conv_autoencoder_tutorial": ["conv_backward", "maxpool_backward"], "vae_tutorial": ["vae_gradients"]}
PAYOFF_FILES = {"dA_tutorial": ["filters_corruption_0.png", "filters_corruption_30.png"],
                "variants_tutorial": ["sparse_filters.png"]}
STUB = "    # ---- your code here ----\n    raise NotImplementedError\n    # ---- end of your code ----"


def your_turn(name):
    """[(kind, source)] of the cells from `## Your turn` to the end of tutorials/NAME.py."""
    with open(os.path.join(ROOT, "tutorials", name + ".py"), encoding="utf-8") as fh:
        source = fh.read()
    cells = re.split(r"^(?=# %%)", source, flags=re.M)
    start = next(i for i, c in enumerate(cells) if c.startswith("# %% [markdown]\n# ## Your turn"))
    return [("markdown" if c.startswith("# %% [markdown]") else "code", c.split("\n", 1)[1]) for c in cells[start:]]


def run_cells(cells, namespace):
    """Run each code cell twice; its printed text (the same both times, or the test fails), the
    timing lines (' ran for ') left out."""
    printed = []
    for kind, code in cells:
        if kind != "code":
            continue
        outs = []
        for _ in range(2):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, "<cell>", "exec"), namespace)
            outs.append("".join(line for line in buffer.getvalue().splitlines(True) if " ran for " not in line))
        assert outs[0] == outs[1], f"a cell printed something else when re-run:\n{code}"
        printed.append(outs[0])
    return printed


def fill(code, exercise):
    """The stub cell with every stub's body replaced by the attempt's (its helpers put on top)."""
    with open(os.path.join(ATTEMPTS, exercise + ".py"), encoding="utf-8") as fh:
        attempt = fh.read()
    lines = attempt.split("\n")
    helpers = []
    for node in ast.parse(attempt).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if f"def {node.name}(" not in code:
            helpers.append("\n".join(lines[node.lineno - 1:node.end_lineno]))
            continue
        body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) \
            else node.body
        text = textwrap.indent(textwrap.dedent("\n".join(lines[body[0].lineno - 1:node.end_lineno])), "    ")
        head = code.index(f"def {node.name}(")
        at = code.index(STUB, head)
        code = code[:at] + "    # ---- your code here ----\n" + text + "\n    # ---- end of your code ----" \
            + code[at + len(STUB):]
    if helpers:
        code = code.replace("import numpy\n", "import numpy\n\n\n" + "\n\n\n".join(helpers) + "\n", 1)
    return code


def exercise_of(code):
    match = re.search(r'dae\.exercises\.check\("(\w+)"', code)
    return match.group(1) if match else None


def grading_lines(printed, cells):
    codes = [code for kind, code in cells if kind == "code"]
    return {exercise_of(code): text for code, text in zip(codes, printed) if exercise_of(code)}


@pytest.fixture
def tiny_payoff(monkeypatch):
    monkeypatch.setattr(payoff, "N_TRAIN", 40)
    monkeypatch.setattr(payoff, "EPOCHS", 1)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_untouched_stubs_print_not_started(name, tmp_path, tiny_payoff):
    cells = your_turn(name)
    text = "".join(code for _, code in cells)
    assert "dae exercises start my_workbook" in text and "# ---- end of your code ----" in text
    assert text.count(STUB) >= len(CHAPTERS[name])
    printed = run_cells(cells, {"output_folder": str(tmp_path)})
    graded = grading_lines(printed, cells)
    assert list(graded) == CHAPTERS[name]
    for exercise, out in graded.items():
        assert out.startswith(f"{exercise}: not started") and out.count("\n") == 1, out
    if name in PAYOFF_FILES:  # the payoff cell: one line, no training
        exercise = CHAPTERS[name][-1]
        assert printed[-1].count("\n") == 1 and f'pass dae.exercises.check("{exercise}", ...) first' in printed[-1]
        assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_stubs_filled_with_a_correct_attempt_pass(name, tmp_path, tiny_payoff):
    cells = your_turn(name)
    filled, exercises = [], iter(CHAPTERS[name])
    for kind, code in cells:
        if kind == "code" and STUB in code:
            code = fill(code, next(exercises))
            assert STUB not in code
        filled.append((kind, code))
    printed = run_cells(filled, {"output_folder": str(tmp_path)})
    graded = grading_lines(printed, filled)
    assert list(graded) == CHAPTERS[name]
    for exercise, out in graded.items():
        assert out.startswith(f"{exercise}: passed"), out
    if name in PAYOFF_FILES:  # the payoff cell trains (a tiny slice here) and draws the filters
        assert "epoch 0: your cost" in printed[-1]
        for figure in PAYOFF_FILES[name]:
            assert (tmp_path / "yours" / figure).stat().st_size > 0
