"""`auedit gui` (also `auedit` alone): open the app."""

from __future__ import annotations

import argparse

from auedit.cli.argtypes import camera_index
from auedit.media.sources import MAX_CAMERA_INDEX


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the app (the default)")
    p.add_argument("inputs", nargs="*", metavar="PATH", help="photos or videos to open")
    p.add_argument("--camera", type=camera_index, metavar="INDEX",
                   help=f"start this camera (0 to {MAX_CAMERA_INDEX})")
    p.add_argument("--demo", action="store_true",
                   help="open the built-in demo input (a bundled face photo) to try the app")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from auedit.ui.app import run_app

    return run_app(args.inputs, camera=args.camera, demo=args.demo)
