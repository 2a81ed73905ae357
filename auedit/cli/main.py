"""The `auedit` command: the app with no arguments, the CLI with a subcommand."""

from __future__ import annotations

import argparse
import logging
import sys

from auedit import __version__


def build_parser() -> argparse.ArgumentParser:
    from auedit.cli import analyze, edit, export, fit, gui, transfer

    parser = argparse.ArgumentParser(
        prog="auedit", description="AUEdit: FACS Action Unit analysis and expression editing. "
                                   "Run without a command to open the app.")
    parser.add_argument("--version", action="version", version=f"auedit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui.add_parser(sub)
    analyze.add_parser(sub)
    export.add_parser(sub)
    transfer.add_parser(sub)
    edit.add_parser(sub)
    fit.add_parser(sub)
    return parser


GLOBAL_OPTIONS = ("-v", "--verbose")
TOP_LEVEL_ONLY = ("-h", "--help", "--version")


def _with_command(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`argv` with "gui" put in where it names no command, so that the app's own options work
    without it (`auedit --camera 0`, `auedit -v --demo`); the global options stay in front."""
    commands = next(a.choices for a in parser._actions
                    if isinstance(a, argparse._SubParsersAction))
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in commands or any(a in TOP_LEVEL_ONLY for a in argv):
        return argv
    front = [a for a in argv if a in GLOBAL_OPTIONS]
    return [*front, "gui", *(a for a in argv if a not in GLOBAL_OPTIONS)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(_with_command(argv, parser))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="auedit: %(levelname)s: %(message)s")
    from auedit.core.blas import use_one_blas_thread
    from auedit.core.messages import error_text

    use_one_blas_thread()
    from auedit.cli.stopping import sigterm_as_interrupt
    from auedit.face.model_file import FaceModelError
    from auedit.fit.genet.model_files import ModelFileError
    from auedit.media.sources import MediaError

    try:
        with sigterm_as_interrupt(enabled=args.command != "gui"):  # the app has its own
            return int(args.run(args) or 0)
    except (FaceModelError, ModelFileError, MediaError, ValueError, OSError) as exc:
        if args.verbose:
            raise
        print(f"auedit: error: {error_text(exc)}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:  # an optional piece left out (a bundle without torch)
        if args.verbose:
            raise
        remedy = ("this bundle was built without it: use one built with it, or install "
                  "AUEdit with pip" if getattr(sys, "frozen", False)
                  else f"it is not installed (pip install {exc.name})")
        print(f"auedit: error: {args.command} needs the Python package {exc.name!r}; {remedy}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # `analyze` says itself what it wrote
        if args.command != "analyze":
            print("auedit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
