"""dae/io.py: atomic, checksummed, pickle-free .npz files."""
import os

import numpy
import pytest

from dae import io


def _arrays():
    rng = numpy.random.RandomState(0)
    return {"W": rng.rand(7, 3).astype(numpy.float32), "b": numpy.arange(3.0), "labels": numpy.arange(4)}


def test_round_trip(tmp_path):
    path = tmp_path / "model.npz"
    io.save_arrays(path, _arrays(), {"kind": "dA", "n_hidden": 3})
    arrays, meta = io.load_arrays(path)
    assert meta["kind"] == "dA" and meta["n_hidden"] == 3 and meta["format"] == io.FORMAT
    for name, a in _arrays().items():
        numpy.testing.assert_array_equal(arrays[name], a)
        assert arrays[name].dtype == a.dtype


def test_every_truncation_is_detected(tmp_path):
    path = tmp_path / "model.npz"
    io.save_arrays(path, _arrays(), {"kind": "dA"})
    raw = path.read_bytes()
    for cut in list(range(0, len(raw), max(1, len(raw) // 60))) + [len(raw) - 1]:
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(io.CorruptFileError):
            io.load_arrays(tmp_path / "cut.npz")


def test_a_flipped_byte_is_detected(tmp_path):
    path = tmp_path / "model.npz"
    io.save_arrays(path, _arrays(), {})
    raw = bytearray(path.read_bytes())
    for position in range(0, len(raw), 37):
        damaged = bytearray(raw)
        damaged[position] ^= 0x5A
        (tmp_path / "bad.npz").write_bytes(bytes(damaged))
        with pytest.raises(io.CorruptFileError):
            io.load_arrays(tmp_path / "bad.npz")


def test_a_foreign_npz_is_refused(tmp_path):
    numpy.savez(tmp_path / "other.npz", W=numpy.zeros(3))
    with pytest.raises(io.CorruptFileError, match="not a dae file"):
        io.load_arrays(tmp_path / "other.npz")


def test_object_arrays_are_never_saved_or_loaded(tmp_path):
    with pytest.raises(TypeError, match="pickle"):
        io.save_arrays(tmp_path / "x.npz", {"o": numpy.array([{"a": 1}], dtype=object)})
    numpy.savez(tmp_path / "pickled.npz", o=numpy.array([{"a": 1}], dtype=object))
    with pytest.raises(io.CorruptFileError):
        io.load_arrays(tmp_path / "pickled.npz")


def test_a_failed_write_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "model.npz"
    io.save_arrays(path, _arrays(), {"version": 1})

    def explode(f):
        f.write(b"half a file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        io.atomic_write(path, explode)
    _, meta = io.load_arrays(path)
    assert meta["version"] == 1
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        io.load_arrays(tmp_path / "nothing.npz")
