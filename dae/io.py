"""Saving and loading arrays safely: atomic writes, a checksum of the whole file, no pickle.

A dae file is an ordinary ``.npz`` (NumPy can open it) holding the named arrays plus one
entry of our own, ``__meta__`` (UTF-8 JSON: what the file is, the model's configuration).
The zip archive's comment, its last 64 bytes, is the sha256 (hex) of every byte before it,
so a change of *any* byte, or a truncation anywhere, is caught before anything is read.
Loading uses ``allow_pickle=False`` (a file can never run code) and raises
:class:`CorruptFileError` for a truncated, corrupted or foreign file. Writing goes to a
temporary file in the same folder, flushed to disk, then renamed over the target, so a crash
mid-write leaves the old file intact.
"""
import contextlib
import hashlib
import io
import json
import os
import signal
import sys
import tempfile
import zipfile

import numpy

from . import backend

FORMAT = "dae-npz-1"
_DIGEST_LENGTH = 64  # hex sha256


class CorruptFileError(ValueError):
    """A file that is missing its checksum, fails it, or cannot be read as an .npz."""


def atomic_write(path, write):
    """Call ``write(fileobj)`` on a temporary file beside ``path``, fsync it, rename it to ``path``.

    The temporary file is always made in ``path``'s own folder, and ``os.replace`` puts the new
    file in place of whatever the name was, so a symlink planted at ``path`` is replaced, never
    written through. A ``path`` that is a folder is refused before anything is written, and an
    unwritable folder is reported with ``path``'s name (not the temporary file's)."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {path!r} ({type(path).__name__})")
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path or path.endswith(os.sep) or (os.path.isdir(path) and not os.path.islink(path)):
        raise IsADirectoryError(f"cannot write {path!r}: it is a folder, not a file name")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot write {path}: cannot create a file in its folder {folder} "
                                   f"({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def own_folder(path):
    """Make ``path`` a real folder to write into: a symlink planted at that name is removed (the
    folder it points to is left alone) and a folder made in its place, so files written inside
    never land elsewhere. Returns ``path``."""
    path = os.fspath(path)
    if os.path.islink(path):
        os.unlink(path)
    os.makedirs(path, exist_ok=True)
    return path


def to_bytes(arrays, meta=None):
    """The bytes of a dae file holding ``arrays`` ({name: array}, any backend) and ``meta``."""
    payload = {}
    for name, a in arrays.items():
        if name.startswith("__"):
            raise ValueError(f"array names may not start with '__', got {name!r}")
        payload[name] = numpy.asarray(backend.to_host(a))
        if payload[name].dtype == object:
            raise TypeError(f"array {name!r} has dtype object, which cannot be saved without pickle")
    meta = dict(meta or {})
    meta.setdefault("format", FORMAT)
    payload["__meta__"] = numpy.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=numpy.uint8)
    buffer = io.BytesIO()
    numpy.savez(buffer, **payload)
    with zipfile.ZipFile(buffer, "a") as archive:  # reserve the comment: it ends the file
        archive.comment = b"0" * _DIGEST_LENGTH
    raw = bytearray(buffer.getvalue())
    raw[-_DIGEST_LENGTH:] = hashlib.sha256(raw[:-_DIGEST_LENGTH]).hexdigest().encode("ascii")
    return bytes(raw)


def save_arrays(path, arrays, meta=None):
    """Write ``arrays`` and ``meta`` (a JSON-able dict) to ``path``, atomically."""
    raw = to_bytes(arrays, meta)
    atomic_write(path, lambda f: f.write(raw))


def from_bytes(raw, name="file"):
    """``(arrays, meta)`` from the bytes of a dae file, checksum verified first."""
    if len(raw) <= _DIGEST_LENGTH:
        raise CorruptFileError(f"{name} is too short to be a dae file ({len(raw)} bytes): truncated?")
    stored = bytes(raw[-_DIGEST_LENGTH:])
    if hashlib.sha256(raw[:-_DIGEST_LENGTH]).hexdigest().encode("ascii") != stored:
        if not all(c in b"0123456789abcdef" for c in stored):
            raise CorruptFileError(f"{name} is not a dae file (no checksum at its end), or it is truncated")
        raise CorruptFileError(f"{name} failed its checksum: the file is corrupted")
    try:
        with numpy.load(io.BytesIO(raw), allow_pickle=False) as data:
            contents = {key: data[key] for key in data.files}
        meta = json.loads(contents.pop("__meta__").tobytes().decode("utf-8"))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"{name} is not a readable dae .npz file: {exc}") from exc
    if not isinstance(meta, dict):
        raise CorruptFileError(f"{name} is not a dae file: its __meta__ entry is not a JSON object")
    fmt = meta.get("format", FORMAT)
    if fmt != FORMAT:
        raise CorruptFileError(f"{name} is in format {fmt!r}, which this version of dae does not read (it reads "
                               f"{FORMAT!r}): written by a newer dae, or not by dae at all")
    return contents, meta


def load_arrays(path):
    """``(arrays, meta)`` from a file written by :func:`save_arrays`, after checking it is a
    complete .npz archive at all, so a .npy, a text file or an empty file is reported as "not a
    dae file" too."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {path!r} ({type(path).__name__})")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not a dae model or checkpoint file")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if not zipfile.is_zipfile(path):
        raise CorruptFileError(f"{path} is not a readable dae model or checkpoint file (not a complete .npz "
                               f"archive: truncated, corrupted or another format)")
    with open(path, "rb") as f:
        raw = f.read()
    return from_bytes(raw, path)


def check_values(value, key, dtype, path):
    """``value`` (a host array read from ``path``) must be real, finite, and fit ``dtype`` (no overflow to inf
    when cast: float64 1e300 does not fit float32)."""
    if not (numpy.issubdtype(value.dtype, numpy.floating) or numpy.issubdtype(value.dtype, numpy.integer)):
        raise CorruptFileError(f"{path}: parameter {key!r} has dtype {value.dtype}, expected real numbers")
    if not numpy.isfinite(value).all():
        raise CorruptFileError(f"{path}: parameter {key!r} holds NaN or inf")
    limit = float(numpy.finfo(dtype).max)
    if value.size and float(numpy.abs(value).max()) > limit:
        raise CorruptFileError(f"{path}: parameter {key!r} holds values up to {float(numpy.abs(value).max()):.3g} in "
                               f"size, beyond the largest {numpy.dtype(dtype).name} ({limit:.3g})")


def fill_arrays(targets, arrays, path, prefix="", optional=()):
    """Copy ``arrays[prefix + name]`` into each ``targets[name]`` in place, checking each."""
    for name, target in targets.items():
        key = prefix + name
        if key not in arrays:
            if name in optional:
                continue
            raise CorruptFileError(f"{path}: parameter {key!r} is missing")
        value = arrays[key]
        if tuple(value.shape) != tuple(target.shape):
            raise CorruptFileError(f"{path}: parameter {key!r} has shape {value.shape}, expected {tuple(target.shape)}")
        check_values(value, key, target.dtype, path)
        target[...] = backend.asarray(value, dtype=target.dtype)


# ----- standard output to a reader that went away ----------------------------------------------
SIGPIPE_STATUS = 128 + getattr(signal, "SIGPIPE", 13)   # 141, what `cat`, `seq` or `yes` end with under `| head`


def end_of_pipe():
    """After a BrokenPipeError on stdout (``dae info ... | head``): point stdout at /dev/null so that
    Python's final flush is quiet too, and return the status a command cut off by a closed pipe
    usually ends with (141)."""
    # a stdout without a file descriptor (captured) has nothing to point elsewhere
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return SIGPIPE_STATUS


def run_quietly_on_closed_pipe(func, *args):
    """``func(*args)``, with stdout flushed inside, so a reader that went away (``| head``) ends the
    command quietly with status 141 instead of ``BrokenPipeError: [Errno 32] Broken pipe``."""
    try:
        status = func(*args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return end_of_pipe()
