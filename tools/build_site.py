#!/usr/bin/env python
"""Build the course website: ``python tools/build_site.py`` writes a static site to ``site/``.

Sources, none copied by hand:

- the executed notebooks in ``notebooks/`` (rendered as they are, never re-executed), one page a
  chapter, in the order of the README's "Tutorials, in order" table;
- the README: the home page (what dae is, the two commands, the results table with its commands),
  the speed and results page, and the README whole, cut from it at build time;
- the exercises: the README's section, the workbook's README and each template of
  ``dae/exercises/templates/``;
- the API reference: one page for every name in ``dae.__all__``, from the docstrings (autodoc);
- the command line: ``dae --help`` and each sub-command's ``--help``, run at build time;
- ``docs/site/``: the Sphinx configuration and the hand-written pages ("From Theano to dae").

Maths is rendered by a copy of MathJax 3 that the build ships into ``site/_static/mathjax`` (fetched
once with ``npm pack`` from the npm registry into a cache folder outside git, or taken from
``DAE_MATHJAX_DIR``), so the site needs no network and opens from the file system.
Sphinx runs with warnings as errors (``-W --keep-going``).

Needs ``pip install -e ".[docs]"`` (Sphinx, MyST-NB, Furo) and, the first time, ``npm``.
"""
import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MATHJAX_VERSION = "3.2.2"
# what of MathJax's es5/ folder the pages use: the TeX-to-SVG bundle and what it loads on demand
MATHJAX_PARTS = ["tex-svg.js", "input", "output/svg", "ui", "a11y", "sre", "adaptors"]


class BuildError(Exception):
    """A build step failed; the message says which and what to do."""


# ----------------------------------------------------------------------------------------------
# the README, cut into the pages that show it
# ----------------------------------------------------------------------------------------------

def slug(title):
    """The anchor GitHub (and MyST, with myst_heading_anchors) gives a heading."""
    text = title.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(text):
    """``[(level, title, line_index)]`` of the Markdown headings outside fenced code blocks."""
    found, fenced = [], False
    for i, line in enumerate(text.splitlines()):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else re.match(r"(#{1,6}) (.*)", line)
        if m:
            found.append((len(m.group(1)), m.group(2).strip(), i))
    return found


def section(text, title, with_heading=True):
    """The README's section ``title`` (up to the next heading of its level or above)."""
    lines = text.splitlines()
    heads = headings(text)
    for k, (level, t, i) in enumerate(heads):
        if t == title:
            end = len(lines)
            for level2, _, j in heads[k + 1:]:
                if level2 <= level:
                    end = j
                    break
            start = i if with_heading else i + 1
            return "\n".join(lines[start:end]).strip("\n") + "\n"
    raise BuildError(f"the README has no section '{title}' (the site's pages are cut from it)")


def intro(text):
    """The README from its title to its first second-level heading."""
    heads = headings(text)
    lines = text.splitlines()
    first_h2 = next(i for level, _, i in heads if level == 2)
    return "\n".join(lines[:first_h2]).strip("\n") + "\n"


def shift_headings(text, by):
    """Move every heading outside code fences ``by`` levels down."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            line = "#" * by + line
        out.append(line)
    return "\n".join(out) + "\n"


LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")


class Links:
    """Rewrites the README's and the notebooks' links for the site.

    ``#anchor``: kept when the page has that heading, else sent to the page that has it (the
    speed and results page, or the README page); ``notebooks/NAME.ipynb``: that chapter's page;
    ``docs/figures/*.png``: kept (the figures are copied); http(s): kept; any other file of the
    repository: the text stays, the link goes (the site is not the repository).
    """

    def __init__(self, chapters, anchors):
        self.chapters = set(chapters)     # notebook stems that have a page
        self.anchors = anchors            # page -> set of anchors on it

    def rewrite(self, md, page):
        prefix = "../" * page.count("/")
        out, fenced = [], False
        for line in md.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            if not fenced:
                line = LINK.sub(lambda m: self._one(m, page, prefix), line)
            out.append(line)
        return "\n".join(out) + ("\n" if md.endswith("\n") else "")

    def _one(self, m, page, prefix):
        bang, label, target = m.groups()
        if re.match(r"[a-z]+:", target):
            return m.group(0)
        if target.startswith("#"):
            anchor = target[1:]
            if anchor in self.anchors.get(page, ()):
                return m.group(0)
            for other in ("results.md", "guide.md"):
                if anchor in self.anchors.get(other, ()):
                    return f"{bang}[{label}]({prefix}{other}#{anchor})"
            return label
        path = target.split("#")[0]
        stem = re.fullmatch(r"(?:\.\./)?notebooks/(\w+)\.ipynb", path)
        if stem and stem.group(1) in self.chapters:
            return f"{bang}[{label}]({prefix}chapters/{stem.group(1)}.ipynb)"
        if re.fullmatch(r"(?:\.\./)?notebooks/?", path):
            return f"{bang}[{label}]({prefix}index.md#the-chapters)"
        if re.fullmatch(r"docs/figures/[\w.-]+\.(png|jpg|gif|svg)", path):
            return f"{bang}[{label}]({prefix}{path})"
        return label


def chapter_order(readme):
    """The tutorials in the order of the README's 'Tutorials, in order' table, with what each does."""
    table = section(readme, "Tutorials, in order", with_heading=False)
    order = []
    for line in table.splitlines():
        m = re.match(r"\|\s*`python tutorials/(\w+)\.py`\s*\|(.*)\|\s*$", line)
        if m and m.group(1) not in dict(order):
            order.append((m.group(1), m.group(2).strip()))
    return order


def notebook_title(path):
    import nbformat
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# (.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return os.path.splitext(os.path.basename(path))[0]


# ----------------------------------------------------------------------------------------------
# the generated pages
# ----------------------------------------------------------------------------------------------

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_chapters(src, chapters, links):
    import nbformat
    for stem, _ in chapters:
        nb = nbformat.read(os.path.join(REPO, "notebooks", stem + ".ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = links.rewrite(cell.source, "chapters/" + stem + ".ipynb")
        os.makedirs(os.path.join(src, "chapters"), exist_ok=True)
        nbformat.write(nb, os.path.join(src, "chapters", stem + ".ipynb"))


def pages_toctree(chapters):
    lines = ["```{toctree}", ":caption: Chapters", ":hidden:", ""]
    lines += [f"chapters/{stem}" for stem, _ in chapters]
    lines += ["```", "", "```{toctree}", ":caption: Beyond the chapters", ":hidden:", "",
              "exercises", "theano", "cli", "results", "api/index", "guide", "```", ""]
    return "\n".join(lines)


def write_home(src, readme, chapters, titles, links):
    text = links.rewrite(intro(readme), "index.md")
    text += "\n## The chapters\n\nRead them in this order; each is a tutorial executed at its full size, " \
            "with its maths, code, printed output and figures.\n\n"
    for k, (stem, what) in enumerate(chapters, 1):
        text += f"{k}. [{titles[stem]}](chapters/{stem}.ipynb): {what}\n"
    text += "\n## And then\n\n"
    text += "- [Exercises](exercises.md): derive the gradients yourself; the checks say what is wrong.\n"
    text += "- [From Theano to dae](theano.md): each line of the original tutorial beside the dae line that does its work.\n"
    text += "- [The command line](cli.md): `dae --help` and every sub-command.\n"
    text += "- [Speed and results](results.md): every figure with the command that measured it.\n"
    text += "- [API reference](api/index.md): every public name of `dae`, from its docstring.\n"
    text += "- [The README](guide.md): everything else, on one page.\n\n"
    text += links.rewrite(section(readme, "Results"), "index.md")
    text += "\n" + pages_toctree(chapters)
    write(os.path.join(src, "index.md"), text)


def write_results(src, readme, links):
    text = "# Speed and results\n\n" + section(readme, "Results") + "\n" + section(readme, "Speed")
    write(os.path.join(src, "results.md"), links.rewrite(text, "results.md"))


def write_guide(src, readme, links):
    lines = readme.splitlines()
    title_line = headings(readme)[0][2]
    lines[title_line] = "# The README, on one page"
    write(os.path.join(src, "guide.md"), links.rewrite("\n".join(lines) + "\n", "guide.md"))


GRADED = re.compile(r"""dae\.exercises\.check\(\s*["'](\w+)["']""")
TRAINED = re.compile(r"""dae\.exercises\.train\(\s*["'](\w+)["']""")
STUB = "# ---- your code here ----"


class ChapterExercises:
    """What one chapter's notebook holds of the exercises: the names its grading cells check, its
    payoff cells (``dae.exercises.train``), whether it has a 'Your turn' section, its code cells."""

    def __init__(self, stem):
        import nbformat
        nb = nbformat.read(os.path.join(REPO, "notebooks", stem + ".ipynb"), as_version=4)
        self.stem = stem
        self.code = [c for c in nb.cells if c.cell_type == "code"]
        self.graded = [m.group(1) for c in self.code for m in GRADED.finditer(c.source)]
        self.payoffs = [c for c in self.code if TRAINED.search(c.source)]
        self.your_turn = any(re.search(r"^## Your turn\s*$", c.source, re.M)
                             for c in nb.cells if c.cell_type == "markdown")

    def link(self, prefix=""):
        return f"{prefix}chapters/{self.stem}.ipynb" + ("#your-turn" if self.your_turn else "")

    def example(self, name):
        """(stub cell, grading cell) of exercise ``name``, or None when the notebook has none."""
        for k, cell in enumerate(self.code):
            if re.search(rf"""dae\.exercises\.check\(\s*["']{name}["']""", cell.source):
                stubs = [c for c in self.code[:k] if STUB in c.source]
                return (stubs[-1], cell) if stubs else None
        return None


def stdout_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def fenced(text, language="text"):
    return f"```{language}\n{text.rstrip()}\n```\n\n"


def exercise_chapters(exercises, chapters):
    """{exercise name: ChapterExercises of the chapter that holds it}: the notebook whose cells grade
    it, else the chapter its template names (``Exercise.tutorial``)."""
    found = [ChapterExercises(stem) for stem, _ in chapters]
    by_stem = {c.stem: c for c in found}
    where = {}
    for ex in exercises:
        holder = next((c for c in found if ex.name in c.graded), None)
        stem = os.path.splitext(os.path.basename(str(ex.tutorial)))[0]
        where[ex.name] = holder or by_stem.get(stem)
    return found, where


def exercises_in_chapters(found, where, exercises, titles):
    """The page's 'In the chapters' part: the table of chapters and their exercises, one example
    (a stub, its grading cell and what it prints untouched) taken from the notebooks."""
    text = "### In the chapters\n\nEach chapter ends with *Your turn*: for each exercise, the task (the maths, " \
           f"the shapes, what to return), a stub cell to fill in between `{STUB}` and " \
           "`# ---- end of your code ----`, and a grading cell that prints the same report as " \
           "`dae exercises check`.\n\n| chapter | its exercises | payoff |\n| --- | --- | --- |\n"
    for chapter in found:
        names = [ex.name for ex in exercises if where[ex.name] is chapter]
        if names or chapter.payoffs:
            payoff = ", ".join(f"`dae.exercises.train(\"{TRAINED.search(c.source).group(1)}\", ...)`"
                               for c in chapter.payoffs)
            text += (f"| [{titles[chapter.stem]}]({chapter.link()}) | "
                     f"{', '.join(f'{{ref}}`{n} <{slug_exercise(n)}>`' for n in names)} | {payoff} |\n")
    example = next(((c, c.example(ex.name)) for ex in exercises for c in found if c.example(ex.name)), None)
    if example:
        chapter, (stub, grading) = example
        text += f"\nIn [{titles[chapter.stem]}]({chapter.link()}), for example, a stub and its grading cell:\n\n"
        text += fenced(stub.source, "python") + fenced(grading.source, "python")
        if stdout_of(grading).strip():
            text += "Run before the stub is filled in, the grading cell prints:\n\n" + fenced(stdout_of(grading))
    return text


def slug_exercise(name):
    return "exercise-" + name.lower().replace("_", "-")


def module_docs(names):
    """Sphinx's rendering of the docstrings of the modules ``names`` that exist (automodule)."""
    import importlib.util
    text = ""
    for name in names:
        if importlib.util.find_spec(name) is not None:
            text += f"```{{eval-rst}}\n.. automodule:: {name}\n   :no-index:\n```\n\n"
    return text


def constants(module):
    """| constant | value | what | rows of a module's commented constants (``NAME = value  # what``)."""
    with open(module.__file__, encoding="utf-8") as f:
        found = re.findall(r"^([A-Z][A-Z0-9_]*) = ([^#\n]+?)\s+#\s*(.+)$", f.read(), re.M)
    rows = "".join(f"| `{module.__name__.rsplit('.', 1)[1]}.{n}` | `{v}` | {w.replace('|', '&#124;')} |\n"
                   for n, v, w in found)
    return rows


def write_exercises(src, readme, chapters, titles, links):
    import dae.exercises
    import dae.exercises.payoff
    templates = os.path.join(REPO, "dae", "exercises", "templates")
    shutil.copytree(templates, os.path.join(src, "exercises_templates"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    exercises = dae.exercises.exercises()
    found, where = exercise_chapters(exercises, chapters)
    text = "# Exercises\n\nYou derive each gradient yourself, in a chapter's notebook or in a workbook of " \
           "files; the checks grade it against the package's own code and, for the common mistakes, " \
           "say what is wrong. Everything below is generated from the notebooks, the README and the " \
           "exercises' code when this site was built.\n\n## How to start\n\n"
    text += exercises_in_chapters(found, where, exercises, titles)
    text += "### In a workbook, and everything else (from the README)\n\n"
    text += links.rewrite(section(readme, "Exercises", with_heading=False), "exercises.md")
    text += "\nThe commands are on the [command line page](cli.md).\n"
    paid = list(dae.exercises.payoff.PAYOFFS)       # the exercises with a payoff, the dA's first
    text += exercises_grading(paid[0] if paid else exercises[0].name)
    if paid:
        text += exercises_payoff(found, titles, paid[0])
    text += exercises_command(templates, links)
    text += exercises_tasks(exercises, where, titles)
    write(os.path.join(src, "exercises.md"), text)


def exercises_grading(name):
    import importlib
    grading = importlib.import_module("dae.exercises.grading")
    text = "\n## How grading works\n\nWhat the checks print, run when this site was built: an untouched " \
           "exercise, then the package's own solution of it.\n\n"
    text += fenced(session([["exercises", "check", name, "--dir", "my_workbook"],
                            ["exercises", "check", "--solutions", name]]))
    text += "From the graders' own documentation (`dae/exercises/`):\n\n"
    text += module_docs(["dae.exercises.grading", "dae.exercises.core", "dae.exercises.worker"])
    rows = constants(grading)
    try:
        rows += constants(importlib.import_module("dae.exercises.worker"))
    except ImportError:
        pass
    if rows:
        text += "The constants, as the code has them:\n\n| constant | value | what |\n| --- | --- | --- |\n" + rows + "\n"
    return text


def exercises_payoff(found, titles, name):
    text = "\n## The payoff\n\n"
    text += module_docs(["dae.exercises.payoff"])
    text += "Asked before the exercise passes, it refuses (run when this site was built):\n\n"
    text += fenced(session([["exercises", "train", name, "--dir", "my_workbook"]]))
    cells = [(c, cell) for c in found for cell in c.payoffs]
    if cells:
        text += "In the chapters, the payoff is a cell after the grading cells:\n\n"
        for chapter, cell in cells:
            text += f"[{titles[chapter.stem]}]({chapter.link()}):\n\n" + fenced(cell.source, "python")
            if stdout_of(cell).strip():
                text += "which, until the exercise passes, prints:\n\n" + fenced(stdout_of(cell))
    text += "From a terminal, `dae exercises train` (its help is below).\n"
    return text


def exercises_command(templates, links):
    text = "\n## The `dae exercises` command\n\nIts own help, captured when this site was built " \
           "(every action it has is here).\n\n"
    exercises_help = help_text(["exercises"])
    text += fenced(f"$ dae exercises --help\n{exercises_help}")
    for action in subcommands(exercises_help):
        text += fenced(f"$ dae exercises {action} --help\n{help_text(['exercises', action])}")
    with open(os.path.join(templates, "README.md"), encoding="utf-8") as f:
        workbook = f.read()
    text += "\n## The workbook's README\n\nWhat `dae exercises start` writes into the workbook, " \
            "beside the exercise files:\n\n" + links.rewrite(shift_headings(workbook, 2), "exercises.md")
    return text


def exercises_tasks(exercises, where, titles):
    text = "\n## The tasks\n\nEach exercise is one file of the workbook, shown here as the workbook " \
           "holds it: the statement in its docstrings, the stubs to replace.\n"
    for k, ex in enumerate(exercises, 1):
        text += f"\n({slug_exercise(ex.name)})=\n### {k}. `{ex.filename}`: {ex.title}\n\n"
        chapter = where.get(ex.name)
        if chapter is not None:
            text += f"In the chapter [{titles[chapter.stem]}]({chapter.link()}); "
        text += f"check it with `dae exercises check {ex.name}`.\n\n"
        with open(os.path.join(REPO, "dae", "exercises", "templates", ex.filename), encoding="utf-8") as f:
            doc = ast.get_docstring(ast.parse(f.read()))
        if doc:
            text += fenced(doc)
        text += f"```{{literalinclude}} exercises_templates/{ex.filename}\n:language: python\n```\n"
    return text


def dae_command(args, cwd=REPO, ok=(0,)):
    """What ``dae ARGS`` prints, run in ``cwd`` (BuildError if it exits with a status not in ``ok``)."""
    env = dict(os.environ, COLUMNS="80", PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-m", "dae", *args], capture_output=True, text=True, env=env, cwd=cwd)
    if res.returncode not in ok:
        raise BuildError(f"`dae {' '.join(args)}` failed (exit status {res.returncode}):\n{res.stderr}")
    return res.stdout


def help_text(args):
    return dae_command(list(args) + ["--help"])


def session(steps):
    """A terminal session in a fresh workbook, run now: ``steps`` are the argument lists of
    ``dae`` commands run in the folder that holds ``my_workbook`` (a check that does not pass exits 1)."""
    import tempfile
    text = ""
    with tempfile.TemporaryDirectory(prefix="dae-site-") as tmp:
        for args in [["exercises", "start", "my_workbook"]] + steps:
            text += f"$ dae {' '.join(args)}\n{dae_command(args, cwd=tmp, ok=(0, 1)).rstrip()}\n\n"
    return text.rstrip()


def subcommands(help_out):
    """The sub-commands an argparse help lists (4-space-indented names under 'positional arguments')."""
    names, inside = [], False
    for line in help_out.splitlines():
        if line.startswith("positional arguments"):
            inside = True
        elif inside and line and not line.startswith(" "):
            break
        elif inside:
            m = re.match(r"    (\w[\w-]*)(\s|$)", line)
            if m:
                names.append(m.group(1))
    return names


def write_cli(src):
    text = "# The command line: `dae`\n\n"
    text += "Installing the package installs a `dae` command (`python -m dae` does the same). " \
            "What follows is its own help, captured when this site was built.\n\n"

    def one(args, depth):
        nonlocal text
        out = help_text(args)
        title = "dae " + " ".join(args) if args else "dae"
        text += f"{'#' * depth} `{title}`\n\n```text\n$ {title} --help\n{out.rstrip()}\n```\n\n"
        for sub in subcommands(out):
            one(args + [sub], min(depth + 1, 4))

    one([], 2)
    write(os.path.join(src, "cli.md"), text)


def first_line(obj):
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return doc.split("\n\n")[0].replace("\n", " ").replace("|", "\\|") if doc else ""


def write_api(src):
    import inspect

    import dae
    rows, names = [], list(dae.__all__)
    for name in names:
        obj = getattr(dae, name)
        if inspect.ismodule(obj):
            # a member that dae.__all__ also names has its own page: it is documented there only
            own = sorted(n for n in names if not inspect.ismodule(getattr(dae, n)) and getattr(obj, n, None) is getattr(dae, n))
            kind, body = "module", f".. automodule:: dae.{name}\n   :members:\n   :show-inheritance:\n"
            if own:
                body += f"   :exclude-members: {', '.join(own)}\n"
        elif inspect.isclass(obj):
            kind, body = "class", f".. autoclass:: dae.{name}\n   :members:\n   :show-inheritance:\n"
            module = sys.modules.get(obj.__module__)
            if module is not None and module is not dae and (module.__doc__ or "").strip():
                # the model's equations often open its module: show them on the class's page
                body += (f"\nFrom its module, ``{module.__name__}``\n{'-' * (len(module.__name__) + 21)}\n\n"
                         f".. automodule:: {module.__name__}\n   :no-index:\n")
        else:
            kind, body = "function", f".. autofunction:: dae.{name}\n"
        title = f"dae.{name}"
        write(os.path.join(src, "api", name + ".rst"),
              f"{title}\n{'=' * len(title)}\n\n{body}")
        rows.append(f"| [`dae.{name}`]({name}.rst) | {kind} | {first_line(obj)} |")
    text = "# API reference\n\nEvery public name of the package (`dae.__all__`), documented from its " \
           "docstring. The equations in the docstrings are the code's.\n\n"
    text += "| name | kind | what |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
    text += "```{toctree}\n:hidden:\n\n" + "\n".join(names) + "\n```\n"
    write(os.path.join(src, "api", "index.md"), text)


# ----------------------------------------------------------------------------------------------
# MathJax, shipped with the site
# ----------------------------------------------------------------------------------------------

def mathjax_es5(cache):
    """The es5/ folder of MathJax MATHJAX_VERSION: DAE_MATHJAX_DIR, the cache, or fetched with npm."""
    given = os.environ.get("DAE_MATHJAX_DIR")
    if given:
        if not os.path.isfile(os.path.join(given, "tex-svg.js")):
            raise BuildError(f"DAE_MATHJAX_DIR={given} is not MathJax 3's es5/ folder (no tex-svg.js)")
        return given
    es5 = os.path.join(cache, f"mathjax-{MATHJAX_VERSION}", "es5")
    if os.path.isfile(os.path.join(es5, "tex-svg.js")):
        return es5
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("the site ships its own MathJax, fetched once with npm (not found here): "
                         "install Node.js's npm (apt-get install npm), or set DAE_MATHJAX_DIR to the "
                         f"es5/ folder of MathJax {MATHJAX_VERSION}")
    os.makedirs(cache, exist_ok=True)
    print(f"fetching MathJax {MATHJAX_VERSION} with npm into {cache}", flush=True)
    res = subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"], cwd=cache,
                         capture_output=True, text=True)
    tgz = os.path.join(cache, f"mathjax-{MATHJAX_VERSION}.tgz")
    if res.returncode != 0 or not os.path.isfile(tgz):
        raise BuildError(f"`npm pack mathjax@{MATHJAX_VERSION}` failed (no network to the npm registry?):\n"
                         f"{res.stderr.strip()}\nor set DAE_MATHJAX_DIR to MathJax 3's es5/ folder")
    tmp = os.path.join(cache, f"mathjax-{MATHJAX_VERSION}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(tgz) as tar:
        members = [m for m in tar.getmembers()
                   if m.name.startswith("package/es5/") and ".." not in m.name and (m.isfile() or m.isdir())]
        tar.extractall(tmp, members=members)
    os.makedirs(os.path.dirname(es5), exist_ok=True)
    os.replace(os.path.join(tmp, "package", "es5"), es5)
    shutil.rmtree(tmp, ignore_errors=True)
    os.remove(tgz)
    return es5


def copy_mathjax(es5, static):
    target = os.path.join(static, "mathjax")
    for part in MATHJAX_PARTS:
        src, dst = os.path.join(es5, part), os.path.join(target, part)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)


# ----------------------------------------------------------------------------------------------

def stage(src, cache):
    """Lay out the Sphinx source folder ``src``: configuration, hand-written and generated pages."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(REPO, "docs", "site"), src, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(os.path.join(REPO, "docs", "figures"), os.path.join(src, "docs", "figures"))
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    notebooks = {os.path.splitext(n)[0] for n in os.listdir(os.path.join(REPO, "notebooks")) if n.endswith(".ipynb")}
    chapters = [(stem, what) for stem, what in chapter_order(readme) if stem in notebooks]
    listed = {stem for stem, _ in chapters}
    chapters += [(stem, "") for stem in sorted(notebooks - listed)]
    titles = {stem: notebook_title(os.path.join(REPO, "notebooks", stem + ".ipynb")) for stem, _ in chapters}
    anchors = {
        "index.md": {slug(t) for _, t, _ in headings(intro(readme) + section(readme, "Results"))} | {"the-chapters"},
        "results.md": {slug(t) for _, t, _ in headings(section(readme, "Results") + section(readme, "Speed"))},
        "guide.md": {slug(t) for _, t, _ in headings(readme)},
    }
    links = Links([stem for stem, _ in chapters], anchors)
    write_chapters(src, chapters, links)
    write_home(src, readme, chapters, titles, links)
    write_results(src, readme, links)
    write_guide(src, readme, links)
    write_exercises(src, readme, chapters, titles, links)
    write_cli(src)
    write_api(src)
    copy_mathjax(mathjax_es5(cache), os.path.join(src, "_static"))
    return chapters


def check_offline(out):
    """No page may load anything from the network: every src= and stylesheet is local."""
    remote = re.compile(r"""<(?:script|img|iframe|source|link)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
    bad = []
    for root, _, files in os.walk(out):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    for m in remote.finditer(f.read()):
                        tag = m.group(0)
                        if "<link" in tag.lower() and not re.search(r"stylesheet|preload|icon", tag, re.I):
                            continue
                        bad.append(f"{os.path.relpath(path, out)}: {tag}")
    if bad:
        raise BuildError("pages load from the network:\n" + "\n".join(bad[:20]))


def build(out, work, cache, quiet=True):
    try:
        import myst_nb  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError as e:
        raise BuildError(f"{e.name} is missing: pip install -e \".[docs]\"")
    sys.path.insert(0, REPO)
    # Sphinx writes into work/html (MyST-NB keeps the notebooks' images beside it, in
    # work/jupyter_execute), and the finished site is then copied to ``out``
    src, doctrees, html = (os.path.join(work, d) for d in ("src", "doctrees", "html"))
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, ".buildinfo")):
        raise BuildError(f"{out} exists and is not a site this script built: not replacing it")
    stage(src, cache)
    for d in (doctrees, html, os.path.join(work, "jupyter_execute")):
        shutil.rmtree(d, ignore_errors=True)
    env = dict(os.environ, DAE_SITE_REPO=REPO,
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-E",
           "-d", doctrees, src, html] + (["-q"] if quiet else [])
    res = subprocess.run(cmd, env=env, cwd=REPO)
    if res.returncode != 0:
        raise BuildError(f"sphinx-build failed (warnings are errors): {' '.join(cmd)}")
    check_offline(html)
    open(os.path.join(html, ".nojekyll"), "w").close()   # serve _static/ as it is on GitHub Pages
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(html, out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", default=os.path.join(REPO, "site"), help="where the site goes (default: site/)")
    p.add_argument("--work", default=os.path.join(REPO, "build", "site"),
                   help="the staging folder for Sphinx's sources and caches (default: build/site/)")
    p.add_argument("--cache", default=os.environ.get("DAE_SITE_CACHE", os.path.join(
        os.path.expanduser("~"), ".cache", "dae-site")), help="where MathJax is kept between builds")
    p.add_argument("--verbose", action="store_true", help="Sphinx's full output")
    args = p.parse_args(argv)
    t0 = time.time()
    try:
        build(os.path.abspath(args.output), os.path.abspath(args.work), os.path.abspath(args.cache),
              quiet=not args.verbose)
    except BuildError as e:
        print(f"build_site: {e}", file=sys.stderr)
        return 1
    print(f"site built in {time.time() - t0:.0f} s: {os.path.join(os.path.abspath(args.output), 'index.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
