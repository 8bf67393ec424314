"""The course website: ``python tools/build_site.py`` builds it with warnings as errors, then the
pages are checked as files (links, anchors, nothing from the network, every public name, every
chapter in order) and opened in headless Chromium (maths rendered, images loaded, no JavaScript
error, no request leaves the file system, the search box finds pages).

Needs the docs extra (``pip install -e ".[docs]"``) and, for the browser part, Debian's
``chromium``; without them the tests are skipped and say why.
"""
import ast
import fcntl
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import unquote, urlsplit

import pytest

import dae

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(REPO, "tools", "build_site.py")
sys.path.insert(0, os.path.join(REPO, "tools"))
import build_site  # noqa: E402

for _module in ("sphinx", "myst_nb", "furo"):
    pytest.importorskip(_module, reason=f"the site needs the docs extra ({_module} missing): pip install -e \".[docs]\"")


def _mathjax_available():
    cache = os.environ.get("DAE_SITE_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "dae-site"))
    return (os.environ.get("DAE_MATHJAX_DIR") or shutil.which("npm")
            or os.path.isfile(os.path.join(cache, f"mathjax-{build_site.MATHJAX_VERSION}", "es5", "tex-svg.js")))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not _mathjax_available():
        pytest.skip("the site ships MathJax, fetched once with npm: no npm, no cached copy, no DAE_MATHJAX_DIR")
    tmp = tmp_path_factory.mktemp("site")
    out = str(tmp / "site")
    res = subprocess.run([sys.executable, BUILD, "--output", out, "--work", str(tmp / "work")],
                         capture_output=True, text=True, timeout=900, cwd=REPO)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log
    assert "WARNING" not in log and "ERROR" not in log, log
    return out


def read(site, page):
    with open(os.path.join(site, page), encoding="utf-8") as f:
        return f.read()


class Page(html.parser.HTMLParser):
    """The ids, links (tag, attribute, value) and visible text of one HTML file."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.text = set(), [], []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        for attr in ("href", "src"):
            if attr in attrs and tag in ("a", "img", "link", "script", "iframe", "source"):
                self.links.append((tag, attr, attrs[attr]))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def text_of(page):
    """The page's text, whitespace runs made one space."""
    return re.sub(r"\s+", " ", "".join(page.text))


def html_files(site):
    for root, _, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                yield os.path.relpath(os.path.join(root, name), site)


def chapters():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        return [stem for stem, _ in build_site.chapter_order(f.read())]


def notebook(stem):
    import nbformat
    return nbformat.read(os.path.join(REPO, "notebooks", stem + ".ipynb"), as_version=4)


def outputs(nb, mime):
    """The ``mime`` data of every output of the notebook's code cells."""
    return [o["data"][mime] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if mime in o.get("data", {})]


def shown_source(nb):
    """The code of each ``dae.tutorial.show_source`` output (text/markdown holding a ```python block)."""
    blocks = []
    for md in outputs(nb, "text/markdown"):
        m = re.fullmatch(r"\s*```python\n(.*?)\n?```\s*", md, re.S)
        if m:
            blocks.append(m.group(1))
    return blocks


def one_line(text):
    """Whitespace runs made one space, and the typographic quotes, dashes and ellipses that Sphinx
    puts in prose (smartquotes) made ASCII again."""
    for fancy, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
                         ("\u2014", "---"), ("\u2013", "--"), ("\u2026", "...")):
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).strip()


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


# ----------------------------------------------------------------------------------------------
# the pages, as files
# ----------------------------------------------------------------------------------------------

def test_home_links_every_chapter_in_order_and_the_other_pages(site):
    home = read(site, "index.html")
    main = home.split('id="furo-main-content"')[1]          # the page's body, not the sidebar
    order = [m for m in re.findall(r'href="chapters/(\w+)\.html"', main)]
    first_seen = list(dict.fromkeys(order))
    assert first_seen == chapters() and len(first_seen) == 7, first_seen
    for page in ("exercises.html", "api/index.html", "theano.html", "cli.html", "results.html"):
        assert f'href="{page}"' in main, page
    # the sidebar's navigation lists the chapters in the same order
    sidebar = home.split('id="furo-main-content"')[0]
    assert list(dict.fromkeys(re.findall(r'href="chapters/(\w+)\.html"', sidebar))) == chapters()
    # what dae is, the two commands, the results table with its commands, from the README
    assert "pip install -e . &amp;&amp; python tutorials/dA_tutorial.py" in re.sub(r"<[^>]+>", "", home)
    text = text_of(Page(home))
    for command in ("python tutorials/SdA_tutorial.py", "python tutorials/vae_tutorial.py",
                    "python benchmarks/benchmark.py"):
        assert command in text, command
    assert "0.96% test error" in text


def test_every_internal_link_and_anchor_resolves(site):
    parsed = {page: Page(read(site, page)) for page in html_files(site)}
    broken, checked = [], 0
    for page, p in parsed.items():
        for tag, attr, value in p.links:
            url = urlsplit(value)
            if url.scheme or value.startswith("//"):
                assert url.scheme in ("http", "https", "mailto"), (page, value)
                assert tag == "a", f"{page}: <{tag} {attr}={value}> loads from the network"
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(page), unquote(url.path))) if url.path else page
            checked += 1
            if not os.path.isfile(os.path.join(site, target)):
                broken.append(f"{page}: {value} (no file {target})")
            elif url.fragment and target.endswith(".html") and url.fragment not in parsed[target].ids:
                broken.append(f"{page}: {value} (no id {url.fragment!r} in {target})")
    assert not broken, "\n".join(broken[:30])
    assert checked > 1000


def test_nothing_comes_from_the_network(site):
    assert os.path.isfile(os.path.join(site, "_static", "mathjax", "tex-svg.js"))
    for page in html_files(site):
        text = read(site, page)
        assert "cdn." not in text.lower() and "jsdelivr" not in text, page
        for tag, attr, value in Page(text).links:
            if tag != "a":
                assert not urlsplit(value).scheme and not value.startswith("//"), (page, value)
    # pages with maths load the shipped MathJax
    assert '_static/mathjax/tex-svg.js' in read(site, "chapters/dA_tutorial.html")


def test_every_public_name_has_its_api_page(site):
    index = read(site, "api/index.html")
    for name in dae.__all__:
        page = read(site, f"api/{name}.html")
        ids = Page(page).ids
        assert f"dae.{name}" in ids or f"module-dae.{name}" in ids, name
        assert f'href="{name}.html"' in index, name
    da = Page(read(site, "api/dA.html"))
    for method in ("get_corrupted_input", "get_hidden_values", "get_reconstructed_input", "get_cost_updates"):
        assert f"dae.dA.{method}" in da.ids, method


def test_each_chapter_shows_its_notebook(site):
    import nbformat
    for stem in chapters():
        nb = nbformat.read(os.path.join(REPO, "notebooks", stem + ".ipynb"), as_version=4)
        page = read(site, f"chapters/{stem}.html")
        text = text_of(Page(page))
        images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if {"image/png", "image/gif"} & set(o.get("data", {})))
        assert page.count("<img ") >= images > 0, stem
        code = [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        assert page.count('class="cell_input') >= len(code), stem
        # the last printed line of the notebook is on the page
        streams = [o["text"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout"]
        assert streams and one_line(streams[-1].strip().splitlines()[-1]) in one_line(text), stem
        if any("$" in c.source for c in nb.cells if c.cell_type == "markdown"):
            assert 'class="math' in page, stem


def test_shown_source_is_highlighted_python_once(site):
    """Every chapter shows library source, as highlighted Markdown (a Python block), not also as
    its plain text."""
    for stem in chapters():
        blocks = shown_source(notebook(stem))
        assert blocks, f"{stem}: no dae.tutorial.show_source output in the executed notebook"
        page = read(site, f"chapters/{stem}.html")
        outputs_html = "".join(page.split('class="cell_output')[1:])
        assert outputs_html.count('class="highlight-python') >= len(blocks), stem
        text = text_of(Page(page))
        for code in blocks:
            norm = one_line(code)
            assert text.count(norm) == [one_line(b) for b in blocks].count(norm), (stem, code[:80])


def test_animations_are_the_gifs_themselves(site):
    """An IPython.display.Image of a GIF is shown as that GIF, every frame of it (the dA chapter's
    filters, epoch by epoch, at least)."""
    import base64
    import hashlib
    import io

    from PIL import Image
    gifs_anywhere = 0
    for stem in chapters():
        gifs = [base64.b64decode(g) for g in outputs(notebook(stem), "image/gif")]
        page = read(site, f"chapters/{stem}.html")
        on_page = {}
        for src in re.findall(r'<img [^>]*src="([^"]+\.gif)"', page):
            with open(os.path.normpath(os.path.join(site, "chapters", unquote(src))), "rb") as f:
                data = f.read()
            on_page[hashlib.sha256(data).hexdigest()] = data
        for gif in gifs:
            assert hashlib.sha256(gif).hexdigest() in on_page, stem
            frames = Image.open(io.BytesIO(gif)).n_frames
            assert frames > 1, f"{stem}: the notebook's GIF has one frame"
        gifs_anywhere += len(gifs)
    assert gifs_anywhere, "no chapter's notebook displays a GIF (the dA chapter's filter animation)"


def test_chapters_show_their_exercise_cells(site):
    """Each chapter's exercise cells: the stubs, the grading cells and what they print."""
    for stem in chapters():
        code = [c for c in notebook(stem).cells if c.cell_type == "code"]
        stubs = [c for c in code if build_site.STUB in c.source]
        graded = [c for c in code if build_site.GRADED.search(c.source) or build_site.TRAINED.search(c.source)]
        text = one_line(text_of(Page(read(site, f"chapters/{stem}.html"))))
        assert text.count(build_site.STUB) >= len(stubs), stem
        for cell in graded:
            assert one_line(cell.source) in text, (stem, cell.source)
            if stdout(cell).strip():
                assert one_line(stdout(cell)) in text, (stem, stdout(cell))
        assert stubs and graded, f"{stem}: no exercise cells (a stub and its grading cell)"


def test_exercises_page_states_every_task(site):
    import dae.exercises
    page = read(site, "exercises.html")
    text = one_line(text_of(Page(page)))
    assert "dae exercises start" in text and "dae exercises check" in text
    actions = build_site.subcommands(build_site.help_text(["exercises"]))
    assert {"start", "check"} <= set(actions)
    for action in actions:      # every action of the command (the payoff's too, once it exists)
        assert f"usage: dae exercises {action}" in text, action
    for ex in dae.exercises.exercises():
        assert f"dae exercises check {ex.name}" in text, ex.name
        for function in ex.functions:
            assert f"def {function}" in text, function
        # the statement: the template's docstrings, as they are when the site is built
        with open(os.path.join(REPO, "dae", "exercises", "templates", ex.filename), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        docs = [ast.get_docstring(tree)] + [ast.get_docstring(node) for node in tree.body
                                            if isinstance(node, ast.FunctionDef) and node.name in ex.functions]
        for doc in docs:
            assert doc and one_line(doc.splitlines()[0]) in text, (ex.name, doc)
        # linked to the chapter whose notebook holds it
        holder = [stem for stem in chapters() if any(ex.name in build_site.GRADED.findall(c.source)
                                                     for c in notebook(stem).cells if c.cell_type == "code")]
        for stem in holder:
            assert f'href="chapters/{stem}.html#your-turn"' in page, (ex.name, stem)
    # how grading works and the payoff: the graders' own docstrings and constants
    import importlib
    for name in ("grading", "core", "worker", "payoff"):
        try:
            module = importlib.import_module(f"dae.exercises.{name}")
        except ImportError:
            continue
        assert one_line(module.__doc__.strip().splitlines()[0]) in text, name
    assert one_line(dae.exercises.grading.SCALE) in text
    # the reports, run at build time: an untouched exercise, the package's solution, the payoff's refusal
    import dae.exercises.payoff
    name = list(dae.exercises.payoff.PAYOFFS)[0]
    for line in (f"$ dae exercises check {name} --dir my_workbook {name}: not started",
                 f"$ dae exercises check --solutions {name} {name}: passed",
                 f"$ dae exercises train {name} --dir my_workbook {name}: not started"):
        assert line in text, line
    for constant in ("THRESHOLD", "WRONG"):
        assert f"grading.{constant}" in text, constant
    for stem in chapters():
        for cell in notebook(stem).cells:
            if cell.cell_type == "code" and build_site.TRAINED.search(cell.source):
                assert one_line(cell.source) in text, (stem, cell.source)


def test_cli_page_holds_each_commands_help(site):
    text = text_of(Page(read(site, "cli.html")))
    top = build_site.help_text([])
    commands = build_site.subcommands(top)
    assert "train" in commands and "exercises" in commands
    for command in commands:
        assert f"usage: dae {command}" in text, command
        for action in build_site.subcommands(build_site.help_text([command])):
            assert f"usage: dae {command} {action}" in text, (command, action)
    assert "usage: dae exercises train" in text


def test_theano_page_pairs_each_construct_with_dae(site):
    page = read(site, "theano.html")
    text = text_of(Page(page))
    for construct in ("theano.shared", "borrow=True", "T.matrix", "T.grad", "theano.function", "givens",
                      "updates", "RandomStreams", "theano_rng.binomial", "T.nnet.sigmoid", "T.mean", "T.sum",
                      "get_value", "set_value", "tile_raster_images", "Image.fromarray",
                      "pretraining_functions", "build_finetune_functions", "patience"):
        assert construct in text, construct
    for answer in ("dae.apply_updates", "get_cost_updates", "cost_and_grads", "dae.RandomStreams",
                   "dae.EarlyStopping"):
        assert answer in text, answer
    assert 'href="chapters/dA_tutorial.html"' in page and 'href="chapters/SdA_tutorial.html"' in page
    assert 'href="api/dA.html#dae.dA"' in page


def test_links_are_rewritten_for_the_site():
    links = build_site.Links(["dA_tutorial"], {"index.md": {"results"}, "results.md": {"speed"},
                                               "guide.md": {"data", "speed"}})
    md = ("[a](notebooks/dA_tutorial.ipynb) [b](#speed) [c](#results) [d](#data) [e](dae/paths.py) "
          "![f](docs/figures/x.png) [g](https://example.org) [h](notebooks/)\n```\n[x](y.py)\n```\n")
    assert links.rewrite(md, "index.md") == (
        "[a](chapters/dA_tutorial.ipynb) [b](results.md#speed) [c](#results) [d](guide.md#data) e "
        "![f](docs/figures/x.png) [g](https://example.org) [h](index.md#the-chapters)\n```\n[x](y.py)\n```\n")
    assert links.rewrite("[a](../notebooks/dA_tutorial.ipynb)", "chapters/x.ipynb") == \
        "[a](../chapters/dA_tutorial.ipynb)"


# ----------------------------------------------------------------------------------------------
# the pages, in a real browser
# ----------------------------------------------------------------------------------------------

def chromium_path():
    for name in (os.environ.get("DAE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
    JSON messages ended by a NUL byte, commands on fd 3, replies and events on fd 4)."""

    def __init__(self, executable):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="dae-site-chromium-")

        def fds():  # in the child: the pipe's ends as fds 3 and 4 (moved out of the way first)
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--window-size=1280,2000",
             f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._id, self._buffer, self.events = 0, b"", []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=False, timeout=60, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._read(deadline))

    def open(self, url):
        self.events = []
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression, timeout=60):
        result = self.call("Runtime.evaluate", session=True, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def errors(self):
        """JavaScript exceptions, console errors and failed loads seen since the page was opened."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("exception", {}).get("description")
                             or params["exceptionDetails"].get("text"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"] + " " + params["entry"].get("url", ""))
            elif method == "Network.loadingFailed":
                found.append("failed load: " + params.get("errorText", ""))
        return found

    def requests(self):
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


# every image loaded (lazy ones made eager), MathJax finished; then what the page shows
INSPECT = """(async () => {
  for (const img of document.images) { img.loading = "eager"; }
  await Promise.all([...document.images].map(i => i.complete ? null :
      new Promise(r => { i.addEventListener("load", r); i.addEventListener("error", r); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const math = [...document.querySelectorAll(".math")];
  const body = document.querySelector("article") || document.body;
  const clone = body.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, textarea, .highlight").forEach(e => e.remove());
  return {
    images: document.images.length,
    brokenImages: [...document.images].filter(i => !(i.naturalWidth > 0)).map(i => i.src),
    mathElements: math.length,
    unrendered: math.filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80)),
    rendered: document.querySelectorAll("mjx-container svg").length,
    gifs: [...document.images].filter(i => /\\.gif$/i.test(i.src)).map(i => i.naturalWidth),
    // library source in a cell's output, coloured by Pygments: a keyword not in the text's colour
    highlighted: [...document.querySelectorAll(".cell_output div.highlight-python pre")].filter(pre => {
      const k = pre.querySelector("span.k, span.kn, span.nf");
      return k && getComputedStyle(k).color !== getComputedStyle(pre).color; }).length,
    text: clone.textContent,
  };
})()"""


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium here (apt-get install chromium; .ci/run installs it as root): "
                    "the browser checks did not run")
    b = Browser(executable)
    yield b
    b.close()


def page_url(site, page):
    return "file://" + os.path.join(site, page)


def open_and_inspect(browser, site, page):
    browser.open(page_url(site, page))
    seen = browser.evaluate(INSPECT)
    assert not browser.errors(), (page, browser.errors())
    off_disk = [u for u in browser.requests() if not u.startswith(("file://", "data:", "about:", "blob:"))]
    assert not off_disk, (page, off_disk)
    assert not seen["brokenImages"], (page, seen["brokenImages"])
    assert not seen["unrendered"], (page, seen["unrendered"])
    return seen


def broken_inline_maths(stem):
    """Lines of the notebook's markdown with an odd number of ``$`` (outside $$...$$ and code):
    inline maths broken across lines, which no renderer can show as one formula."""
    import nbformat
    nb = nbformat.read(os.path.join(REPO, "notebooks", stem + ".ipynb"), as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = re.sub(r"`[^`]*`", "", re.sub(r"\$\$.*?\$\$", "", cell.source, flags=re.S))
            found += [line for line in source.splitlines() if line.count("$") % 2]
    return found


def test_chapters_show_rendered_maths_and_their_figures(site, browser):
    broken_sources = {}
    for stem in chapters():
        seen = open_and_inspect(browser, site, f"chapters/{stem}.html")
        assert seen["images"] > 0, stem
        nb = notebook(stem)
        assert len(seen["gifs"]) >= len(outputs(nb, "image/gif")) and all(seen["gifs"]), (stem, seen["gifs"])
        assert seen["highlighted"] >= len(shown_source(nb)), (stem, seen["highlighted"])
        if seen["mathElements"]:
            assert seen["rendered"] >= seen["mathElements"], stem
        broken = broken_inline_maths(stem)
        if broken:
            broken_sources[stem] = broken
            continue
        for raw in ("\\mathbf", "\\frac", "$", "\\("):
            assert raw not in seen["text"], (stem, raw)
    seen = open_and_inspect(browser, site, "chapters/dA_tutorial.html")
    assert seen["mathElements"] > 10 and seen["rendered"] >= seen["mathElements"]
    if broken_sources:
        pytest.xfail(f"every well-formed formula renders; these notebooks break inline maths across lines "
                     f"(a defect of the notebook, issue 24), so raw TeX shows there: {broken_sources}")


def test_the_dA_api_page_renders_its_equations(site, browser):
    seen = open_and_inspect(browser, site, "api/dA.html")
    with open(os.path.join(REPO, "dae", "models", "da.py"), encoding="utf-8") as f:
        source = f.read()
    if ".. math::" in source or ":math:" in source:
        assert seen["mathElements"] > 0 and seen["rendered"] >= seen["mathElements"]
    for raw in ("\\mathbf", "\\frac", "\\tilde", "\\("):
        assert raw not in seen["text"], raw


def test_other_pages_load_cleanly(site, browser):
    for page in ("index.html", "theano.html", "exercises.html", "cli.html", "results.html", "guide.html",
                 "api/index.html", "api/SdA.html", "api/VAE.html"):
        seen = open_and_inspect(browser, site, page)
        if page == "guide.html":
            assert seen["images"] > 0, page


def test_the_search_box_finds_pages_offline(site, browser):
    browser.open(page_url(site, "search.html") + "?q=corruption")
    found = browser.evaluate("""(async () => {
      for (let i = 0; i < 100; i++) {
        const hits = document.querySelectorAll("#search-results li a, .search li a");
        if (hits.length) { return [...hits].map(a => a.getAttribute("href")); }
        await new Promise(r => setTimeout(r, 100));
      }
      return [];
    })()""")
    assert not browser.errors(), browser.errors()
    assert any("chapters/dA_tutorial.html" in href for href in found), found


def test_plain_text_docstrings_build_as_they_read():
    import importlib.util
    spec = importlib.util.spec_from_file_location("site_conf", os.path.join(REPO, "docs", "site", "conf.py"))
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    lines = ["The cost, with |y_j| summed::", "", "    |y| stays", "", "and counted as it goes):", "",
             "    if s < best:", "        best = s", "", ".. math::", "", "    |x| = \\sqrt{x^2}", "",
             "- a list item", "", "  its second paragraph", "", "``|code|`` and |a| again"]
    conf.plain_text_docstring(None, "class", "x", None, {}, lines)
    assert lines == ["The cost, with \\|y_j\\| summed::", "", "    |y| stays", "", "and counted as it goes): ::", "",
                     "    if s < best:", "        best = s", "", ".. math::", "", "    |x| = \\sqrt{x^2}", "",
                     "- a list item", "", "  its second paragraph", "", "``|code|`` and \\|a\\| again"]
