r"""`auedit-train genet {segmenter,imitator,export,install}`: GE-Net's networks, end to end.

    auedit-train data renders --out runs/renders --n 80000 --seed 11
    auedit-train data faces --source PHOTOS_OR_VIDEOS... --out runs/faces --n 6000 --seed 3
    auedit-train genet segmenter --arch light --renders runs/renders --faces runs/faces \
        --out runs/seg-light
    auedit-train genet segmenter --arch resnet50 --width 0.25 ... --out runs/seg-r50
    auedit-train genet imitator --renders runs/renders --perceptual runs/seg-light/best.pt \
        --out runs/imitator
    auedit-train genet export --network runs/imitator/best.pt --out imitator.onnx
    auedit-train genet install --network runs/imitator/best.pt --name imitator

Every training job takes --smoke (seconds on a CPU), --resume (or --overwrite to replace a
run in --out), --config FILE (JSON of the settings; flags given on the command line win) and
runs under torchrun for several GPUs:

    torchrun --nproc_per_node 8 -m auedit_train genet imitator --device cuda ...
"""

from __future__ import annotations

import argparse
import math
from dataclasses import fields, replace
from pathlib import Path

from auedit.cli.argtypes import non_negative_float, non_negative_int
from auedit_train.common import read_json, require_positive

SMOKE = {"steps": 30, "eval_every": 15, "batch": 8, "val_renders": 32, "val_faces": 16}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, help="run folder")
    p.add_argument("--renders", nargs="+", default=None, help="render data folders")
    p.add_argument("--config", type=Path, help="JSON file of settings")
    p.add_argument("--steps", type=int)
    p.add_argument("--batch", type=int, help="global batch (split over torchrun processes)")
    p.add_argument("--lr", type=non_negative_float)
    p.add_argument("--seed", type=non_negative_int)
    p.add_argument("--eval-every", type=int, help="steps between validations and checkpoints")
    p.add_argument("--device", help="cpu or cuda")
    p.add_argument("--workers", type=non_negative_int, help="DataLoader workers per process")
    p.add_argument("--smoke", action="store_true", help="a few steps, small batches (CPU)")
    p.add_argument("--init", help="start from this network file (fine-tuning)")
    run = p.add_mutually_exclusive_group()
    run.add_argument("--resume", action="store_true", help="go on from out/checkpoint.pt")
    run.add_argument("--overwrite", action="store_true",
                     help="replace the run in --out (its checkpoint, best network and log)")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("genet", help="GE-Net: feature extractor, imitator, ONNX export, install",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    jobs = p.add_subparsers(dest="job", required=True)
    s = jobs.add_parser("segmenter", help="train a face-segmentation feature extractor E")
    _common(s)
    s.add_argument("--faces", nargs="+", default=None, help="real-face data folders")
    s.add_argument("--arch", choices=("light", "resnet50"))
    s.add_argument("--width", type=float,
                   help="channel multiplier, 1/16 to 4 (1.0: ResNet-50's)")
    s.set_defaults(func=_segmenter)
    m = jobs.add_parser("imitator", help="train the imitator M (parameters -> image)")
    _common(m)
    m.add_argument("--perceptual", help="segmenter network file for the perceptual loss")
    m.add_argument("--width", type=int, help="channels of the imitator's 64 px layer (1-256)")
    m.set_defaults(func=_imitator)
    e = jobs.add_parser("export", help="write a network file as ONNX (checked against torch)")
    e.add_argument("--network", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    e.set_defaults(func=_export)
    i = jobs.add_parser("install", help="copy a network where the app loads it, with its "
                        "sha256 in the manifest")
    i.add_argument("--network", type=Path, required=True)
    i.add_argument("--name", choices=("imitator", "light", "resnet50"), required=True)
    i.add_argument("--models", type=Path, help="models folder (default: the installed "
                   "auedit's resources/models)")
    i.set_defaults(func=_install)


def _settings(cls, args: argparse.Namespace, extra: dict):
    """Defaults <- --config <- --smoke <- flags."""
    known = {f.name for f in fields(cls)}
    s = cls()
    if args.config is not None:
        data = read_json(args.config, "a JSON file of settings", "give a JSON object of "
                         "settings (--config)")
        if not isinstance(data, dict):
            raise ValueError(f"{args.config}: a JSON object of settings is expected")
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{args.config}: unknown settings {', '.join(unknown)}")
        for key, value in data.items():
            _check_setting(args.config, key, value, getattr(s, key))
        s = replace(s, **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
        require_positive(**{k: data[k] for k in ("steps", "eval_every", "batch") if k in data})
    if args.smoke:
        s = replace(s, **{k: v for k, v in SMOKE.items() if k in known})
    flags = {k: v for k, v in {**vars(args), **extra}.items() if k in known and v is not None}
    flags = {k: tuple(v) if isinstance(v, list) else v for k, v in flags.items()}
    s = replace(s, **flags)
    require_positive(steps=s.steps, eval_every=s.eval_every, batch=s.batch)
    lo, hi = WIDTHS[type(s).__name__]
    if not (math.isfinite(s.width) and lo <= s.width <= hi):
        raise ValueError(f"--width must be from {lo:g} to {hi:g}, not {s.width}")
    if not (math.isfinite(s.lr) and s.lr > 0):
        raise ValueError(f"--lr must be a finite number above 0, not {s.lr}")
    return s


#: --width's bounds: the segmenter's channel multiplier (below 1/16 the light network's first
#: layer has no channel; width 0.01 failed deep in training after --overwrite had removed the
#: run it was to replace) and the imitator's channels at 64 px (its earlier layers have 8x).
WIDTHS: dict[str, tuple[float, float]] = {"SegmenterSettings": (1 / 16, 4.0),
                                          "ImitatorSettings": (1, 256)}


def _check_setting(config: Path, key: str, value: object, default: object) -> None:
    """ValueError where a --config value is not of its setting's kind (a number where the
    default is one): "steps": "abc" failed deep in training with a TypeError."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = (isinstance(value, int | float) and not isinstance(value, bool)
              and math.isfinite(value))
    elif isinstance(default, tuple):
        ok = isinstance(value, list)
    else:
        ok = default is None or isinstance(value, type(default))
    if not ok:
        kinds = {bool: "true or false", int: "a whole number", float: "a finite number",
                 tuple: "a list", str: "a string"}
        raise ValueError(f"{config}: {key} is {value!r}, not "
                         f"{kinds.get(type(default), type(default).__name__)}")


def _segmenter(args: argparse.Namespace) -> int:
    from auedit_train.genet.loop import is_main_process
    from auedit_train.genet.segmenter import SegmenterSettings, train

    s = _settings(SegmenterSettings, args, {})
    best = train(args.out, s, resume=args.resume, overwrite=args.overwrite)
    if is_main_process():
        print(f"best: step {best.get('step')} score {best.get('score', 0):.4f} "
              f"-> {args.out}/best.pt")
    return 0


def _imitator(args: argparse.Namespace) -> int:
    from auedit_train.genet.imitator import ImitatorSettings, train
    from auedit_train.genet.loop import is_main_process

    s = _settings(ImitatorSettings, args, {})
    best = train(args.out, s, resume=args.resume, overwrite=args.overwrite)
    if is_main_process():
        print(f"best: step {best.get('step')} val L1 {best.get('val_l1', 0):.4f} "
              f"-> {args.out}/best.pt")
    return 0


def _export(args: argparse.Namespace) -> int:
    from auedit_train.genet.export import export

    err = export(args.network, args.out)
    print(f"{args.out} written; largest difference from torch {err:.2e}")
    return 0


def _install(args: argparse.Namespace) -> int:
    from auedit.resources import MODELS

    from auedit_train.genet.install import install

    target = install(args.network, args.name, args.models or MODELS)
    print(f"{args.network} -> {target}")
    return 0
