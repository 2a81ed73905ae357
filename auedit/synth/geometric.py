"""The geometric synthesizer: the photo itself, warped by the game face's AU displacements.

`prepare` fits the game face to the tracked landmarks (the still-photo fit of the rigfit
detector, identity included). `render` sets the target AU parameters, takes the rig's vertex
displacement from the fitted to the target expression (rig vertex i is landmark i), projects
it with the fit's camera, adds it to the *tracked* landmark positions (so the face's shape
stays the photo's own and only the expression changes) and warps the photo piecewise-affinely
over the face mesh (`warp`). A newly opened mouth gets the rig's rigid teeth and cavity
(`mouth`); a closing eye is covered by its own stretched lid skin, and an opening one shows its
eyeball, completed where the photo never showed it (`eyes`). Only triangles with a moving
corner are resampled, so pixels outside the edited AUs' regions stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from auedit.core.aus import MAX_INTENSITY
from auedit.core.types import TrackedFace
from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.detect.rigfit import RigFitDetector
from auedit.face.canonical import CanonicalFace, load_canonical_face
from auedit.fit.landmark_fit import FitResult
from auedit.rig.alignment import similarity
from auedit.rig.creases import CreasePainter, rises
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.rig.model import RigParams, rig_for
from auedit.rig.regions import (
    BROW_LOWER,
    BROW_UPPER,
    EYE_LOWER0,
    EYE_LOWER1,
    EYE_LOWER2,
    EYE_LOWER3,
    EYE_UPPER0,
    EYE_UPPER1,
    EYE_UPPER2,
    LIPS_LOWER_INNER,
    LIPS_LOWER_MID,
    LIPS_LOWER_OUTER,
    LIPS_UPPER_INNER,
    LIPS_UPPER_MID,
    LIPS_UPPER_OUTER,
    MOUTH_OPENING,
    SILHOUETTE,
)
from auedit.rig.topology import N_LANDMARKS
from auedit.synth.base import SynthesisError, expand_targets, rig_aus
from auedit.synth.eyes import EyeRest, eye_rest, lash_lines, paint_open_eye
from auedit.synth.glasses import Frames, find_frames
from auedit.synth.mouth import (
    MouthInterior,
    bite_line,
    close_lips,
    composite,
    joined,
    light_gain,
    lip_gaps,
    lip_midline,
    open_part,
    polygon_mask,
    seal,
    uncrossed,
    upper_half,
    without_specks,
)
from auedit.synth.skin import SkinLook, skin_look
from auedit.synth.warp import (
    STILL_PX,
    BackwardMap,
    WarpMesh,
    backward_map,
    build_mesh,
    frame_points,
)

#: An edit that moves no brow point further than this (share of the face's size) keeps glasses
#: still (`synth.glasses`); one that does moves them with the face, as the frame's top bar
#: lies on the brows (the same in previews and saved edits).
BROW_STILL = 0.005
#: Previews work on a copy of the crop scaled so that the face is at most this large (pixels).
PREVIEW_FACE_PX = 384
#: The working crop reaches this many face sizes beyond the face on each side.
CROP_MARGIN = 0.35
#: Faces with eyes closer than this (pixels) are too small to edit.
MIN_INTEROCULAR_PX = 16.0
#: The photo's own teeth move rigidly with the jaw (see `_own_teeth`) once the edit opens its
#: mouth this much wider than it was; less, and they stretch with the lips as skin does.
OWN_TEETH_SPLIT = 1.15
#: The rig parameters of the blink, left and right (see `_lid_gain`).
BLINK = ("AU45L", "AU45R")
#: How far a slider may drive a rig AU parameter. The fit alone may already read an AU at its
#: end (1) where the face's reading, which the slider starts from, says it is absent; the
#: slider's change must still show, and the AU fields are linear, so they extrapolate (2:
#: twice the authored E)...
MAX_PARAMETER = 2.0
#: ...and likewise below 0: the landmark fit explains a real smile with AU12 at about a third
#: of what the face reads (it leaves the rest to identity and other AUs), so taking the smile
#: away must carry the field past 0 (where it turns into its opposite, by as much as the fit
#: left out)...
MIN_PARAMETER = -1.0
#: ...except for the openings, whose rest is where they close (lips together, jaw at rest, lids
#: open): past it the lips would cross and the lids turn inside out; and `REGRESSOR_AUS`.
OPENING_AUS = frozenset(p.key for p in AU_PARAMETERS
                        if p.facs in ("AU25", "AU26", "AU27", "AU45"))
#: The AUs whose starting reading is the rig fit's regressor's, not the MediaPipe detector's,
#: and which stop at 0 as before: MediaPipe reads these from the face's build as much as from
#: its expression (brows' shape AU1/2/4, hooded or monolid eyes AU7, chin AU17, lips' shape
#: AU18/24; each read above A on 9-37% of the London neutral photos), so a preset that clears
#: them reshaped neutral faces (brows moved by up to 0.07 interocular distances); and AU20,
#: which MediaPipe reads along with a broad smile (AU12 5, AU20 4): taking both away squeezed
#: the mouth into a pout. AU23 MediaPipe does not read at all. The regressor reads some of
#: them high on some neutral faces (AU7 3.8 on monolid eyes), so past 0 they would reshape
#: those faces too.
REGRESSOR_AUS = frozenset(("AU1", "AU2", "AU4", "AU7", "AU17", "AU18", "AU20", "AU23", "AU24"))
#: A slider's change moves these AUs' rig fields this many times as far on a photo as on the
#: game face: the dimpler's field moves the lip corners mostly in depth, which a frontal photo
#: barely shows (at D its largest landmark shift was 0.020 interocular distances, the least of
#: all AUs), and real dimplers move the landmarks about twice as far as its E does at the
#: MediaPipe detector's E (`benchmarks/edit_calibration.py`: k 2.1 on the expressive clips,
#: 2.2 on London; weakly correlated, so only this AU, whose edit barely showed, is scaled).
PHOTO_GAIN = {"AU14": 2.0}
#: A full blink takes the upper lid this share of the interocular distance past the lower lid.
LID_OVERLAP = 0.015
#: An opening upper lid rises less towards the eye's corners, over this share of the eye's
#: width from each (as the square root of the way in), and its middle more, by as much as
#: the corners lose on average: the rig's lid raiser lifts the points beside the corners as
#: far as the middle, and a wide-open eye became a box with straight sides whose corners the
#: warp filled with stretched lashes (wild img24 at AU5 E). Without the middle's share,
#: MediaPipe read the edits as far less wide (eyeWide 0.088 against 0.125 on London).
LID_TAPER = 0.3
#: Lips shut by lowering lips part (AU25, `mouth.close_lips`) meet this share of the
#: interocular distance past each other: a photo's teeth between them are covered, not
#: squeezed into a light line along the seam.
LIP_OVERLAP = 0.01
#: ...and close by this share of it at most, both lips together: parted lips (a smile's,
#: 0.03-0.16 on the London photos; at 0.12, the broadest kept a strip of teeth) close; a
#: wider gap only narrows, since lips stretched over it looked swollen.
LIP_REACH = 0.2
#: Shut lips' seam is repainted this share of the interocular distance either side of it
#: (`mouth.seal`): strips of teeth between MediaPipe's inner-lip points and the lips' edge.
SEAM_BAND = 0.018
#: A photo whose jaw drop (AU26) reads this or more has its lips apart with the jaw, which
#: only the jaw's field may close: pulled together over a dropped jaw (the expressive clips'
#: open mouths read 3-5), the lips swelled; the London smiles with parted lips read at most
#: 2.1 (median 0.03).
JAW_DROPPED = 2.5
#: A mouth counts as open where its opening is at least this share of the face size across
#: (a closed mouth's inner-lip polygon is a sliver of lip about 1% thin): the photo's own
#: opening is kept only there, and the rig's interior is painted into a new one only there.
OPEN_MOUTH_WIDTH = 0.02
#: The photo's own teeth, moved with a lip (`_own_teeth`), take this share of
#: `OPEN_MOUTH_WIDTH` of the lip beside them too.
LIP_GROW = 0.5
#: ...and only the parts of it that are mostly open enough to see (`_own_teeth`), their
#: edges blurred by this share of that width.
MOVED_SHARE = 0.5
TEETH_EDGE = 0.25
#: An edit that narrows an open mouth's gap (mean over the lips, `_gap`) under this share of
#: `OPEN_MOUTH_WIDTH` shuts the lips: their seam is repainted (`_lips_squeezed`).
SQUEEZED = 0.5
#: A new opening that the photo's own warped mouth leaves uncovered nowhere wider than this
#: share of the face gets no interior (`_open_mouth`).
SLIVER = 0.01
#: Pieces of a newly open mouth this share of its width apart are joined into one opening
#: (`mouth.joined`).
BEAD_JOIN = 0.25
_MOUTH = np.array(MOUTH_OPENING)
#: Each side's commissure, outer lip corner to inner: the corners and the two points between
#: them (MediaPipe's 76 and 62; on a closed mouth the four lie on a line a few pixels long).
COMMISSURES = ((61, 76, 62, 78), (291, 306, 292, 308))
#: The AUs whose rig fields pull the lip corners (corner puller, dimpler, depressor,
#: stretcher): their handles move both ends of each commissure half again as far as the lips
#: and skin around it, the points between the ends included (the corners' lead)...
CORNER_AUS = frozenset(p.key for p in AU_PARAMETERS
                       if p.facs in ("AU12", "AU14", "AU15", "AU20"))
#: ...of which a photo's commissure keeps this share (see `fit_commissures`)...
CORNER_LEAD = 0.2
#: ...spread over this share of the mouth's width around it.
CORNER_REACH = 0.2
#: The lip corner puller (AU12): its rig field lifts both lips' middles and the skin below the
#: mouth with the corners (after the happiness preset the lips' middles rose 0.018-0.024
#: interocular distances on the London photos), where a real smile lifts the corners and
#: leaves the lips' middle nearly where it was (lower lip's centre -0.006): the edit's mouth
#: rose flat instead of curving. Its lift is taken away in proportion to 1 - u^2 (u: the
#: offset from the mouth's middle in half mouth widths), all of it in the middle, none at the
#: corners: from the lower lip and the skin below the line between the corners, and from the
#: upper lip as far as the lips stay together (an edit that parts them, AU25 or AU26, keeps
#: most of the upper lip's rise, as in an open smile, which shows the upper teeth; see
#: `OPEN_SMILE_MIDDLE`).
SMILE_AUS = frozenset(p.key for p in AU_PARAMETERS if p.facs == "AU12")
#: Of the upper lip's lift in a parted smile, its middle gives up this share (its corners
#: none): keeping it all, the upper lip rose flat and the opening was a straight-edged slot,
#: where a real open smile's upper lip arches up towards the corners.
OPEN_SMILE_MIDDLE = 0.5
#: Lips part (AU25) read under this (half of A) is lips together, whatever the gap between
#: MediaPipe's inner-lip points (`_lips_together`).
LIPS_APART = 0.5
#: An eye whose opening grows by this share or less is stretched with its lids, not
#: painted (`_eyes_opening`): taking a squint away lowers the lower lid a little (wild
#: img39, AU6 5 -> 0: 11-13% more opening), and the eyeball painted into that sliver of a
#: dark, narrow eye came out as a flat light patch beside the iris.
EYE_GROWTH = 0.15
#: The lid raiser (AU5): the rig's field lifts the lower lids and the eyes' corners too (by
#: a quarter to two thirds of the upper lids' rise on London face 005), so the eye opened
#: less than asked and its lower lid rose as in a squint. A real lid raiser moves the upper
#: lid only: the lower lids' rings and the corners keep none of it.
LID_AUS = frozenset(p.key for p in AU_PARAMETERS if p.facs == "AU5")


def _lid_pairs(rest: np.ndarray, mirror: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper-lid points (the lid margin and the ring above it, both eyes) and, for each, the
    lower-lid point below it (nearest in x on the rig at rest, as the rig's blink pairs them)."""
    upper, lower = [], []
    for side in (np.arange(len(mirror)), mirror):
        low = side[list(EYE_LOWER0)]
        for m, r in zip(side[list(EYE_UPPER0)], side[list(EYE_UPPER1)], strict=True):
            j = int(low[np.argmin(np.abs(rest[low, 0] - rest[m, 0]))])
            upper += [int(m), int(r)]
            lower += [j, j]
    return np.array(upper), np.array(lower)


@dataclass(frozen=True)
class Commissure:
    """One side's commissure on the photo, as `fit_commissures` moves it (worked out once per
    face by `commissures`)."""

    outer: int  # the outer lip corner
    between: np.ndarray  # the points between the corners...
    inner: int  # ...the inner lip corner
    along: np.ndarray  # where each point between lies along it (0 at the outer corner, 1 inner)
    near: np.ndarray  # the landmarks within `CORNER_REACH` of the mouth's width of it...
    t: np.ndarray  # ...where its point nearest each lies along it
    weight: np.ndarray  # ...and how much of that point's motion each takes (1 on it, 0 far)


def commissures(landmarks: np.ndarray) -> tuple[Commissure, ...]:
    """Both sides' `Commissure`s for the photo's (468, 2) landmarks."""
    reach = CORNER_REACH * float(np.linalg.norm(landmarks[291] - landmarks[61]))
    out = []
    for outer, *between, inner in COMMISSURES:
        a, b = landmarks[outer], landmarks[inner]
        t, d = _along(landmarks, a, b)
        near = np.flatnonzero(d < reach)
        out.append(Commissure(outer, np.array(between), inner, _along(landmarks[between], a, b)[0],
                              near, t[near], 1.0 - d[near] / reach))
    return tuple(out)


def fit_commissures(shift: np.ndarray, corners: np.ndarray | None,
                    sides: tuple[Commissure, ...]) -> np.ndarray:
    """`shift` (468, 2) fitted to the photo's commissures (`sides`): the corner AUs' part of
    it (`corners`; None where they do not change) with the corners' lead cut to
    `CORNER_LEAD` and spread over `CORNER_REACH`, and the points between each commissure's
    ends moved as the ends are (any edit).

    The rig's corner AUs move the outer and inner lip corners (61, 78) half again as far as
    the points around them, 76 and 62 included, which on a closed mouth lie a pixel or two
    from both on one line: the inner corner overtook them and folded the inner lip's corner
    slivers of dark crease over the lips (blobs and hooks at both corners). Most of the lead
    never showed, folded away, so the commissure keeps the share that did, and each point
    within the reach moves towards the motion of its nearest point on the commissure, in
    proportion to its closeness. Figures: docs/synthesis.md, step 2."""
    out = np.array(shift, dtype=np.float64)
    if corners is not None:
        fitted = np.array(corners, dtype=np.float64)
        for side in sides:
            ring = corners[side.between].mean(axis=0)  # the motion of the points around
            ends = ring + CORNER_LEAD * (corners[[side.outer, side.inner]] - ring)
            on = ends[0] + side.t[:, None] * (ends[1] - ends[0])
            fitted[side.near] += side.weight[:, None] * (on - fitted[side.near])
        out += fitted - corners
    for side in sides:
        a, b = out[side.outer], out[side.inner]
        out[side.between] = a + side.along[:, None] * (b - a)
    return out


def _along(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For (N, 2) points: where the nearest point of the segment a-b lies along it (0 at a,
    1 at b) and how far away it is."""
    ab = b - a
    t = np.clip((points - a) @ ab / max(float(ab @ ab), 1e-12), 0.0, 1.0)
    return t, np.linalg.norm(points - a - t[:, None] * ab, axis=1)


@dataclass(frozen=True)
class LowerFace:
    """Where a smile's lift is taken away around the mouth (see `SMILE_AUS`)."""

    below: np.ndarray  # (468,) share of the lift taken away below the mouth: the lower lip
    # and the skin below the line between the corners (1 - u^2), else 0
    upper: np.ndarray  # (468,) the same for the upper lip (1 - u^2), else 0
    up: np.ndarray  # (2,) the face's up, at right angles to the line between the corners


def lower_face(landmarks: np.ndarray) -> LowerFace:
    """`LowerFace` for the photo's (468, 2) landmarks, weighted by the offset from the mouth's
    middle."""
    a, b = landmarks[61], landmarks[291]
    axis = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
    down = np.array([-axis[1], axis[0]])
    if (landmarks[152] - a) @ down < 0:  # towards the chin
        down = -down
    rel = landmarks - (a + b) / 2
    u = rel @ axis / max(float(np.linalg.norm(b - a)) / 2, 1e-9)
    upper = np.zeros(len(landmarks), bool)
    upper[list(LIPS_UPPER_OUTER + LIPS_UPPER_INNER + LIPS_UPPER_MID)] = True
    below = (rel @ down > 0) & ~upper
    below[list(LIPS_LOWER_OUTER + LIPS_LOWER_INNER + LIPS_LOWER_MID)] = True
    curve = np.clip(1.0 - u**2, 0.0, 1.0)
    return LowerFace(np.where(below, curve, 0.0), np.where(upper, curve, 0.0), -down)


def _gap(opening: np.ndarray) -> float:
    """How far the lips of an inner-lip polygon (`MOUTH_OPENING` order) are apart: the mean of
    `lip_gaps`, lips pushed past each other counting as shut (0)."""
    return float(np.maximum(lip_gaps(opening), 0.0).mean())


def _signed_area(polygon: np.ndarray) -> float:
    """The shoelace area of a (N, 2) polygon, its sign its winding (whatever the head's roll)."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


#: The ring of skin under a rising brow takes this share of the brow's lead over it along
#: (`_under_brows`): all of it held a heavy brow's hair together best, but then an AU1
#: slider moved the landmarks further than real brow raises do (`edit_calibration.py`,
#: the clips' k for AU1 1.05 -> 0.83 with the ring following whole, 0.94 at a half).
UNDER_BROW = 0.5
#: The middles of the brows (both sides, upper and lower edge): how high the brows lie.
BROW_MIDDLES = (105, 334, 66, 296)


def _face_up(tracked: np.ndarray) -> np.ndarray:
    """The face's up in the photo (a unit vector; across the eyes, towards the forehead),
    whatever its roll."""
    across = tracked[263] - tracked[33]
    up = np.array([across[1], -across[0]]) / max(float(np.linalg.norm(across)), 1e-6)
    eyes = 0.5 * (tracked[33] + tracked[263])
    return -up if (tracked[10] - eyes) @ up < 0 else up


def _below_brows(tracked: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Per tracked landmark ((468, 2) photo pixels), how far below the brows it lies: 1 at
    the eyes' level (or the highest of the `start` points) and below, 0 at the brows'
    middles and above, linear between (along the face's up, whatever its roll)."""
    eyes = 0.5 * (tracked[33] + tracked[263])
    height = (tracked - eyes) @ _face_up(tracked)
    brows = float(height[list(BROW_MIDDLES)].mean())
    low = 0.0 if start is None else min(float(height[start].max()), 0.9 * brows)
    return np.clip((brows - height) / max(brows - low, 1e-6), 0.0, 1.0)


def _forehead_kept(tracked: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """`shift` with the face's outline kept still above the brows, and eased in between the
    eyes and the brows: the brow raisers' fields move the forehead's top (0.066 interocular
    distances at AU1 + AU2 E), and the outline's ring carried the hair and the background
    above it along. A real forehead bunches up under its hairline instead."""
    outline = list(SILHOUETTE)
    out = shift.copy()
    out[outline] *= _below_brows(tracked)[outline, None]
    return out


def _eye_openings(triangles: np.ndarray, mirror: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Per eye: the indices of the triangles that span its opening (all three corners on the
    lid margins), and the outline of the opening (lower lid margin, then the upper back)."""
    eyes = []
    for side in (np.arange(len(mirror)), mirror):
        outline = np.concatenate([side[list(EYE_LOWER0)], side[list(EYE_UPPER0)][::-1]])
        inside = np.isin(triangles, outline).all(axis=1)
        eyes.append((np.flatnonzero(inside), outline))
    return eyes


@dataclass
class _Level:
    """The working crop at one scale, with everything that does not depend on the targets."""

    scale: float  # working pixels per photo pixel
    image: np.ndarray  # the crop at this scale
    landmarks: np.ndarray  # (468, 2) tracked, pixel index coordinates of `image`
    points: np.ndarray  # (N, 2) the warp mesh's points at rest
    mouth_upper: np.ndarray  # uint8 masks of the photo's own mouth opening (none if closed),
    mouth_lower: np.ndarray  # above and below its bite line (upper and lower teeth)
    eyes: tuple[EyeRest | None, ...]  # per eye (`eye_openings` order), what the photo shows
    frame: np.ndarray | None  # a glasses frame's opacity over `image` (float32), if any...
    photo: np.ndarray  # ...which then has the frame painted out; the crop as photographed


@dataclass
class GeometricFace:
    """A photo and face prepared for the geometric synthesizer (see `base.PreparedFace`)."""

    own: dict[str, float]
    image: np.ndarray
    face: TrackedFace
    fit: FitResult
    fitted: np.ndarray  # (V, 3) the fitted rig's vertices in photo pixels (x, y, depth)
    mesh: WarpMesh
    crop: tuple[int, int, int, int]  # x0, y0, x1, y1 in photo pixels
    face_px: float  # the face's size (larger side of its landmarks' box)
    interior: MouthInterior
    lid_gain: np.ndarray  # (n upper-lid points, 2) gains of lid motion: opening, closing
    lash_lift: np.ndarray  # (n upper-lid points, 2) photo px from the margin to the lash line
    commissures: tuple[Commissure, ...]  # the lip corners' fit to the photo (`fit_commissures`)
    lower: LowerFace  # where a smile's lift is taken away below the mouth (`SMILE_AUS`)
    skin: SkinLook  # the skin's colour and the photo's blur, for the creases
    frames: Frames | None  # a glasses frame, kept still over the edit
    levels: dict[bool, _Level] = field(default_factory=dict)  # preview? -> level


class GeometricSynthesizer:
    """Edits AUs by warping the photo with the fitted game face's displacements."""

    name = "geometric"
    label = "Geometric warp"
    #: the AUs whose photo reading is the rig fit's, not the detector's (`REGRESSOR_AUS`):
    #: "From photo…" takes the other photo's own for them (`expression_match`)
    own_from_fit = REGRESSOR_AUS

    def __init__(self, canonical: CanonicalFace | None = None) -> None:
        if canonical is None:
            from auedit.face.model_file import find_face_model

            canonical = load_canonical_face(find_face_model())
        self.rig = rig_for(canonical)
        # the rigfit detector's photo fit (the geometry the warp moves); the face's reading, where
        # the sliders start, is the MediaPipe AU detector's (see `prepare`)
        self.detector = RigFitDetector(self.rig)
        self.reader = MediaPipeAUDetector(canonical)
        self.floor = np.array([0.0 if p.key in OPENING_AUS or p.facs in REGRESSOR_AUS
                               else MIN_PARAMETER for p in AU_PARAMETERS])
        self.gain = np.array([PHOTO_GAIN.get(p.facs, 1.0) for p in AU_PARAMETERS])
        tris = np.asarray(canonical.triangles, dtype=np.int64)
        self.face_triangles = tris[(tris < N_LANDMARKS).all(axis=1)]
        mesh = self.rig.mesh
        self.lid_upper, self.lid_lower = _lid_pairs(mesh.vertices, mesh.mirror)
        self.eye_openings = _eye_openings(self.face_triangles, mesh.mirror)
        self.eye_outlines = [o for _, o in self.eye_openings]
        # the rims of the openings, where the warp lets triangles fold (see `build_mesh`)
        self.openings = [*self.eye_outlines, _MOUTH]
        lower = np.array(EYE_LOWER0 + EYE_LOWER1 + EYE_LOWER2 + EYE_LOWER3)
        self.lower_lids = np.union1d(lower, mesh.mirror[lower])
        self.creases = CreasePainter(mesh.vertices, mesh.skin_triangles)
        self.brows = [(side[list(BROW_UPPER)], side[list(BROW_LOWER)])
                      for side in (np.arange(len(mesh.mirror)), mesh.mirror)]
        self.brow_points = np.concatenate([np.concatenate(b) for b in self.brows])
        # the ring of skin just under each brow (`_under_brows`), paired with its brow
        self.under_brows = [(side[list(EYE_UPPER2)], side[list(BROW_LOWER)])
                            for side in (np.arange(len(mesh.mirror)), mesh.mirror)]

    def prepare(self, image: np.ndarray, face: TrackedFace) -> GeometricFace:
        """Fit the game face to `face` (identity included) and cache the working crop."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise SynthesisError("the photo must be an RGB image with 8 bits per channel")
        if face.interocular < MIN_INTEROCULAR_PX:
            raise SynthesisError(f"the face is too small to edit ({face.interocular:.0f} px "
                                 f"between the eyes, {MIN_INTEROCULAR_PX:.0f} needed)")
        fit = self.detector.fit_face(face, still=True)
        # the reference detector on real faces; the rig fit's regressor, which reads real
        # expressions at a fraction of their size (a smile that MediaPipe reads as AU12 3.3 as
        # 0.5), only for `REGRESSOR_AUS`
        seen = {k: v for k, v in self.reader.detect(image, face).values.items()
                if k.rstrip("LR") not in REGRESSOR_AUS}
        reading = rig_aus(seen, self.detector.regress(face, fit).params.au[0])
        own = {k: float(v) * MAX_INTENSITY for k, v in zip(AU_PARAMETER_KEYS, reading,
                                                            strict=True)}
        lms = np.asarray(face.landmarks[:N_LANDMARKS, :2], dtype=np.float64)
        lo, hi = lms.min(axis=0), lms.max(axis=0)
        face_px = float((hi - lo).max())
        h, w = image.shape[:2]
        x0, y0 = np.maximum(np.floor(lo - CROP_MARGIN * face_px).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(hi + CROP_MARGIN * face_px).astype(int), (w, h))
        crop = (int(x0), int(y0), int(x1), int(y1))
        frame = frame_points(x0, y0, x1, y1)
        mesh = build_mesh(lms, self.face_triangles, frame, self.openings)
        skin = skin_look(image, lms)
        interior = MouthInterior(self.rig.mesh,
                                 light_gain(image, lms, self.eye_outlines))
        fitted = self._project(fit, fit.params)[0]
        return GeometricFace(own, image, face, fit, fitted, mesh, crop, face_px, interior,
                             self._lid_gain(lms, fit, fitted[:N_LANDMARKS, :2], own),
                             self._lash_lift(image, lms),
                             commissures(lms), lower_face(lms), skin,
                             find_frames(image, lms, skin, self.eye_outlines, self.brows))

    def _lid_gain(self, tracked: np.ndarray, fit: FitResult, fitted: np.ndarray,
                  own: Mapping[str, float]) -> np.ndarray:
        """Per upper-lid point, the gains of the rig's lid motion on the photo: (opening,
        closing). Opening: how much wider the photo's eye is open than the fitted rig's.
        Closing: such that the blink slider at its end (E) puts the lid on the photo's own
        lower lid: the photo's lid gap over how far the rig's lids travel towards each other
        for the slider's change from the face's own blink reading. Without it a blink stops
        short wherever the fitted identity's eye is wider than the rig's mean one (its blink
        field is a fixed motion). The ring above the lid takes its lid point's gains."""
        up, low = self.lid_upper, self.lid_lower
        photo = np.linalg.norm(tracked[low] - tracked[up], axis=1)
        rig = np.linalg.norm(fitted[low] - fitted[up], axis=1)
        travel, rise = np.zeros(len(up)), np.zeros(len(up))
        for key in BLINK:  # each side's lids move under its own parameter only
            shut = fit.params.copy()
            shut.au[0, self.rig.au_index(key)] += (MAX_INTENSITY - own[key]) / MAX_INTENSITY
            moved = self._project(fit, shut)[0, :N_LANDMARKS, :2] - fitted
            travel += np.linalg.norm(moved[up], axis=1)
            rise += np.linalg.norm(moved[low], axis=1)  # the lower lid meets it part way
        # a little past the lower lid: the eyeball stays put under a closing lid (see
        # `_eyes_opening`), so no sliver of it should show along the seam
        overlap = LID_OVERLAP * np.linalg.norm(tracked[33] - tracked[263])
        # the gains scale the upper lid's motion against the lower lid's (`displacement`)
        closing = (photo + overlap) / np.maximum(travel + rise, 1e-6)
        gains = np.stack([np.where(rig > 0.5, photo / np.maximum(rig, 1e-6), 1.0),
                          np.where(travel + rise > 0.5, closing, 1.0)], axis=1)
        gains[1::2] = gains[0::2]  # `_lid_pairs` lists each lid point, then its ring point
        gains[:, 0] *= self._corner_taper(tracked)
        return np.clip(gains, 0.25, 4.0)

    def _corner_taper(self, tracked: np.ndarray) -> np.ndarray:
        """Per upper-lid point (`_lid_pairs` order), the share of an opening lid's rise it
        takes: less within `LID_TAPER` of the eye's width from a corner, the same above 1
        elsewhere, 1 on average along each lid."""
        taper = np.ones(len(self.lid_upper))
        per_side = len(self.lid_upper) // 2
        for k, (_, outline) in enumerate(self.eye_openings):
            a, b = tracked[outline[[0, len(EYE_LOWER0) - 1]]]
            span = float((b - a) @ (b - a))
            if span < 1.0:  # corners on one pixel: nothing to taper along
                continue
            pairs = slice(k * per_side, (k + 1) * per_side)
            t = (tracked[self.lid_upper[pairs][0::2]] - a) @ (b - a) / span
            share = np.sqrt(np.clip(np.minimum(t, 1.0 - t) / LID_TAPER, 0.0, 1.0))
            if share.mean() > 0.1:  # a lid squashed past its corners keeps the rig's motion
                taper[pairs] = np.repeat(share / share.mean(), 2)
        return taper

    def _lash_lift(self, image: np.ndarray, tracked: np.ndarray) -> np.ndarray:
        """Per upper-lid point (`_lid_pairs` order), how far above it the photo's lash line
        lies (`eyes.lash_lines`, photo pixels; the ring points above the margin: 0)."""
        lift = np.zeros((len(self.lid_upper), 2))
        per_side = len(self.lid_upper) // 2
        for k, (_, outline) in enumerate(self.eye_openings):
            pairs = self.lid_upper[k * per_side:(k + 1) * per_side]
            corners = tracked[outline[[0, len(EYE_LOWER0) - 1]]]
            width = float(np.linalg.norm(corners[1] - corners[0]))
            lift[k * per_side:(k + 1) * per_side:2] = lash_lines(
                image, tracked[pairs[0::2]], tracked[pairs[1::2]], width)
        return lift

    def render(self, prepared: GeometricFace, targets: Mapping[str, float], *,
               preview: bool = False) -> np.ndarray:
        """The photo with the face's AUs at `targets` (0-5; others keep the photo's own)."""
        targets = expand_targets(targets)
        target, photo_shift = self.displacement(prepared, targets)
        level = self._level(prepared, preview)
        lm_shift = photo_shift * level.scale
        out = prepared.image.copy()
        warp = self._warp(prepared, level, photo_shift)
        if warp is None:
            return out
        bmap, dst, moving, opens = warp
        # glasses stay still where the brows do (the frame's top bar lies on them)
        still = level.frame is not None and (np.abs(photo_shift[self.brow_points]).max()
                                             < BROW_STILL * prepared.face_px)
        source = level.image if still else level.photo
        edited = bmap.remap(source)
        if moving[_MOUTH].any():
            self._open_mouth(prepared, level, bmap, edited, dst[_MOUTH], target)
        band = SEAM_BAND * prepared.face.interocular * level.scale
        origin = (bmap.x0, bmap.y0)
        lips = [dst[list(c)] - origin for c in (LIPS_UPPER_OUTER, LIPS_UPPER_INNER,
                                                 LIPS_LOWER_INNER, LIPS_LOWER_OUTER)]
        if self._lips_kept(prepared, targets) == 0.0:  # the lips shut, just past each other
            seal(edited, dst[list(LIPS_UPPER_INNER)] - origin, band, lips)
        elif self._lips_squeezed(prepared, photo_shift):  # repainted from lip to lip
            inner = dst[_MOUTH] - origin
            seal(edited, lip_midline(inner),
                 max(band, 0.5 * float(np.abs(lip_gaps(inner)).max()) + 1.0), lips)
        for (_, outline), eye, opening in zip(self.eye_openings, level.eyes, opens, strict=True):
            if opening and eye is not None:  # the eyeball moves with the lower lid
                paint_open_eye(edited, (bmap.x0, bmap.y0), source, eye, dst[outline],
                               lm_shift[outline[:len(EYE_LOWER0)]])
        # the folds the raised AUs make, which the warp cannot (`creases`)
        self.creases.paint(edited, (bmap.x0, bmap.y0), level.landmarks + lm_shift,
                           rises(targets, prepared.own), prepared.skin,
                           prepared.skin.blur * level.scale)
        if still:  # the glasses where they were
            box = (slice(bmap.y0, bmap.y0 + edited.shape[0]),
                   slice(bmap.x0, bmap.x0 + edited.shape[1]))
            alpha = np.ascontiguousarray(level.frame[box])
            edited[:] = cv2.blendLinear(np.ascontiguousarray(level.photo[box]), edited, alpha,
                                        1.0 - alpha)
        self._paste(prepared, level, bmap, edited, out)
        return out

    def _warp(self, prepared: GeometricFace, level: _Level, photo_shift: np.ndarray,
              ) -> tuple[BackwardMap, np.ndarray, np.ndarray, list[bool | None]] | None:
        """The warp of `level` by the landmarks' `photo_shift` (photo pixels): its backward
        map, the moved mesh points, which of them move and whether each eye opens
        (`_eyes_opening`); None where nothing moves."""
        mesh = prepared.mesh
        opens = self._eyes_opening(prepared.face.landmarks, photo_shift)
        points, photo_shift = self._lids_from_lashes(prepared, level, photo_shift, opens)
        dst, moving = mesh.moved(points, photo_shift * level.scale)
        if not moving.any():
            return None
        moved = np.flatnonzero(moving[mesh.triangles].any(axis=1))
        closing = [t for (t, _), o in zip(self.eye_openings, opens, strict=True) if o is False]
        moved = np.setdiff1d(moved, np.concatenate([np.zeros(0, np.int64), *closing]))
        bmap = backward_map(points, dst, mesh.triangles, level.image.shape[:2], moved)
        return None if bmap is None else (bmap, dst, moving, opens)

    def _lids_from_lashes(self, prepared: GeometricFace, level: _Level, photo_shift: np.ndarray,
                          opens: list[bool | None]) -> tuple[np.ndarray, np.ndarray]:
        """The warp's rest points (`level`'s) and the landmarks' shift (photo pixels) with
        each closing eye's upper lid starting from the photo's lash line, not MediaPipe's
        margin below it (`eyes.lash_lines`): the strip between is eyeball, which a closing lid
        slides over, not lid skin to carry down. The lid sets out from the lash line and
        ends where it did (the margin's shift grows by the lift as the lid closes), so a lid
        that does not move stays where it is."""
        per_side = len(self.lid_upper) // 2
        closing = np.repeat([o is False for o in opens], per_side)
        if not (closing[:, None] & (prepared.lash_lift != 0.0)).any():
            return level.points, photo_shift
        tracked = prepared.face.landmarks[:N_LANDMARKS, :2]
        up = self.lid_upper
        gap = tracked[self.lid_lower] - tracked[up]
        span = np.linalg.norm(gap, axis=1)
        travel = (photo_shift[up] * gap).sum(axis=1) / np.maximum(span, 1e-6)
        done = np.clip(travel / (span + LID_OVERLAP * prepared.face.interocular), 0.0, 1.0)
        lift = prepared.lash_lift * closing[:, None]
        points = level.points.copy()
        points[up] += lift * level.scale
        shift = photo_shift.copy()
        shift[up] -= done[:, None] * lift
        return points, shift

    def _eyes_opening(self, landmarks: np.ndarray, shift: np.ndarray) -> list[bool | None]:
        """Per eye, whether its lids open (True: the opening's area grows), close (False) or
        stay (None). The opening triangles of a closing eye are left out of the warp, so the
        lid slides over the eyeball, which stays put, instead of squashing the eyeball into
        the narrowing gap (a full blink would leave specks of iris and white along the lid
        line); an eye opening by more than `EYE_GROWTH` has its eyeball painted over the warp,
        its shape kept (`eyes`), one opening less is stretched with its lids."""
        lms = landmarks[:N_LANDMARKS, :2]
        moved = lms + shift
        out: list[bool | None] = []
        for _, outline in self.eye_openings:
            rest = abs(_signed_area(lms[outline]))
            area = _signed_area(moved[outline]) * np.sign(_signed_area(lms[outline]))
            if np.abs(shift[outline]).max() <= STILL_PX or rest < area <= (1 + EYE_GROWTH) * rest:
                out.append(None)  # still, or opening a little: the warp stretches it
            else:
                out.append(bool(area > rest))
        return out

    def displacement(self, prepared: GeometricFace, targets: Mapping[str, float],
                     ) -> tuple[np.ndarray, np.ndarray]:
        """The rig posed at `targets` ((V, 3) photo pixels) and how far each of the 468
        landmarks moves in the photo ((468, 2) pixels): what `render` warps by. The lip
        corners' motion is fitted to the photo's commissures (`fit_commissures`)."""
        # a slider's change from the face's own reading moves the fitted rig by as much
        start = prepared.fit.params
        params = start.copy()
        changed: dict[str, int] = {}
        targets = expand_targets(targets)
        for key, value in targets.items():
            i = changed[key] = self.rig.au_index(key)
            change = (value - prepared.own[key]) / MAX_INTENSITY * self.gain[i]
            params.au[0, i] = np.clip(params.au[0, i] + change, self.floor[i], MAX_PARAMETER)
        # the same without the corner AUs' changes, the smile's, the lid raiser's and the
        # blink's, each posed once (AU12 alone is both a corner AU and the smile) in one batch
        # with the target
        parts = [tuple(i for k, i in changed.items()
                       if k in keys and params.au[0, i] != start.au[0, i])
                 for keys in (CORNER_AUS, SMILE_AUS, LID_AUS, BLINK)]
        variants = list(dict.fromkeys(idx for idx in parts if idx))
        aus = np.repeat(params.au, 1 + len(variants), axis=0)
        for row, idx in enumerate(variants, start=1):
            aus[row, list(idx)] = start.au[0, list(idx)]
        n = len(aus)
        batch = RigParams(np.repeat(params.pose, n, axis=0), aus,
                          np.repeat(params.identity, n, axis=0))
        posed = self._project(prepared.fit, batch)
        target = posed[0]
        tracked = prepared.face.landmarks[:N_LANDMARKS, :2]
        fitted = prepared.fitted[:N_LANDMARKS, :2]
        shift = target[:N_LANDMARKS, :2] - fitted
        corners, smile, lids, blink = (
            target[:N_LANDMARKS, :2] - posed[1 + variants.index(idx), :N_LANDMARKS, :2]
            if idx else None for idx in parts)
        if lids is not None:  # the lid raiser lifts the upper lids alone
            shift[self.lower_lids] -= lids[self.lower_lids]
        if blink is not None:  # a blink leaves the brows (its field reaches them: on img24
            # it lowered them 3.5 px, and a glasses frame on them bent with them); its share
            # fades out from the upper lids' highest point to the brows' middles
            shift -= (1.0 - _below_brows(tracked, self.lid_upper))[:, None] * blink
        if smile is not None:  # the lips' middle stays, the mouth curves
            lower = prepared.lower
            lift = smile @ lower.up
            shift -= (lower.below * lift)[:, None] * lower.up
            # the upper lip too where the lips stay together; where the edit parts them (AU25,
            # AU26), the upper lip rises as it does in an open smile and shows the upper teeth
            gap = _gap((tracked + shift)[_MOUTH] - (lower.upper * lift)[_MOUTH, None] * lower.up)
            shut = (1.0 if self._lips_together(prepared, targets) else
                    np.clip(1.0 - gap / (OPEN_MOUTH_WIDTH * prepared.face_px), 0.0, 1.0))
            taken = shut + (1.0 - shut) * OPEN_SMILE_MIDDLE
            shift -= (taken * lower.upper * lift)[:, None] * lower.up
        shift = fit_commissures(shift, corners, prepared.commissures)
        keep = self._lips_kept(prepared, targets)
        if keep is not None:
            io = prepared.face.interocular
            shift = close_lips(prepared.face.landmarks, shift, keep, LIP_OVERLAP * io,
                               LIP_REACH * io)
        # the lid gains scale how the upper lid moves against the lower one, not what moves
        # both (taking a squint's cheek raise away lowers the eye as a whole: scaled whole by
        # the closing gain, which reaches 4 near the corners, the lid's inner end dropped
        # 13 px, past the lower lid, on wild img39 and tore the eye)
        # Towards the lower lid: the photo's lids, as the fitted rig's may cross at the
        # corners (an upper-lid point there read as opening when it closed)
        up, low = self.lid_upper, self.lid_lower
        down = tracked[low] - tracked[up]
        carried = shift[low]
        own = shift[up] - carried
        closing = (own * down).sum(axis=1) > 0
        shift[up] = carried + own * np.where(closing, prepared.lid_gain[:, 1],
                                             prepared.lid_gain[:, 0])[:, None]
        shift = self._under_brows(tracked, shift)
        return target, _forehead_kept(tracked, self._lashes_kept(tracked, shift, closing))

    def _under_brows(self, tracked: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """`shift` with the ring just under each brow (`EYE_UPPER2`) following a rising brow
        (as the brow lies above it, `UNDER_BROW` of the way): the brow raisers' fields move
        that ring about a third as far as the brow's lower edge, and where a heavy brow's
        hair reaches below MediaPipe's lower brow points (hooded eyes: wild img35 at AU2 E)
        the hair was stretched into a thick smear down to the lid. The stretch moves lower,
        to the lid's skin above its crease, as a real raised brow unfolds the hood."""
        out = shift.copy()
        up = _face_up(tracked)
        for ring, brow in self.under_brows:
            xs, order = tracked[brow, 0], np.argsort(tracked[brow, 0])
            above = np.stack([np.interp(tracked[ring, 0], xs[order], shift[brow[order], k])
                              for k in (0, 1)], axis=1)
            rising = (above - shift[ring]) @ up > 0
            out[ring[rising]] += UNDER_BROW * (above[rising] - shift[ring[rising]])
        return out

    def _lashes_kept(self, tracked: np.ndarray, shift: np.ndarray, closing: np.ndarray,
                     ) -> np.ndarray:
        """`shift` with the band over each upper lid that does not close (its margin to the
        ring above it, near the lid's crease) moved as its margin does where the edit would
        stretch it (the brow raisers pull the ring up more than the margin): the lashes lie
        in that band's lower part, and stretched with it they smeared up into a dark band.
        The skin above the crease stretches instead, as the lid's hood unfolds."""
        margins, rings = self.lid_upper[0::2], self.lid_upper[1::2]
        away = tracked[rings] - tracked[margins]
        stretch = ((shift[rings] - shift[margins]) * away).sum(axis=1)
        kept = (stretch > 0) & ~closing[0::2]
        out = shift.copy()
        out[rings[kept]] = shift[margins[kept]]
        return out

    @staticmethod
    def _lips_squeezed(prepared: GeometricFace, shift: np.ndarray) -> bool:
        """Whether the edit's AUs squeeze the photo's open mouth to a gap under `SQUEEZED` of
        one open enough to see into (sadness on a toothy smile: a jagged sliver of teeth with
        dark specks at its ends stayed between the lips); its seam is then repainted
        (`mouth.seal`), as where lips part is lowered to 0."""
        tracked = prepared.face.landmarks[:N_LANDMARKS, :2]
        open_px = OPEN_MOUTH_WIDTH * prepared.face_px
        return (_gap(tracked[_MOUTH]) >= open_px
                and _gap((tracked + shift)[_MOUTH]) < SQUEEZED * open_px)

    @staticmethod
    def _lips_together(prepared: GeometricFace, targets: Mapping[str, float]) -> bool:
        """Whether the photo's lips read as together (lips part under `LIPS_APART`) and the
        edit parts them no further (AU25, AU26, AU27): a small or soft face's closed lips can
        leave MediaPipe's inner-lip points a dark line apart as wide as an open mouth's gap
        (wild lp_s11, a child: 4.5 px on a 157 px face), and a smile there raised the upper
        lip as in an open smile, which opened a dark hole."""
        own = prepared.own
        return own["AU25"] < LIPS_APART and all(
            targets.get(k, own[k]) <= own[k] for k in ("AU25", "AU26", "AU27"))

    @staticmethod
    def _lips_kept(prepared: GeometricFace, targets: Mapping[str, float]) -> float | None:
        """The share of the photo's lip gap that lips part (AU25) lowered to its target keeps
        (0 for lips together), or None where the edit does not lower it, opens the jaw (the
        lips part with it), or the photo's jaw is dropped (`JAW_DROPPED`)."""
        own = prepared.own
        part = targets.get("AU25")
        if part is None or part >= own["AU25"]:
            return None
        if any(targets.get(k, own[k]) > own[k] for k in ("AU26", "AU27")):
            return None
        if own["AU26"] >= JAW_DROPPED or own["AU27"] > 0.5:
            return None  # lips apart with the jaw: only the jaw's own field closes them
        return part / own["AU25"]

    def _project(self, fit: FitResult, params: RigParams) -> np.ndarray:
        """(B, V, 3) rig vertices in photo pixels through the fit's scaled orthographic camera
        (as `LandmarkFitter` projects them), one face per row of `params`. The blinks leave
        out their share that follows the other AUs: a photo's lids close by the photo's own
        gap (`_lid_gain`, worked out at the face's own AUs), which that share would shorten
        a second time when an edit raises the lower lids (a smile with the eyes shut kept a
        white line under the lid)."""
        return fit.scale * self.rig.camera_vertices(params, blink_follows_aus=False) + fit.shift

    def _level(self, prepared: GeometricFace, preview: bool) -> _Level:
        """The working crop for previews (scaled down) or for saving (full size), cached."""
        hit = prepared.levels.get(preview)
        if hit is not None:
            return hit
        x0, y0, x1, y1 = prepared.crop
        crop = prepared.image[y0:y1, x0:x1]
        s = min(1.0, PREVIEW_FACE_PX / prepared.face_px) if preview else 1.0
        if s < 1.0:
            size = (max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s)))
            crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
            s = size[0] / (x1 - x0)

        def to_level(p: np.ndarray) -> np.ndarray:
            return (p - (x0, y0)) * s - 0.5

        every = to_level(np.asarray(prepared.face.landmarks[:, :2], dtype=np.float64))
        lms = every[:N_LANDMARKS]
        frame = to_level(frame_points(x0, y0, x1, y1))
        width = OPEN_MOUTH_WIDTH * prepared.face_px * s
        opening = without_specks(open_part(polygon_mask(lms[_MOUTH], crop.shape[:2]), width),
                                 width)
        bite = bite_line(crop, lms[_MOUTH]) if opening.any() else None
        upper = cv2.bitwise_and(opening, polygon_mask(upper_half(lms[_MOUTH], bite),
                                                      crop.shape[:2]))
        eyes = tuple(eye_rest(crop, every, outline, len(EYE_LOWER0))
                     for _, outline in self.eye_openings)
        if any(eye is None for eye in eyes):  # both eyes alike: painted, or both left to the warp
            eyes = (None,) * len(eyes)
        glasses, photo = None, crop
        if prepared.frames is not None:
            glasses = prepared.frames.over(x0, y0, x1, y1)
            if s < 1.0:
                glasses = cv2.resize(glasses, (crop.shape[1], crop.shape[0]),
                                     interpolation=cv2.INTER_AREA)
            # the warp moves the photo with the frame painted out
            hole = cv2.dilate((glasses > 0.05).astype(np.uint8), np.ones((3, 3), np.uint8))
            crop = cv2.inpaint(crop, hole, 3, cv2.INPAINT_TELEA)
        level = _Level(s, crop, lms, WarpMesh.rest(lms, frame), upper,
                       cv2.subtract(opening, upper), eyes, glasses, photo)
        prepared.levels[preview] = level
        return level

    def _open_mouth(self, prepared: GeometricFace, level: _Level, bmap: BackwardMap,
                    edited: np.ndarray, opening: np.ndarray, target: np.ndarray) -> None:
        """Paint the rig's mouth interior where the lips have newly parted (in place)."""
        softness = 0.004 * prepared.face_px * level.scale
        pad = int(np.ceil(6.0 * max(0.5, softness))) + 2
        h, w = edited.shape[:2]
        lo = np.maximum(np.floor(opening.min(axis=0)).astype(int) - (bmap.x0, bmap.y0) - pad, 0)
        hi = np.minimum(np.ceil(opening.max(axis=0)).astype(int) - (bmap.x0, bmap.y0) + pad,
                        (w, h))
        if (hi <= lo).any():
            return
        (x0, y0), (x1, y1) = lo, hi
        origin = (bmap.x0 + x0, bmap.y0 + y0)
        size = (y1 - y0, x1 - x0)
        # as with the photo's own mouth, a gap too thin to see into stays the lips' own line
        inside = polygon_mask(uncrossed(opening) - origin, size)
        open_px = OPEN_MOUTH_WIDTH * prepared.face_px * level.scale
        mask = open_part(inside, open_px)
        if not mask.any():
            return
        width = float(np.linalg.norm(opening[len(LIPS_UPPER_INNER) - 1] - opening[0]))
        mask = joined(mask, inside, BEAD_JOIN * width)
        region = edited[y0:y1, x0:x1]
        if _gap(opening) > OWN_TEETH_SPLIT * _gap(level.landmarks[_MOUTH]):
            kept = self._own_teeth(level, region, opening, origin, inside, open_px)
        else:  # opening little or closing: what the photo shows stretches with the lips
            own = cv2.max(level.mouth_upper, level.mouth_lower)
            kept = cv2.remap(own, bmap.map_x[y0:y1, x0:x1], bmap.map_y[y0:y1, x0:x1],
                             cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # where the photo's own mouth, warped, leaves the new opening uncovered only in
        # slivers along its edge (the opening barely changed: a cheek raiser's pull), the
        # warp's pixels are the mouth: the interior's soft edge painted over them drew a
        # dotted dark outline inside the lips
        uncovered = cv2.subtract(mask, kept)
        wide = open_part(uncovered, SLIVER * prepared.face_px * level.scale)
        if not wide.any():
            return
        # and so are such slivers beside a wide new gap elsewhere (a jaw drop under a grin's
        # moved teeth): painted, they drew a dark outline round the teeth (fear on wild
        # fr_alex-lacamoire and lp_s42)
        teeth = not kept.any()  # the rig's teeth where the photo shows none of its own
        kept = cv2.max(kept, cv2.subtract(uncovered, wide))
        # the interior sits where the fitted rig's lips are; move, turn and scale it onto the
        # tracked lips (the fit's mouth may be tilted or sized a little differently)
        lms = prepared.face.landmarks[:N_LANDMARKS, :2]
        onto = similarity(prepared.fitted[_MOUTH, :2], lms[_MOUTH])
        verts = target.copy()
        verts[:, :2] = ((verts[:, :2] @ onto[:, :2].T + onto[:, 2] - prepared.crop[:2])
                        * level.scale - 0.5)
        interior = prepared.interior.render(verts, origin, size, teeth=teeth)
        composite(region, interior, mask, kept, softness)

    @staticmethod
    def _own_teeth(level: _Level, region: np.ndarray, opening: np.ndarray,
                   origin: tuple[int, int], inside: np.ndarray, least: float) -> np.ndarray:
        """Move what the photo's own open mouth shows rigidly, its part above the bite line
        with the upper inner lip and the part below with the lower one (upper teeth with the
        skull, lower teeth with the jaw), into `region` (in place, clipped to the new opening
        `inside`); returns where they now are (uint8). The mesh would stretch them instead:
        a jaw drop on a smiling photo drew its teeth as tall streaks. A part is moved only
        where it is at least `least` pixels across, and not at all where that leaves less
        than `MOVED_SHARE` of it: a sliver below a bite line near the lower lip, moved with
        the jaw, drew dashed light lines across the cavity."""
        kept = np.zeros(region.shape[:2], np.uint8)
        n_up = len(LIPS_UPPER_INNER)
        rest = level.landmarks[_MOUTH]
        h, w = region.shape[:2]
        # grown away from the bite line, towards its lip: the similarity cannot follow a
        # lip that bends, and the thin gap it left along the lip showed the cavity as a
        # black line (the growth is the photo's lip, moved with it, within the new opening)
        grow = max(1, round(LIP_GROW * least))
        # the lower part first: the upper teeth overlap the lower ones
        for own, part, anchor in ((level.mouth_lower, slice(n_up, None), (0, grow)),
                                  (level.mouth_upper, slice(0, n_up), (0, 0))):
            if not own.any():
                continue
            # worked on round the mask alone (the masks are the whole working level's size)
            bx, by, bw, bh = cv2.boundingRect(own)
            pad = grow + int(np.ceil(3.0 * TEETH_EDGE * least)) + 2
            x0, y0 = max(bx - pad, 0), max(by - pad, 0)
            own = own[y0:by + bh + pad, x0:bx + bw + pad]
            opened = open_part(own, least)
            if np.count_nonzero(opened) < MOVED_SHARE * np.count_nonzero(own > 127):
                continue  # mostly sliver: what is left of it showed as specks
            own = cv2.dilate(opened, np.ones((grow + 1, 1), np.uint8), anchor=anchor)
            # the opening's square kernel leaves stair-stepped edges, which moved teeth
            # showed as notches with blocks of lip in them: rounded off, inwards
            own = cv2.min(own, cv2.GaussianBlur(own, (0, 0), TEETH_EDGE * least))
            back = similarity(opening[part], rest[part])  # target -> photo, level pixels
            back[:, 2] += back[:, :2] @ np.asarray(origin, np.float64)
            flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
            moved = cv2.warpAffine(level.image, back, (w, h), flags=flags,
                                   borderMode=cv2.BORDER_REPLICATE)
            back[:, 2] -= (x0, y0)  # into the mask's crop
            where = cv2.warpAffine(own, back, (w, h), flags=flags)
            where = cv2.min(where, inside)
            alpha = where.astype(np.float32)[..., None] * (1.0 / 255.0)
            region[:] = np.clip(moved * alpha + region * (1.0 - alpha) + 0.5, 0, 255
                                ).astype(np.uint8)
            kept = cv2.max(kept, where)
        return kept

    @staticmethod
    def _paste(prepared: GeometricFace, level: _Level, bmap: BackwardMap, edited: np.ndarray,
               out: np.ndarray) -> None:
        """Write the edited region back into the photo-sized `out`."""
        x0, y0 = prepared.crop[:2]
        h, w = edited.shape[:2]
        s = level.scale
        if s == 1.0:
            region = out[y0 + bmap.y0:y0 + bmap.y0 + h, x0 + bmap.x0:x0 + bmap.x0 + w]
            region[bmap.moved] = edited[bmap.moved]
            return
        # a preview: scale the edited region up and blend it in where triangles moved
        fx0 = max(0, int(np.floor(x0 + (bmap.x0 + 0.5) / s - 0.5)))
        fy0 = max(0, int(np.floor(y0 + (bmap.y0 + 0.5) / s - 0.5)))
        fx1 = min(out.shape[1], int(np.ceil(x0 + (bmap.x0 + w - 0.5) / s - 0.5)) + 1)
        fy1 = min(out.shape[0], int(np.ceil(y0 + (bmap.y0 + h - 0.5) / s - 0.5)) + 1)
        m = np.array([[s, 0.0, (fx0 + 0.5 - x0) * s - 0.5 - bmap.x0],
                      [0.0, s, (fy0 + 0.5 - y0) * s - 0.5 - bmap.y0]])
        size = (fx1 - fx0, fy1 - fy0)
        rgba = cv2.merge([*cv2.split(edited), bmap.moved.astype(np.uint8) * 255])
        up = cv2.warpAffine(rgba, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                            borderMode=cv2.BORDER_REPLICATE)
        alpha = up[..., 3].astype(np.float32) * (1.0 / 255.0)
        region = out[fy0:fy1, fx0:fx1]
        region[:] = cv2.blendLinear(np.ascontiguousarray(up[..., :3]), region, alpha,
                                    1.0 - alpha)
