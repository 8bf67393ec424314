"""What the chapter tests share: a tutorial's code cells run one at a time as a notebook would,
with the lines they print (timings masked), and the check that its markdown maths renders."""
import re


def code_cells(script):
    """The code cells of the percent script at ``script``, in order (a line '# %%' starts a cell)."""
    with open(script, encoding="utf-8") as f:
        text = f.read()
    markers = re.findall(r"^# %%.*$", text, flags=re.M)
    cells = re.split(r"^# %%.*$", text, flags=re.M)[1:]
    return [c for c, marker in zip(cells, markers) if "[markdown]" not in marker]


def run_cell(script, cell, ns, capsys):
    """Run ``cell`` in the namespace ``ns``; the lines it printed, all but the timings (' ran for ')."""
    exec(compile(cell, script, "exec"), ns)
    out, err = capsys.readouterr()
    assert err == "", f"a cell wrote to stderr: {err!r}"
    return [line for line in out.splitlines() if " ran for " not in line]


def index_of(cells, text):
    """The index of the one code cell that contains ``text``."""
    found = [i for i, c in enumerate(cells) if text in c]
    assert len(found) == 1, f"{len(found)} cells contain {text!r}"
    return found[0]


def maths_problems(script):
    """Lines of the markdown cells whose maths would not render: inline $...$ that does not close
    on its line, $$...$$ that is not on one line, unbalanced LaTeX braces, a leaking \\textstyle."""
    with open(script, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for cell in re.split(r"^# %%", text, flags=re.M):
        if not cell.startswith(" [markdown]"):
            continue
        fenced = False
        for line in cell.splitlines()[1:]:
            line = line[2:] if line.startswith("# ") else line.lstrip("#")
            if line.startswith("```"):
                fenced = not fenced
            if fenced or line.startswith("```"):
                continue
            if line.count("$$") not in (0, 2):
                problems.append(f"display maths not on one line: {line!r}")
            if line.replace("$$", "").replace(r"\$", "").count("$") % 2:
                problems.append(f"inline maths broken across lines: {line!r}")
            for formula in re.findall(r"\$\$?([^$]+)\$", line):
                if formula.count("{") != formula.count("}"):
                    problems.append(f"unbalanced braces in {formula!r}")
                if r"\textstyle" in formula:
                    problems.append(f"\\textstyle leaks into the rest of {formula!r}")
    return problems
