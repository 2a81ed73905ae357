"""Editing speed: slider to preview, and saving a full-size edit, for a 1080p photo.

A London neutral photo is scaled so that its face is 512 px and placed in a 1920x1080 frame.
After one `prepare` (timed on its own), a drag of the AU12 slider from 0 to 5 (with AU6 and
AU26 following) is rendered as previews, then the same targets at full size, alone and
written as the app saves them (`write_image`) as JPEG (quality 95) and PNG, and again with a
colour profile and EXIF data to keep, as a phone's photo has (Pillow writes those). Medians
in milliseconds; targets: preview <= 30 ms, saving <= 300 ms. The preview's share spent
shading the creases (`synth.creases`) is printed on its own. Last, "From photo…": sizing the
sliders to another photo's expression (`auedit.synth.expression_match`, two probe edits and
trackings per AU; the other photo is an edit of the same frame), median of three. `--preset
NAME` drags that preset's AUs from 0 to their values instead (surprise: the lid raiser, whose
opened eyes are painted, `synth.eyes`).

    python benchmarks/edit_speed.py [--preset surprise]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from _shared import shared_data
from PIL import Image, ImageCms

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.metadata import PhotoMetadata
from auedit.media.outputs import write_image
from auedit.media.sources import read_image
from auedit.synth.expression_match import AUReader, matched_targets
from auedit.synth.geometric import PREVIEW_FACE_PX, GeometricSynthesizer
from auedit.synth.presets import PRESETS

FACE_PX = 512
FRAME = (1080, 1920)
STEPS = 41


def frame_with_face(tracker: FaceTracker) -> np.ndarray:
    """A 1920x1080 frame holding a London face scaled to FACE_PX (edges replicated)."""
    photo = read_image(shared_data() / "london" / "neutral" / "001_03.jpg")
    lms = tracker.track(photo, 0.0)[0].landmarks[:468, :2]
    size = (lms.max(axis=0) - lms.min(axis=0)).max()
    k = FACE_PX / size
    big = cv2.resize(photo, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)[:FRAME[0]]
    h, w = big.shape[:2]
    top, left = (FRAME[0] - h) // 2, (FRAME[1] - w) // 2
    return cv2.copyMakeBorder(big, top, FRAME[0] - h - top, left, FRAME[1] - w - left,
                              cv2.BORDER_REPLICATE)


def median_ms(fn: Callable[[dict[str, float]], object], drag: list[dict[str, float]]) -> float:
    times = []
    for targets in drag:
        t0 = time.perf_counter()
        fn(targets)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0)


def timed(owner: object, name: str) -> list[float]:
    """Wrap `owner.name` (a method) on the instance so that each call's time (seconds) is
    appended to the returned list."""
    method, seconds = getattr(owner, name), []

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        out = method(*args, **kwargs)
        seconds.append(time.perf_counter() - t0)
        return out

    setattr(owner, name, wrapper)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS),
                        help="drag this preset's AUs instead of AU12, AU6 and AU26")
    args = parser.parse_args()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    image = frame_with_face(tracker)
    face = tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(tracker.canonical)
    t0 = time.perf_counter()
    prepared = synth.prepare(image, face)
    prepare_ms = (time.perf_counter() - t0) * 1000.0
    if args.preset:
        drag = [{k: v * a for k, v in PRESETS[args.preset].items()}
                for a in np.linspace(0.0, 1.0, STEPS)]
    else:
        drag = [{"AU12": v, "AU6": 0.6 * v, "AU26": 0.5 * v}
                for v in np.linspace(0.0, 5.0, STEPS)]
    synth.render(prepared, drag[-1], preview=True)  # the preview crop is made on first use
    creases = timed(synth.creases, "paint")
    preview = median_ms(lambda t: synth.render(prepared, t, preview=True), drag)
    creases_ms = float(np.median(creases) * 1000.0)
    del synth.creases.paint  # the class's own again
    full = median_ms(lambda t: synth.render(prepared, t), drag[::4])

    folder = Path(tempfile.mkdtemp())
    phone = PhotoMetadata(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
                          Image.Exif().tobytes())

    def save(ext: str, metadata: PhotoMetadata | None = None,
             ) -> Callable[[dict[str, float]], object]:
        return lambda t: write_image(folder / f"edit{ext}", synth.render(prepared, t), metadata)

    jpeg, png = (median_ms(save(ext), drag[::4]) for ext in (".jpg", ".png"))
    kept = [median_ms(save(ext, phone), drag[::4]) for ext in (".jpg", ".png")]
    print(f"drag: {drag[-1]}")
    print(f"photo {FRAME[1]}x{FRAME[0]}, face {prepared.face_px:.0f} px, previews at a face of "
          f"<= {PREVIEW_FACE_PX} px; prepare (game-face fit) {prepare_ms:.0f} ms")
    print(f"{'slider -> preview':24s} {preview:7.1f} ms (target <= 30)")
    print(f"{'  of which creases':24s} {creases_ms:7.1f} ms (`synth.creases`)")
    print(f"{'full-size render':24s} {full:7.1f} ms")
    print(f"{'full-size + JPEG write':24s} {jpeg:7.1f} ms (target <= 300)")
    print(f"{'full-size + PNG write':24s} {png:7.1f} ms")
    print(f"{'... keeping profile, EXIF':24s} {kept[0]:7.1f} / {kept[1]:.1f} ms (JPEG / PNG)")
    read = AUReader(tracker)
    other = read(synth.render(prepared, {"AU12": 3.0, "AU26": 2.0}))
    taking = median_ms(lambda _t: matched_targets(synth, prepared, read, other, prepared.own),
                       drag[:3])
    tracker.close()
    print(f"{'From photo (sizing)':24s} {taking:7.1f} ms")


if __name__ == "__main__":
    main()
