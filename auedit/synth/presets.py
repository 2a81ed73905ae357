"""Named expressions as AU targets (FACS 0-5), shared by `auedit edit --preset` and the app.

The AU combinations are the prototypes of the basic emotions as FACS-based emotion coding
(EMFACS) lists them; the intensities are C-D (3-4 of 5): clearly visible, short of the extreme
(E) where a geometric warp stretches the skin most. A preset names only its own AUs; every other
AU keeps the photo's own value. Keys are catalogue keys ("AU12": both sides) or one side
("AU12R", the subject's right).
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, float]] = {
    # cheek raiser + lip corner puller: the Duchenne smile
    "happiness": {"AU6": 3.0, "AU12": 4.0},
    # inner brow raiser + brow lowerer + lip corner depressor
    "sadness": {"AU1": 3.5, "AU4": 2.5, "AU15": 3.0},
    # brows up, upper lids up, jaw dropped
    "surprise": {"AU1": 4.0, "AU2": 4.0, "AU5": 3.0, "AU26": 3.5},
    # raised and drawn-together brows, wide eyes, tight lids, stretched lips, jaw dropped
    "fear": {"AU1": 3.5, "AU2": 3.0, "AU4": 2.5, "AU5": 3.5, "AU7": 2.0, "AU20": 3.0,
             "AU26": 2.5},
    # lowered brows, raised upper lids, tightened lids, tightened lips
    "anger": {"AU4": 4.0, "AU5": 2.5, "AU7": 3.0, "AU23": 3.5},
    # nose wrinkler + lip corner depressor + lower lip depressor
    "disgust": {"AU9": 4.0, "AU15": 2.5, "AU16": 2.5},
    # one-sided: lip corner puller and dimpler on the subject's right only
    "contempt": {"AU12R": 2.5, "AU14R": 3.5},
}


def preset(name: str) -> dict[str, float]:
    """The AU targets of a preset; KeyError naming the known presets otherwise."""
    try:
        return dict(PRESETS[name.strip().lower()])
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
