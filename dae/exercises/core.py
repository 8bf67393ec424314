"""An exercise (the functions a learner writes, the parts that grade them), a result, a report.

An :class:`Exercise` has parts; each part grades one or two of the learner's functions over a
few fixed cases (shapes and seeds) and returns :class:`~dae.exercises.grading.Comparison`
objects. :func:`grade` runs them: an exercise whose every function still raises
``NotImplementedError`` is ``not started``; one that passes every comparison is ``passed``;
anything else (a comparison above its threshold, a function written only in part, an exception,
``exit()`` or ``KeyboardInterrupt`` raised by the learner's code) is ``failed``.
"""
import ast
import importlib.util
import inspect
import math
import os
import textwrap
import traceback
import warnings

import numpy

from .grading import SCALE, THRESHOLD, Unfinished


class Part:
    """``grade(functions, case) -> [Comparison]`` run on each of ``cases``."""

    def __init__(self, uses, grade, cases):
        self.uses, self.grade, self.cases = tuple(uses), grade, list(cases)


class Exercise:
    """One file of the workbook.

    - ``name``: the file's stem (``dA_gradients`` for ``dA_gradients.py``).
    - ``tutorial``: the tutorial it belongs to; ``title``: one line.
    - ``functions``: the names the learner defines; ``parts``: the :class:`Part` objects.
    - ``reference``: a function returning ``{name: callable}``, the package's solutions (graded
      by ``dae exercises check --solutions``).
    - ``notes``: text printed after the readable solution (e.g. the answer to the exercise's question).

    ``dae exercises solution NAME`` prints ``solutions/NAME.py``: a standalone answer in the
    template's own terms (its signatures, plain NumPy, commented), checked by the tests.
    """

    def __init__(self, name, tutorial, title, functions, parts, reference, notes=""):
        self.name, self.tutorial, self.title = name, tutorial, title
        self.functions, self.parts = tuple(functions), list(parts)
        self.reference, self.notes = reference, notes

    @property
    def filename(self):
        return self.name + ".py"

    def solution(self):
        """The readable solution, as the text of a workbook file (then the notes, as comments)."""
        with open(os.path.join(SOLUTIONS, self.filename), encoding="utf-8") as fh:
            text = fh.read()
        if self.notes:
            text = text.rstrip() + "\n\n" + self.notes.strip() + "\n"
        return text


SOLUTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solutions")


class Result:
    """What grading an exercise found: ``status``, the worst comparison per name, messages."""

    def __init__(self, exercise, status, comparisons=(), messages=()):
        self.exercise, self.status = exercise, status
        self.comparisons, self.messages = list(comparisons), list(messages)

    @property
    def name(self):
        return self.exercise.name

    @property
    def passed(self):
        return self.status == "passed"

    def __repr__(self):  # short and the same on every run (a notebook cell shows it)
        return f"<Result {self.exercise.name}: {self.status}>"

    def worst(self):
        """{name: the worst Comparison of that name over the cases}, in the order first seen."""
        out = {}
        for c in self.comparisons:
            best = out.get(c.name)
            if best is None or c.error > best.error or (c.error == best.error and c.hint and not best.hint):
                out[c.name] = c
        for name, c in out.items():  # keep a hint from some failing case when the worst has none
            if not c.passed and not c.hint:
                hinted = [d for d in self.comparisons if d.name == name and not d.passed and d.hint]
                if hinted:
                    out[name] = hinted[0]
        return out

    def failing(self):
        return [name for name, c in self.worst().items() if not c.passed]

    def report(self):
        ex = self.exercise
        head = f"{ex.name}: {self.status}   ({ex.filename}; tutorial: {ex.tutorial})"
        if self.status == "not started":
            return head + f"\n    every function still raises NotImplementedError: fill in {ex.filename}"
        lines = [head]
        worst = self.worst()
        width = max([12] + [len(name) for name in worst])
        for name, c in worst.items():
            error = "inf" if math.isinf(c.error) else f"{c.error:.1e}"
            sign = "<=" if c.error <= c.threshold else ">"
            lines.append(f"    {name:<{width}} rel. error {error:>7} {sign:>2} {c.threshold:.0e}   {c.verdict()}")
            if c.hint and not c.passed:
                lines.append(f"    {'':<{width}} hint: {c.hint}")
            if not c.passed and c.worst_line():
                lines.append(f"    {'':<{width}} {c.worst_line()}")
        lines += self._checker_lines()
        lines += [f"    {m}" for m in self.messages]
        if self.status == "failed" and self.failing():
            lines.append(f"    wrong: {', '.join(self.failing())}")
        return "\n".join(lines)

    def _checker_lines(self):
        """What the learner's own gradient checker says of their gradients (when it was used)."""
        yours = {}
        for c in self.comparisons:
            if c.yours is not None:
                yours[c.name] = max(yours.get(c.name, 0.0), c.yours)
        if not yours:
            return []
        agree = {name: e for name, e in yours.items() if e <= THRESHOLD}
        lines = []
        if agree:
            lines.append(f"    your gradient_checker agrees: rel. error {max(agree.values()):.1e} at most "
                         f"({', '.join(agree)}; your numerical gradient of the reference cost against your gradient)")
        for name, e in yours.items():
            if name not in agree:
                lines.append(f"    your gradient_checker disagrees with your {name}: rel. error {e:.1e}")
        return lines


class LearnerExit(Exception):
    """The learner's code raised SystemExit or KeyboardInterrupt: graded as that exercise's failure."""


def _exit_message(exc):
    what = f"{type(exc).__name__}({exc.code!r})" if isinstance(exc, SystemExit) else type(exc).__name__
    return (f"{what} raised (exit(), quit() or sys.exit() in a workbook file stops nothing but this "
            "exercise: remove it)")


class _Guard:
    """Calls a learner's function with copies of its array arguments, quietly (their NaNs are
    graded, not warned about), turning NotImplementedError into Unfinished(name) and SystemExit /
    KeyboardInterrupt into LearnerExit."""

    def __init__(self, name, function):
        self.name, self.function = name, function

    def __call__(self, *args, **kwargs):
        args = [a.copy() if isinstance(a, numpy.ndarray) else a for a in args]
        kwargs = {k: v.copy() if isinstance(v, numpy.ndarray) else v for k, v in kwargs.items()}
        return self.raw(*args, **kwargs)

    def raw(self, *args, **kwargs):
        """The call without copying the arguments (to see what the function does to them)."""
        with warnings.catch_warnings(), numpy.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                return self.function(*args, **kwargs)
            except NotImplementedError as exc:
                frames = traceback.extract_tb(exc.__traceback__)
                name = frames[-1].name if len(frames) > 1 else self.name
                raise Unfinished(name, _is_stub(exc.__traceback__), frames[-1]) from None
            except (SystemExit, KeyboardInterrupt) as exc:
                raise LearnerExit(_exit_message(exc)).with_traceback(exc.__traceback__) from None


def _is_stub(tb):
    """Whether the function that raised is still the template's stub: its body (after the
    docstring) is the one statement ``raise NotImplementedError``. True when its source is unknown."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(tb.tb_frame.f_code)))
    except (OSError, TypeError, SyntaxError):
        return True
    fn = tree.body[0] if tree.body else None
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return True
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(
        getattr(fn.body[0], "value", None), ast.Constant) else fn.body
    return len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in ast.dump(body[0])


def _where(exc, path):
    """' (line N of FILE)' for the innermost frame in the learner's file, if any."""
    if not path:
        return ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    return f" (line {frames[-1].lineno} of {os.path.basename(path)})" if frames else ""


def grade(exercise, functions, path=None):
    """Grade ``functions`` ({name: callable}) on every part of ``exercise``: a :class:`Result`."""
    guarded = {name: _Guard(name, f) for name, f in functions.items()}
    comparisons, messages, unfinished = [], [], {}
    for part in exercise.parts:
        try:
            for case in part.cases:
                comparisons += part.grade(guarded, case)
        except Unfinished as u:
            unfinished.setdefault(u.function, u)
        except Exception as exc:  # the learner's code raised: report it, graded as failed
            text = str(exc) if isinstance(exc, LearnerExit) else f"{type(exc).__name__}: {exc}"
            messages.append(f"error in {'/'.join(part.uses)}: {text}{_where(exc, path)}")
    partly = [u for u in unfinished.values() if not u.stub]
    if unfinished and not partly and not comparisons and not messages:
        return Result(exercise, "not started")
    for u in partly:
        line = f" (line {u.frame.lineno} of {os.path.basename(path)})" if path else ""
        messages.insert(0, f"partly written: {u.function} still raises NotImplementedError{line}: finish it "
                           "(nothing it returns is graded until it returns)")
    stubs = [name for name, u in unfinished.items() if u.stub]
    if stubs:
        messages.append(f"not written yet (still raise NotImplementedError): {', '.join(stubs)}")
    ok = not messages and not unfinished and all(c.passed for c in comparisons)
    return Result(exercise, "passed" if ok else "failed", comparisons, messages)


class LoadError(Exception):
    """The learner's file is missing, does not import, or lacks a function."""


def load_functions(exercise, path):
    """{name: function} of the learner's file ``path`` (imported afresh, not cached)."""
    if not os.path.isfile(path):
        raise LoadError(f"{path} is missing (dae exercises start --force restores the templates)")
    spec = importlib.util.spec_from_file_location(f"_dae_workbook_{exercise.name}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec.loader.exec_module(module)
    except (SystemExit, KeyboardInterrupt) as exc:
        raise LoadError(f"{os.path.basename(path)} stopped while importing: {_exit_message(exc)}"
                        f"{_where(exc, path)}") from None
    except Exception as exc:
        raise LoadError(f"{os.path.basename(path)} does not import: {type(exc).__name__}: {exc}"
                        f"{_where(exc, path)}") from exc
    missing = [n for n in exercise.functions if not callable(getattr(module, n, None))]
    if missing:
        raise LoadError(f"{os.path.basename(path)} defines no function {', '.join(missing)}")
    return {n: getattr(module, n) for n in exercise.functions}


def grade_file(exercise, path):
    """Grade the learner's file; a file that does not load is ``failed`` with the reason."""
    try:
        functions = load_functions(exercise, path)
    except LoadError as exc:
        return Result(exercise, "failed", messages=[str(exc)])
    return grade(exercise, functions, path)


def grade_reference(exercise):
    """Grade the package's own solution (it passes)."""
    return grade(exercise, exercise.reference())


def summary(results):
    """The lines printed after the reports."""
    counts = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "not started")}
    return (f"{counts['passed']} passed, {counts['failed']} failed, {counts['not started']} not started "
            f"of {len(results)}\n({SCALE})")
