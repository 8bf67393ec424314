"""tutorials/dA_tutorial.py on a small slice, and its first epoch on the full data (the tutorial's 63.2891)."""
import numpy
import pytest
from PIL import Image

import dA_tutorial
import dae


def test_tutorial_runs_on_a_slice_and_writes_both_filter_images(tmp_path, capsys):
    dA_tutorial.main(["--n-train", "200", "--training-epochs", "2", "--output-folder", str(tmp_path)])
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["Training epoch 0", "Training epoch 1"] * 2
    assert all(float(line.split("cost ")[1]) > 0 for line in lines)
    assert "The no corruption code for file dA_tutorial.py ran for" in err
    assert "The 30% corruption code for file dA_tutorial.py ran for" in err
    for name in ("filters_corruption_0.png", "filters_corruption_30.png"):
        image = Image.open(tmp_path / name)
        assert image.size == (289, 289) and image.mode == "L"


def test_readable_and_fast_paths_print_the_same_costs(tmp_path, capsys):
    dA_tutorial.main(["--n-train", "100", "--training-epochs", "1", "--output-folder", str(tmp_path)])
    fast = capsys.readouterr().out.split()
    dA_tutorial.main(["--n-train", "100", "--training-epochs", "1", "--output-folder", str(tmp_path), "--readable"])
    readable = capsys.readouterr().out.split()
    f = [float(w) for w in fast if w[0].isdigit() and "." in w]
    r = [float(w) for w in readable if w[0].isdigit() and "." in w]
    numpy.testing.assert_allclose(f, r, rtol=1e-5)


def test_first_epoch_cost_is_the_tutorials(capsys):
    """The Theano tutorial prints 'Training epoch 0, cost 63.2891...' for corruption 0."""
    train_x = dae.load_data()[0][0]
    _, costs = dA_tutorial.train_dA(train_x, 0.0, 0.1, 1, 20)
    assert costs[0] == pytest.approx(63.2891, rel=1e-5)


def test_batch_larger_than_the_data_is_an_error(tmp_path):
    with pytest.raises(SystemExit, match="batch-size"):
        dA_tutorial.main(["--n-train", "10", "--batch-size", "20", "--output-folder", str(tmp_path)])
