"""Grades this workbook: `pytest` here (`pytest -k dA_gradients` for one exercise).

The same grading as `dae exercises check`: an exercise you have not started is skipped; one
that fails shows, for each quantity, its relative error against the threshold and a hint.
"""
import os

import pytest

from dae.exercises import exercises, grade_file

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize("name", [ex.name for ex in exercises()])
def test_exercise(name):
    exercise = next(ex for ex in exercises() if ex.name == name)
    result = grade_file(exercise, os.path.join(HERE, exercise.filename))
    if result.status == "not started":
        pytest.skip(f"{name}: not started")
    if not result.passed:
        pytest.fail("\n" + result.report(), pytrace=False)
