"""``dae train``'s flags and the run configuration they make: the defaults, the model flags that
every registered kind contributes, the saved configuration a ``--resume`` keeps (and the few flags
that may change it), and the checks of each value before anything is written."""
import argparse
import os

from .. import backend, config, optim
from ..registry import MODELS, get_model_kind
from ..validation import check_float, check_positive_int, check_seed
from .common import UserError, read_json
from .datasets import is_mnist

TRAIN_DEFAULTS = {"model": "dA", "data": "mnist", "epochs": 15, "batch_size": 20, "learning_rate": 0.1,
                  "optimizer": "sgd", "backend": "numpy", "seed": 123, "shuffle": False, "n_train": None,
                  "n_valid": None, "valid_fraction": 0.0, "valid_data": None, "labels": None, "valid_labels": None,
                  "max_minutes": None}
RESUME_OVERRIDABLE = ("epochs", "backend", "learning_rate", "max_minutes", "pretrain_lr", "patience")
FILE_KEYS = ("data", "valid_data", "labels", "valid_labels")


# ----- the model flags ---------------------------------------------------------------------------
def model_options():
    """{option name: (Option, [model names], {choices})} over every registered model."""
    options = {}
    for kind in MODELS.values():
        for name, opt in list(kind.options.items()) + list(kind.train_options.items()):
            entry = options.setdefault(name, (opt, [], []))
            entry[1].append(kind.name)
            for choice in opt.choices or ():
                if choice not in entry[2]:
                    entry[2].append(choice)
    return options


def _show(value):
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _choice_type(choices):
    """argparse type for an Option with choices: the value itself, "none" for None."""
    def choice(text):
        for value in choices:
            if text == _show(value) or (value is None and text.lower() == "none"):
                return value
        raise argparse.ArgumentTypeError(f"invalid choice {text!r} (choose from {', '.join(_show(v) for v in choices)})")
    return choice


def _value_type(opt_type):
    def parse(text):
        if text.lower() == "none":
            return None
        try:
            return opt_type(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = getattr(opt_type, "__name__", "value")
    return parse


def flag(name):
    return "--" + name.replace("_", "-")


def spell(name, value):
    """A setting as the command line spells it: ``--loss squared_error``, ``--no-tied-weights``."""
    if isinstance(value, bool) and name in model_options():
        return flag(name if value else "no_" + name)
    return f"{flag(name)} {_show(value)}"


def _add_model_flag(group, name, opt, kinds, choices):
    text = f"[{', '.join(kinds)}] {opt.help}".rstrip()
    if opt.only_with:
        text += "; only with " + " and ".join(
            f"{flag(other)} {' or '.join(_show(v) for v in values)}" for other, values in opt.only_with.items())
    # SUPPRESS: the attribute exists only when the flag is given (a given value may be None)
    if opt.type is bool:
        group.add_argument(flag(name), dest=name, action=argparse.BooleanOptionalAction,
                           default=argparse.SUPPRESS, help=text)
    elif choices:
        group.add_argument(flag(name), dest=name, type=_choice_type(choices), default=argparse.SUPPRESS,
                           metavar="{" + ",".join(_show(v) for v in choices) + "}", help=text)
    else:
        group.add_argument(flag(name), dest=name, type=_value_type(opt.type), default=argparse.SUPPRESS, help=text)


EXAMPLES = """examples:
  dae train --data mnist --epochs 15 --n-hidden 500 --corruption-level 0.3 --output-dir runs/da
  dae train --model dA --data mnist --epochs 2 --batch-size 20 --learning-rate 0.1 --optimizer sgd \\
            --seed 123 --n-hidden 500 --corruption-level 0.3 --output-dir runs/tutorial   # the tutorial's costs
  dae train --data x.npy --no-tied-weights --loss squared_error --activation relu --decoder linear \\
            --noise gaussian --corruption-level 0.1 --optimizer adam --learning-rate 0.001 --output-dir runs/ae
  dae train --model cA --learning-rate 0.01 --epochs 20 --contraction-level 0.1 --output-dir runs/ca
  dae train --model SdA --data x.npy --labels y.npy --valid-fraction 0.1 --hidden-layers-sizes 500,500 \\
            --pretraining-epochs 5 --pretrain-lr 0.01 --epochs 50 --output-dir runs/sda
  dae train --model deep --data mnist --layer-sizes 1000,500,250,30 --pretraining-epochs 2 --output-dir runs/deep
  dae train --model conv --data photos/ --optimizer adam --learning-rate 0.001 --output-dir runs/conv
  dae train --model vae --data mnist --optimizer adam --learning-rate 0.001 --n-latent 2 --output-dir runs/vae
  dae train --resume runs/da                 # after Ctrl-C, a kill or a crash
  dae train --resume runs/da --epochs 30     # train longer"""


def add_flags(p):
    """Every flag of ``dae train``, on its parser ``p``."""
    p.add_argument("--model", help="model kind: " + "; ".join(f"{k.name}, {k.description}" for k in MODELS.values())
                   + " (dA)")
    p.add_argument("--data", help="mnist, a .npy/.npz file (a .npy is memory-mapped) or a folder of images (mnist)")
    p.add_argument("--labels", help="SdA: a .npy of integer labels, one per example of --data (mnist has its own)")
    p.add_argument("--epochs", type=int, help="passes over the training data, in all; SdA and deep: the "
                                              "fine-tuning's (15)")
    p.add_argument("--batch-size", type=int, help="examples per minibatch (20)")
    p.add_argument("--learning-rate", type=float,
                   help="optimiser step size; SdA and deep: the fine-tuning's (0.1; deep, conv, vae: 0.001)")
    p.add_argument("--optimizer", choices=tuple(optim.OPTIMIZERS),
                   help="sgd, momentum, nesterov, adam or adamw (sgd; deep, conv, vae: adam)")
    p.add_argument("--backend", choices=backend.BACKENDS, help="numpy (CPU) or cupy (NVIDIA GPU) (numpy)")
    p.add_argument("--seed", type=int, help="seed of the initial weights and the noise (123)")
    p.add_argument("--shuffle", action="store_true", default=None, help="visit the minibatches in a random order each epoch")
    p.add_argument("--max-minutes", type=float, help="stop each phase after this much training time (kept across "
                                                     "--resume)")
    p.add_argument("--n-train", type=int, help="use only the first N training examples (default: all)")
    p.add_argument("--n-valid", type=int, help="use only the first N validation examples (default: all)")
    p.add_argument("--valid-fraction", type=float,
                   help="hold out this last fraction of a data file for the validation cost (0; mnist has its own)")
    p.add_argument("--valid-data", help="a separate validation set (same forms as --data)")
    p.add_argument("--valid-labels", help="SdA: the labels of --valid-data (.npy)")
    p.add_argument("--output-dir", help="the run folder (required unless --resume RUN)")
    p.add_argument("--resume", nargs="?", const="", default=None, metavar="RUN",
                   help="continue the run in RUN (or --output-dir) from its last checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace the run files in a non-empty --output-dir")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    plots = p.add_mutually_exclusive_group()
    plots.add_argument("--no-plots", action="store_true", help="skip the figures at the end (dae plot RUN makes them "
                                                              "later); a resumed run keeps its choice")
    plots.add_argument("--plots", action="store_true", help="draw the figures at the end (the default; with --resume: "
                                                            "of a run started with --no-plots)")
    p.add_argument("--force-data", action="store_true",
                   help="with --resume: go on although the data differs from the data the run started with")
    group = p.add_argument_group("model options (each applies to the models named)")
    for name, (opt, kinds, choices) in model_options().items():
        _add_model_flag(group, name, opt, kinds, choices)


# ----- the configuration ---------------------------------------------------------------------
def _absolute(spec):
    if spec is None or is_mnist(spec):
        return spec
    name, sep, part = spec.rpartition(":") if ".npz:" in spec else (spec, "", "")
    return os.path.abspath(name) + sep + part if os.path.exists(name) else spec


def train_config(args):
    """(the run's configuration, its folder): the saved one when resuming, else defaults + flags."""
    model_flags = set(model_options())
    given = {k: v for k, v in vars(args).items() if v is not None or k in model_flags}  # model flags: when given
    for key in FILE_KEYS:  # files by absolute path, so --resume works from anywhere
        if key in given:
            given[key] = _absolute(given[key])
    if args.resume is not None:
        run = args.resume or args.output_dir
        if not run:
            raise UserError("--resume needs the run folder: dae train --resume RUN")
        if args.resume and args.output_dir and os.path.abspath(args.resume) != os.path.abspath(args.output_dir):
            raise UserError(f"--resume {args.resume} and --output-dir {args.output_dir} name different folders")
        return _resumed_config(run, given, model_flags), run
    if not args.output_dir:
        raise UserError("--output-dir RUN is required (the folder for the model, configuration and metrics)")
    return _new_config(given, model_flags), args.output_dir


def _resumed_config(run, given, model_flags):
    """The run's saved configuration; only RESUME_OVERRIDABLE flags may change it."""
    cfg = read_json(os.path.join(run, "config.json"), "nothing to resume in this folder")
    if not isinstance(cfg, dict) or "model" not in cfg:
        raise UserError(f"{os.path.join(run, 'config.json')} is not a dae run configuration")
    if cfg["model"] in MODELS:  # a run saved before an option existed had its default
        for key, value in MODELS[cfg["model"]].defaults().items():
            cfg.setdefault(key, value)
    for key, value in TRAIN_DEFAULTS.items():
        cfg.setdefault(key, value)
    for key in list(TRAIN_DEFAULTS) + sorted(model_flags):
        if key in given and key in model_flags and key not in cfg:
            raise UserError(f"{flag(key)} does not apply to this run's --model {cfg['model']}")
        if key in given and key not in RESUME_OVERRIDABLE and key in cfg and given[key] != cfg[key]:
            raise UserError(f"{spell(key, given[key])} differs from the run's saved {spell(key, cfg[key])}; "
                            f"a resumed run keeps its configuration (only "
                            f"{', '.join(flag(k) for k in RESUME_OVERRIDABLE)} may change)")
    for key in RESUME_OVERRIDABLE:
        if key in given:
            cfg[key] = given[key]
    return cfg


def _new_config(given, model_flags):
    """Defaults, the kind's training defaults, then the flags given, each checked against the kind."""
    cfg = dict(TRAIN_DEFAULTS)
    kind = MODELS.get(given.get("model", cfg["model"]))
    if kind is None:
        raise UserError(f"unknown model {given.get('model')!r}: choose one of {', '.join(MODELS)}")
    cfg.update(kind.train_defaults)           # e.g. Adam for the models that SGD at 0.1 does not suit
    cfg.update({k: given[k] for k in TRAIN_DEFAULTS if k in given})
    own = set(kind.options) | set(kind.train_options)
    for name in sorted(model_flags - own):
        if name in given:
            raise UserError(f"{flag(name)} does not apply to --model {kind.name}")
    cfg.update(kind.defaults())
    cfg.update({k: given[k] for k in own if k in given})
    options = dict(kind.options, **kind.train_options)
    for name in sorted(own):
        for other, values in (options[name].only_with or {}).items():
            if name in given and cfg[other] not in values:
                raise UserError(f"{flag(name)} applies only with {flag(other)} "
                                f"{' or '.join(_show(v) for v in values)} (got {flag(other)} {_show(cfg[other])})")
    if not kind.needs_labels:
        labelled = " or ".join(k.name for k in MODELS.values() if k.needs_labels)
        for key in ("labels", "valid_labels"):
            if cfg.get(key):
                raise UserError(f"{flag(key)} applies to --model {labelled} only (--model {kind.name} learns "
                                f"without labels)")
    cfg["floatX"] = config.floatX
    return cfg


def check_train_config(cfg):
    kind = get_model_kind(cfg["model"])
    check_positive_int(cfg["epochs"], "--epochs")
    check_positive_int(cfg["batch_size"], "--batch-size")
    check_float(cfg["learning_rate"], "--learning-rate", 0.0, None, low_inclusive=False)
    check_seed(cfg["seed"], "--seed")
    if cfg["optimizer"] not in optim.OPTIMIZERS:
        raise UserError(f"--optimizer must be one of {tuple(optim.OPTIMIZERS)}, got {cfg['optimizer']!r}")
    for key in ("n_train", "n_valid", "pretraining_epochs"):
        if cfg.get(key) is not None:
            check_positive_int(cfg[key], flag(key))
    if cfg.get("pretrain_lr") is not None:
        check_float(cfg["pretrain_lr"], "--pretrain-lr", 0.0, None, low_inclusive=False)
    if cfg.get("max_minutes") is not None:
        check_float(cfg["max_minutes"], "--max-minutes", 0.0, None, low_inclusive=False)
    if cfg.get("patience") is not None:
        check_positive_int(cfg["patience"], "--patience")
    check_float(cfg["valid_fraction"], "--valid-fraction", 0.0, 1.0, high_inclusive=False)
    return kind
