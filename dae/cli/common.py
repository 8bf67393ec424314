"""What every ``dae`` subcommand shares: one-line errors, JSON files, the run folder's names."""
import argparse
import json
import os
import signal
import sys

from ..io import atomic_write

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
    from ..io import CorruptFileError
    from ..model_files import load_model

    try:
        return load_model(path, return_meta=return_meta)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc


SIGPIPE_STATUS = 128 + getattr(signal, "SIGPIPE", 13)   # 141, what `cat`, `seq` or `yes` end with under `| head`


def end_of_pipe():
    """After a BrokenPipeError on stdout (``dae info ... | head``): point stdout at /dev/null so that
    Python's final flush is quiet too, and return the status a command cut off by a closed pipe
    usually ends with (141)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (captured)
        pass
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
