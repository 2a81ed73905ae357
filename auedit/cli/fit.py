"""`auedit fit IMAGE... [--out JSON]`: GE-Net's fitted parameters and AU intensities."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from auedit.cli.inputs import expand, is_camera_index
from auedit.media.outputs import (
    check_outputs,
    check_suffix,
    describe_os_error,
    write_image,
    write_text,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fit", help="fit the game face to photos with GE-Net (pose, AU, identity)",
        description="Fit GE-Net (imitator + face-segmentation features, differentiable "
                    "optimisation) to every face in each photo and report the head pose, the "
                    "rig's AU and identity parameters and the AU intensities (0-5).")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photos or folders of photos")
    p.add_argument("--out", "-o", metavar="JSON", help="write the results here (default or "
                   "'-': standard output)")
    p.add_argument("--extractor", choices=("resnet50", "light"), default="resnet50",
                   help="feature extractor: the paper's ResNet-50 layout (default) or the "
                        "light one")
    p.add_argument("--iterations", type=int, default=30, help="optimisation steps per face "
                   "(default 30, the paper's)")
    p.add_argument("--renders", metavar="DIR", help="also save each face aligned beside its "
                   "imitated fit here (PNG)")
    p.add_argument("--face-model", metavar="TASK", help="a face_landmarker.task to use")
    p.set_defaults(run=run)


def _record(path: Path, index: int, fit, seconds: float) -> dict:
    from auedit.detect.rigfit import au_intensities
    from auedit.rig.expressions import AU_PARAMETER_KEYS
    from auedit.rig.identity import IDENTITY_KEYS
    from auedit.rig.model import pose_angles_deg

    p = fit.params
    pitch, yaw, roll = pose_angles_deg(p.pose)[0].tolist()
    return {
        "image": str(path), "face": index,
        "head_pose_deg": {"pitch": round(pitch, 2), "yaw": round(yaw, 2), "roll": round(roll, 2)},
        "au_intensity": {k: round(v, 3) for k, v in au_intensities(p).items()},
        "params": {"pose": [round(v, 4) for v in p.pose[0].tolist()],
                   "au": dict(zip(AU_PARAMETER_KEYS, (round(v, 4) for v in p.au[0].tolist()),
                                  strict=True)),
                   "identity": dict(zip(IDENTITY_KEYS, (round(v, 4) for v in
                                                        p.identity[0].tolist()), strict=True))},
        "loss": {"first": round(fit.losses[0], 4), "last": round(fit.losses[-1], 4)}
        if fit.losses else None,
        "iterations": fit.iterations, "seconds": round(seconds, 3),
    }


def _photos(items: list[str]) -> list[Path]:
    """The items that may be photos; each video or camera is reported as skipped."""
    from auedit.media.sources import media_kind

    photos = []
    for item in items:
        if is_camera_index(item):
            print(f"auedit: skipped: camera {item}: fit takes photos, not cameras",
                  file=sys.stderr)
        elif media_kind(Path(item)) == "video":
            print(f"auedit: skipped: {item} is a video: fit takes photos, not videos",
                  file=sys.stderr)
        else:
            photos.append(Path(item))
    return photos


def _unique(folder: Path, stem: str, suffix: str, taken: set[Path]) -> Path:
    """`folder/stem+suffix`, or with `-2`, `-3`... where this run has written that name."""
    path, n = folder / f"{stem}{suffix}", 1
    while path in taken:
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    taken.add(path)
    return path


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.fit.genet.engine import GENet
    from auedit.fit.genet.fitter import GENetSettings
    from auedit.media.sources import MediaError, read_image

    if args.iterations < 1:
        raise ValueError("--iterations must be at least 1")
    items = expand(args.images)
    if args.out == "-":  # the usual name of standard output
        args.out = None
    check_outputs([args.out], [*items, args.face_model])
    if args.out:  # as analyze and export refuse a name of another format
        check_suffix(args.out, (".json",), "fit writes JSON, whose files")
    photos = _photos(items)
    if not photos:
        raise MediaError("nothing to fit: fit takes photos, not videos or cameras")
    renders = Path(args.renders) if args.renders else None
    if renders is not None:
        try:
            renders.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise describe_os_error(renders, exc) from exc
    engine = GENet(args.extractor, settings=GENetSettings(iterations=args.iterations))
    tracker = FaceTracker(Mode.IMAGE, max_faces=8, model_path=args.face_model)
    results = []
    written: set[Path] = set()  # this run's renders: photos of one name in two folders
    interrupted = False
    try:
        for path in photos:
            try:
                image = read_image(path)
            except MediaError as exc:
                print(f"auedit: skipped: {exc}", file=sys.stderr)
                continue
            faces = sorted(tracker.track(image, 0.0), key=lambda f: f.box[0])
            if not faces:
                print(f"auedit: skipped: no face found in {path}", file=sys.stderr)
                continue
            for i, face in enumerate(faces):
                t0 = time.perf_counter()
                fit = engine.fit(image, face, still=True)
                results.append(_record(path, i, fit, time.perf_counter() - t0))
                if renders is not None:
                    write_image(_unique(renders, f"{path.stem}_face{i}", ".png", written),
                                np.concatenate([fit.aligned, fit.imitated], axis=1))
                print(f"auedit: {path} face {i}: loss {fit.losses[0]:.3f} -> "
                      f"{fit.losses[-1]:.3f} in {results[-1]['seconds']:.2f} s", file=sys.stderr)
    except KeyboardInterrupt:  # the faces fitted so far are kept, as `analyze` keeps its rows
        interrupted = True
        print("auedit: interrupted; " + ("the faces fitted so far are written" if results
                                         else "nothing was fitted"), file=sys.stderr)
    finally:
        tracker.close()
    if not results:  # an existing --out stays as it was
        if interrupted:
            return 130
        print("auedit: error: no face was fitted", file=sys.stderr)
        return 1
    text = json.dumps(results, indent=2) + "\n"
    if args.out:
        write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 130 if interrupted else 0  # skipped inputs were named, as `analyze` names them
