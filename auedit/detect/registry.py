"""The detectors AUEdit knows, by name. Later detectors (rig fit, GE-Net, GTLE-Net, TCAE)
register here and appear in the CLI's `--detectors` and the app's histogram."""

from __future__ import annotations

from collections.abc import Callable

from auedit.detect.base import Detector
from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.face.canonical import CanonicalFace


def _rigfit(canonical: CanonicalFace) -> Detector:
    from auedit.detect.rigfit import RigFitDetector
    from auedit.rig.model import rig_for

    return RigFitDetector(rig_for(canonical))


def _genet(extractor: str) -> DetectorFactory:
    def factory(canonical: CanonicalFace) -> Detector:
        from auedit.detect.genet import GENetDetector
        from auedit.rig.model import rig_for

        return GENetDetector(extractor, rig_for(canonical))

    return factory


DetectorFactory = Callable[[CanonicalFace], Detector]

_FACTORIES: dict[str, DetectorFactory] = {
    MediaPipeAUDetector.name: MediaPipeAUDetector,
    "rigfit": _rigfit,
    "genet": _genet("resnet50"),
    "genet-light": _genet("light"),
}

DEFAULT_DETECTORS: tuple[str, ...] = (MediaPipeAUDetector.name,)
#: The app shows these side by side in its histogram.
APP_DETECTORS: tuple[str, ...] = (MediaPipeAUDetector.name, "rigfit")


def available() -> tuple[str, ...]:
    return tuple(_FACTORIES)


def register(name: str, factory: DetectorFactory) -> None:
    _FACTORIES[name] = factory


def create(names: list[str] | tuple[str, ...], canonical: CanonicalFace) -> list[Detector]:
    """Detectors by name, with a clear error for an unknown one."""
    unknown = [n for n in names if n not in _FACTORIES]
    if unknown:
        raise ValueError(f"unknown detector(s) {', '.join(unknown)}; available: "
                         f"{', '.join(_FACTORIES)}")
    return [_FACTORIES[n](canonical) for n in names]
