"""Gradient-check exercises: a workbook a learner fills in, graded by tests that say what is wrong.

In the manner of Stanford's UFLDL exercises and CS231n's assignments::

    dae exercises start my_workbook       # copy the templates (stubs raise NotImplementedError)
    cd my_workbook && pytest              # or: dae exercises check [NAME] [--dir DIR]
    dae exercises check --solutions       # the package's own solutions (they pass)
    dae exercises solution dA_gradients   # print a reference solution
    dae exercises train dA_gradients      # the payoff: the tutorial's dA trained with your gradient

and from Python (the last cells of each chapter)::

    dae.exercises.check("dA_gradients", dA_cost_and_grads)    # the same report, printed
    dae.exercises.train("dA_gradients", dA_cost_and_grads, output_folder="dA_plots/yours")

Modules: ``grading`` (relative errors, thresholds, hints), ``core`` (an exercise, a result, a
report), ``graders`` (one module per exercise), ``_references`` (the one place that imports
the package's functions used as reference solutions), ``workbook`` (start / find / check on
disk), ``notebook`` (``check`` from Python: a notebook's functions, graded inline), ``payoff``
(``train``: a tutorial's model trained with the learner's code), ``cli`` (the ``dae exercises``
command). The templates are in ``templates/``.
"""
from .core import Result, grade, grade_file, grade_reference, summary
from .grading import THRESHOLD, WRONG, rel_error
from .notebook import check
from .payoff import train
from .workbook import exercises, get, start

__all__ = ["check", "train", "exercises", "get", "start", "grade", "grade_file", "grade_reference", "summary",
           "Result", "rel_error", "THRESHOLD", "WRONG"]
