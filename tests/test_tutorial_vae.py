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

from _chapter import (assert_prints_the_same_again, assert_stop_until_trained, code_cells, index_of, run_cells,
                      small_namespace)

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tutorials", "vae_tutorial.py")
SMALL = ["--n-train", "400", "--epochs", "2", "--batch-size", "50", "--n-test", "200", "--iw-samples", "5",
         "--n-hidden", "32"]


def run(out, *extra):
    return run_script(SCRIPT, SMALL + list(extra) + ["--output-folder", str(out)])


def test_tutorial_trains_reports_and_draws(tmp_path, capsys):
    out = tmp_path / "plots"
    ns = run(out, "--iw-n-test", "50")
    results = ns["results"]
    text, err = capsys.readouterr()
    assert err == ""   # timings on stdout: no error box in a notebook
    assert "The z=20 training code for file vae_tutorial.py ran for " in text
    assert "# dae/models/vae.py: VAE.cost_and_grads\ndef cost_and_grads(self, x, *, rng)" in text
    assert "# dae/models/vae.py: reparameterize" in text and "# dae/models/vae.py: gaussian_kl" in text
    assert "test negative ELBO:" in text and "importance-weighted with k=5 on 50 test images" in text
    assert "[z=20] epoch 1, train -ELBO" in text and ", valid -ELBO " in text and "[z=2] epoch 1" in text
    # two epochs on 400 images: far from the paper, but well below the ~544 nats of a blank model
    assert 100 < results["test_negative_elbo"] < 300
    assert math.isfinite(results["iw_negative_log_likelihood"]) and results["iw_n_test"] == 50
    assert math.isfinite(results["test_negative_elbo_2d"])
    assert (out / "learning_curve_z20.png").stat().st_size > 0
    assert list(ns["curves"]) == ["z=20 train", "z=20 validation", "z=20 test -ELBO", "z=20 test -log p(x), k=5",
                                  "z=2 train (reference)"]
    assert len(ns["curves"]["z=20 train"]) == 2 and (out / "checkpoints" / "vae_z20.npz").exists()
    samples = Image.open(out / "samples_z20.png")
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
    assert (out / "samples_z20.png").exists() and not (out / "manifold_2d.png").exists()


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


def test_the_knobs_reach_labels_and_file_names(tmp_path, capsys):
    ns = run_script(SCRIPT, ["--quick", "--epochs", "1", "--epochs-2d", "1", "--n-latent", "3", "--n-train", "200",
                             "--output-folder", str(tmp_path)])
    assert (ns["n_train"], ns["n_test"], ns["epochs"]) == (200, 500, 1)   # quick keeps what was set
    out = capsys.readouterr().out
    assert "[z=3] epoch 0, train -ELBO " in out and "The z=3 training code for file vae_tutorial.py ran for" in out
    assert "test negative ELBO: " in out and "(3-D latent, 1 epochs)" in out
    for name in ("vae_z3.npz", "samples_z3.png", "learning_curve_z3.png", "vae_z2.npz"):
        assert (tmp_path / name).exists(), name
    assert ns["model"].n_latent == 3


# ----- as a notebook ----------------------------------------------------------------------------
CELLS = code_cells(SCRIPT)
TRAINING = index_of(CELLS, "model, history = train_vae(n_latent, epochs")
TWO_D = index_of(CELLS, "model_2d, history_2d = train_vae(2, epochs_2d")


def _namespace(tmp_path, capsys):
    return small_namespace(SCRIPT, capsys, n_train=200, n_test=100, epochs=2, epochs_2d=1, n_hidden=[16],
                           iw_samples=3, batch_size=50, output_folder=str(tmp_path))[1]


def test_cells_run_again_print_the_same_lines(tmp_path, capsys):
    ns = _namespace(tmp_path, capsys)
    first = run_cells(SCRIPT, CELLS, ns, capsys)
    assert any(line.startswith("[z=20] epoch 1, train -ELBO") for line in first[TRAINING - 1])
    assert_prints_the_same_again(SCRIPT, CELLS, ns, capsys, first,
                                 (TRAINING, TRAINING + 1, TRAINING + 2, TWO_D, TWO_D + 1, TWO_D + 2))


def test_cells_before_training_name_the_cell_to_run(tmp_path, capsys):
    later = [cell for cell in CELLS[TRAINING + 1:] if "dae.tutorial.need(" in cell and "train_vae(2" not in cell]
    assert len(later) == 4
    assert_stop_until_trained(SCRIPT, CELLS, _namespace(tmp_path, capsys), capsys, TRAINING, later,
                              r"^run the (training cell|evaluation cell \(How good is it\?\)|2-D model's cell) first")
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".png"]   # no figure of an untrained model
