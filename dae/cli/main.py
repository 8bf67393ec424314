"""The ``dae`` command's parser and dispatch: one subcommand per module of this package."""
import os
import signal
import sys
import threading

from ..data import DataFileError
from ..exercises.cli import add_subparser as add_exercises_parser
from ..io import CorruptFileError
from ..train import DivergenceError, interrupt
from ..version import __version__
from . import apply, figures, info, train
from ..io import run_quietly_on_closed_pipe
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
    interrupt.last_signal = None
    previous = _signals_as_ctrl_c()
    try:
        status = run_quietly_on_closed_pipe(args.func, args)
        if status == 130 and interrupt.last_signal not in (None, signal.SIGINT):
            status = 128 + interrupt.last_signal     # 143 after SIGTERM, 129 after SIGHUP
        return status
    except KeyboardInterrupt:
        print(f"dae: interrupted{_where_to_continue(args)}", file=sys.stderr)
        return 128 + (interrupt.last_signal or signal.SIGINT)
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
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _where_to_continue(args):
    """For ``dae train`` cut off outside a training loop (between phases, while saving): its run folder
    keeps its last checkpoint, so say how to continue."""
    if args.command != "train":
        return ""
    run = getattr(args, "resume", None) or getattr(args, "output_dir", None)
    if not run or not os.path.exists(os.path.join(run, "config.json")):
        return ""
    return f" (outside a minibatch; the run's checkpoints are intact); continue with: dae train --resume {run}"


def _signals_as_ctrl_c():
    """SIGTERM and SIGHUP raise KeyboardInterrupt, as Ctrl-C does, for the command's duration (inside
    the training loop they are deferred to the end of the minibatch, see dae.train.interrupt), so
    `timeout`, a job scheduler or a closed terminal stop a run the way Ctrl-C does. Returns the
    handlers to restore."""
    previous = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in interrupt.SIGNALS:
        if signum == signal.SIGINT or signal.getsignal(signum) == signal.SIG_IGN:
            continue     # Ctrl-C is Python's own; an ignored signal (nohup) stays ignored
        try:
            previous[signum] = signal.signal(signum, interrupt.raise_keyboard_interrupt)
        except (ValueError, OSError):
            continue
        if previous[signum] is None:
            previous[signum] = signal.SIG_DFL
    return previous


if __name__ == "__main__":
    sys.exit(main())
