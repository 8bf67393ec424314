"""Ctrl-C, SIGTERM and SIGHUP that wait for the current minibatch: the first sets a flag, a second raises.

SIGTERM (what ``timeout``, process managers and job schedulers send) and SIGHUP (a closed
terminal) take the same path as Ctrl-C: the loop finishes its minibatch, saves a checkpoint and
raises its interruption. ``last_signal`` records which signal asked (the command line exits
with 128 + its number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
"""
import signal
import threading

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

last_signal = None


def _note(signum):
    global last_signal
    last_signal = signum


class DeferredInterrupt:
    """While active (main thread only), the first SIGINT, SIGTERM or SIGHUP sets ``requested``
    instead of raising KeyboardInterrupt, so the loop can finish its minibatch and save a
    consistent checkpoint; a second one raises at once."""

    def __init__(self):
        self.requested = False
        self.signum = None
        self._old = {}

    def _handler(self, signum, frame):
        _note(signum)
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.signum = signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                if signal.getsignal(signum) == signal.SIG_IGN:
                    continue     # ignored on purpose (nohup, a background job): left ignored
                try:
                    previous = signal.signal(signum, self._handler)
                except (ValueError, OSError):
                    continue
                self._old[signum] = previous
        return self

    def __exit__(self, kind, value, tb):
        for signum, previous in self._old.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._old = {}
        if kind is None and self.requested:
            # asked for after the last minibatch's check (the epoch or the run was ending): still an
            # interruption, never a request silently dropped
            raise KeyboardInterrupt
        return False


def raise_keyboard_interrupt(signum, frame):
    """A handler that makes SIGTERM/SIGHUP act as Ctrl-C does outside the training loop."""
    _note(signum)
    raise KeyboardInterrupt
