r"""`auedit-train rigreg {data,edits,train,export}`: the AU regressor of the rig fit, end to end.

    auedit-train rigreg data --out runs/rigreg-1 --n 4000 --seed 1
    auedit-train rigreg data --out runs/rigreg-2 --n 4000 --seed 2
    auedit-train data edits --out runs/edits-1 --n 8000 --seed 11 --size 256 --source PHOTOS VIDEOS
    auedit-train rigreg edits --edits runs/edits-1 --out runs/rigreg-edits-1
    auedit-train rigreg train --data runs/rigreg-1 runs/rigreg-2 runs/rigreg-edits-1 \
        --out runs/rigreg [--resume | --overwrite]
    auedit-train rigreg export --checkpoint runs/rigreg/best.pt \
        --out resources/models/au_regressor.onnx

The recovery benchmark (`python benchmarks/rig_recovery.py`) draws its faces with seed 0;
train on another seed so that its faces stay held out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from auedit.cli.argtypes import non_negative_float, non_negative_int


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rigreg",
                       help="the rig fit's AU regressor: data, edits, training, ONNX export",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    jobs = p.add_subparsers(dest="job", required=True)
    d = jobs.add_parser("data", help="render, track and fit random game faces")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--n", type=int, default=12000)
    d.add_argument("--seed", type=non_negative_int, default=1)
    d.add_argument("--size", type=int, default=384)
    d.add_argument("--device", default="cpu", help="torch device of the renderer")
    d.set_defaults(func=_data)
    f = jobs.add_parser("edits", help="track and fit the edits of real faces of a data set "
                        "made by `auedit-train data edits`")
    f.add_argument("--edits", type=Path, required=True, help="the edits data set")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(func=_edits)
    t = jobs.add_parser("train", help="train the regressor on a data set")
    t.add_argument("--data", type=Path, nargs="+", required=True,
                   help="one or more data folders: renders (of different seeds) and "
                        "featurised edits")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--epochs", type=int, default=60)
    t.add_argument("--seed", type=non_negative_int, default=0)
    t.add_argument("--pair-weight", type=non_negative_float, default=1.0,
                   help="weight of the edit pairs' loss against the renders'")
    t.add_argument("--pseudo-weight", type=non_negative_float, default=0.0,
                   help="weight of the edits' unedited AUs, learnt as the source photo's own "
                        "reading (default 0: not learnt)")
    t.add_argument("--device", default="cpu")
    run = t.add_mutually_exclusive_group()
    run.add_argument("--resume", action="store_true", help="go on from out/checkpoint.pt")
    run.add_argument("--overwrite", action="store_true",
                     help="replace the run in --out (its checkpoint, best network and log)")
    t.set_defaults(func=_train)
    e = jobs.add_parser("export", help="write the ONNX file the app loads")
    e.add_argument("--checkpoint", type=Path, nargs="+", required=True,
                   help="best.pt of a training run; several: their outputs are averaged")
    e.add_argument("--out", type=Path, required=True)
    e.set_defaults(func=_export)


def _data(args: argparse.Namespace) -> int:
    from auedit_train.rigreg.data import DataSettings, generate

    m = generate(args.out, DataSettings(n=args.n, seed=args.seed, size=args.size,
                                        device=args.device))
    print(f"{m['count']} of {m['rendered']} renders tracked; written to {args.out}")
    return 0


def _edits(args: argparse.Namespace) -> int:
    from auedit_train.rigreg.edits import featurise_edits

    m = featurise_edits(args.edits, args.out)
    print(f"{m['count']} of {m['rendered']} edits tracked; written to {args.out}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from auedit_train.rigreg.train import TrainSettings, figure, train

    best = train(list(args.data), args.out, TrainSettings(epochs=args.epochs, seed=args.seed,
                                                    pair_weight=args.pair_weight,
                                                    pseudo_weight=args.pseudo_weight,
                                                    device=args.device),
                 resume=args.resume, overwrite=args.overwrite)
    print(f"best epoch {best['epoch'] + 1}: validation MAE {figure(best['val_mae'])} "
          f"(renders), {figure(best['val_pair_mae'])} (edit pairs); "
          f"{args.out / 'best.pt'}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from auedit_train.rigreg.export import export_onnx

    for path in args.checkpoint:
        if not path.is_file():
            raise ValueError(f"no checkpoint at {path}")
    path = export_onnx(args.checkpoint, args.out)
    print(f"wrote {path}")
    return 0
