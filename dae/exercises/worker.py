"""Grading a workbook's files in a child process, each exercise with a time limit.

A learner's file may loop for ever, call ``os._exit``, or crash the interpreter: none of that
may hang ``dae exercises check`` or end it early. :func:`grade_files` starts one child process
(``python -c`` calling :func:`main`) that grades the exercises one after the other and sends
each result back through a pipe; an exercise that takes longer than ``timeout`` seconds is
reported as a hang and the child is killed, one that ends the child is reported as such, and
a fresh child grades the rest. The learner's own printing goes to stderr, never into the report.

Once the workbook's gradient_checker.py passes, the child also checks the learner's gradients
of the later exercises with the learner's own ``numerical_gradient`` (UFLDL's workflow): each
report then says whether "your gradient_checker agrees" with your gradients.
"""
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time

from .core import LoadError, Result, grade_file, load_functions
from .graders import load
from .grading import learner_checker

TIMEOUT = 60.0        # seconds per exercise, by default (``dae exercises check --timeout``)
_STARTUP = 120.0      # seconds for the child to import dae, on a busy machine


def grade_files(exercises, folder, timeout=None):
    """[Result] of each exercise's file in ``folder``, graded in a child process (see the module).

    gradient_checker.py is graded first (quietly, when it was not asked for): when it passes, the
    later exercises are also checked with the learner's own checker."""
    timeout = TIMEOUT if timeout is None else float(timeout)
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
    exercises = list(exercises)
    quiet = [ex for ex in load() if ex.name == "gradient_checker" and ex not in exercises
             and any(other.name != ex.name for other in exercises)]
    results, pending, checker = [], quiet + exercises, False
    while pending:
        done = _run_child(pending, folder, timeout, checker)
        for result in done:
            checker = checker or (result.name == "gradient_checker" and result.passed)
        results += done
        pending = pending[len(done):]
    return results[len(quiet):]


def _run_child(exercises, folder, timeout, checker):
    """Results for a first part of ``exercises`` (at least one: the one that hung or crashed fails)."""
    read_end, write_end = os.pipe()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [_package_parent()] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    argv = [sys.executable, "-c", "import sys; from dae.exercises.worker import main; sys.exit(main(sys.argv[1:]))",
            str(write_end), folder, "checker" if checker else "-"] + [ex.name for ex in exercises]
    try:
        child = subprocess.Popen(argv, pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno()
                                 if _has_fileno(sys.stderr) else subprocess.DEVNULL, env=env)
    finally:
        os.close(write_end)
    reader, results = _Reader(read_end), []
    try:
        deadline = time.monotonic() + _STARTUP
        while len(results) < len(exercises):
            current = exercises[len(results)]
            message = reader.next(deadline)
            if message is None:   # the child died or hung: this exercise fails, the rest are graded afresh
                results.append(_lost(current, child, timeout, reader.timed_out))
                break
            if message[0] == "start":
                deadline = time.monotonic() + timeout
            else:
                _, status, comparisons, messages = message
                results.append(Result(current, status, comparisons, messages))
                deadline = time.monotonic() + timeout
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        os.close(read_end)
    return results


def _lost(exercise, child, timeout, timed_out):
    if timed_out:
        text = (f"timed out: still running after {timeout:g} s, so it was stopped (an infinite loop? a loop "
                f"whose condition never changes?); the limit is `dae exercises check --timeout SECONDS`")
    else:
        child.wait()
        text = (f"the grading process ended while grading {exercise.filename} (exit status {child.returncode}): "
                "os._exit(), a crash in compiled code, or memory ran out")
    return Result(exercise, "failed", messages=[text])


def _has_fileno(stream):
    try:
        stream.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False


def _package_parent():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Reader:
    """Length-prefixed pickles from the child, with a deadline."""

    def __init__(self, fd):
        self.fd, self.buffer, self.timed_out = fd, b"", False

    def next(self, deadline):
        """The next message, or None (EOF or the deadline passed: ``timed_out`` says which)."""
        while True:
            if len(self.buffer) >= 4:
                size = struct.unpack("!I", self.buffer[:4])[0]
                if len(self.buffer) >= 4 + size:
                    message, self.buffer = self.buffer[4:4 + size], self.buffer[4 + size:]
                    return pickle.loads(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                self.timed_out = True
                return None
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk


def _send(stream, message):
    data = pickle.dumps(message)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def _checker(exercise, folder):
    """The learner's ``numerical_gradient`` (their gradient_checker.py passed), or None."""
    try:
        return load_functions(exercise, os.path.join(folder, exercise.filename))["numerical_gradient"]
    except LoadError:
        return None


def main(argv):
    """The child: ``FD FOLDER CHECKER NAME...``; grades each NAME.py of FOLDER and sends the results
    to FD. CHECKER is ``checker`` when gradient_checker.py passed already (then it checks the
    gradients), else ``-`` (then it does once gradient_checker, graded first, passes)."""
    fd, folder, checker, names = int(argv[0]), argv[1], argv[2], argv[3:]
    channel = os.fdopen(fd, "wb")
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the parent, which ends this process
    sys.stdout = sys.stderr     # the learner's print() goes to stderr, never into the report
    exercises = {ex.name: ex for ex in load()}
    checker = _checker(exercises["gradient_checker"], folder) if checker == "checker" else None
    for name in names:
        _send(channel, ("start", name))
        with learner_checker(checker if name != "gradient_checker" else None):
            result = grade_file(exercises[name], os.path.join(folder, exercises[name].filename))
        if name == "gradient_checker" and result.passed:
            checker = _checker(exercises[name], folder)
        _send(channel, ("done", result.status, result.comparisons, result.messages))
    channel.close()
    return 0
