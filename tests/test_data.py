"""dae/data.py: the tutorial's MNIST split, checksums, IDX headers, bad files, the safe pickle reader."""
import gzip
import os
import pickle
import shutil

import numpy
import pytest

import dae
from dae import data, paths


@pytest.fixture(scope="module")
def mnist():
    return dae.load_data()


def test_split_shapes_dtypes_and_scaling(mnist):
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = mnist
    assert train_x.shape == (50000, 784) and valid_x.shape == (10000, 784) and test_x.shape == (10000, 784)
    assert train_y.shape == (50000,) and valid_y.shape == (10000,) and test_y.shape == (10000,)
    for x, y in mnist:
        assert x.dtype == numpy.float32 and y.dtype == numpy.int64
        assert float(x.min()) == 0.0 and float(x.max()) == 0.99609375
        assert set(numpy.unique(y)) == set(range(10))
    # the values are pixel / 256 exactly: 256 x is an integer in 0..255
    assert numpy.array_equal(train_x[:100] * 256, numpy.round(train_x[:100] * 256))


def test_split_is_the_tutorials(mnist):
    """train = first 50,000 training images, valid = the last 10,000, test = t10k (known first labels)."""
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = mnist
    assert list(train_y[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(valid_y[:5]) == [3, 8, 6, 9, 6]
    assert list(test_y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    raw = data._read_idx(paths.mnist_dir(), "train-images-idx3-ubyte", False)
    numpy.testing.assert_array_equal(valid_x[0] * 256, raw[50000].reshape(-1))


def _copy_mnist(tmp_path, gunzip=False):
    folder = tmp_path / "mnist"
    folder.mkdir(parents=True)
    for name in os.listdir(paths.mnist_dir()):
        if gunzip:
            with gzip.open(os.path.join(paths.mnist_dir(), name)) as src, open(folder / name[:-3], "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            shutil.copy(os.path.join(paths.mnist_dir(), name), folder / name)
    return folder


def test_a_users_folder_gzipped_or_not(tmp_path, mnist):
    for gunzip in (False, True):
        folder = _copy_mnist(tmp_path / str(gunzip), gunzip)
        (tx, ty), _, (sx, sy) = dae.load_data(folder)
        numpy.testing.assert_array_equal(tx[:50], mnist[0][0][:50])
        numpy.testing.assert_array_equal(sy, mnist[2][1])


def test_missing_file_is_named(tmp_path):
    folder = _copy_mnist(tmp_path)
    os.remove(folder / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match="t10k-labels"):
        dae.load_data(folder)


def test_truncated_file_is_detected(tmp_path):
    folder = _copy_mnist(tmp_path, gunzip=True)
    path = folder / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(data.DataFileError, match="truncated"):
        dae.load_data(folder)


def test_truncated_gzip_is_detected(tmp_path):
    folder = _copy_mnist(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(data.DataFileError, match="t10k-labels"):
        dae.load_data(folder)


def test_bad_magic_number(tmp_path):
    folder = _copy_mnist(tmp_path, gunzip=True)
    path = folder / "train-labels-idx1-ubyte"
    raw = bytearray(path.read_bytes())
    raw[2] = 0x0D  # float type instead of ubyte
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DataFileError, match="magic"):
        dae.load_data(folder)


def test_shipped_file_checksum_mismatch_is_reported(tmp_path):
    folder = _copy_mnist(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    # a valid gzip of slightly different content: the header check alone would not notice
    with gzip.open(path) as f:
        raw = bytearray(f.read())
    raw[-1] = (raw[-1] + 1) % 10
    with gzip.open(path, "wb") as f:
        f.write(bytes(raw))
    with pytest.raises(data.DataFileError, match="sha256"):
        data._read_idx(str(folder), "t10k-labels-idx1-ubyte", verify_checksum=True)


def test_path_that_does_not_exist():
    with pytest.raises(FileNotFoundError, match="neither"):
        dae.load_data("/no/such/place")


def _pickle_gz(tmp_path, obj, name="mnist.pkl.gz"):
    path = tmp_path / name
    with gzip.open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)
    return path


def test_old_pickle_with_arrays_is_read(tmp_path):
    rng = numpy.random.RandomState(0)
    parts = tuple((rng.rand(n, 784).astype(numpy.float32), rng.randint(0, 10, n)) for n in (5, 3, 2))
    loaded = dae.load_data(_pickle_gz(tmp_path, parts))
    for (x, y), (ex, ey) in zip(loaded, parts):
        numpy.testing.assert_array_equal(x, ex)
        numpy.testing.assert_array_equal(y, ey)
        assert y.dtype == numpy.int64


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo owned > /dev/null",))


def test_pickle_with_code_is_refused_without_running_it(tmp_path):
    path = _pickle_gz(tmp_path, ((_Evil(), numpy.zeros(1)),) * 3)
    with pytest.raises(data.DataFileError, match="refusing"):
        dae.load_data(path)


def test_pickle_of_the_wrong_structure(tmp_path):
    path = _pickle_gz(tmp_path, (numpy.zeros((3, 784)),))
    with pytest.raises(data.DataFileError, match="tuple"):
        dae.load_data(path)
