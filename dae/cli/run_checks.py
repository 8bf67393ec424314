"""What ``dae train`` checks of a run beyond its flags: the data's fingerprint (``--resume``
refuses other data unless ``--force-data``), ``config.json`` against the checkpoint it resumes,
and whether the trained cost ended above what predicting the data's mean costs."""
import os
import zlib

import numpy

from ..io import CorruptFileError, load_arrays
from ..model_files import expected_arrays
from .common import UserError


def first_checkpoint(run):
    """The checkpoint files of a run folder, the one-phase name first, then the phases' in order."""
    phases = sorted(n for n in os.listdir(run) if n.startswith("checkpoint_") and n.endswith(".npz"))
    names = ["checkpoint.npz"] + phases
    return [n for n in names if os.path.exists(os.path.join(run, n))]


def _checksum(array, chunk_bytes=1 << 20):
    """CRC-32 of an array's bytes (C order), read a few rows at a time (a memmap stays on disk)."""
    rows = max(1, chunk_bytes // max(1, array[:1].nbytes))
    crc = 0
    for start in range(0, array.shape[0], rows):
        crc = zlib.crc32(numpy.ascontiguousarray(array[start:start + rows]).view(numpy.uint8), crc)
    return crc


def data_fingerprint(data):
    """What a run records of its data (after splitting and slicing): shapes, dtypes, checksums."""
    out = {}
    for name, array in (("train", data.x), ("valid", data.valid_x), ("labels", data.y), ("valid_labels", data.valid_y)):
        if array is not None:
            array = array if isinstance(array, numpy.ndarray) else numpy.asarray(array)
            out[name] = {"shape": list(array.shape), "dtype": str(array.dtype), "crc32": _checksum(array)}
    return out


def _describe(entry):
    return "none" if entry is None else f"{' x '.join(map(str, entry['shape']))} {entry['dtype']}"


def check_same_data(cfg, data, run, force):
    """--resume: the data must be the data the run started with (``--force-data`` goes on anyway)."""
    saved, now = cfg.get("data_fingerprint"), data_fingerprint(data)
    columns = cfg.get("n_visible")
    if columns is not None and columns != int(data.x.shape[1]):   # not even --force-data goes on
        raise UserError(f"the data changed since the run started: {cfg['data']} now has {data.x.shape[1]} values "
                        f"per example, the run's model reads {columns}; resume with data of {columns} columns")
    if saved is None:                 # a run written before fingerprints
        return now
    for part in sorted(set(saved) | set(now)):
        if saved.get(part) != now.get(part) and not force:
            what = {"train": "training data", "valid": "validation data"}.get(part, part.replace("_", " "))
            source = {"train": cfg["data"], "valid": cfg.get("valid_data"), "labels": cfg.get("labels"),
                      "valid_labels": cfg.get("valid_labels") or cfg.get("labels")}.get(part) or cfg["data"]
            change = (f"it is now {_describe(now.get(part))}, was {_describe(saved.get(part))}"
                      if _describe(now.get(part)) != _describe(saved.get(part)) else "its values differ")
            raise UserError(f"the data changed since the run started: the {what} ({source}) no longer "
                            f"matches the run's ({change}); resume with the original data, or go on with it "
                            f"deliberately: dae train --resume {run} --force-data")
    return now


def check_checkpoint_shapes(run, kind, model_config):
    """--resume: the model that config.json describes must be the one its first checkpoint holds,
    compared by the shapes the configuration implies (computed, nothing built or allocated)."""
    path = os.path.join(run, first_checkpoint(run)[0])
    arrays = load_arrays(path)[0]
    names = {key[len("param/"):] for key in arrays if key.startswith("param/")}
    try:
        full = dict(kind.defaults(), **model_config)
        expected = expected_arrays(kind.name, full, os.path.join(run, "config.json")) or {}
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc
    for name in sorted(names & set(expected)):
        shape = tuple(arrays["param/" + name].shape)
        if shape != tuple(expected[name]):
            raise UserError(f"{os.path.join(run, 'config.json')} does not describe the model in {path}: it implies "
                            f"{name} of shape {tuple(expected[name])}, the checkpoint holds {shape} (was config.json "
                            f"edited?)")


# ----- the cost of learning nothing but the mean -------------------------------------------------
def mean_prediction_cost(x, chunk=4096):
    """The cross-entropy (summed over a row's values, averaged over rows) of predicting every
    row as the data's column means: what a model that learned only the mean reaches (W = 0 and
    the output bias at the means' logits), so a trained cross-entropy cost should end below it."""
    total, n = numpy.zeros(x.shape[1]), x.shape[0]
    for start in range(0, n, chunk):
        total += numpy.asarray(x[start:start + chunk], dtype=numpy.float64).sum(axis=0)
    m = numpy.clip(total / n, 1e-7, 1.0 - 1e-7)
    log_m, log_1m = numpy.log(m), numpy.log1p(-m)
    cost = 0.0
    for start in range(0, n, chunk):
        part = numpy.asarray(x[start:start + chunk], dtype=numpy.float64)
        cost -= float((part @ log_m + (1.0 - part) @ log_1m).sum())
    return cost / n


def stuck_above(history, first_cost, baseline):
    """Whether the cost stopped falling (less than 1 % down over the last whole epoch) more than
    5 % above ``baseline``, the cost of predicting the data's mean: an optimiser that overshoots,
    whether the cost rose from its start or fell a little first. A run still falling, or one
    epoch, is not judged. (``first_cost``, the first minibatch's, is kept for the message.)"""
    whole = [m for m in history if not m.get("partial")]
    if len(whole) < 2 or baseline is None:
        return False
    last, before = whole[-1]["train_cost"], whole[-2]["train_cost"]
    return last > baseline * 1.05 and last >= before * 0.99
