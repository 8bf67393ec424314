"""What every ``dae`` subcommand shares: one-line errors, JSON files, the run folder's names."""
import argparse
import json
import os

from ..io import CorruptFileError, atomic_write
from ..model_files import load_model

RUN_FILES = ("model.npz", "checkpoint.npz", "config.json", "metrics.json")
FIGURES = "figures"


class UserError(Exception):
    """A mistake in the command's input: reported in one line, exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def write_json(path, obj):
    """JSON to ``path`` atomically (temporary file, then rename)."""
    data = (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8")
    atomic_write(path, lambda f: f.write(data))


def read_json(path, what):
    if not os.path.exists(path):
        raise UserError(f"{path} not found: {what}")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (ValueError, OSError) as exc:
        raise UserError(f"{path} is not readable JSON: {exc}") from exc


def model_path(path):
    """A model file, or a run folder (meaning its model.npz)."""
    if os.path.isdir(path):
        candidate = os.path.join(path, "model.npz")
        if not os.path.exists(candidate):
            raise UserError(f"{path} is a folder without a model.npz (not a finished run folder?)")
        return candidate
    if not os.path.exists(path):
        raise UserError(f"model file {path} not found")
    return path


def load_model_file(path, return_meta=True):
    """``dae.load_model`` with its CorruptFileError as a UserError."""
    try:
        return load_model(path, return_meta=return_meta)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc




