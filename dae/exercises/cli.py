"""``dae exercises``: start a workbook, check it, print a readable solution.

    dae exercises start my_workbook [--force]
    dae exercises check [NAME] [--dir DIR] [--solutions]
    dae exercises solution NAME
    dae exercises list
    dae exercises train dA_gradients|sparse_kl [--dir DIR] [--n-train N] [--epochs E] [--output-folder F]

``check`` prints, per exercise, ``not started`` / ``passed`` / ``failed`` with each graded
quantity's relative error against its threshold and a hint for a recognised mistake, and exits
0 only when every checked exercise passes. ``train`` is the payoff of ``dA_gradients`` (and of
``sparse_kl``): the tutorial's model trained with the learner's code, its costs beside the
library's, its filters drawn into the workbook; it refuses, with the check's report and status 1,
until the exercise passes.
"""
import sys

from ..io import run_quietly_on_closed_pipe
from . import payoff, workbook
from .core import summary


def cmd_start(args):
    try:
        workbook.start(args.directory, force=args.force)
    except FileExistsError as exc:
        print(f"dae exercises start: {exc}", file=sys.stderr)
        return 1
    names = [ex.filename for ex in workbook.exercises()]
    print(f"A fresh workbook in {args.directory}: {', '.join(names)}")
    print(f"Read {args.directory}/README.md, fill in the stubs, then run `pytest` there "
          f"(or `dae exercises check --dir {args.directory}`).")
    return 0


def cmd_check(args):
    try:
        results = workbook.check(args.name, directory=args.dir, solutions=args.solutions, timeout=args.timeout)
    except (FileNotFoundError, ValueError) as exc:
        print(f"dae exercises check: {exc}", file=sys.stderr)
        return 2
    for result in results:
        print(result.report())
    print(summary(results))
    return 0 if all(r.passed for r in results) else 1


def cmd_solution(args):
    try:
        exercise = workbook.get(args.name)
    except ValueError as exc:
        print(f"dae exercises solution: {exc}", file=sys.stderr)
        return 2
    print(exercise.solution())
    return 0


def cmd_train(args):
    try:
        trained = payoff.train(args.name, dir=args.dir, output_folder=args.output_folder, n_train=args.n_train,
                               epochs=args.epochs)
    except (FileNotFoundError, ValueError) as exc:
        print(f"dae exercises train: {exc}", file=sys.stderr)
        return 2
    return 1 if trained is None else 0


def cmd_list(args):
    for i, ex in enumerate(workbook.exercises(), start=1):
        print(f"{i}. {ex.filename:<26} {ex.tutorial}\n   {ex.title}")
    return 0


def add_subparser(subparsers):
    """Add the ``exercises`` command (and its own sub-commands) to a parser's subparsers."""
    p = subparsers.add_parser("exercises", help="gradient-check exercises: a workbook you fill in, graded",
                              description="A workbook of gradient exercises (UFLDL / CS231n style): "
                              "start one, fill in the stubs, check them.")
    sub = p.add_subparsers(dest="exercises_command", metavar="ACTION")
    sub.required = True
    s = sub.add_parser("start", help="copy a fresh workbook into DIR",
                       description="Copy a fresh workbook (the exercise files, README.md, the tests) into DIR.")
    s.add_argument("directory", metavar="DIR", help="the folder to create")
    s.add_argument("--force", action="store_true", help="overwrite the workbook's files in an existing DIR")
    s.set_defaults(func=cmd_start)
    c = sub.add_parser("check", help="grade the workbook (exit 0 only when every checked exercise passes)",
                       description="Grade every exercise of the workbook, or just NAME: not started, passed, "
                       "or failed with the relative error of each quantity and a hint.")
    c.add_argument("name", metavar="NAME", nargs="*", help="exercise(s) to check (default: all)")
    c.add_argument("--dir", help="the workbook folder (default: this folder or the one it is in)")
    c.add_argument("--solutions", action="store_true", help="grade the package's reference solutions instead")
    c.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="the time limit of each exercise; one still running is stopped and fails (default: 60)")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("solution", help="print a readable solution of NAME",
                       description="Print a solution of NAME: a standalone, commented answer in the template's "
                       "own terms (paste it into the workbook file and it passes).")
    r.add_argument("name", metavar="NAME", help="the exercise, e.g. dA_gradients")
    r.set_defaults(func=cmd_solution)
    t = sub.add_parser("train", help="the payoff: train a tutorial's model with your code (once it passes)",
                       description="dA_gradients: train the dA tutorial's two runs (no corruption, then 30%%) on "
                       "a slice of MNIST with your dA_cost_and_grads, print each epoch's cost beside the library's "
                       "run, and write your filters (filters_corruption_0.png, filters_corruption_30.png) into the "
                       "workbook. sparse_kl: the same for the sparse autoencoder with your KL penalty "
                       "(sparse_filters.png). Refuses (status 1, with the check's report) until the exercise passes.")
    t.add_argument("name", metavar="NAME", choices=payoff.PAYOFFS, help="the exercise: " + ", ".join(payoff.PAYOFFS))
    t.add_argument("--dir", help="the workbook folder (default: this folder or the one it is in)")
    t.add_argument("--output-folder", help="where the filters go (default: the workbook folder)")
    t.add_argument("--n-train", type=int, default=payoff.N_TRAIN,
                   help=f"train on the first N MNIST images (default {payoff.N_TRAIN}: about a minute)")
    t.add_argument("--epochs", type=int, default=payoff.EPOCHS, help=f"epochs of each run (default {payoff.EPOCHS})")
    t.set_defaults(func=cmd_train)
    ls = sub.add_parser("list", help="the exercises, in order, with their tutorials")
    ls.set_defaults(func=cmd_list)
    return p


def main(argv=None):
    """``python -m dae.exercises.cli``: the same command on its own."""
    import argparse

    parser = argparse.ArgumentParser(prog="dae")
    add_subparser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["exercises"] + list(sys.argv[1:] if argv is None else argv))
    return run_quietly_on_closed_pipe(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
