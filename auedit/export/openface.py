"""OpenFace 2 style CSV from an `ExpressionTrack`: exactly the layout `auedit analyze` writes.

The rows go through `OpenFaceCsvWriter` itself (one detector: the track's), so the header and
cell formatting are the analyser's: `read_csv` / `ExpressionTrack.from_csv` read the file back.
Rig parameters and tongueOut have no column in that layout and are not written; frames are
numbered from 1 as in OpenFace.
"""

from __future__ import annotations

import os

import numpy as np

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.core.types import AUReading, FaceAnalysis, FrameAnalysis, TrackedFace
from auedit.export.openface_csv import OpenFaceCsvWriter
from auedit.export.track import ExpressionTrack, TrackFrame


def _frame_analysis(track: ExpressionTrack, f: TrackFrame, detector: str) -> FrameAnalysis:
    arkit = f.arkit or {}
    bs = np.array([arkit.get(n, np.nan) for n in ARKIT_BLENDSHAPES], dtype=np.float32)
    face = TrackedFace(track_id=track.face_id, box=(0.0, 0.0, 0.0, 0.0),
                       landmarks=np.zeros((0, 3), np.float32), blendshapes=bs, pose=f.pose,
                       transform=np.eye(4, dtype=np.float32))
    fa = FaceAnalysis(face, {detector: AUReading(detector, dict(f.aus))})
    return FrameAnalysis(f.index, f.time, [fa], source=track.source)


class OpenFaceExporter:
    """`--format openface`: the OpenFace 2 compatible CSV of `auedit analyze`."""

    name = "openface"
    suffix = ".csv"

    def write(self, track: ExpressionTrack, path: str | os.PathLike[str]) -> None:
        detector = track.detector or "auedit"
        with OpenFaceCsvWriter(path, [detector]) as writer:
            for f in track.frames:
                writer.write(_frame_analysis(track, f, detector))
