"""Named expressions as AU targets (FACS 0-5), shared by `auedit edit --preset` and the app.

The AU combinations are the prototypes of the basic emotions as FACS-based emotion coding
(EMFACS) lists them; the intensities are C-D (3-4 of 5): clearly visible, short of the extreme
(E) where a geometric warp stretches the skin most. `PRESETS` keys are catalogue keys ("AU12":
both sides) or one side ("AU12R", the subject's right).

A preset is a whole emotional expression, not an addition to the photo's. `preset_targets`
(used by both) gives rig parameter targets: the preset's own AUs at their values, and 0 for
every other key of `EMOTION_KEYS`, the rig parameters of every AU some preset names (both
sides of a sided AU; compared per rig parameter key, so contempt's one-sided AU12R and AU14R
leave AU12L and AU14L at 0). A smile does not survive "anger", nor a frown "happiness".
The upper lip raiser (AU10) is cleared too, though no preset names it: MediaPipe reads a
toothy smile as one (AU10 3.4 on the demo photo), so presets that left it kept the smile's
bared teeth. AUs that no preset names otherwise (blink AU45, lips part AU25, chin raiser
AU17, jaw sideways AU30, ...) are absent from the targets and keep the photo's own value,
except under "neutral", the face without any expression, which sets every AU to 0 but those
whose starting value is the rig fit's regressor's (`geometric.REGRESSOR_AUS`: it reads some
of them on neutral faces, AU17 up to 4.4, so clearing them would reshape a neutral face).
"""

from __future__ import annotations

from auedit.rig.expressions import AU_PARAMETERS
from auedit.synth.base import expand_targets

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
    # one-sided: lip corner puller and dimpler on the subject's right only (C and D: at
    # 2.5 and 3.5 until 2026-11-23 a review found it nearly invisible on London 024)
    "contempt": {"AU12R": 3.0, "AU14R": 4.0},
    # no expression: every AU at 0 (a smile or frown taken away, lips closed, eyes open) but
    # those the regressor reads and no preset names (`preset_targets`)
    "neutral": {},
}


def preset(name: str) -> dict[str, float]:
    """A preset's own AUs as `PRESETS` lists them (catalogue keys), without the zeros an edit
    applies (`preset_targets`); KeyError naming the known presets otherwise."""
    try:
        return dict(PRESETS[name.strip().lower()])
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None


#: AUs every preset clears though none names them (see the module docstring).
ALSO_CLEARED = ("AU10",)


def _emotion_keys() -> tuple[str, ...]:
    named = {key for values in PRESETS.values() for key in expand_targets(values)}
    aus = {p.facs for p in AU_PARAMETERS if p.key in named} | set(ALSO_CLEARED)
    return tuple(p.key for p in AU_PARAMETERS if p.facs in aus)


#: The rig parameter keys of every AU some preset names (and of `ALSO_CLEARED`), both sides
#: of a sided AU even where the only preset naming it is one-sided (contempt's AU14R), in rig
#: order: the emotional expression, which a preset sets (its own keys) or clears to 0 (all
#: the others).
EMOTION_KEYS: tuple[str, ...] = _emotion_keys()


def preset_targets(name: str) -> dict[str, float]:
    """A preset as rig parameter targets: its own AUs at their values and every other key of
    `EMOTION_KEYS` at 0; keys outside `EMOTION_KEYS` are absent (the photo's own value stays).
    KeyError naming the known presets for an unknown name. "neutral" sets every key to 0 but
    the regressor-read AUs no preset names."""
    own = expand_targets(preset(name))  # KeyError for an unknown name
    if name.strip().lower() == "neutral":
        from auedit.synth.geometric import REGRESSOR_AUS

        return {p.key: 0.0 for p in AU_PARAMETERS
                if p.key in EMOTION_KEYS or p.facs not in REGRESSOR_AUS}
    return {**dict.fromkeys(EMOTION_KEYS, 0.0), **own}
