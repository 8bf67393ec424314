"""Settings read from the environment (``DAE_FLOATX``, ``DAE_BACKEND``): a bad value is one clear error.

``import dae`` with ``DAE_FLOATX=float16`` raises :class:`EnvironmentVariableError` (a ValueError)
naming the variable, its value and what it accepts. The error happens while ``dae`` is imported,
before the ``dae`` command's own error handling exists, so raising it also installs a
``sys.excepthook`` that prints such an error, if nothing catches it, as one line on stderr
(exit status 1) instead of an import traceback; every other exception is shown as before.
"""
import sys


class EnvironmentVariableError(ValueError):
    """An environment variable dae reads holds a value dae cannot use."""

    def __init__(self, variable, value, accepted, reason=None):
        self.variable = variable
        why = f": {reason}" if reason else ""
        super().__init__(f"environment variable {variable}={value!r} is not usable{why}; {variable} accepts "
                         f"{accepted} (or unset it)")


def _one_line_hook(previous):
    def hook(kind, value, tb):
        if isinstance(value, EnvironmentVariableError):
            print(f"dae: error: {value}", file=sys.stderr)
        else:
            previous(kind, value, tb)
    hook._dae_env_hook = True
    return hook


def refuse(variable, value, accepted, reason=None):
    """The :class:`EnvironmentVariableError` to raise (the one-line hook installed)."""
    if not getattr(sys.excepthook, "_dae_env_hook", False):
        sys.excepthook = _one_line_hook(sys.excepthook)
    return EnvironmentVariableError(variable, value, accepted, reason)
