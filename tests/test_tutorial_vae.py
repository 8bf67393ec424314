"""The VAE tutorial run as a script on a small slice: it trains, reports finite figures, writes its
pictures, and resumes an interrupted run to the uninterrupted one's parameters."""
import math
import os

import numpy
import pytest
from PIL import Image

import dae
from dae import cli
from dae.tutorial import run_script

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "vae_tutorial.py")
SMALL = ["--n-train", "400", "--epochs", "2", "--batch-size", "50", "--n-test", "200", "--iw-samples", "5",
         "--n-hidden", "32"]


def run(out, *extra):
    return run_script(SCRIPT, SMALL + list(extra) + ["--output-folder", str(out)])


def test_tutorial_trains_reports_and_draws(tmp_path, capsys):
    out = tmp_path / "plots"
    ns = run(out, "--iw-n-test", "50")
    results = ns["results"]
    text = capsys.readouterr().out
    assert "test negative ELBO:" in text and "importance-weighted with k=5 on 50 test images" in text
    assert "[z=20] epoch 1, train -ELBO" in text and ", valid -ELBO " in text and "[z=2] epoch 1" in text
    # two epochs on 400 images: far from the paper, but well below the ~544 nats of a blank model
    assert 100 < results["test_negative_elbo"] < 300
    assert math.isfinite(results["iw_negative_log_likelihood"]) and results["iw_n_test"] == 50
    assert math.isfinite(results["test_negative_elbo_2d"])
    samples = Image.open(out / "samples.png")
    assert samples.size == (10 * 29 - 1, 10 * 29 - 1)
    assert Image.open(out / "manifold_2d.png").size == (20 * 28, 20 * 28)
    assert Image.open(out / "codes_2d.png").size[0] > 300
    model = dae.load_model(out / "vae_z20.npz")
    assert model.n_latent == 20 and model.n_hidden == [32]
    numpy.testing.assert_array_equal(model.params[0], ns["model"].params[0])
    capsys.readouterr()
    assert cli.main(["info", str(out / "vae_z20.npz")]) == 0  # the one model file: dae info and dae.load_model read it
    assert "model:    vae " in capsys.readouterr().out


def test_tutorial_with_a_2d_main_model_reuses_it(tmp_path, capsys):
    out = tmp_path / "plots"
    results = run(out, "--n-latent", "2", "--epochs", "1")["results"]
    text = capsys.readouterr().out
    assert "[z=2]" in text and "[z=20]" not in text
    assert "test_negative_elbo_2d" not in results  # no second model was trained
    assert (out / "manifold_2d.png").exists() and (out / "vae_z2.npz").exists()
    assert results["iw_n_test"] == 200


def test_tutorial_skips_the_2d_model_on_request(tmp_path):
    out = tmp_path / "plots"
    run(out, "--epochs", "1", "--epochs-2d", "0")
    assert (out / "samples.png").exists() and not (out / "manifold_2d.png").exists()


def test_quick_is_a_small_slice(tmp_path):
    ns = run_script(SCRIPT, ["--quick", "--epochs", "1", "--epochs-2d", "1", "--output-folder", str(tmp_path)])
    assert (ns["n_train"], ns["n_hidden"], ns["epochs"], ns["iw_samples"]) == (2000, [64], 1, 10)


def test_an_interrupted_run_resumes_to_the_uninterrupted_parameters(tmp_path, ctrl_c_at, capsys):
    flags = ["--epochs", "3", "--epochs-2d", "0"]
    whole = run(tmp_path / "whole", *flags)["model"]
    restore = ctrl_c_at(dae.VAE, 11)   # 8 minibatches per epoch: the third of epoch 1
    with pytest.raises(dae.train.TrainingInterrupted, match="checkpoint saved"):
        run(tmp_path / "cut", *flags)
    restore()
    resumed = run(tmp_path / "cut", *flags, "--resume")["model"]
    for a, b in zip(whole.params, resumed.params):
        numpy.testing.assert_array_equal(a, b)


def test_kill_9_then_resume_ends_with_the_uninterrupted_parameters(tmp_path, capsys):
    from _kill import run_until_checkpoint_then_kill

    flags = SMALL + ["--epochs", "60", "--epochs-2d", "0"]
    killed = tmp_path / "killed"
    assert run_until_checkpoint_then_kill(SCRIPT, flags + ["--output-folder", killed],
                                          killed / "checkpoints" / "vae_z20.npz"), "it finished before the kill"
    resumed = run_script(SCRIPT, flags + ["--resume", "--output-folder", str(killed)])["model"]
    straight = run_script(SCRIPT, flags + ["--output-folder", str(tmp_path / "straight")])["model"]
    for a, b in zip(straight.params, resumed.params):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("flag,value", [("--epochs", "0"), ("--n-latent", "0"), ("--iw-samples", "0"),
                                        ("--learning-rate", "-1"), ("--n-train", "0")])
def test_tutorial_rejects_bad_flags(flag, value, capsys):
    with pytest.raises(SystemExit):
        run_script(SCRIPT, [flag, value])
    assert flag.lstrip("-").replace("-", "_") in capsys.readouterr().err


def test_manifold_grid_runs_through_the_inverse_normal_cdf(tmp_path):
    ns = run(tmp_path, "--epochs", "1", "--epochs-2d", "0", "--n-train", "100")
    with dae.config.floatX_as("float64"):
        model = dae.VAE(numpy.random.RandomState(0), n_latent=2, n_hidden=[8])
    seen = []
    decode = model.decode
    model.decode = lambda z: (seen.append(numpy.array(z)), decode(z))[1]
    ns["manifold_image"](model, n=5)
    z = seen[0]
    assert z.shape == (25, 2)
    assert z[0, 0] == pytest.approx(-1.6448536, abs=1e-6)   # Phi^-1(0.05), left column
    assert z[0, 1] == pytest.approx(1.6448536, abs=1e-6)    # top row: largest z1
    assert z[12] == pytest.approx([0.0, 0.0], abs=1e-12)    # the centre of the plane
