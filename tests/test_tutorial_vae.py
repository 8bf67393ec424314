"""The VAE tutorial on a small slice: it trains, reports finite figures and writes its pictures."""
import math

import numpy
import pytest
from PIL import Image

import dae
from dae import cli
import vae_tutorial


def run(tmp_path, *extra):
    out = tmp_path / "plots"
    argv = ["--n-train", "400", "--epochs", "2", "--batch-size", "50", "--n-test", "200",
            "--iw-samples", "5", "--n-hidden", "32", "--output-folder", str(out)] + list(extra)
    return out, vae_tutorial.main(argv)


def test_tutorial_trains_reports_and_draws(tmp_path, capsys):
    out, results = run(tmp_path, "--iw-n-test", "50")
    text = capsys.readouterr().out
    assert "test negative ELBO:" in text and "importance-weighted with k=5 on 50 test images" in text
    assert "[z=20] epoch 1" in text and "[z=2] epoch 1" in text
    # two epochs on 400 images: far from the paper, but well below the ~544 nats of a blank model
    assert 100 < results["test_negative_elbo"] < 300
    assert math.isfinite(results["iw_negative_log_likelihood"]) and results["iw_n_test"] == 50
    assert math.isfinite(results["test_negative_elbo_2d"])
    samples = Image.open(out / "samples.png")
    assert samples.size == (10 * 29 - 1, 10 * 29 - 1)
    assert Image.open(out / "manifold_2d.png").size == (20 * 28, 20 * 28)
    assert Image.open(out / "codes_2d.png").size[0] > 300
    model = dae.VAE.load(out / "vae_z20.npz")
    assert cli.main(["info", str(out / "vae_z20.npz")]) == 0  # the one model file: dae info and dae.load_model read it
    assert "model:    vae " in capsys.readouterr().out
    assert model.n_latent == 20 and model.n_hidden == [32]


def test_tutorial_with_a_2d_main_model_reuses_it(tmp_path, capsys):
    out, results = run(tmp_path, "--n-latent", "2", "--epochs", "1")
    text = capsys.readouterr().out
    assert "[z=2]" in text and "[z=20]" not in text
    assert "test_negative_elbo_2d" not in results  # no second model was trained
    assert (out / "manifold_2d.png").exists() and (out / "vae_z2.npz").exists()
    assert results["iw_n_test"] == 200


def test_tutorial_skips_the_2d_model_on_request(tmp_path):
    out, _ = run(tmp_path, "--epochs", "1", "--epochs-2d", "0")
    assert (out / "samples.png").exists() and not (out / "manifold_2d.png").exists()


@pytest.mark.parametrize("flag,value", [("--epochs", "0"), ("--n-latent", "0"), ("--iw-samples", "0"),
                                        ("--learning-rate", "-1"), ("--n-train", "0")])
def test_tutorial_rejects_bad_flags(flag, value, capsys):
    with pytest.raises(SystemExit):
        vae_tutorial.parse_args([flag, value])
    assert flag in capsys.readouterr().err


def test_manifold_grid_runs_through_the_inverse_normal_cdf(tmp_path):
    with dae.config.floatX_as("float64"):
        model = dae.VAE(numpy.random.RandomState(0), n_latent=2, n_hidden=[8])
    seen = []
    decode = model.decode
    model.decode = lambda z: (seen.append(numpy.array(z)), decode(z))[1]
    vae_tutorial.save_manifold(model, str(tmp_path / "m.png"), n=5)
    z = seen[0]
    assert z.shape == (25, 2)
    assert z[0, 0] == pytest.approx(-1.6448536, abs=1e-6)   # Phi^-1(0.05), left column
    assert z[0, 1] == pytest.approx(1.6448536, abs=1e-6)    # top row: largest z1
    assert z[12] == pytest.approx([0.0, 0.0], abs=1e-12)    # the centre of the plane
