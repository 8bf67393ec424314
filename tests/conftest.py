"""Fixtures shared by the test modules."""
import pytest


@pytest.fixture
def ctrl_c_at(monkeypatch):
    """``restore = ctrl_c_at(cls, call, when=None)``: from now on ``cls.cost_and_grads`` raises
    KeyboardInterrupt (a Ctrl-C) on its ``call``-th call, counting only the calls on models for which
    ``when(model)`` holds (all, when None); ``restore()`` puts the real method back."""
    def install(cls, call, when=None):
        original, calls = cls.cost_and_grads, []

        def interrupted(self, *args, **kwargs):
            if when is None or when(self):
                calls.append(1)
                if len(calls) == call:
                    raise KeyboardInterrupt
            return original(self, *args, **kwargs)
        monkeypatch.setattr(cls, "cost_and_grads", interrupted)
        return lambda: monkeypatch.setattr(cls, "cost_and_grads", original)
    return install
