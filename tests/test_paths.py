"""dae.paths: DAE_DATA_DIR is honoured at every call by every loader; the data ships in the wheel."""
import os
import shutil
import subprocess
import sys

import pytest

import dae
from dae import data, paths, patches

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_shipped_data_is_found_without_the_variable(monkeypatch):
    monkeypatch.delenv("DAE_DATA_DIR", raising=False)
    assert os.path.isfile(os.path.join(paths.mnist_dir(), "train-images-idx3-ubyte.gz"))
    assert os.path.isfile(os.path.join(paths.images_dir(), "chelsea.png"))
    assert paths.is_shipped(paths.mnist_dir())


def test_DAE_DATA_DIR_is_read_at_each_call_by_mnist_and_the_photographs(tmp_path, monkeypatch):
    monkeypatch.delenv("DAE_DATA_DIR", raising=False)
    shipped = paths.data_dir()
    (tmp_path / "mnist").mkdir()
    for name in os.listdir(os.path.join(shipped, "mnist")):
        shutil.copy(os.path.join(shipped, "mnist", name), tmp_path / "mnist" / name)
    (tmp_path / "images").mkdir()
    shutil.copy(os.path.join(shipped, "images", "chelsea.png"), tmp_path / "images" / "only.png")
    monkeypatch.setenv("DAE_DATA_DIR", str(tmp_path))      # set after dae was imported
    assert paths.mnist_dir() == str(tmp_path / "mnist") and not paths.is_shipped(paths.mnist_dir())
    (train_x, train_y), _, _ = dae.load_data()
    assert train_x.shape == (50000, 784) and train_y[:3].tolist() == [5, 0, 4]
    assert list(patches.load_images(("only.png",))) == ["only.png"]
    with pytest.raises(FileNotFoundError, match="chelsea.png"):
        patches.load_images(("chelsea.png",))          # not in DAE_DATA_DIR: the variable wins


def test_DAE_DATA_DIR_may_hold_the_idx_files_themselves(tmp_path, monkeypatch):
    monkeypatch.delenv("DAE_DATA_DIR", raising=False)
    src = paths.mnist_dir()
    for name in os.listdir(src):
        shutil.copy(os.path.join(src, name), tmp_path / name)
    monkeypatch.setenv("DAE_DATA_DIR", str(tmp_path))
    assert paths.mnist_dir() == str(tmp_path)
    (_, _), (_, valid_y), _ = data.load_data()
    assert valid_y.shape == (10000,)


def test_a_wrong_DAE_DATA_DIR_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("DAE_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="DAE_DATA_DIR=.*nowhere.*not a folder"):
        dae.load_data()
    monkeypatch.setenv("DAE_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="holds neither mnist/ nor the MNIST IDX files"):
        dae.load_data()


def test_the_built_package_carries_the_data(tmp_path):
    # what `pip install .` puts in site-packages: setup.py's build_py copies data/ into dae/_data
    proc = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    built = tmp_path / "dae" / "_data"
    for stem in data.MNIST_FILES.values():
        assert (built / "mnist" / f"{stem}.gz").is_file()
    assert (built / "images" / "chelsea.png").is_file() and (built / "SOURCES.md").is_file()
    assert (tmp_path / "dae" / "exercises" / "templates" / "dA_gradients.py").is_file()
    assert (tmp_path / "dae" / "exercises" / "solutions" / "dA_gradients.py").is_file()
    assert (tmp_path / "dae" / "reference" / "original_graph_costs.json").is_file()
