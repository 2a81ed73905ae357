"""The synthesizer protocol: (image, tracked face, target AUs) -> edited image.

A synthesizer is prepared once per photo and face (the expensive part: fitting, encoding),
then renders any number of targets from that preparation: fast previews while a slider is
dragged, the full resolution for saving. The geometric warp, GANimation and LAC-GAN all plug
in here, so the app's slider panel, `auedit edit` and the training data engine know them only
through this protocol.

Targets are keyed by the rig's AU parameter keys (`auedit.rig.expressions.AU_PARAMETER_KEYS`:
"AU12L", "AU26", "AU28U", ...) on the FACS 0-5 scale; `expand_targets` turns catalogue keys
("AU12": both sides) into them. Parameters not named keep the photo's own value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

from auedit.core.aus import MAX_INTENSITY
from auedit.core.types import TrackedFace
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS


class SynthesisError(RuntimeError):
    """The photo cannot be edited (no face, a face too small or too turned); a user message."""


@runtime_checkable
class PreparedFace(Protocol):
    """What a synthesizer keeps of one photo and face between renders."""

    #: The face's own AU intensities (rig parameter keys, 0-5): where the sliders start.
    own: dict[str, float]
    #: The photo (H x W x 3 RGB uint8) the preparation was made from.
    image: np.ndarray


@runtime_checkable
class Synthesizer(Protocol):
    """Edits one face of a photo to target AU intensities."""

    #: Short unique name (`auedit edit --method`), and a label for the app.
    name: str
    label: str

    def prepare(self, image: np.ndarray, face: TrackedFace) -> PreparedFace:
        """Fit whatever the synthesizer needs to `face` in `image` (RGB uint8)."""
        ...

    def render(self, prepared: PreparedFace, targets: Mapping[str, float], *,
               preview: bool = False) -> np.ndarray:
        """The photo with the face's AUs set to `targets` (others unchanged).

        preview=True may work at a reduced size for interactive dragging; it still returns
        an image of the photo's size. The result is RGB uint8.
        """
        ...


def expand_targets(targets: Mapping[str, float]) -> dict[str, float]:
    """Catalogue or parameter keys -> rig parameter keys, values clipped to 0-5.

    "AU12" sets AU12L and AU12R; "AU12L" sets one side; "AU28" sets both lips (U, D);
    "AU43" (eyes closed) sets the rig's AU45. Raises KeyError naming an unknown AU.
    """
    out: dict[str, float] = {}
    for name, value in targets.items():
        v = float(np.clip(value, 0.0, MAX_INTENSITY))
        key = _rig_name(name)
        if key in AU_PARAMETER_KEYS:
            out[key] = v
            continue
        keys = [p.key for p in AU_PARAMETERS if p.facs == key]
        if not keys:
            raise KeyError(f"unknown AU {key!r}: the rig has {', '.join(AU_PARAMETER_KEYS)}")
        for k in keys:
            out[k] = v
    return out


def rig_aus(reading: Mapping[str, float], fallback: np.ndarray) -> np.ndarray:
    """(n_au,) rig AU parameters in [0, 1] from catalogue AU intensities (0-5: "AU12" sets
    both sides, "AU12L" one side and wins over "AU12"); parameters the reading lacks keep
    `fallback`."""
    out = np.array(fallback, dtype=np.float64)
    exact = {k: v for k, v in reading.items() if k in AU_PARAMETER_KEYS}
    for part in ({k: v for k, v in reading.items() if k not in exact}, exact):
        for key, value in part.items():
            try:
                targets = expand_targets({key: value})
            except KeyError:  # an AU the rig does not have
                continue
            for k, v in targets.items():
                out[AU_PARAMETER_KEYS.index(k)] = v / MAX_INTENSITY
    return out


#: Catalogue AUs the rig has no parameter of, and the parameter that makes the same shape:
#: eyes closed (AU43) is a held blink (AU45) in the rig's geometry.
SAME_SHAPE: dict[str, str] = {"AU43": "AU45"}


def _rig_name(key: str) -> str:
    """"AU43" -> "AU45", "AU43L" -> "AU45L"; other keys unchanged."""
    for au, rig in SAME_SHAPE.items():
        if key == au or (key[:-1] == au and key[-1:] in ("L", "R")):
            return rig + key[len(au):]
    return key


def registry() -> dict[str, Any]:
    """Synthesizer name -> class, imported lazily (a synthesizer may need torch or a model)."""
    from auedit.synth.geometric import GeometricSynthesizer

    return {GeometricSynthesizer.name: GeometricSynthesizer}
