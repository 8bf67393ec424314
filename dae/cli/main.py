"""The ``dae`` command's parser and dispatch: one subcommand per module of this package."""
import os
import sys

from ..data import DataFileError
from ..exercises.cli import add_subparser as add_exercises_parser
from ..io import CorruptFileError
from ..train import DivergenceError
from ..version import __version__
from . import apply, figures, info, train
from .common import Parser, UserError


def build_parser():
    parser = Parser(prog="dae", description="Denoising autoencoders from scratch (NumPy/CuPy): train a model on "
                    "MNIST or your own data, resume it, encode and reconstruct data, plot what it learned.",
                    epilog="Run 'dae COMMAND --help' for each command's options.")
    parser.add_argument("--version", action="version", version=f"dae {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    train.add_parser(sub)
    apply.add_parsers(sub)      # encode, reconstruct, sample
    figures.add_parser(sub)     # plot
    info.add_parser(sub)
    add_exercises_parser(sub)   # dae exercises start/check/solution/list
    return parser


def _one_line(exc):
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"missing entry {text}"
    return " ".join(text.split())


def main(argv=None):
    """Entry point of the ``dae`` command. Returns the exit status (0 on success)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("dae: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, TypeError, OSError, CorruptFileError, DataFileError, RuntimeError,
            MemoryError, DivergenceError) as exc:
        if os.environ.get("DAE_DEBUG"):
            raise
        print(f"dae {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("DAE_DEBUG"):
            raise
        print(f"dae {args.command}: internal error ({type(exc).__name__}): {_one_line(exc)}; "
              f"run with DAE_DEBUG=1 for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
