"""Checking an exercise from Python (a notebook cell): the functions themselves, graded inline.

    dae.exercises.check("dA_gradients", dA_cost_and_grads)          # in the dA chapter
    dae.exercises.check("vae_gradients", reparameterize, reparameterize_backward, kl_and_grads)
    dae.exercises.check("vae_gradients", kl_and_grads=kl, reparameterize=r, reparameterize_backward=rb)
    dae.exercises.check("dA_gradients", dir="my_workbook")          # the file in a workbook on disk

The same graders and the same report (each quantity's relative error, its hint) as
``dae exercises check``, printed, and the :class:`~dae.exercises.core.Result` returned. An
untouched stub prints ``not started``, never a traceback. Called with a list of names (or no
name), ``check`` is the workbook's: it grades the files of a workbook folder and returns a list
of results without printing (``dae.exercises.workbook.check``).
"""

from . import workbook
from .core import grade, grade_reference
from .worker import grade_files

NOT_STARTED = "every function still raises NotImplementedError: fill in the code between the markers, then re-run"


def functions_of(exercise, functions, named):
    """{name: callable} from the learner's positional ``functions`` (in the template's order) and
    keyword ``named`` ones; TypeError naming what was expected otherwise."""
    expected = exercise.functions
    usage = f"{exercise.name} takes its functions {', '.join(expected)} (in that order, or by name)"
    if len(functions) > len(expected):
        raise TypeError(f"{usage}; got {len(functions)} positional functions")
    chosen = dict(zip(expected, functions))
    for key, value in named.items():
        if key not in expected:
            raise TypeError(f"{usage}; got an unexpected keyword {key!r}")
        if key in chosen:
            raise TypeError(f"{usage}; {key} was given twice")
        chosen[key] = value
    missing = [n for n in expected if n not in chosen]
    if missing:
        raise TypeError(f"{usage}; missing: {', '.join(missing)}")
    for key, value in chosen.items():
        if not callable(value):
            raise TypeError(f"{key} must be a function, got {type(value).__name__}")
    return {n: chosen[n] for n in expected}


def grade_functions(name, *functions, **named):
    """The :class:`Result` of the exercise ``name`` on the learner's functions, without printing."""
    exercise = workbook.get(name)
    return grade(exercise, functions_of(exercise, functions, named))


def inline_report(result):
    """The report as ``dae exercises check`` prints it, its first line saying where it was graded."""
    ex = result.exercise
    if result.status == "not started":
        return f"{ex.name}: not started   ({NOT_STARTED})"
    lines = result.report().split("\n")
    lines[0] = f"{ex.name}: {result.status}   (graded here; tutorial: {ex.tutorial})"
    return "\n".join(lines)


def check(name=None, *functions, dir=None, directory=None, solutions=False, **named):
    """Grade exercise ``name`` on ``functions`` (or on its file in the workbook ``dir``), print
    the report, return the :class:`Result`.

    - ``check("dA_gradients", dA_cost_and_grads)``: the learner's function(s), positional in the
      template's order or by name; graded in this process, printed.
    - ``check("dA_gradients", dir="my_workbook")``: that exercise's file in a workbook (default:
      the workbook this folder is in), printed.
    - ``check()``, ``check(["sparse_kl", ...], directory=..., solutions=...)``: the workbook's
      check (``workbook.check``): a list of results, nothing printed.
    """
    if dir is not None and directory is not None:
        raise TypeError("pass the workbook folder once: dir=... (directory= is its older name)")
    folder = dir if dir is not None else directory
    if name is None or isinstance(name, (list, tuple)):
        if functions or named:
            raise TypeError("functions are graded one exercise at a time: check(NAME, function, ...)")
        return workbook.check(name, directory=folder, solutions=solutions)
    if not isinstance(name, str):
        raise TypeError(f"name must be an exercise's name such as 'dA_gradients', got {type(name).__name__}")
    exercise = workbook.get(name)
    if solutions:
        if functions or named:
            raise TypeError("solutions=True grades the package's solution: pass no functions")
        result = grade_reference(exercise)
    elif functions or named:
        result = grade(exercise, functions_of(exercise, functions, named))
    else:
        result = grade_files([exercise], workbook.find(folder))[0]   # in a child process, with a time limit
        print(result.report())
        return result
    print(inline_report(result))
    return result
