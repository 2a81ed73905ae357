"""Neutral photos edited to wide-open eyes: does the iris stay round?

Each London neutral photo (`../shared/data/london/neutral`) is edited with the geometric
synthesizer to the lid raiser at its end (AU5 5). Per eye, the iris as drawn is the dark
blob around its centre inside the lids' opening (`iris_shapes`), measured by its height over
its width: a round iris that the lids cut is at most about 1; one stretched by the lid's rise
is taller than wide. Printed for the photos and for the edits: the median and 90th
percentile of that ratio and the share of eyes over 1.1; MediaPipe's eyeWide (mean of
left and right) on the photos and on the edits (re-tracked), which should rise; and how
colourful the white the edit uncovered is against the photo's own white (`white_tints`).

    python benchmarks/eye_open_edit.py [--au5 5] [--photos images/wild]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
from _shared import shared_data

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import read_image
from auedit.rig.regions import EYE_LOWER0
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.mouth import polygon_mask

TALL = 1.1  # an iris this much taller than wide is stretched
LASH_BAND = 0.08  # eye widths under the upper lid left out of the iris
WIDE = [ARKIT_BLENDSHAPES.index(n) for n in ("eyeWideLeft", "eyeWideRight")]


def iris_shapes(synth: GeometricSynthesizer, prepared, image: np.ndarray,
                shift: np.ndarray) -> list[float]:
    """Per eye of `image` (the photo, or its edit with the landmarks' `shift`): the drawn
    iris's height over its width. The iris is the dark blob (darker than halfway from the
    photo's iris to its white) around the iris's centre inside the lids' opening, eroded by
    2 px and less a band under the upper lid so that the lashes are not part of it; its
    bounding box is untouched by the pupil's highlight."""
    lms = prepared.face.landmarks[:, :2]
    photo = prepared.image.astype(np.float64).mean(axis=2)
    luma = image.astype(np.float64).mean(axis=2)
    out = []
    for _, outline in synth.eye_openings:
        iris = min((468, 473), key=lambda i: np.linalg.norm(lms[i] - lms[outline].mean(axis=0)))
        radius = 0.5 * float(np.linalg.norm(lms[iris + 1] - lms[iris + 3]))
        rest = polygon_mask(lms[outline], photo.shape) > 127
        near = np.linalg.norm(np.indices(photo.shape)[::-1].transpose(1, 2, 0) - lms[iris],
                              axis=-1) < 0.5 * radius
        threshold = 0.5 * (np.median(photo[rest & near]) + np.percentile(photo[rest], 90))
        new = lms[outline] + shift[outline]
        opening = cv2.erode(polygon_mask(new, luma.shape), np.ones((5, 5), np.uint8)) > 127
        # less the lashes' band under the upper lid (a dark iris touching it would join it)
        upper = new[len(EYE_LOWER0):]
        upper = upper[np.argsort(upper[:, 0])]
        ys, xs = np.indices(luma.shape)
        lashes = LASH_BAND * float(np.linalg.norm(new[0] - new[len(EYE_LOWER0) - 1]))
        opening &= ys > np.interp(xs, upper[:, 0], upper[:, 1]) + lashes
        dark = (opening & (luma < threshold)).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
        if n < 2:
            continue
        # the eyeball moves with the lower lid (`auedit.synth.eyes`)
        centre = lms[iris] + shift[outline[:len(EYE_LOWER0)]].mean(axis=0)
        ys, xs = np.nonzero(dark)
        k = labels[ys, xs][np.argmin(np.hypot(xs - centre[0], ys - centre[1]))]
        out.append(stats[k, cv2.CC_STAT_HEIGHT] / stats[k, cv2.CC_STAT_WIDTH])
    return out


def white_tints(synth: GeometricSynthesizer, prepared, edited: np.ndarray,
                shift: np.ndarray) -> list[tuple[float, float]]:
    """Per eye: how colourful (saturation, (max - min) / max of the channels, median) the
    photo's own white is (the opening's pixels brighter than its median: the iris, darker,
    left out) and the white the edit uncovered (the edit's pixels brighter than that median
    in the new opening, eroded, that the photo's opening, dilated, did not hold). A white
    painted from the lid's pink rim or from skin is far more colourful than the photo's own."""
    lms = prepared.face.landmarks[:, :2]
    photo = prepared.image.astype(np.float64)

    def saturation(pixels: np.ndarray) -> float:
        return float(np.median((pixels.max(axis=1) - pixels.min(axis=1))
                               / np.maximum(pixels.max(axis=1), 1.0)))

    out = []
    kernel = np.ones((5, 5), np.uint8)
    luma = photo.mean(axis=2)
    edit = edited.astype(np.float64)
    for _, outline in synth.eye_openings:
        rest = polygon_mask(lms[outline], photo.shape[:2])
        level = np.median(luma[rest > 127])
        own = (rest > 127) & (luma > level)
        new = cv2.erode(polygon_mask(lms[outline] + shift[outline], photo.shape[:2]), kernel)
        uncovered = (new > 127) & (cv2.dilate(rest, kernel) < 128) & (edit.mean(axis=2) > level)
        if own.sum() >= 3 and uncovered.sum() >= 3:
            out.append((saturation(photo[own]), saturation(edit[uncovered])))
    return out


def eye_wide(tracker: FaceTracker, image: np.ndarray) -> float | None:
    found = tracker.track(image, 0.0)
    if not found:
        return None
    b = found[0].blendshapes
    return 0.5 * float(b[WIDE].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--au5", type=float, default=5.0, help="the lid raiser's target (0-5)")
    parser.add_argument("--photos", default="london/neutral",
                        help="folder of JPEG photos in the shared data (default: %(default)s)")
    args = parser.parse_args()
    targets = {"AU5": args.au5}
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    shapes: dict[str, list[float]] = {"photos": [], "edits": []}
    wide_before, wide_after = [], []
    tints: list[tuple[float, float]] = []
    photos = sorted((shared_data() / args.photos).glob("*.jpg"))
    if not photos:
        parser.error(f"no JPEG photos in {shared_data() / args.photos}")
    for path in photos:
        image = read_image(path)
        found = tracker.track(image, 0.0)
        if not found:
            continue
        prepared = synth.prepare(image, found[0])
        edited = synth.render(prepared, targets)
        _, shift = synth.displacement(prepared, targets)
        shapes["photos"] += iris_shapes(synth, prepared, image, np.zeros_like(shift))
        shapes["edits"] += iris_shapes(synth, prepared, edited, shift)
        tints += white_tints(synth, prepared, edited, shift)
        before, after = eye_wide(tracker, image), eye_wide(tracker, edited)
        if before is not None and after is not None:
            wide_before.append(before)
            wide_after.append(after)
    tracker.close()
    print(f"{len(wide_before)} faces edited to {targets}")
    for name, got in shapes.items():
        r = np.array(got)
        print(f"{name}: {len(r)} eyes; iris height / width: median {np.median(r):.2f}, 90th "
              f"percentile {np.percentile(r, 90):.2f}; taller than wide (> {TALL}): "
              f"{(r > TALL).mean():.1%}")
    print(f"MediaPipe eyeWide: photos {np.mean(wide_before):.3f}, edits {np.mean(wide_after):.3f}")
    if not tints:
        print("no eye's white was uncovered")
        return
    own, painted = np.array(tints).T
    print(f"the white's saturation, median over {len(tints)} eyes: the photos' own "
          f"{np.median(own):.3f}, uncovered by the edit {np.median(painted):.3f}; uncovered "
          f"over own, median {np.median(painted / np.maximum(own, 1e-3)):.2f}; more colourful "
          f"than 0.2: {(painted > 0.2).mean():.1%}")


if __name__ == "__main__":
    main()
