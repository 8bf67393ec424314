"""Saving and loading arrays safely: atomic writes, a checksum inside the file, no pickle.

A dae file is a ``.npz`` holding the named arrays plus two entries of our own:
``__meta__`` (UTF-8 JSON: what the file is, the model's configuration) and ``__checksum__``
(sha256 over every array's name, dtype, shape and bytes, and the metadata). Loading uses
``allow_pickle=False`` (a file can never run code), recomputes the checksum and refuses a
file that is truncated, corrupted or not one of ours with :class:`CorruptFileError`, before
anything is handed back. Writing goes to a temporary file in the same folder, flushed to disk,
then renamed over the target, so a crash mid-write leaves the old file intact.
"""
import hashlib
import json
import os
import tempfile
import zipfile

import numpy

from . import backend

FORMAT = "dae-npz-1"


class CorruptFileError(ValueError):
    """A file that is missing its checksum, fails it, or cannot be read as an .npz."""


def _digest(arrays, meta_bytes):
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = numpy.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    h.update(meta_bytes)
    return h.hexdigest()


def atomic_write(path, write):
    """Call ``write(fileobj)`` on a temporary file beside ``path``, fsync it, rename it to ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_arrays(path, arrays, meta=None):
    """Write ``arrays`` ({name: array}, any backend) and ``meta`` (JSON-able dict) to ``path``."""
    host = {}
    for name, a in arrays.items():
        if name.startswith("__"):
            raise ValueError(f"array names may not start with '__', got {name!r}")
        host[name] = numpy.asarray(backend.to_host(a))
        if host[name].dtype == object:
            raise TypeError(f"array {name!r} has dtype object, which cannot be saved without pickle")
    meta = dict(meta or {})
    meta.setdefault("format", FORMAT)
    meta_bytes = json.dumps(meta, sort_keys=True).encode("utf-8")
    checksum = _digest(host, meta_bytes)
    payload = dict(host)
    payload["__meta__"] = numpy.frombuffer(meta_bytes, dtype=numpy.uint8)
    payload["__checksum__"] = numpy.frombuffer(checksum.encode("ascii"), dtype=numpy.uint8)
    atomic_write(path, lambda f: numpy.savez(f, **payload))


def load_arrays(path):
    """``(arrays, meta)`` from a file written by :func:`save_arrays`, checksum verified."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with numpy.load(path, allow_pickle=False) as data:
            contents = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise CorruptFileError(f"{path} is not a readable dae .npz file (truncated or corrupted?): {exc}") from exc
    if "__checksum__" not in contents or "__meta__" not in contents:
        raise CorruptFileError(f"{path} is not a dae file: it has no checksum/metadata entries")
    try:
        meta_bytes = contents.pop("__meta__").tobytes()
        stored = contents.pop("__checksum__").tobytes().decode("ascii")
        meta = json.loads(meta_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(f"{path} has unreadable metadata: {exc}") from exc
    if _digest(contents, meta_bytes) != stored:
        raise CorruptFileError(f"{path} failed its checksum: the file is corrupted")
    return contents, meta
