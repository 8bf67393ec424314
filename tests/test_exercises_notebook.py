"""dae.exercises.check from Python (a notebook cell): the learner's functions graded inline, the
same report as `dae exercises check`, an untouched stub `not started`; the workbook's check kept."""
import importlib.util
import os

import pytest

from dae.exercises import check, exercises, start
from dae.exercises.core import Result

ATTEMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercise_attempts")


def attempt(name, edit=None):
    """The functions of tests/exercise_attempts/NAME.py (one line edited: ``edit = (old, new)``)."""
    with open(os.path.join(ATTEMPTS, name + ".py"), encoding="utf-8") as fh:
        source = fh.read()
    if edit:
        assert edit[0] in source
        source = source.replace(*edit)
    namespace = {}
    exec(compile(source, name, "exec"), namespace)
    return namespace


def stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", [ex for ex in exercises()], ids=lambda ex: ex.name)
def test_a_correct_attempt_passes_positional_and_by_name(exercise, capsys):
    ns = attempt(exercise.name)
    result = check(exercise.name, *[ns[f] for f in exercise.functions])
    out = capsys.readouterr().out
    assert isinstance(result, Result) and result.passed
    assert out.startswith(f"{exercise.name}: passed   (graded here; tutorial: ")
    assert out.count(" ok\n") == len(result.worst())
    assert check(exercise.name, **{f: ns[f] for f in reversed(exercise.functions)}).passed


def test_an_untouched_stub_is_one_line_not_started(capsys):
    result = check("vae_gradients", stub, stub, stub)
    out = capsys.readouterr().out
    assert result.status == "not started" and repr(result) == "<Result vae_gradients: not started>"
    assert out.startswith("vae_gradients: not started") and out.count("\n") == 1 and "Traceback" not in out


def test_a_wrong_attempt_gets_the_same_report_and_hint_as_the_command(capsys, tmp_path):
    edit = ("gW = x_tilde.T @ da + dz.T @ y", "gW = x_tilde.T @ da")
    result = check("dA_gradients", attempt("dA_gradients", edit)["dA_cost_and_grads"])
    inline = capsys.readouterr().out
    assert result.status == "failed" and result.failing() == ["gW"]
    assert "decoder's use of the tied W is forgotten" in inline and "wrong: gW" in inline
    # the same lines as the workbook's check on the same code, but for the first (where it was graded)
    start(str(tmp_path / "wb"))
    source = open(os.path.join(ATTEMPTS, "dA_gradients.py"), encoding="utf-8").read().replace(*edit)
    (tmp_path / "wb" / "dA_gradients.py").write_text(source, encoding="utf-8")
    on_disk = check("dA_gradients", dir=str(tmp_path / "wb"))
    from_file = capsys.readouterr().out
    assert on_disk.status == "failed" and from_file.startswith("dA_gradients: failed   (dA_gradients.py;")
    assert inline.split("\n")[1:] == from_file.split("\n")[1:]


def test_a_function_still_raising_beside_a_written_one_is_reported(capsys):
    ns = attempt("vae_gradients")

    def reparameterize_backward(dz, mu, logvar, eps):
        raise NotImplementedError
    result = check("vae_gradients", ns["reparameterize"], reparameterize_backward, ns["kl_and_grads"])
    assert result.status == "failed"
    assert "reparameterize_backward" in capsys.readouterr().out


@pytest.mark.parametrize("args, kwargs, message", [
    ((stub, stub), {}, "takes its functions dA_cost_and_grads"),
    ((), {}, None),
    ((), {"cost": stub}, "unexpected keyword 'cost'"),
    ((stub,), {"dA_cost_and_grads": stub}, "given twice"),
    ((3,), {}, "dA_cost_and_grads must be a function, got int"),
])
def test_wrong_calls_say_what_was_expected(args, kwargs, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # not a workbook: check("dA_gradients") alone looks for one
    if message is None:
        with pytest.raises(FileNotFoundError, match="not a workbook"):
            check("dA_gradients", *args, **kwargs)
        return
    with pytest.raises(TypeError, match=message):
        check("dA_gradients", *args, **kwargs)


def test_missing_functions_and_unknown_names(capsys):
    with pytest.raises(TypeError, match="missing: mlp_cost_and_grads"):
        check("softmax_mlp", stub)
    with pytest.raises(ValueError, match="no exercise called 'dA'"):
        check("dA", stub)
    with pytest.raises(TypeError, match="functions are graded one exercise at a time"):
        check(["dA_gradients"], stub)


def test_the_workbook_check_still_works_without_printing(tmp_path, capsys):
    start(str(tmp_path / "wb"))
    results = check(directory=str(tmp_path / "wb"))
    assert [r.status for r in results] == ["not started"] * len(exercises())
    assert [r.status for r in check(["sparse_kl"], dir=str(tmp_path / "wb"))] == ["not started"]
    assert all(r.passed for r in check(solutions=True))
    assert capsys.readouterr().out == ""
    assert check("sparse_kl", solutions=True).passed
    assert capsys.readouterr().out.startswith("sparse_kl: passed")
    with pytest.raises(TypeError, match="once"):
        check(directory="a", dir="b")
