"""What the training loop checks of its inputs before the first step: the arrays, their rows, their
values and the labels the model's cost takes (and only those), each error naming the argument."""
import numpy

from .. import backend
from ..protocol import takes_labels
from ..validation import check_data


def check_inputs(model, transform, unit_interval, train_x, valid_x, train_y, valid_y, check_values):
    """(train_x, valid_x) on the host, checked: arrays, their rows alike (the model's n_visible
    columns where it has them and no transform reshapes the rows), values in [0, 1] where
    ``unit_interval``; then their labels (check_labels)."""
    for name, x in (("train_x", train_x), ("valid_x", valid_x)):
        if x is not None and (not hasattr(x, "shape") or not hasattr(x, "ndim")):
            raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    if backend.array_module(train_x) is not numpy:
        train_x = backend.to_host(train_x)
    columns = getattr(model, "n_visible", None) if transform is None else None
    if train_x.ndim != 2 and columns is None:
        check_data(train_x.reshape(train_x.shape[0], -1) if train_x.ndim > 2 else train_x, "train_x", None,
                   unit_interval, values=check_values)
    else:
        check_data(train_x, "train_x", columns, unit_interval, values=check_values)
    if valid_x is not None:
        if backend.array_module(valid_x) is not numpy:
            valid_x = backend.to_host(valid_x)
        if valid_x.shape[1:] != train_x.shape[1:]:
            raise ValueError(f"valid_x must have the shape of train_x's rows {tuple(train_x.shape[1:])}, "
                             f"got shape {tuple(valid_x.shape)}")
        check_data(valid_x.reshape(valid_x.shape[0], -1) if valid_x.ndim > 2 else valid_x, "valid_x", None,
                   unit_interval, values=check_values)
    check_labels(model, train_x, valid_x, train_y, valid_y)
    return train_x, valid_x

def check_labels(model, train_x, valid_x, train_y, valid_y):
    """Labels where the model's cost takes them (and only there), one per row, finite."""
    needs = takes_labels(model)
    call = f"{type(model).__name__}.cost_and_grads"
    if needs is False and (train_y is not None or valid_y is not None):
        raise TypeError(f"{'train_y' if train_y is not None else 'valid_y'} is given, but {call}(x, *, rng, ...) "
                        f"learns without labels: leave train_y and valid_y out")
    if needs is True and train_y is None:
        raise TypeError(f"train_y is missing: {call}(x, y, *, rng, ...) learns from labels; pass "
                        f"train_y (one label per row of train_x)")
    for name, y, x in (("train_y", train_y, train_x), ("valid_y", valid_y, valid_x)):
        if y is None:
            continue
        if x is None:
            raise ValueError(f"{name} is given without its inputs")
        if not hasattr(y, "shape") or not hasattr(y, "dtype"):
            raise TypeError(f"{name} must be an array of labels, got {type(y).__name__}")
        if len(y) != x.shape[0]:
            raise ValueError(f"{name} must hold one label per row of its inputs ({x.shape[0]}), got {len(y)}")
        host = backend.to_host(y)
        if numpy.issubdtype(host.dtype, numpy.floating) and not numpy.isfinite(host).all():
            raise ValueError(f"{name} must be finite (class labels), but it holds NaN or inf")
    if (valid_y is None) != (train_y is None) and valid_x is not None:
        raise ValueError("give labels for both train_x and valid_x, or for neither")
