"""`auedit-train data KIND --out DIR --n N --seed S`: write a labelled synthetic data set.

Kinds: `renders` (game-face renders with part segmentation and parameters), `edits` (real
faces edited to target AUs with semantic resampling), `pairs` (same identity, different AUs
and poses), `triplets` (AU-similarity triplets) and `faces` (real faces aligned to the base
face with part segmentation from the tracked mesh). Pairs and triplets are rendered, or
edits of real faces when --source is given. The same seed and settings give identical data;
the manifest is written last.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from auedit.cli.argtypes import non_negative_int, positive_int
from auedit.cli.stopping import stops_held
from auedit.core.aus import key_of
from auedit.render.face import LOOKS
from auedit_train.common import require_positive
from auedit_train.data.edits import EditSettings, RealFaceEditor
from auedit_train.data.faces import FaceLabeller, FaceSettings
from auedit_train.data.renders import (
    RenderSettings,
    RigDataRenderer,
    default_batch,
    render_fields,
)
from auedit_train.data.store import (
    MANIFEST,
    DataError,
    Field,
    ShardWriter,
    prepare_out,
    software_versions,
)

KINDS = ("renders", "edits", "pairs", "triplets", "faces")


def write_dataset(out: Path, kind: str, n: int, seed: int, fields: dict[str, Field],
                  batches: Iterable[dict[str, np.ndarray]], info: dict[str, Any], *,
                  shard_size: int = 1024, progress: bool = True) -> dict[str, Any]:
    """Write `n` samples from `batches` into `out` (prepared), then the manifest."""
    writer = ShardWriter(out, fields, n, shard_size)
    manifest = {"kind": kind, "seed": seed, **info, "software": software_versions()}
    try:
        with tqdm(total=n, unit="sample", desc=kind, disable=not progress) as bar:
            for batch in batches:
                writer.write(batch)
                bar.update(len(next(iter(batch.values()))))
    except KeyboardInterrupt:  # hours of samples are kept: the first ones make a smaller set
        if writer.written:
            with stops_held():  # a second Ctrl+C here would lose them all
                writer.finish(manifest, partial=True)
            print(f"auedit-train: interrupted: the {writer.written} of {n} samples written "
                  f"are kept as a smaller data set -> {out / MANIFEST}", file=sys.stderr)
        raise
    return writer.finish(manifest)


def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Build the data set the parsed arguments ask for; returns its manifest."""
    require_positive(n=args.n, workers=args.workers, batch=args.batch,
                     shard_size=args.shard_size)
    out = Path(args.out)
    rng = np.random.default_rng(args.seed)
    batch = args.batch or default_batch(args.size)
    if args.kind == "faces":
        if not args.source:
            raise DataError("faces need --source (photos, folders or videos of faces)")
        labeller = FaceLabeller(FaceSettings(size=args.size, every=args.every), args.source,
                                progress=not args.no_progress)
        count = labeller.choose(args.n, rng)
        prepare_out(out, args.overwrite)
        return write_dataset(out, args.kind, count, args.seed, labeller.fields(),
                             labeller.batches(batch), labeller.manifest(),
                             shard_size=args.shard_size, progress=not args.no_progress)
    if args.kind == "edits" or (args.kind in ("pairs", "triplets") and args.source):
        if not args.source:
            raise DataError("edits need --source (photos, folders or videos of faces)")
        settings = EditSettings(size=args.size, every=args.every, aus=args.aus,
                                levels=args.levels, absent_below=args.absent_below,
                                method=args.method)
        editor = RealFaceEditor(settings, args.source, progress=not args.no_progress)
        plan = editor.plan(args.kind, args.n, rng, margin=args.margin)
        prepare_out(out, args.overwrite)
        return write_dataset(out, args.kind, args.n, args.seed, editor.fields(args.kind),
                             editor.batches(plan, batch), editor.manifest(plan),
                             shard_size=args.shard_size, progress=not args.no_progress)
    settings = RenderSettings(size=args.size, align=not args.plain, device=args.device,
                              batch=batch, workers=args.workers, margin=args.margin,
                              look=args.look)
    maker = RigDataRenderer(args.kind, settings)
    prepare_out(out, args.overwrite)
    return write_dataset(out, args.kind, args.n, args.seed, render_fields(args.kind, args.size),
                         maker.batches(args.n, rng), maker.manifest(),
                         shard_size=args.shard_size, progress=not args.no_progress)


#: The options that only some kinds read (by kind and whether --source is given): the
#: others are named as ignored (`renders --aus AU99` ran without a word).
RENDER_OPTIONS = frozenset({"device", "plain", "look", "workers"})
EDIT_OPTIONS = frozenset({"every", "aus", "levels", "absent_below", "method"})
READ_BY = {("renders", False): RENDER_OPTIONS, ("pairs", False): RENDER_OPTIONS,
           ("triplets", False): RENDER_OPTIONS | {"margin"}, ("edits", True): EDIT_OPTIONS,
           ("pairs", True): EDIT_OPTIONS, ("triplets", True): EDIT_OPTIONS | {"margin"},
           ("faces", True): frozenset({"every"})}


def _say_ignored(args: argparse.Namespace) -> None:
    """A note for each option given that this kind of data set does not read."""
    read = READ_BY.get((args.kind, bool(args.source)))
    if read is None:  # refused with its own message
        return
    what = args.kind + (" of real faces" if args.source and args.kind != "faces" else "")
    for name in sorted((RENDER_OPTIONS | EDIT_OPTIONS | {"margin"}) - read):
        if getattr(args, name) != args.defaults[name]:
            print(f"auedit-train: note: --{name.replace('_', '-')} does not apply to {what}; "
                  "ignored", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.kind == "renders" and args.source:
        raise DataError("--source is for edits, faces, pairs and triplets: renders draw random "
                        "game faces")
    _say_ignored(args)
    if not (math.isfinite(args.margin) and args.margin >= 0):
        raise DataError(f"--margin must be a finite number, 0 or more, not {args.margin}")
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    new = not out.exists()
    try:
        manifest = generate(args)
    except BaseException:
        if new and not (out / MANIFEST).is_file():  # no folder left to block the next run
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        torch.set_num_threads(threads)
    print(f"{manifest['count']} {manifest['kind']} in {len(manifest['shards'])} shard(s) -> "
          f"{Path(args.out) / 'manifest.json'}")
    return 0


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _au_list(text: str) -> list[str]:
    """"12, 6L, AU25" -> ["AU12", "AU6L", "AU25"], as `auedit edit --au` names AUs."""
    try:
        return [key_of(t) for t in _csv(text)]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _levels(text: str) -> list[int]:
    try:
        levels = sorted({int(t) for t in _csv(text)})
    except ValueError:
        raise argparse.ArgumentTypeError(f"levels are integers 0-5, not {text!r}") from None
    if not levels or levels[0] < 0 or levels[-1] > 5:
        raise argparse.ArgumentTypeError(f"levels are integers 0-5, not {text!r}")
    return levels


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The `data` subcommand."""
    p = subparsers.add_parser("data", help="write a synthetic data set",
                              description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--out", required=True, help="output folder (new, or with --overwrite)")
    p.add_argument("--n", type=int, required=True,
                   help="number of samples (faces: at most; drawn when the sources have more)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="default: %(default)s")
    p.add_argument("--size", type=int, default=128,
                   help="image size in px (128-512; default: %(default)s)")
    p.add_argument("--device", default="cpu", help="torch device of the renderer (cpu, cuda)")
    p.add_argument("--source", nargs="+", metavar="PATH",
                   help="photos, folders or videos of real faces (edits, faces; pairs and "
                   "triplets of edits)")
    p.add_argument("--plain", action="store_true",
                   help="renders: plain framing instead of five-point alignment")
    p.add_argument("--look", choices=LOOKS, default="flat",
                   help="renders, pairs, triplets: the game face's look (the shipped models "
                        "were trained on flat)")
    p.add_argument("--margin", type=float, default=RenderSettings.margin,
                   help="triplets: AU-distance margin of the negative (default: %(default)s)")
    p.add_argument("--every", type=int, default=EditSettings.every,
                   help="edits, faces: every k-th video frame (default: %(default)s)")
    p.add_argument("--aus", type=_au_list, default=None,
                   help="edits: AUs to balance, e.g. AU1,AU4,AU12 (default: all the rig has)")
    p.add_argument("--levels", type=_levels, default=EditSettings().levels,
                   help="edits: intensity levels to balance (0 absent, 1-5 = A-E; default: all)")
    p.add_argument("--absent-below", type=float, default=EditSettings.absent_below,
                   help="edits: a source face lacks an AU where its own value is below this "
                   "(default: %(default)s)")
    p.add_argument("--method", default="geometric", help="edits: synthesizer name")
    p.add_argument("--batch", type=int, default=None,
                   help="samples per batch (default: 64 at 128 px, 16 at 256, 4 at 512)")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="torch CPU threads per worker (more collapse on a busy machine)")
    p.add_argument("--workers", type=positive_int, default=min(os.cpu_count() or 1, 4),
                   help="batches rendered side by side (threads; the CPU cores, at most 4)")
    p.add_argument("--shard-size", type=int, default=1024,
                   help="samples per shard (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace the data set in --out")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run, defaults={a.dest: a.default for a in p._actions})
    return p
