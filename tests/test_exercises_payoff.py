"""The payoffs: `dae exercises train dA_gradients` trains the tutorial's dA with the learner's
gradient beside the library's (a tiny slice here), `train sparse_kl` the sparse autoencoder with
the learner's penalty; both refuse, with the report, until the exercise passes."""
import os
import re
import shutil

import numpy
import pytest

from dae import cli
from dae.exercises import payoff, start, train

ATTEMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercise_attempts")
ATTEMPT = os.path.join(ATTEMPTS, "dA_gradients.py")
TINY = ["--n-train", "60", "--epochs", "2"]
COST = re.compile(r"^  epoch (\d): your cost ([\d.]+)   the library's ([\d.]+)   relative difference ", re.M)


@pytest.fixture
def workbook(tmp_path):
    start(str(tmp_path / "wb"))
    return tmp_path / "wb"


def figures(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".png")


def test_a_correct_attempt_trains_beside_the_library(workbook, capsys):
    shutil.copy(ATTEMPT, workbook / "dA_gradients.py")
    assert cli.main(["exercises", "train", "dA_gradients", "--dir", str(workbook)] + TINY) == 0
    out = capsys.readouterr().out
    costs = COST.findall(out)
    assert [int(e) for e, _, _ in costs] == [0, 1, 0, 1]      # two epochs of each run
    for _, yours, library in costs:
        assert float(yours) == pytest.approx(float(library), rel=1e-9)
    assert "no corruption: 60 images, 2 epochs, 500 hidden units, learning rate 0.1, minibatches of 20" in out
    assert re.search(r"^The 30% corruption run with your code ran for \d+\.\d\dm$", out, re.M)
    assert figures(workbook) == ["beside_library_filters_corruption_0.png", "beside_library_filters_corruption_30.png",
                                 "filters_corruption_0.png", "filters_corruption_30.png"]
    assert all((workbook / f).stat().st_size > 0 for f in figures(workbook))


def test_the_library_s_run_is_the_tutorial_s(tmp_path, capsys):
    """The library's column is dA.get_cost_updates on the tutorial's model (seed 123, theano_rng first)."""
    from dae import apply_updates, config, dA, load_data
    from dae.random import RandomStreams

    ns = {}
    exec(open(ATTEMPT, encoding="utf-8").read(), ns)
    trained = train("dA_gradients", ns["dA_cost_and_grads"], output_folder=str(tmp_path), n_train=40, epochs=1)
    rng = numpy.random.RandomState(123)
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    with config.floatX_as("float64"):
        da = dA(numpy_rng=rng, theano_rng=theano_rng, n_visible=784, n_hidden=500)
    x = load_data()[0][0][:40].astype(numpy.float64)
    costs = []
    for i in range(2):
        cost, updates = da.get_cost_updates(x[20 * i:20 * (i + 1)], corruption_level=0.3, learning_rate=0.1)
        apply_updates(updates)
        costs.append(float(cost))
    assert trained[30]["library"] == pytest.approx([numpy.mean(costs)], rel=1e-12)
    assert trained[30]["yours"] == pytest.approx(trained[30]["library"], rel=1e-9)
    assert trained[0]["file"] == str(tmp_path / "filters_corruption_0.png")


@pytest.mark.parametrize("edit, status", [(None, "not started"), (("return cost, gW,", "return cost, 2 * gW,"), "failed")])
def test_it_refuses_until_the_exercise_passes(workbook, capsys, edit, status):
    if edit:
        source = open(ATTEMPT, encoding="utf-8").read()
        assert edit[0] in source
        (workbook / "dA_gradients.py").write_text(source.replace(*edit), encoding="utf-8")
    assert cli.main(["exercises", "train", "dA_gradients", "--dir", str(workbook)] + TINY) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"dA_gradients: {status}   (dA_gradients.py;")
    if edit:
        assert "wrong: gW" in out and "a factor of 2 too large" in out
    assert "nothing is trained" in out or "is not started: fill it in and pass `dae exercises check dA_gradients`" in out
    assert "epoch 0" not in out and figures(workbook) == []


def test_in_python_an_untouched_stub_gets_one_line(tmp_path, capsys):
    def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
        raise NotImplementedError
    assert train("dA_gradients", dA_cost_and_grads, output_folder=str(tmp_path)) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and 'pass dae.exercises.check("dA_gradients", ...) first' in out
    assert list(tmp_path.iterdir()) == []


def test_the_sparse_payoff_uses_the_learner_s_penalty(workbook, capsys):
    shutil.copy(os.path.join(ATTEMPTS, "sparse_kl.py"), workbook / "sparse_kl.py")
    assert cli.main(["exercises", "train", "sparse_kl", "--dir", str(workbook)] + TINY) == 0
    out = capsys.readouterr().out
    costs = COST.findall(out)
    assert [int(e) for e, _, _ in costs] == [0, 1]
    for _, yours, library in costs:
        assert float(yours) == pytest.approx(float(library), rel=1e-9)
    assert figures(workbook) == ["beside_library_sparse_filters.png", "sparse_filters.png"]
    # the learner's function is what runs: a penalty twice too large trains another model
    ns = {}
    exec(open(os.path.join(ATTEMPTS, "sparse_kl.py"), encoding="utf-8").read(), ns)
    model = payoff.new_sparse(lambda y, rho, weight: tuple(2 * v for v in ns["kl_penalty_and_grad"](y, rho, weight)))
    x = numpy.random.RandomState(0).uniform(0, 1, (20, 784))
    doubled = model.cost_and_grads(x, rng=numpy.random.RandomState(0))[0]
    plain = payoff.new_sparse(ns["kl_penalty_and_grad"]).cost_and_grads(x, rng=numpy.random.RandomState(0))[0]
    library = payoff.new_sparse().cost_and_grads(x, rng=numpy.random.RandomState(0))[0]
    assert plain == pytest.approx(library, rel=1e-12) and doubled > plain
    (workbook / "sparse_kl.py").write_text(open(os.path.join(ATTEMPTS, "sparse_kl.py")).read().replace(
        "weight *", "2 * weight *", 1), encoding="utf-8")
    assert cli.main(["exercises", "train", "sparse_kl", "--dir", str(workbook)] + TINY) == 1
    assert "sparse_kl: failed" in capsys.readouterr().out


def test_bad_arguments_exit_2_with_a_message(workbook, capsys):
    shutil.copy(ATTEMPT, workbook / "dA_gradients.py")
    assert cli.main(["exercises", "train", "dA_gradients", "--dir", str(workbook), "--n-train", "5"]) == 2
    assert "n_train must be at least 20" in capsys.readouterr().err
    with pytest.raises(ValueError, match="has no payoff"):
        train("softmax_mlp", lambda *a: None)
    assert sorted(payoff.PAYOFFS) == ["dA_gradients", "sparse_kl"]
