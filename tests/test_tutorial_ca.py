"""The cA tutorial's test run, shortened."""
import numpy
import pytest
from PIL import Image

import cA_tutorial


def test_short_run_writes_filters_and_learns(tmp_path, capsys):
    ca, history = cA_tutorial.main(["--n-train", "200", "--training-epochs", "3", "--n-hidden", "16",
                                    "--output-folder", str(tmp_path)])
    image = Image.open(tmp_path / "cae_filters.png")
    assert image.size == (4 * 29 - 1, 4 * 29 - 1)  # 16 filters: a 4 x 4 mosaic of 28 x 28 tiles
    assert len(history) == 3
    assert history[-1][0] < history[0][0]  # the reconstruction cost falls
    assert all(numpy.isfinite(v) for pair in history for v in pair)
    out = capsys.readouterr().out
    assert "Training epoch 0, reconstruction cost" in out and "jacobian norm" in out


def test_defaults_are_the_tutorials():
    args = cA_tutorial.parse_args([])
    assert (args.learning_rate, args.training_epochs, args.batch_size, args.n_hidden, args.contraction_level,
            args.output_folder) == (0.01, 20, 10, 500, 0.1, "cA_plots")


@pytest.mark.parametrize("argv", [["--training-epochs", "0"], ["--n-train", "5"], ["--learning-rate", "0"],
                                  ["--contraction-level", "-1"]])
def test_bad_flags(argv):
    with pytest.raises(SystemExit):
        cA_tutorial.parse_args(argv)


def test_sgd_path_is_the_tutorials_update(tmp_path):
    """Training through the tutorial's get_cost_updates + apply_updates gives the same W."""
    import dae
    ca, _ = cA_tutorial.main(["--n-train", "30", "--training-epochs", "1", "--n-hidden", "8",
                              "--output-folder", str(tmp_path)])
    (train_x, _), _, _ = dae.load_data()
    ref = dae.cA(numpy.random.RandomState(123), n_visible=784, n_hidden=8, n_batchsize=10)
    for i in range(3):
        _, updates = ref.get_cost_updates(train_x[i * 10:(i + 1) * 10], contraction_level=0.1, learning_rate=0.01)
        dae.apply_updates(updates)
    assert numpy.array_equal(ref.W, ca.W) and numpy.array_equal(ref.b, ca.b)


def test_adam_flag(tmp_path):
    _, history = cA_tutorial.main(["--n-train", "100", "--training-epochs", "2", "--n-hidden", "8",
                                   "--optimizer", "adam", "--learning-rate", "0.003", "--output-folder", str(tmp_path)])
    assert history[1][0] < history[0][0]
