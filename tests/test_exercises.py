"""The exercise system: references pass, templates are not started, common mistakes fail with their hint.

``tests/exercise_attempts/`` holds one correct learner attempt per exercise, written with NumPy
alone (not from the package). Each wrong attempt below is one of those with one line changed:
a common mistake, which must fail, name the quantity it got wrong, and show the mistake's hint.
"""
import os
import subprocess
import sys

import numpy
import pytest

from dae import cli
from dae.exercises import check, exercises, get, grade_file, grade_reference, rel_error, start, workbook
from dae.exercises.core import grade
from dae.exercises.grading import EXACT, compare

ATTEMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercise_attempts")
NAMES = ["gradient_checker", "dA_gradients", "sigmoid_cross_entropy", "softmax_mlp", "contractive_penalty",
         "sparse_kl", "conv_backward", "maxpool_backward", "vae_gradients"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def attempt(name):
    with open(os.path.join(ATTEMPTS, name + ".py"), encoding="utf-8") as fh:
        return fh.read()


def mistake(name, old, new):
    source = attempt(name)
    assert old in source, f"{old!r} is not in the attempt at {name}"
    return source.replace(old, new)


# (exercise, old line, new line, the quantity that must fail, a piece of its hint)
MISTAKES = [
    ("gradient_checker", "grad[i] = (plus - minus) / (2 * eps)", "grad[i] = (plus - f(x)) / eps",
     "grad sum(x sin x)", "one-sided"),
    ("gradient_checker", "grad[i] = (plus - minus) / (2 * eps)", "grad[i] = (plus - minus) / eps",
     "grad h(x) at (4, 10)", "factor of 2"),
    ("gradient_checker", "        x[i] = old\n", "", "x restored", "put each entry back"),
    ("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = x_tilde.T @ da", "gW", "decoder"),
    ("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = 2 * (x_tilde.T @ da + dz.T @ y)", "gW", "factor of 2"),
    ("dA_gradients", "dz = (z - x) / n", "dz = z - x", "gW", "1/N"),
    ("dA_gradients", "dz = (z - x) / n", "dz = z - x", "gb_prime", "1/N"),
    ("dA_gradients", "axis=1).mean()", "axis=1).sum()", "cost", "1/N"),
    ("dA_gradients", "y = 1 / (1 + numpy.exp(-(x_tilde @ W + b)))", "y = 1 / (1 + numpy.exp(-(x @ W + b)))",
     "gb", "x used everywhere"),
    ("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = x.T @ da + dz.T @ y", "gW", "clean x"),
    ("dA_gradients", "da = (dz @ W) * y * (1 - y)", "da = dz @ W", "gW", "sigmoid is skipped"),
    ("dA_gradients", "da = (dz @ W) * y * (1 - y)", "da = dz @ W", "gb", "sigmoid is skipped"),
    ("dA_gradients", "    dz = (z - x) / n\n", "    x, x_tilde = x_tilde, x\n    dz = (z - x) / n\n", "gW", None),
    ("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = (x_tilde.T @ da + dz.T @ y).T", "gW", "transpose"),
    ("sigmoid_cross_entropy", "return (numpy.logaddexp(0, a) - x * a).sum(axis=1)",
     "z = sigmoid(a)\n    return -(x * numpy.log(z) + (1 - x) * numpy.log(1 - z)).sum(axis=1)", "loss", "log(0)"),
    ("sigmoid_cross_entropy", "return sigmoid(a) - x", "return (sigmoid(a) - x) * sigmoid(a) * (1 - sigmoid(a))",
     "dloss/da", "derivative"),
    ("sigmoid_cross_entropy", "return sigmoid(a) - x", "return x - sigmoid(a)", "dloss/da", "sign"),
    ("sigmoid_cross_entropy", "    out = numpy.empty_like(a, dtype=float)\n", "    return 1 / (1 + numpy.exp(a))\n",
     "sigmoid", "sign of a"),
    ("sigmoid_cross_entropy", "    out = numpy.empty_like(a, dtype=float)\n",
     "    return numpy.exp(a) / (1 + numpy.exp(a))\n", "sigmoid", "overflow"),
    ("softmax_mlp", "    d /= n\n    return cost", "    return cost", "gW", "1/N"),
    ("softmax_mlp", "da = dh * h * (1 - h)", "da = dh", "gW1", "sigmoid is skipped"),
    ("softmax_mlp", "return cost, x.T @ da, da.sum(axis=0), gW2, gb2",
     "return cost, x.T @ da, da.sum(axis=0), gW2.T, gb2",
     "gW2", "transpose"),
    ("contractive_penalty", "gW = x.T @ da + 2 * W * s.sum(axis=0) / n", "gW = x.T @ da", "gW", "twice"),
    ("contractive_penalty", "penalty = (s @ w).mean()", "penalty = (s @ w).sum()", "penalty", "1/N"),
    ("contractive_penalty", "dh = w * 2 * slope * (1 - 2 * h) / n", "dh = w * 2 * slope * (1 - 2 * h)", "gb", "1/N"),
    ("sparse_kl", "numpy.tile(dq / n, (n, 1))", "dq", "dy", "chain it"),
    ("sparse_kl", "numpy.tile(dq / n, (n, 1))", "numpy.tile(dq, (n, 1))", "dy", "1/N"),
    ("sparse_kl", "return weight * kl.sum()", "return kl.sum()", "penalty", "weight"),
    ("conv_backward", "return dxp[:, :, padding:padding + h, padding:padding + w]", "return dxp", "dx", "padding"),
    ("conv_backward", "dW = (dY @ cols.T).reshape(W.shape)",
     "dW = (dY @ cols.T).reshape(W.shape).transpose(1, 0, 2, 3)", "dW", "transpose"),
    ("conv_backward", "y = W.reshape(f, -1) @", "y = W[:, :, ::-1, ::-1].reshape(f, -1) @", "out", "cross-correlation"),
    ("conv_backward", "return dx, dW, dY.sum(axis=1)", "return dx, dW, 2 * dY.sum(axis=1)", "db", "factor of 2"),
    ("maxpool_backward", "    blocks = numpy.zeros((n, c, ho, wo, size * size))\n"
     "    numpy.put_along_axis(blocks, switches[..., None], dout[..., None], axis=-1)\n",
     "    blocks = numpy.repeat(dout[..., None], size * size, axis=-1) / size ** 2\n", "dx", "average pooling"),
    ("vae_gradients", "return dz, dz * eps * numpy.exp(logvar / 2) / 2", "return dz, dz * eps * numpy.exp(logvar / 2)",
     "dlogvar (through z)", "1/2"),
    ("vae_gradients", "return mu + numpy.exp(logvar / 2) * eps", "return mu + numpy.exp(logvar) * eps",
     "z", "variance"),
    ("vae_gradients", ".sum(axis=1).mean()", ".sum(axis=1).sum()", "kl", "1/N"),
    ("vae_gradients", "return kl, mu / n,", "return kl, mu,", "dmu (KL)", "1/N"),
    # the mistakes of issue 25
    ("gradient_checker", "def numerical_gradient(f, x, eps=1e-5):\n",
     "def numerical_gradient(f, x, eps=1e-7):\n", None, None),   # another default step: still right
    ("gradient_checker", "def numerical_gradient(f, x, eps=1e-5):\n",
     "def numerical_gradient(f, x, eps=1e-2):\n", None, None),
    ("gradient_checker", "grad[i] = (plus - minus) / (2 * eps)", "grad[i] = (plus - f(x)) / eps",
     "grad h(x) at (4, 10)", "one-sided"),
    ("gradient_checker", "def numerical_gradient(f, x, eps=1e-5):\n",
     "def numerical_gradient(f, x, eps=1e-5):\n    eps = 1e-2\n", "grad sum(x sin x)", "does not change with eps"),
    ("gradient_checker", "grad = numpy.zeros_like(x, dtype=float)", "grad = numpy.zeros_like(x, dtype=numpy.float32)",
     "grad sum(x sin x)", "float32"),
    ("sparse_kl", "kl = rho * numpy.log(rho / q) + (1 - rho) * numpy.log((1 - rho) / (1 - q))",
     "kl = q * numpy.log(q / rho) + (1 - q) * numpy.log((1 - q) / (1 - rho))", "penalty", "reversed"),
    ("vae_gradients", "return mu + numpy.exp(logvar / 2) * eps", "return mu + numpy.sqrt(logvar) * eps",
     "z", "exp(logvar / 2), not sqrt(logvar)"),
    ("vae_gradients", "kl = -0.5 * (1 + logvar - mu ** 2 - numpy.exp(logvar))",
     "kl = -0.5 * (1 + numpy.log(logvar) - mu ** 2 - logvar)", "kl", "already the LOG of the variance"),
    ("conv_backward", "dxp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += cols",
     "dxp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] = cols", "dx", "overlapping windows"),
    ("dA_gradients", "da = (dz @ W) * y * (1 - y)", "pre = x_tilde @ W + b\n    da = (dz @ W) * pre * (1 - pre)",
     "gW", "pre-activation"),
    ("softmax_mlp", "da = dh * h * (1 - h)", "a1 = x @ W1 + b1\n    da = dh * a1 * (1 - a1)", "gW1", "pre-activation"),
    ("contractive_penalty", "penalty = (s @ w).mean()", "penalty = (s @ w).sum() // n", "penalty", "floor division"),
    ("maxpool_backward", "return blocks.reshape(n, c, ho, wo, size, size).transpose(0, 1, 2, 4, 3, 5)",
     "return blocks.reshape(n, c, ho, wo, size, size).transpose(0, 1, 2, 5, 3, 4)", "dx", "window transposed"),
    ("maxpool_backward", "blocks.argmax(axis=-1)", "size * size - 1 - blocks[..., ::-1].argmax(axis=-1)", "dx",
     "last maximum"),
]

# (exercise, code appended to the correct attempt (it redefines a function), the wrong quantity, a piece of its hint)
_FD = """

def _fd(f, v, eps=1e-5):
    g = numpy.zeros(v.shape)
    for i in numpy.ndindex(v.shape):
        old = v[i]
        v[i] = old + eps
        plus = f(v)
        v[i] = old - eps
        minus = f(v)
        v[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return g
"""
# a max-pool attempt that keeps x and the maxima as its "switches" (and so finds ties by comparing)
_POOL_KEEPS_X = """
def maxpool_forward(x, size=2):
    out = x.reshape(x.shape[0], x.shape[1], x.shape[2] // size, size, x.shape[3] // size, size).max(axis=(3, 5))
    return out, (x, out)

"""
_CASTS = """

def _float32(function, back=False):
    def f(*args):
        out = function(*[a.astype(numpy.float32) if getattr(a, "dtype", None) == numpy.float64 else a for a in args])
        return tuple(numpy.asarray(o, dtype=numpy.float64) for o in out) if back else out
    return f
"""
APPENDED = [
    ("dA_gradients", _FD + """
_analytic = dA_cost_and_grads


def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
    cost = _analytic(W, b, b_prime, x, x_tilde)[0]
    return (cost, _fd(lambda v: _analytic(v, b, b_prime, x, x_tilde)[0], W.copy()),
            _fd(lambda v: _analytic(W, v, b_prime, x, x_tilde)[0], b.copy()),
            _fd(lambda v: _analytic(W, b, v, x, x_tilde)[0], b_prime.copy()))
""", "gW", "finite-difference estimate"),
    ("vae_gradients", _FD + """
_kl = kl_and_grads


def kl_and_grads(mu, logvar):
    return (_kl(mu, logvar)[0], _fd(lambda v: _kl(v, logvar)[0], mu.copy()),
            _fd(lambda v: _kl(mu, v)[0], logvar.copy()))
""", "dmu (KL)", "finite-difference estimate"),
    ("sparse_kl", _FD + """
_kl = kl_penalty_and_grad


def kl_penalty_and_grad(y, rho, weight):
    return _kl(y, rho, weight)[0], _fd(lambda v: _kl(v, rho, weight)[0], y.copy())
""", "dy", "finite-difference estimate"),
    ("dA_gradients", _CASTS + "\ndA_cost_and_grads = _float32(dA_cost_and_grads)\n", "gW", "float32"),
    ("dA_gradients", _CASTS + "\ndA_cost_and_grads = _float32(dA_cost_and_grads, back=True)\n", "gW", "float32"),
    ("softmax_mlp", _CASTS + "\nmlp_cost_and_grads = _float32(mlp_cost_and_grads)\n", "gW1", "float32"),
    ("contractive_penalty",
     _CASTS + "\ncontractive_penalty_and_grads = _float32(contractive_penalty_and_grads, True)\n",
     "gW", "float32"),
    ("conv_backward", _CASTS + "\nconv_backward = _float32(conv_backward)\n", "dW", "float32"),
    ("vae_gradients", """
_mixed = reparameterize_backward


def reparameterize_backward(dz, mu, logvar, eps):
    return _mixed(dz, mu, logvar.astype(numpy.float32), eps)
""", "dlogvar (through z)", "float32"),
    ("sparse_kl", """
_real = kl_penalty_and_grad


def kl_penalty_and_grad(y, rho, weight):
    p, dy = _real(y, rho, weight)
    return p + 0j, dy + 0j
""", "penalty", "complex"),
    ("conv_backward", """
_real = conv_backward


def conv_backward(dout, x, W, b, stride=1, padding=0):
    dx, dW, db = _real(dout, x, W, b, stride, padding)
    return dx, dW, numpy.round(db).astype(int)
""", "db", "integer"),
    ("maxpool_backward", """
_real = maxpool_backward


def maxpool_backward(dout, switches, size=2):
    return _real(dout, switches, size).astype(object)
""", "dx", "dtype object"),
    ("vae_gradients", """
def kl_and_grads(mu, logvar):
    n = mu.shape[0]
    kl = -0.5 * (1 + logvar - mu ** 2 - numpy.exp(logvar)).sum(axis=1).mean()
    (kl, mu / n, (numpy.exp(logvar) - 1) / (2 * n))
""", "kl_and_grads", "returned None (is a `return` missing?)"),
    ("maxpool_backward", _POOL_KEEPS_X + """
def maxpool_backward(dout, switches, size=2):
    x, out = switches
    up = lambda a: a.repeat(size, axis=2).repeat(size, axis=3)  # noqa: E731
    return (x == up(out)) * up(dout)
""", "dx", "every tied maximum"),
    ("maxpool_backward", _POOL_KEEPS_X + """
def maxpool_backward(dout, switches, size=2):
    x, out = switches
    up = lambda a: a.repeat(size, axis=2).repeat(size, axis=3)  # noqa: E731
    mask = x == up(out)
    n, c, h, w = x.shape
    count = mask.reshape(n, c, h // size, size, w // size, size).sum(axis=(3, 5))
    return mask * up(dout / count)
""", "dx", "split among the tied maxima"),
    ("gradient_checker", _FD + """

def numerical_gradient(f, x, eps=1e-5):
    return _fd(f, x, 1e-5)
""", "grad logsumexp(x)", "does not change with eps"),
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A workbook made by ``start``, untouched."""
    path = tmp_path_factory.mktemp("wb") / "workbook"
    start(str(path))
    return path


def _write(folder, name, source):
    (folder / (name + ".py")).write_text(source, encoding="utf-8")


# ----- the registry -------------------------------------------------------------------------------
def test_the_exercises_in_order_with_their_names_and_signatures():
    import inspect

    assert [ex.name for ex in exercises()] == NAMES
    assert get("dA_gradients.py") is get("dA_gradients")
    with pytest.raises(ValueError, match="no exercise called 'nope'"):
        get("nope")
    for name, function, signature in (("gradient_checker", "numerical_gradient", "(f, x, eps=1e-05)"),
                                      ("dA_gradients", "dA_cost_and_grads", "(W, b, b_prime, x, x_tilde)")):
        ns = {}
        with open(os.path.join(workbook.TEMPLATES, name + ".py"), encoding="utf-8") as fh:
            exec(fh.read(), ns)
        assert str(inspect.signature(ns[function])) == signature


# ----- the reference solutions --------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_the_reference_solution_passes(name):
    result = grade_reference(get(name))
    assert result.status == "passed", result.report()
    assert all(c.error <= 1e-8 for c in result.comparisons), result.report()  # with a margin


@pytest.mark.parametrize("name", NAMES)
def test_an_independent_correct_attempt_passes(name):
    result = grade_file(get(name), os.path.join(ATTEMPTS, name + ".py"))
    assert result.status == "passed", result.report()


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_is_a_readable_answer_in_the_template_s_terms(name, capsys):
    import ast
    import inspect

    assert cli.main(["exercises", "solution", name]) == 0
    out = capsys.readouterr().out
    tree = ast.parse(out)
    imports = {a.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
               for a in node.names}
    assert imports == {"numpy"}, imports     # plain NumPy: no dae, no grader wrappers
    assert "concatenate" not in out and "_reference" not in out and "ref." not in out
    assert out.count("#") >= 3               # commented
    ns, template = {}, {}
    exec(out, ns)
    with open(os.path.join(workbook.TEMPLATES, name + ".py"), encoding="utf-8") as fh:
        exec(fh.read(), template)
    for function in get(name).functions:     # the template's own signatures
        assert str(inspect.signature(ns[function])) == str(inspect.signature(template[function])), function


def test_every_printed_solution_passes_check_in_a_workbook(tmp_path, capsys):
    wb = tmp_path / "wb"
    start(str(wb))
    for name in NAMES:
        assert cli.main(["exercises", "solution", name]) == 0
        _write(wb, name, capsys.readouterr().out)
    assert cli.main(["exercises", "check", "--dir", str(wb)]) == 0
    assert "9 passed, 0 failed, 0 not started" in capsys.readouterr().out


def test_a_correct_float64_answer_is_far_below_the_exact_threshold():
    """The margin: the solutions and the independent attempts agree with the package to ~1e-16,
    a hundred times below EXACT (a finite-difference estimate is ~1e-10, float32 ~1e-8)."""
    for name in NAMES[1:]:
        for folder in (os.path.join(ROOT, "dae", "exercises", "solutions"), ATTEMPTS):
            result = grade_file(get(name), os.path.join(folder, name + ".py"))
            assert result.passed and max(c.error for c in result.comparisons) <= EXACT / 100, result.report()


def test_the_dA_reference_is_the_model_s_own_code():
    """dA.cost_and_grads on the tutorial's options runs the function the exercise is graded with."""
    from dae import config, dA
    from dae.models.da import tied_cost_and_grads
    from dae.random import RandomStreams

    with config.floatX_as("float64"):
        da = dA(numpy.random.RandomState(1), RandomStreams(2), n_visible=7, n_hidden=4)
    x = numpy.random.RandomState(3).uniform(0, 1, (5, 7))
    cost, grads = da.cost_and_grads(x, corruption_level=0.0, rng=RandomStreams(4))
    ref_cost, ref_grads = tied_cost_and_grads(da.W, da.b, da.b_prime, x, x)
    assert cost == ref_cost and all(numpy.array_equal(g, r) for g, r in zip(grads, ref_grads))


# ----- the templates ----------------------------------------------------------------------------
def test_the_untouched_templates_are_all_not_started(fresh):
    results = check(directory=str(fresh))
    assert [r.status for r in results] == ["not started"] * len(NAMES)
    assert cli.main(["exercises", "check", "--dir", str(fresh)]) == 1
    assert cli.main(["exercises", "check", "dA_gradients", "--dir", str(fresh)]) == 1


def test_the_templates_give_no_answer_away(fresh):
    for name in NAMES:
        text = (fresh / (name + ".py")).read_text()
        assert "raise NotImplementedError" in text and '"""' in text
    # the lines that make the attempts right are not in the templates
    for needle in ("x_tilde.T @", "dz.T @ y", "(z - x) / n", "logaddexp(0, a) - x * a", "put_along_axis",
                   "numpy.exp(logvar / 2) / 2", "(numpy.exp(logvar) - 1)", "2 * W * s.sum"):
        assert not any(needle in (fresh / (n + ".py")).read_text() for n in NAMES), needle


def test_the_workbook_has_its_readme_and_tests(fresh):
    readme = (fresh / "README.md").read_text()
    for name in NAMES:
        assert f"`{name}.py`" in readme
    assert "tutorials/dA_tutorial.py" in readme and "dae exercises check" in readme and "pytest" in readme
    assert (fresh / "conftest.py").exists() and (fresh / "test_workbook.py").exists()


def test_start_refuses_to_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "wb"
    assert cli.main(["exercises", "start", str(target)]) == 0
    _write(target, "dA_gradients", attempt("dA_gradients"))
    assert cli.main(["exercises", "start", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert (target / "dA_gradients.py").read_text() == attempt("dA_gradients")  # untouched
    assert cli.main(["exercises", "start", str(target), "--force"]) == 0
    assert "NotImplementedError" in (target / "dA_gradients.py").read_text()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="already holds files"):
        start(str(other))


# ----- a learner's work --------------------------------------------------------------------------
@pytest.mark.parametrize("name, old, new, wrong, hint", MISTAKES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_a_common_mistake_fails_names_the_quantity_and_shows_its_hint(tmp_path, name, old, new, wrong, hint):
    _write(tmp_path, name, mistake(name, old, new))
    result = grade_file(get(name), str(tmp_path / (name + ".py")))
    if wrong is None:   # not a mistake: still passes
        assert result.status == "passed", result.report()
        return
    assert result.status == "failed", result.report()
    assert "factor of 1 " not in result.report() and "factor of 1\n" not in result.report(), result.report()
    assert wrong in result.failing(), result.report()
    report = result.report()
    assert "wrong: " in report and wrong in report.split("wrong: ")[-1]
    if hint is not None:
        assert hint in (result.worst()[wrong].hint or ""), report


@pytest.mark.parametrize("name, code, wrong, hint", APPENDED, ids=[f"{m[0]}-{m[3]}" for m in APPENDED])
def test_a_wrong_kind_of_answer_fails_names_the_quantity_and_shows_its_hint(tmp_path, name, code, wrong, hint):
    _write(tmp_path, name, attempt(name) + code)
    result = grade_file(get(name), str(tmp_path / (name + ".py")))
    report = result.report()
    assert result.status == "failed", report
    if wrong in result.worst():
        assert wrong in result.failing() and hint in (result.worst()[wrong].hint or ""), report
    else:   # not a quantity: the function that went wrong, named in its message
        assert any(wrong in m and hint in m for m in result.messages), report
    assert "factor of 1" not in report and "Warning" not in report, report


def test_check_on_one_mistake_exits_non_zero_and_prints_the_hint(tmp_path, capsys):
    start(str(tmp_path / "wb"))
    wb = tmp_path / "wb"
    _write(wb, "dA_gradients", mistake("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = x_tilde.T @ da"))
    assert cli.main(["exercises", "check", "dA_gradients", "--dir", str(wb)]) == 1
    out = capsys.readouterr().out
    assert "dA_gradients: failed" in out and "gW" in out and "decoder" in out and "> 1e-12" in out
    _write(wb, "dA_gradients", attempt("dA_gradients"))
    assert cli.main(["exercises", "check", "dA_gradients", "--dir", str(wb)]) == 0
    assert "dA_gradients: passed" in capsys.readouterr().out
    assert cli.main(["exercises", "check", "--dir", str(wb)]) == 1  # the others are not started


def test_a_half_written_exercise_fails_and_says_what_is_left(tmp_path):
    source = attempt("vae_gradients").replace("    return dz, dz * eps", "    raise NotImplementedError\n    return dz")
    _write(tmp_path, "vae_gradients", source)
    result = grade_file(get("vae_gradients"), str(tmp_path / "vae_gradients.py"))
    assert result.status == "failed" and "reparameterize_backward" in result.report()


def test_a_broken_file_fails_with_the_reason(tmp_path):
    _write(tmp_path, "sparse_kl", "def kl_penalty_and_grad(y, rho, weight):\n    return 1 / 0\n")
    result = grade_file(get("sparse_kl"), str(tmp_path / "sparse_kl.py"))
    assert result.status == "failed" and "ZeroDivisionError" in result.report() and "line 2" in result.report()
    _write(tmp_path, "sparse_kl", "def kl_penalty_and_grad(y, rho, weight:\n")
    assert "does not import" in grade_file(get("sparse_kl"), str(tmp_path / "sparse_kl.py")).report()
    assert "is missing" in grade_file(get("dA_gradients"), str(tmp_path / "dA_gradients.py")).report()


def test_solutions_flag_grades_the_references(capsys):
    assert cli.main(["exercises", "check", "--solutions"]) == 0
    out = capsys.readouterr().out
    assert out.count(": passed") == len(NAMES) and "9 passed, 0 failed, 0 not started" in out


def test_check_finds_the_workbook_from_inside_it(fresh, monkeypatch):
    monkeypatch.chdir(fresh)
    assert [r.status for r in check(["sparse_kl"])] == ["not started"]
    monkeypatch.chdir(fresh.parent)  # next to the one workbook
    assert [r.status for r in check(["sparse_kl"])] == ["not started"]
    assert [r.status for r in check([str(fresh / "sparse_kl.py")])] == ["not started"]
    monkeypatch.chdir(fresh.parent.parent)
    with pytest.raises(FileNotFoundError, match="--dir"):
        check(["sparse_kl"])


def test_pytest_inside_a_started_workbook_grades_it(tmp_path):
    wb = tmp_path / "wb"
    start(str(wb))
    _write(wb, "dA_gradients", attempt("dA_gradients"))
    _write(wb, "sparse_kl", mistake("sparse_kl", "numpy.tile(dq / n, (n, 1))", "numpy.tile(dq, (n, 1))"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + sys.path))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=wb, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed, 7 skipped" in run.stdout, run.stdout
    assert "1/N" in run.stdout and "dy" in run.stdout
    _write(wb, "sparse_kl", attempt("sparse_kl"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "sparse_kl"],
                         cwd=wb, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout


# ----- the grader's own pieces ----------------------------------------------------------------------
def test_rel_error_and_compare():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0 and rel_error([0.0], [0.0]) == 0.0
    assert rel_error([1.0], [float("nan")]) == float("inf") and rel_error([1.0, 2.0], [1.0]) == float("inf")
    want = numpy.arange(1.0, 7.0).reshape(2, 3)
    assert compare("g", want * (1 + 1e-12), want).passed
    assert "factor of 2" in compare("g", 2 * want, want).hint
    assert "1/N" in compare("g", 5 * want, want, n=5).hint
    assert "transpose" in compare("g", want.T, want).hint
    assert "sign" in compare("g", -want, want).hint
    assert "NaN" in compare("g", want * numpy.nan, want).hint
    assert compare("gb", want.reshape(1, 6), want.reshape(6)).passed  # a (1, H) bias gradient is fine
    assert not compare("g", want + 1e-4, want).passed
    assert "factor of 3" in compare("g", 3 * want, want).hint
    assert compare("cost", 1.577, 1.0).hint is None                  # one number: no factor named
    assert compare("g", want * 1.001, want).hint is None                # a factor near 1 is no factor
    for bad, why in ((want.astype(complex), "complex"), (want.astype(int), "integer"), (None, "`return`"),
                     (want.astype(object), "dtype object"), ("text", "not an array of real numbers")):
        c = compare("g", bad, want)
        assert not c.passed and why in c.hint, (why, c.hint)
    c = compare("g", (want / 3).astype(numpy.float32), want / 3)
    assert not c.passed and "float32" in c.hint and "[" in c.worst_line()


def test_a_grader_cannot_pass_wrong_answers():
    """Every function of every exercise returning zeros (or the right shapes of noise) fails."""
    for ex in exercises():
        funcs = ex.reference()
        noisy = {n: (lambda f: lambda *a, **k: _perturb(f(*a, **k)))(f) for n, f in funcs.items()}
        result = grade(ex, noisy)
        assert result.status == "failed" and result.failing(), ex.name


def _perturb(value):
    if isinstance(value, tuple):
        return tuple(_perturb(v) for v in value)
    if isinstance(value, numpy.ndarray) and value.dtype.kind == "f":
        return value * 1.001
    if isinstance(value, float) or (isinstance(value, numpy.ndarray) and value.ndim == 0):
        return float(value) * 1.001
    return value


def test_the_readme_has_the_exercises_section():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Exercises", 1)[1].split("\n## ", 1)[0]
    for step in ("dae exercises start my_workbook", "my_workbook/README.md", "raise NotImplementedError",
                 "cd my_workbook && pytest", "dae exercises check --solutions", "dae exercises solution NAME"):
        assert step in section, step
    for name in NAMES:
        assert f"`{name}.py`" in section


# ----- robust grading: exits, hangs, crashes, partly written files, pipes ----------------------------
def test_exit_and_keyboard_interrupt_fail_their_exercise_and_the_others_are_graded(tmp_path, capsys):
    wb = tmp_path / "wb"
    start(str(wb))
    _write(wb, "dA_gradients", attempt("dA_gradients"))
    _write(wb, "sparse_kl", "import sys\nsys.exit(0)\n" + attempt("sparse_kl"))
    _write(wb, "vae_gradients", attempt("vae_gradients").replace("    n = mu.shape[0]\n", "    exit()\n"))
    _write(wb, "softmax_mlp", attempt("softmax_mlp").replace("    h = 1 / (1",
                                                             "    raise KeyboardInterrupt\n    h = 1 / (1"))
    assert cli.main(["exercises", "check", "--dir", str(wb)]) == 1
    out = capsys.readouterr().out
    assert "dA_gradients: passed" in out and "of 9" in out
    for name, what in (("sparse_kl", "SystemExit(0)"), ("vae_gradients", "SystemExit(None)"),
                       ("softmax_mlp", "KeyboardInterrupt")):
        report = out.split(f"{name}: ")[1].split("\n\n")[0]
        assert report.startswith("failed") and what in report, report
    assert "1 passed, 3 failed, 5 not started of 9" in out


def test_a_hang_is_stopped_at_the_time_limit_and_the_rest_is_graded(tmp_path, capsys):
    wb = tmp_path / "wb"
    start(str(wb))
    _write(wb, "conv_backward", attempt("conv_backward").replace("    n, c, h, w = x.shape\n    f, _, kh, kw",
                                                                 "    while True:\n        pass\n    f, _, kh, kw", 1))
    _write(wb, "maxpool_backward", attempt("maxpool_backward"))
    _write(wb, "sigmoid_cross_entropy", "import os\n" + attempt("sigmoid_cross_entropy").replace(
        "def cross_entropy_grad(x, a):\n", "def cross_entropy_grad(x, a):\n    os._exit(0)\n"))
    import time
    t = time.monotonic()
    assert cli.main(["exercises", "check", "conv_backward", "sigmoid_cross_entropy", "maxpool_backward",
                     "--dir", str(wb), "--timeout", "3"]) == 1
    assert time.monotonic() - t < 30
    out = capsys.readouterr().out
    assert "conv_backward: failed" in out and "timed out" in out and "--timeout" in out
    assert "sigmoid_cross_entropy: failed" in out and "grading process ended" in out
    assert "maxpool_backward: passed" in out
    assert cli.main(["exercises", "check", "--dir", str(wb), "--timeout", "0"]) == 2


def test_a_partly_written_function_is_reported_as_such(tmp_path):
    source = attempt("dA_gradients").replace("    dz = (z - x) / n\n", "    raise NotImplementedError\n")
    _write(tmp_path, "dA_gradients", source)
    result = grade_file(get("dA_gradients"), str(tmp_path / "dA_gradients.py"))
    assert result.status == "failed", result.report()
    assert "partly written: dA_cost_and_grads still raises NotImplementedError (line 10" in result.report()


def test_pytest_in_an_untouched_workbook_exits_non_zero(fresh):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + sys.path))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=fresh, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "9 skipped" in run.stdout and "not started" in run.stdout, run.stdout


def test_check_into_a_closed_pipe_ends_quietly_and_prints_to_stdout_only_the_report(tmp_path):
    wb = tmp_path / "wb"
    start(str(wb))
    _write(wb, "sparse_kl", attempt("sparse_kl").replace("    n = y.shape[0]\n",
                                                         "    n = y.shape[0]\n    print('hello')\n"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + sys.path))
    command = [sys.executable, "-m", "dae", "exercises", "check", "--dir", str(wb)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "sparse_kl: passed" in run.stdout
    assert "hello" not in run.stdout and "hello" in run.stderr   # the learner's print goes to stderr
    pipe = subprocess.run(" ".join(command) + " | head -1", shell=True, env=env, capture_output=True, text=True,
                          timeout=300)
    assert pipe.stdout.startswith("gradient_checker: not started") and pipe.stdout.count("\n") == 1
    assert "Broken pipe" not in pipe.stderr and "Traceback" not in pipe.stderr, pipe.stderr


def test_once_the_checker_passes_it_checks_the_later_gradients(tmp_path, capsys):
    wb = tmp_path / "wb"
    start(str(wb))
    _write(wb, "dA_gradients", mistake("dA_gradients", "gW = x_tilde.T @ da + dz.T @ y", "gW = x_tilde.T @ da"))
    _write(wb, "sparse_kl", attempt("sparse_kl"))
    assert cli.main(["exercises", "check", "dA_gradients", "sparse_kl", "--dir", str(wb)]) == 1
    assert "your gradient_checker" not in capsys.readouterr().out     # not written yet: not used
    _write(wb, "gradient_checker", attempt("gradient_checker"))
    assert cli.main(["exercises", "check", "dA_gradients", "sparse_kl", "--dir", str(wb)]) == 1
    out = capsys.readouterr().out
    dA, kl = out.split("sparse_kl: ")
    assert "your gradient_checker disagrees with your gW" in dA and "agrees: rel. error" in dA
    assert "your gradient_checker agrees" in kl and "(dy;" in kl
