"""Sphinx configuration of the course website (built by ``python tools/build_site.py``).

The build script copies this folder into a staging folder, writes the generated pages beside it
(the chapters from notebooks/, the API reference from ``dae.__all__``, the command line's help,
the pages cut from the README) and a local copy of MathJax under ``_static/mathjax``, then runs
Sphinx on the staging folder with warnings as errors.
"""
import os
import sys

# the package documented is the one in this checkout (the build script sets DAE_SITE_REPO)
REPO = os.environ.get("DAE_SITE_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
sys.path.insert(0, REPO)

project = "dae"
author = "the dae authors"
copyright = "the dae authors"
html_title = "dae: denoising autoencoders from scratch"

extensions = [
    "myst_nb",              # the executed notebooks (never re-executed) and the Markdown pages
    "sphinx.ext.autodoc",   # the API reference, from the docstrings
    "sphinx.ext.mathjax",   # maths, by the copy of MathJax the build ships (mathjax_path below)
]

# notebooks are rendered as they were executed by tools/build_notebooks.py
nb_execution_mode = "off"
nb_merge_streams = True
# which of an output's representations a page shows (the lowest number wins). Stated here, not left
# to MyST-NB's defaults: the source a chapter shows (dae.tutorial.show_source: a ```python block in
# text/markdown, the same text in text/plain) is the highlighted Markdown, once; an animation
# (IPython.display.Image of a .gif) is the GIF itself, which the page plays.
nb_mime_priority_overrides = [("html", "image/gif", 60), ("html", "text/markdown", 80),
                              ("html", "text/plain", 100)]
nb_render_markdown_format = "commonmark"   # a fenced block keeps its language: Python is highlighted
myst_enable_extensions = ["dollarmath", "amsmath", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 3          # GitHub-style anchors, so the README's #links resolve

# MathJax 3 from _static/mathjax (no CDN): SVG output needs no web fonts, so it also works from file://
mathjax_path = "mathjax/tex-svg.js"

autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_inherit_docstrings = False

exclude_patterns = ["_build", "**.ipynb_checkpoints", "exercises_templates"]
templates_path = []
html_static_path = ["_static"]
html_css_files = ["dae.css"]
html_theme = "furo"
html_theme_options = {"navigation_with_keys": True}
html_show_sourcelink = False
html_copy_source = False
pygments_style = "friendly"
highlight_language = "text"    # docstring literal blocks are ASCII maths more often than code


# --- docstrings written as plain text -------------------------------------------------------------
# dae's docstrings are read in a terminal first: ASCII equations and code indented under a
# sentence (with or without reST's ``::``), and now and then an absolute value such as |y_j| in a
# sentence, which reST would take for a substitution. Two rewrites make them build as they read:
# an indented block after a paragraph (not a list item) is a literal block, and outside literal
# blocks, directives and tables, |...| is escaped. reST already written as reST (``::``,
# ``.. math::``, lists, ``code``) is left as it is.
import re  # noqa: E402

_BARS = re.compile(r"(?<![\\|])\|(?=[^|\s`][^|`]*\|)([^|`]*)\|")
_LIST_ITEM = re.compile(r"([-*+] |\d+[.)] |\(\d+\) |:\w|\.\. )")


def _indent(line):
    return len(line) - len(line.lstrip())


def plain_text_docstring(app, what, name, obj, options, lines):
    block = None          # the indent a literal block or directive body must exceed, when inside one
    para = None           # index of the current paragraph's first line
    last = None           # index of the last non-blank line
    after_blank = True
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            after_blank = True
            continue
        indent = _indent(line)
        if block is not None and indent > block:
            last, after_blank = i, False
            continue
        block = None
        if (after_blank and para is not None and indent > _indent(lines[para])
                and not _LIST_ITEM.match(lines[para].strip()) and not lines[last].rstrip().endswith("::")):
            lines[last] = lines[last].rstrip() + " ::"      # "text ::" is "text" + a literal block
            block = _indent(lines[para])
            last, after_blank = i, False
            continue
        if after_blank:
            para = i
        if not stripped.startswith(("|", "+", ".. ")):
            parts = re.split(r"(``.*?``)", line)
            lines[i] = "".join(p if p.startswith("``") else _BARS.sub(r"\\|\1\\|", p) for p in parts)
        if stripped.endswith("::") or stripped.startswith(".. "):
            block = _indent(lines[para])
        last, after_blank = i, False


def setup(app):
    app.connect("autodoc-process-docstring", plain_text_docstring)
html_show_search_summary = False   # the summaries are fetched, which file:// pages may not do
