"""The variants tutorial on a small slice, and its helpers (probe, sparsity, Jacobian norms)."""

import numpy
import pytest
from PIL import Image

import dae
from dae import config
from dae.gradcheck import gradcheck, numerical_gradient

import variants_tutorial as vt


def test_runs_every_variant_on_a_small_slice(tmp_path, capsys):
    out = tmp_path / "plots"
    rows = vt.main(["--n-train", "200", "--n-test", "100", "--epochs", "1", "--n-hidden", "16",
                    "--probe-epochs", "2", "--output-folder", str(out)])
    names = [r["variant"] for r in rows]
    assert names[:-1] == list(vt.VARIANTS) and names[-1].startswith("(raw pixels")
    for name in vt.VARIANTS:
        image = Image.open(out / f"variant_{name}.png")
        assert image.size[0] > 300 and image.size[1] > 200
    for r in rows[:-1]:
        for key in ("recon", "denoise", "hoyer", "mean_abs_h", "jacobian", "probe", "seconds"):
            assert numpy.isfinite(r[key]), (r["variant"], key)
        assert 0.0 <= r["hoyer"] <= 1.0 and 0.0 <= r["probe"] <= 1.0
    assert rows[-1]["probe"] > 0.5  # the raw-pixel probe learns something from 200 digits
    table = (out / "results.md").read_text()
    assert all(f"| {name} |" in table for name in vt.VARIANTS)
    assert "| plain |" in capsys.readouterr().out


def test_optimizer_flag_reaches_training(tmp_path):
    rows = vt.main(["--n-train", "100", "--n-test", "50", "--epochs", "1", "--n-hidden", "8",
                    "--probe-epochs", "1", "--variants", "denoising,linear", "--optimizer", "momentum",
                    "--output-folder", str(tmp_path)])
    assert [r["variant"] for r in rows[:-1]] == ["denoising", "linear"]
    args = vt.parse_args(["--optimizer", "sgd"])
    assert args.learning_rate == 0.1 and isinstance(vt.make_optimizer(args), dae.optim.SGD)
    assert vt.make_optimizer(args, "linear").learning_rate == pytest.approx(0.1 * vt.SGD_LEARNING_RATE_SCALE["linear"])
    assert vt.make_optimizer(vt.parse_args(["--optimizer", "adam"]), "linear").learning_rate == 1e-3  # unscaled


def test_a_diverging_variant_is_reported_not_fatal(tmp_path, capsys):
    rows = vt.main(["--n-train", "100", "--n-test", "50", "--epochs", "1", "--n-hidden", "8", "--probe-epochs", "1",
                    "--variants", "linear,plain", "--learning-rate", "1e6", "--output-folder", str(tmp_path)])
    assert rows[0]["variant"] == "linear (diverged)" and rows[0]["recon"] is None
    assert "diverged" in capsys.readouterr().err
    assert not (tmp_path / "variant_linear.png").exists()
    args = vt.parse_args(["--optimizer", "momentum"])
    assert isinstance(vt.make_optimizer(args), dae.optim.Momentum)


@pytest.mark.parametrize("argv", [["--variants", "plain,bogus"], ["--epochs", "0"], ["--optimizer", "rmsprop"],
                                  ["--learning-rate", "-1"], ["--n-train", "5", "--batch-size", "20"]])
def test_bad_flags_exit_with_a_message(argv, capsys):
    with pytest.raises(SystemExit):
        vt.parse_args(argv)
    assert "error" in capsys.readouterr().err


def test_probe_gradient():
    with config.floatX_as("float64"):
        rng = numpy.random.RandomState(0)
        probe = vt.SoftmaxProbe(5, n_classes=3, dtype="float64")
        probe.V[...] = rng.normal(size=(5, 3))
        probe.c[...] = rng.normal(size=3)
        h = rng.normal(size=(7, 5))
        y = rng.randint(0, 3, 7)
        errors = gradcheck(probe, h, y)
    assert max(errors.values()) < 1e-6


def test_probe_learns_a_separable_problem():
    rng = numpy.random.RandomState(0)
    centres = rng.normal(0, 3, (3, 4))
    y = rng.randint(0, 3, 600)
    x = (centres[y] + rng.normal(0, 0.5, (600, 4))).astype("float32")
    acc = vt.probe_accuracy(x[:400], y[:400], x[400:], y[400:], epochs=20, seed=0)
    assert acc > 0.95


def test_hoyer_sparsity_extremes():
    h = numpy.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert numpy.allclose(vt.hoyer_sparsity(h), [0.0, 1.0, 1.0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_jacobian_norms_match_finite_differences(activation):
    with config.floatX_as("float64"):
        da = dae.dA(numpy.random.RandomState(0), n_visible=6, n_hidden=4, activation=activation)
        x = numpy.random.RandomState(1).uniform(0, 1, (3, 6))
        norms = vt.jacobian_norms(da, x)
        for n in range(3):
            row = x[n].copy()
            J = numpy.stack([numerical_gradient(lambda v: da.get_hidden_values(v[None])[0, j], row) for j in range(4)])
            assert norms[n] == pytest.approx(numpy.linalg.norm(J), rel=1e-6)
        ca = dae.cA(numpy.random.RandomState(0), n_visible=6, n_hidden=4)
        assert numpy.allclose(vt.jacobian_norms(ca, x), ca.jacobian_norm(x))
