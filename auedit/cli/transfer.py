"""`auedit transfer A B --out OUT`: A's identity with B's expression and pose, rendered."""

from __future__ import annotations

import argparse
import sys

from auedit.cli.argtypes import int_in
from auedit.media.outputs import check_image_output, check_outputs, write_image, write_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transfer", help="render A's game face with B's expression and pose",
                       description="Fit the game face to two photos and render the identity of "
                                   "A with the AUs and head pose of B.")
    p.add_argument("identity", metavar="A", help="photo whose identity is kept")
    p.add_argument("expression", metavar="B", help="photo whose expression and pose are taken")
    p.add_argument("--out", "-o", required=True, help="image to write (PNG or JPEG)")
    p.add_argument("--size", type=int_in(16, 4096), default=512,
                   help="render size in pixels, 16 to 4096 (default 512)")
    p.add_argument("--json", metavar="PATH",
                   help="also write the fitted parameters as JSON ('-': standard output)")
    p.add_argument("--face-model", metavar="TASK", help="a face_landmarker.task to use")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from auedit.detect.mediapipe_aus import MediaPipeAUDetector
    from auedit.detect.rigfit import RigFitDetector
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import MediaError, read_image
    from auedit.render.face import FaceRenderer
    from auedit.render.skin import cheek_colour
    from auedit.rig.expressions import AU_PARAMETER_KEYS
    from auedit.rig.identity import IDENTITY_KEYS
    from auedit.rig.model import pose_angles_deg, rig_for
    from auedit.transfer.expression import transfer

    to_stdout = args.json == "-"  # the usual name of standard output, as fit and export
    check_outputs([args.out, None if to_stdout else args.json],
                  [args.identity, args.expression, args.face_model])
    check_image_output(args.out)
    tracker = FaceTracker(Mode.IMAGE, max_faces=1, model_path=args.face_model)
    try:
        faces, images = [], []
        for path in (args.identity, args.expression):
            images.append(read_image(path))
            found = tracker.track(images[-1], 0.0)
            if not found:
                raise MediaError(f"no face found in {path}")
            faces.append(found[0])
        rig = rig_for(tracker.canonical)
        expression = MediaPipeAUDetector(tracker.canonical).detect(images[1], faces[1])
        result = transfer(RigFitDetector(rig), faces[0], faces[1], expression.values)
        tone = cheek_colour(images[0], faces[0].landmarks)  # A's skin, as A's identity
        image = FaceRenderer(rig, args.size, background=(0.16, 0.17, 0.2),
                             look="textured").render_uint8(result.params, skin_tone=tone)[0]
        write_image(args.out, image)
        if args.json:
            p = result.params
            text = json.dumps({
                "identity_from": args.identity, "expression_from": args.expression,
                "pose_deg": dict(zip(("pitch", "yaw", "roll"),
                                     pose_angles_deg(p.pose)[0].round(2).tolist(), strict=True)),
                "au": dict(zip(AU_PARAMETER_KEYS, p.au[0].round(4).tolist(), strict=True)),
                "identity": dict(zip(IDENTITY_KEYS, p.identity[0].round(4).tolist(),
                                     strict=True)),
            }, indent=2)
            if to_stdout:
                sys.stdout.write(text + "\n")
            else:
                write_text(args.json, text)
    finally:
        tracker.close()
    print(f"auedit: {args.identity} with the expression of {args.expression} -> {args.out}",
          file=sys.stderr)
    return 0
