"""Grades this workbook: `pytest` here (`pytest -k dA_gradients` for one exercise).

The same grading as `dae exercises check` (each file in a child process, with a time limit of a
minute): an exercise you have not started is skipped (and pytest still exits 1, see conftest.py);
one that fails shows, for each quantity, its relative error against the threshold and a hint.
"""
import os

import pytest

from dae.exercises import exercises
from dae.exercises.worker import grade_files

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def results(request):
    """The selected exercises' results, graded together in one child process (fast)."""
    names = [item.callspec.params["name"] for item in request.session.items if hasattr(item, "callspec")]
    chosen = [ex for ex in exercises() if ex.name in names]
    return {r.name: r for r in grade_files(chosen, HERE)}


@pytest.mark.parametrize("name", [ex.name for ex in exercises()])
def test_exercise(name, results):
    result = results[name]
    if result.status == "not started":
        pytest.skip(f"{name}: not started")
    if not result.passed:
        pytest.fail("\n" + result.report(), pytrace=False)
