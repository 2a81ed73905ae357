"""AU readings of a real face as the game face takes them.

MediaPipe's AU reading (the app's reference detector on real faces) drives the game face in
transfer, in the live pane and in the glTF export; where one of its readings double-counts a
motion the rig's other AU fields already make, it is corrected here, once for all three.
"""

from __future__ import annotations

from collections.abc import Mapping

#: How much of MediaPipe's upper lip raiser (AU10) a smile with parted lips accounts for, per
#: unit of the lesser of AU12 and AU25: the least-squares slope over the 70 London smiles
#: (1.07; MediaPipe's AU10 there: mean 1.18, 0.01 on the neutral photos; correlation with AU25
#: 0.76). The rig's smile and lips part already lift the upper lip that far, so the whole
#: reading on top made a toothy smile a snarl.
SMILE_UPPER_LIP = 1.0


def game_face_aus(reading: Mapping[str, float]) -> dict[str, float]:
    """MediaPipe's AU reading (0-5) as the game face takes it: AU10 (each side) less the
    upper lip's lift that the same side's smile with parted lips shows; a raiser without a
    smile (a snarl, disgust) is kept whole."""
    out = dict(reading)
    parted = reading.get("AU25", 0.0)
    for side in ("", "L", "R"):
        key = "AU10" + side
        if key in out:
            smile = reading.get("AU12" + side, reading.get("AU12", 0.0))
            out[key] = max(0.0, out[key] - SMILE_UPPER_LIP * min(smile, parted))
    return out
