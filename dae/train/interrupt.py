"""Ctrl-C that waits for the current minibatch: the first SIGINT sets a flag, a second raises."""
import signal
import threading


class DeferredInterrupt:
    """While active (main thread only), the first SIGINT sets ``requested`` instead of raising
    KeyboardInterrupt, so the loop can finish its minibatch and save a consistent checkpoint;
    a second SIGINT raises at once."""

    def __init__(self):
        self.requested = False
        self._old = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except ValueError:
                self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False
