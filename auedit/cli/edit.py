"""`auedit edit IMAGE --au 12=3.5 [--preset NAME] [--expression-of PHOTO]`: a photo with a face's
AUs set to targets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auedit.core.aus import MAX_INTENSITY, key_of
from auedit.core.types import largest_face
from auedit.media.metadata import KEEPS_ALPHA, read_metadata
from auedit.media.outputs import check_image_output, check_outputs, write_image

if TYPE_CHECKING:
    from auedit.face.tracker import FaceTracker
    from auedit.synth.base import PreparedFace, Synthesizer


def add_parser(sub: argparse._SubParsersAction) -> None:
    from auedit.synth.presets import PRESETS

    p = sub.add_parser(
        "edit", help="set a face's AUs in a photo (expression editing)",
        description="Edit one face of a photo to target Action Unit intensities (0-5 FACS "
                    "scale). --preset applies first, then --au on top (an --au value "
                    "overrides the preset's, zeros included); AUs neither names keep the "
                    "photo's own intensity.")
    p.add_argument("image", metavar="IMAGE", help="photo to edit")
    p.add_argument("--au", action="append", default=[], metavar="AU=VALUE",
                   help="target intensity 0-5, e.g. 12=3.5 (both sides) or 12L=2 (the "
                        "subject's left); repeatable")
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="a whole emotional expression: sets the preset's AUs and sets to 0 "
                        "every AU another preset names (both sides; e.g. anger clears AU6 and "
                        "AU12); AUs no preset names (AU45 blink, AU25 lips part, AU17, ...) "
                        "keep the photo's own value")
    p.add_argument("--expression-of", metavar="PHOTO",
                   help="take the expression of the largest face in another photo, sized as "
                        "MediaPipe sees it on both (as the app's From photo...); --preset "
                        "(its zeros included) and --au apply on top")
    p.add_argument("--face", type=int, metavar="N",
                   help="which face, numbered from 0 left to right (default: the largest)")
    p.add_argument("--out", "-o", metavar="PATH",
                   help="image to write (default: IMAGE_edited.png beside the photo)")
    p.add_argument("--method", default="geometric", help="synthesizer (default geometric)")
    p.add_argument("--json", action="store_true",
                   help="print the face's AU parameters before and after as JSON")
    p.add_argument("--face-model", metavar="TASK", help="a face_landmarker.task to use")
    p.set_defaults(run=run)


def parse_au(text: str) -> tuple[str, float]:
    """"12=3.5", "AU12L=2", "06=1" -> ("AU12", 3.5), ("AU12L", 2.0), ("AU6", 1.0)."""
    key, sep, value = text.partition("=")
    key = key.strip().upper()
    if not sep or not key:
        raise ValueError(f"--au {text!r}: expected AU=VALUE, e.g. 12=3.5 or 12L=2")
    try:
        key = key_of(text.partition("=")[0])
    except ValueError as exc:
        raise ValueError(f"--au {text!r}: {exc}") from None
    try:
        v = float(value)
    except ValueError:
        raise ValueError(f"--au {text!r}: {value.strip()!r} is not a number") from None
    if not 0.0 <= v <= MAX_INTENSITY:
        raise ValueError(f"--au {text!r}: intensities run from 0 to {MAX_INTENSITY:g}")
    return key, v


def run(args: argparse.Namespace) -> int:
    from auedit.synth.base import SynthesisError, expand_targets, registry
    from auedit.synth.presets import preset_targets

    try:
        targets = preset_targets(args.preset) if args.preset else {}
        targets.update(expand_targets(dict(parse_au(a) for a in args.au)))
        methods = registry()
        if args.method not in methods:
            raise KeyError(f"unknown method {args.method!r}; known: {', '.join(methods)}")
    except KeyError as exc:
        print(f"auedit: error: {exc.args[0]}", file=sys.stderr)
        return 2
    if not targets and not args.expression_of:
        print("auedit: error: nothing to edit: give --au, --preset or --expression-of",
              file=sys.stderr)
        return 2
    try:
        return _edit(args, methods[args.method], targets)
    except SynthesisError as exc:
        print(f"auedit: error: {exc}", file=sys.stderr)
        return 2


def _edit(args: argparse.Namespace, method: type, targets: dict[str, float]) -> int:
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import read_image
    from auedit.synth.base import SynthesisError

    src = Path(args.image)
    out = Path(args.out) if args.out else src.with_name(f"{src.stem}_edited.png")
    check_outputs([out], [src, args.expression_of, args.face_model])
    check_image_output(out)
    image = read_image(src)
    tracker = FaceTracker(Mode.IMAGE, max_faces=8, model_path=args.face_model)
    try:
        faces = tracker.track(image, 0.0)
        synthesizer = method(tracker.canonical)
        if not faces:
            raise SynthesisError(f"no face found in {src}")
        if args.face is None:
            face = largest_face(faces)
        elif 0 <= args.face < len(faces):
            face = sorted(faces, key=lambda f: f.box[0])[args.face]
        else:
            raise SynthesisError(f"--face {args.face}: {src} has {len(faces)} face(s), "
                                 f"numbered 0-{len(faces) - 1} from the left")
        prepared = synthesizer.prepare(image, face)
        if args.expression_of:
            taken = _expression_of(Path(args.expression_of), tracker, synthesizer, prepared)
            targets = {**taken, **targets}
    finally:
        tracker.close()
    edited = synthesizer.render(prepared, targets)
    metadata = read_metadata(src)
    write_image(out, edited, metadata)
    if metadata is not None and metadata.alpha is not None and \
            out.suffix.lower() not in KEEPS_ALPHA:
        print(f"auedit: note: {src.name} has transparency, which {out.suffix} files cannot "
              "hold: use .png to keep it", file=sys.stderr)
    if metadata is not None and metadata.bits > 8:
        print(f"auedit: note: {src.name} has {metadata.bits} bits per channel; the edit is "
              "made and written with 8", file=sys.stderr)
    if args.json:
        after = {**prepared.own, **targets}
        print(json.dumps({
            "image": str(src), "out": str(out), "method": args.method,
            "face_box": [round(v, 1) for v in face.box],
            "before": {k: round(v, 2) for k, v in prepared.own.items()},
            "after": {k: round(v, 2) for k, v in after.items()},
        }, indent=2))
    changed = {k: v for k, v in targets.items() if round(v, 2) != round(prepared.own[k], 2)}
    print(f"auedit: {src} edited ({', '.join(f'{k}={v:.2f}' for k, v in changed.items())}) "
          f"-> {out}", file=sys.stderr)
    return 0


def _expression_of(path: Path, tracker: FaceTracker, synthesizer: Synthesizer,
                   prepared: PreparedFace) -> dict[str, float]:
    """The largest face's expression in the photo at `path` as targets for `prepared`, sized
    by the MediaPipe AU detector on both photos (`auedit.synth.expression_match`)."""
    from auedit.media.sources import read_image
    from auedit.synth.base import SynthesisError
    from auedit.synth.expression_match import AUReader, matched_targets

    other = read_image(path)
    read = AUReader(tracker)
    face = read.largest_face(other)
    if face is None:
        raise SynthesisError(f"no face found in {path}: its expression cannot be taken")
    return matched_targets(synthesizer, prepared, read, read.reading(other, face),
                           synthesizer.prepare(other, face).own)
