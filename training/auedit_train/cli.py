"""`auedit-train`: one subcommand per job (`data`, `rigreg`, ...), each defined by its module."""

from __future__ import annotations

import argparse
import importlib
import sys

from auedit.cli.stopping import sigterm_as_interrupt
from auedit.core.blas import use_one_blas_thread
from auedit.core.messages import error_text
from auedit.fit.genet.model_files import ModelFileError

#: Modules that add a subcommand: each has `add_parser(subparsers)` that sets `func(args) -> int`.
COMMAND_MODULES = ("auedit_train.data.cli", "auedit_train.rigreg.cli", "auedit_train.genet.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auedit-train", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_one_blas_thread()
    try:
        with sigterm_as_interrupt():  # a scheduler's stop keeps what Ctrl+C keeps
            return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, ModelFileError) as exc:  # bad input: a message, no traceback
        print(f"auedit-train: {error_text(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
