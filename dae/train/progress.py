"""What a run shows while it trains: a tqdm bar per epoch on a terminal, the tutorial's plain
``Training epoch 0, cost 63.2...`` lines otherwise, nothing when quiet."""
import io
import os
import sys
import time

MODES = ("auto", "bar", "plain", "none")


def terminal_size(stream):
    """(columns, lines) of the terminal behind ``stream``, with sane values when it reports none."""
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        columns, lines = 0, 0
    return (columns if columns >= 40 else 100), (lines if lines >= 2 else 24)


def epoch_line(metrics, label="Training"):
    """``Training epoch 0, cost 63.28...`` plus the validation cost and any extra metrics."""
    line = f"{label} epoch {metrics['epoch']}, cost {metrics['train_cost']}"
    if metrics.get("valid_cost") is not None:
        line += f", validation cost {metrics['valid_cost']}"
    for key, value in (metrics.get("extra") or {}).items():
        if key in (metrics.get("percent") or ()) and isinstance(value, float):
            line += f", {key.replace('_', ' ')} {value * 100:.4g} %"
            continue
        line += f", {key.replace('_', ' ')} {value:.6g}" if isinstance(value, float) else f", {key} {value}"
    return line


class Progress:
    """One of ``MODES``: "auto" is a bar on a terminal and plain lines elsewhere."""

    def __init__(self, mode, stream=None, label="Training"):
        if mode not in MODES:
            raise ValueError(f"progress must be one of {MODES} or False, got {mode!r}")
        self.stream = stream or sys.stdout
        self.label = label
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "plain"
        if mode == "bar":
            try:
                import tqdm  # noqa: F401
            except ImportError:
                mode = "plain"
        self.mode = mode
        self.bar = None
        self._last = 0.0

    def start_epoch(self, epoch, n_batches, done):
        if self.mode == "bar":
            from tqdm import tqdm

            columns, lines = terminal_size(self.stream)
            self.bar = tqdm(total=n_batches, initial=done, desc=f"epoch {epoch}", unit="batch",
                            file=self.stream, leave=True, ncols=columns, nrows=lines)
            self._last = 0.0

    def batch(self, running_cost, examples_per_second):
        if self.bar is not None:
            self.bar.update(1)
            now = time.perf_counter()
            if now - self._last > 0.25:
                self._last = now
                self.bar.set_postfix({"cost": f"{running_cost:.4f}", "ex/s": f"{examples_per_second:.0f}"},
                                     refresh=False)

    def end_epoch(self, metrics):
        if self.bar is not None:
            postfix = {"cost": f"{metrics['train_cost']:.4f}", "ex/s": f"{metrics['examples_per_second']:.0f}"}
            if metrics.get("valid_cost") is not None:
                postfix["valid"] = f"{metrics['valid_cost']:.4f}"
            self.bar.set_postfix(postfix, refresh=True)
            self.bar.close()
            self.bar = None
        elif self.mode == "plain":
            print(epoch_line(metrics, self.label), file=self.stream, flush=True)

    def message(self, text):
        """A line that is not an epoch's (early stopping, the time budget), in any visible mode."""
        if self.mode == "none":
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
