"""The Action Unit catalogue: the one list of AUs that the app, the CLI and `training/` speak.

Each AU has its FACS number and name, the face region it acts on, whether the left and right
side can move alone (then the catalogue also has `AU12L` / `AU12R` keys), and the ARKit
blendshapes that express it (used to read MediaPipe's blendshapes and to retarget to rigs).
"Left" and "right" are always the *subject's* left and right, as in FACS and ARKit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    """Face regions, coarse enough to colour and group AUs in the UI."""

    BROWS = "brows"
    EYES = "eyes"
    CHEEKS = "cheeks"
    NOSE = "nose"
    MOUTH = "mouth"
    JAW = "jaw"


@dataclass(frozen=True)
class ActionUnit:
    """One FACS Action Unit.

    `arkit` lists the ARKit blendshape names that express the AU; for a sided AU it holds the
    pair (left, right), for a bilateral AU one or more names that move together.
    """

    number: int
    name: str
    region: Region
    description: str
    sided: bool = False
    arkit: tuple[str, ...] = ()
    suffix: str = ""  # distinguishes the two jaw-sideways directions, which share FACS AU 30

    @property
    def key(self) -> str:
        """Stable identifier: `AU12`, `AU30L` (jaw to the left)."""
        return f"AU{self.number}{self.suffix}"

    @property
    def openface(self) -> str:
        """Column stem in OpenFace 2 CSVs: `AU01`, `AU12`, `AU30L`."""
        return f"AU{self.number:02d}{self.suffix}"

    def side_key(self, side: str) -> str:
        """Key of one side of a sided AU: `side_key("L")` -> `AU12L`."""
        if not self.sided:
            raise ValueError(f"{self.key} has no left/right variants")
        if side not in ("L", "R"):
            raise ValueError(f"side must be 'L' or 'R', not {side!r}")
        return f"{self.key}{side}"


def _au(number: int, name: str, region: Region, description: str, *, sided: bool = False,
        arkit: tuple[str, ...] = (), suffix: str = "") -> ActionUnit:
    return ActionUnit(number, name, region, description, sided, arkit, suffix)


B, E, C, N, M, J = Region.BROWS, Region.EYES, Region.CHEEKS, Region.NOSE, Region.MOUTH, Region.JAW

ACTION_UNITS: tuple[ActionUnit, ...] = (
    _au(1, "Inner Brow Raiser", B, "Frontalis, pars medialis: raises the inner ends of the brows.",
        arkit=("browInnerUp",)),
    _au(2, "Outer Brow Raiser", B, "Frontalis, pars lateralis: raises the outer brows.",
        sided=True, arkit=("browOuterUpLeft", "browOuterUpRight")),
    _au(4, "Brow Lowerer", B, "Corrugator, depressor supercilii: lowers and knits the brows.",
        sided=True, arkit=("browDownLeft", "browDownRight")),
    _au(5, "Upper Lid Raiser", E, "Levator palpebrae superioris: widens the eye opening.",
        sided=True, arkit=("eyeWideLeft", "eyeWideRight")),
    _au(6, "Cheek Raiser", C, "Orbicularis oculi, pars orbitalis: lifts the cheeks, "
        "crow's feet, bags under the eyes.", sided=True,
        arkit=("cheekSquintLeft", "cheekSquintRight")),
    _au(7, "Lid Tightener", E, "Orbicularis oculi, pars palpebralis: tightens and raises "
        "the lower lid.", sided=True, arkit=("eyeSquintLeft", "eyeSquintRight")),
    _au(9, "Nose Wrinkler", N, "Levator labii superioris alaeque nasi: wrinkles the nose.",
        sided=True, arkit=("noseSneerLeft", "noseSneerRight")),
    _au(10, "Upper Lip Raiser", M, "Levator labii superioris: raises the upper lip.",
        sided=True, arkit=("mouthUpperUpLeft", "mouthUpperUpRight")),
    _au(12, "Lip Corner Puller", M, "Zygomaticus major: pulls the lip corners up and back "
        "(smile).", sided=True, arkit=("mouthSmileLeft", "mouthSmileRight")),
    _au(14, "Dimpler", M, "Buccinator: tightens the lip corners, dimples.", sided=True,
        arkit=("mouthDimpleLeft", "mouthDimpleRight")),
    _au(15, "Lip Corner Depressor", M, "Depressor anguli oris: pulls the lip corners down.",
        sided=True, arkit=("mouthFrownLeft", "mouthFrownRight")),
    _au(16, "Lower Lip Depressor", M, "Depressor labii inferioris: pulls the lower lip down.",
        sided=True, arkit=("mouthLowerDownLeft", "mouthLowerDownRight")),
    _au(17, "Chin Raiser", M, "Mentalis: pushes the chin boss and lower lip up.",
        arkit=("mouthShrugLower",)),
    _au(18, "Lip Pucker", M, "Incisivii labii: pushes the lips forward, narrowing the mouth.",
        arkit=("mouthPucker",)),
    _au(20, "Lip Stretcher", M, "Risorius: stretches the lips sideways.", sided=True,
        arkit=("mouthStretchLeft", "mouthStretchRight")),
    _au(22, "Lip Funneler", M, "Orbicularis oris: funnels the lips outward.",
        arkit=("mouthFunnel",)),
    _au(23, "Lip Tightener", M, "Orbicularis oris: tightens and narrows the red of the lips.",
        arkit=()),
    _au(24, "Lip Pressor", M, "Orbicularis oris: presses the lips together.",
        arkit=("mouthPressLeft", "mouthPressRight")),
    _au(25, "Lips Part", M, "Depressor labii, relaxation of mentalis: parts the lips.",
        arkit=()),
    _au(26, "Jaw Drop", J, "Masseter relaxed: the jaw drops, the mouth opens.",
        arkit=("jawOpen",)),
    _au(27, "Mouth Stretch", J, "Pterygoids, digastric: the jaw is pulled far down.",
        arkit=()),
    _au(28, "Lip Suck", M, "Orbicularis oris: sucks the lips into the mouth.",
        arkit=("mouthRollLower", "mouthRollUpper")),
    _au(34, "Cheek Puff", C, "Buccinator: air puffs the cheeks out.", arkit=("cheekPuff",)),
    _au(43, "Eyes Closed", E, "Relaxation of levator palpebrae: the eyes are closed.",
        sided=True, arkit=("eyeBlinkLeft", "eyeBlinkRight")),
    _au(45, "Blink", E, "Levator relaxes, orbicularis contracts: a brief closing of the eyes.",
        sided=True, arkit=("eyeBlinkLeft", "eyeBlinkRight")),
    _au(30, "Jaw Sideways Left", J, "Pterygoids: the jaw moves to the subject's left.",
        arkit=("jawLeft",), suffix="L"),
    _au(30, "Jaw Sideways Right", J, "Pterygoids: the jaw moves to the subject's right.",
        arkit=("jawRight",), suffix="R"),
)

AU_BY_KEY: dict[str, ActionUnit] = {au.key: au for au in ACTION_UNITS}
AU_KEYS: tuple[str, ...] = tuple(AU_BY_KEY)

#: Keys of every sided AU's left and right variant, in catalogue order.
SIDE_KEYS: tuple[str, ...] = tuple(
    au.side_key(s) for au in ACTION_UNITS if au.sided for s in ("L", "R")
)

#: Every key an AU reading may carry: the bilateral value of each AU, then the sides.
ALL_KEYS: tuple[str, ...] = AU_KEYS + SIDE_KEYS

#: The upper end of the FACS intensity scale used throughout: 0 (absent) to 5 (E, maximum).
MAX_INTENSITY = 5.0

#: The 51 ARKit blendshapes MediaPipe estimates (ARKit's 52 less tongueOut), in its order.
ARKIT_BLENDSHAPES: tuple[str, ...] = (
    "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight",
    "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft",
    "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight",
    "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose",
    "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft", "mouthFrownRight", "mouthFunnel",
    "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthPressLeft",
    "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower", "mouthRollUpper",
    "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)


def key_of(text: str) -> str:
    """A typed AU name as a catalogue or side key: "12" / "au12" / "AU012" -> "AU12",
    "12l" -> "AU12L"; ValueError for text that names no AU number ("0", "AU", "x")."""
    k = text.strip().upper().removeprefix("AU")
    digits = k.rstrip("LRUD")
    if not digits.isdigit() or int(digits) == 0:
        raise ValueError(f"{text.strip()!r} is not an AU (give its number, e.g. 12 or AU12L)")
    return f"AU{int(digits)}{k[len(digits):]}"


def get(key: str) -> ActionUnit:
    """The AU for a key (`AU12`, `12`, `AU12L` gives AU12), with a clear error otherwise."""
    k = key.strip().upper()
    if not k.startswith("AU"):
        k = "AU" + k
    k = k.replace("AU0", "AU")
    if k in AU_BY_KEY:
        return AU_BY_KEY[k]
    if k[-1:] in ("L", "R") and k[:-1] in AU_BY_KEY and AU_BY_KEY[k[:-1]].sided:
        return AU_BY_KEY[k[:-1]]
    raise KeyError(f"unknown Action Unit {key!r}; known: {', '.join(AU_KEYS)}")


def intensity_letter(value: float) -> str:
    """FACS intensity letter for a 0-5 value: '' (absent, < 0.5), then A (trace) to E (max)."""
    if not value >= 0.5:  # also catches NaN
        return ""
    return "ABCDE"[min(5, max(1, round(value))) - 1]


def is_present(value: float) -> bool:
    """Presence as OpenFace's `_c` columns read it: intensity at least A (1.0 on the scale)."""
    return bool(value >= 1.0)
