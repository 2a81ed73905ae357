"""Data sets rendered from the game face: renders, same-identity pairs and AU triplets.

- `renders`: random identity (from the identity subspace), pose and AUs
  (`auedit.rig.sampling.random_params`): colour, part segmentation and the parameters, as
  GE-Net's imitator trains on (80,000 renders of random parameters with segmentation maps).
- `pairs`: one identity, two independent poses and AU vectors (TCAE's source/target faces,
  GANimation's idiosyncratic loss).
- `triplets`: three faces (each its own identity and pose) whose AU vectors obey the
  triplet rule (`TRIPLET_RULE`), for pre-training GTLE-Net's global expression encoder as
  FEC's annotated triplets do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np
import torch

from auedit.render.face import FaceRenderer
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.identity_space import IdentitySubspace, load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params
from auedit.rig.topology import Part
from auedit_train.common import check_device
from auedit_train.data.store import DataError, Field

MIN_SIZE, MAX_SIZE = 128, 512
POSE_NAMES = ("pitch", "yaw", "roll")
#: Faces per sample of each rendered kind.
FACES = {"renders": 1, "pairs": 2, "triplets": 3}
TRIPLET_RULE = ("d(a, b) is the Euclidean distance of the rig AU vectors (40 parameters in "
                "[0, 1]); every triplet has d(A, P) + margin <= d(A, N) and "
                "d(A, P) + margin <= d(P, N): the negative is the odd one out by at least "
                "the margin (FEC's 'most different face')")


@dataclass(frozen=True)
class RenderSettings:
    """How faces are drawn and rendered (all of it goes into the manifest)."""

    size: int = 128
    align: bool = True  # five-point alignment to the base face (GE-Net); else plain framing
    look: str = "flat"  # the game face's look (`auedit.render.face.LOOKS`): the shipped models'
    device: str = "cpu"
    batch: int = 64
    workers: int = 1  # threads rendering batches side by side
    pose_deg: float = 20.0
    au_probability: float = 0.25
    margin: float = 0.3  # triplets only
    positive_sigma: float = 0.08  # triplets: the positive is the anchor with this noise...
    positive_flip: float = 0.03  # ...and each AU switched on or off with this probability


def default_batch(size: int) -> int:
    """Samples per batch: 64 at 128 px, fewer for larger images (same pixels per batch)."""
    return max(2, 64 * MIN_SIZE**2 // size**2)


def check_size(size: int) -> None:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise DataError(f"--size must be within {MIN_SIZE}-{MAX_SIZE} px, not {size}")


def load_identity_space() -> IdentitySubspace:
    space = load_default()
    if space is None:
        raise DataError("the identity subspace is not built (python -m "
                        "auedit.rig.identity_space PHOTOS...); random identities need it")
    return space


def render_fields(kind: str, size: int) -> dict[str, Field]:
    """The per-sample arrays of a rendered kind (k faces per sample)."""
    k = FACES[kind]
    lead = () if k == 1 else (k,)
    n_au, n_id = len(AU_PARAMETER_KEYS), len(IDENTITY_KEYS)
    fields = {
        "image": Field((*lead, size, size, 3), "uint8", "RGB render, 0-255"),
        "labels": Field((*lead, size, size), "uint8", "part label per pixel (names.parts)"),
        "pose": Field((*lead, 3), "float32", "head pose parameters (names.pose), [0, 1], "
                      "0.5 frontal, 0/1 = -/+28.6 degrees"),
        "au": Field((*lead, n_au), "float32", "rig AU parameters (names.au), [0, 1]; "
                    "1 is FACS intensity E (5)"),
        "identity": Field((*lead, n_id), "float32",
                          "identity parameters (names.identity), [0, 1], 0.5 the mean face"),
    }
    if kind == "pairs":
        fields["identity"] = Field((n_id,), "float32", "the pair's shared identity "
                                   "parameters (names.identity), [0, 1]")
    if kind == "triplets":
        fields["distance"] = Field((3,), "float32", "AU distances d(A, P), d(A, N), d(P, N)")
    return fields


def names() -> dict[str, object]:
    """Parameter and label names, for the manifest."""
    return {"au": list(AU_PARAMETER_KEYS), "identity": list(IDENTITY_KEYS),
            "pose": list(POSE_NAMES), "parts": {p.name.lower(): int(p) for p in Part}}


def _perturb(au: np.ndarray, rng: np.random.Generator, sigma: float, flip: float) -> np.ndarray:
    """AU vectors moved a little: noise on active AUs, some AUs switched on or off."""
    moved = au + rng.normal(0.0, sigma, au.shape) * (au > 0)
    switch = rng.random(au.shape) < flip
    moved = np.where(switch, np.where(au > 0, 0.0, rng.uniform(0.2, 1.0, au.shape)), moved)
    return np.clip(moved, 0.0, 1.0)


def triplet_distances(au: np.ndarray) -> np.ndarray:
    """(B, 3, n_au) anchor, positive, negative -> (B, 3) d(A, P), d(A, N), d(P, N)."""
    a, p, n = au[:, 0], au[:, 1], au[:, 2]
    return np.stack([np.linalg.norm(a - p, axis=-1), np.linalg.norm(a - n, axis=-1),
                     np.linalg.norm(p - n, axis=-1)], axis=-1)


def triplet_holds(dist: np.ndarray, margin: float) -> np.ndarray:
    """Which (B, 3) distance rows obey `TRIPLET_RULE`."""
    return dist[:, 0] + margin <= np.minimum(dist[:, 1], dist[:, 2])


def triplet_aus(b: int, rng: np.random.Generator, space: IdentitySubspace,
                s: RenderSettings) -> np.ndarray:
    """(b, 3, n_au) AU vectors obeying the triplet rule. Negatives are half fresh random
    expressions, half the anchor moved further (harder triplets); rows that break the rule
    are drawn again."""
    au = np.repeat(random_params(b, rng, space, au_probability=s.au_probability).au[:, None],
                   3, axis=1)
    todo = np.arange(b)
    for _ in range(200):
        anchor = au[todo, 0]
        au[todo, 1] = _perturb(anchor, rng, s.positive_sigma, s.positive_flip)
        fresh = random_params(len(todo), rng, space, au_probability=s.au_probability).au
        far = _perturb(anchor, rng, 4 * s.positive_sigma, 0.25)
        au[todo, 2] = np.where(rng.random((len(todo), 1)) < 0.5, fresh, far)
        todo = todo[~triplet_holds(triplet_distances(au[todo]), s.margin)]
        if not len(todo):
            return au
    raise DataError(f"no triplets obey the rule with margin {s.margin}; choose a smaller "
                    "--margin")


def sample_params(kind: str, b: int, rng: np.random.Generator, space: IdentitySubspace,
                  s: RenderSettings) -> RigParams:
    """Parameters of `b` samples, their k faces each in a row (b * k faces)."""
    k = FACES[kind]
    p = random_params(b * k, rng, space, pose_deg=s.pose_deg, au_probability=s.au_probability)
    if kind == "pairs":
        p.identity[1::2] = p.identity[0::2]
    elif kind == "triplets":
        p.au[:] = triplet_aus(b, rng, space, s).reshape(b * k, -1)
    return p


class RigDataRenderer:
    """Random faces of one kind, rendered in batches on the settings' device."""

    def __init__(self, kind: str, settings: RenderSettings) -> None:
        check_size(settings.size)
        check_device(settings.device)
        self.kind, self.settings = kind, settings
        self.space = load_identity_space()
        self.renderer = FaceRenderer(load_rig(), settings.size, settings.device,
                                     look=settings.look)
        if kind == "triplets":  # a margin none obeys is refused before a folder is touched
            triplet_aus(max(64, settings.batch), np.random.default_rng(0), self.space, settings)

    def draw(self, params: RigParams) -> tuple[np.ndarray, np.ndarray]:
        """(B, S, S, 3) uint8 colour and (B, S, S) uint8 part labels."""
        out = self.renderer.render(params, align=self.settings.align)
        image = out.color.mul(255.0).round_().to(torch.uint8).cpu().numpy()
        return image, out.labels.to(torch.uint8).cpu().numpy()

    def batches(self, n: int, rng: np.random.Generator) -> Iterator[dict[str, np.ndarray]]:
        """`n` samples in batches of at most `settings.batch`. Parameters are drawn in order
        here; `settings.workers` threads render the batches (torch releases the GIL), and
        the batches come out in order, so the data do not depend on the thread count."""
        sizes = [min(self.settings.batch, n - s) for s in range(0, n, self.settings.batch)]
        params = (sample_params(self.kind, b, rng, self.space, self.settings) for b in sizes)
        with ThreadPoolExecutor(self.settings.workers) as pool:
            pending: deque[tuple[RigParams, Future]] = deque()
            for p in params:
                pending.append((p, pool.submit(self.draw, p)))
                if len(pending) > self.settings.workers:
                    p0, drawn = pending.popleft()
                    yield self._batch(p0, *drawn.result())
            for p0, drawn in pending:
                yield self._batch(p0, *drawn.result())

    def _batch(self, p: RigParams, image: np.ndarray, labels: np.ndarray,
               ) -> dict[str, np.ndarray]:
        """The sample arrays of one rendered batch (k faces per sample)."""
        k = FACES[self.kind]
        shape = (len(p) // k,) if k == 1 else (len(p) // k, k)
        batch = {"image": image.reshape(*shape, *image.shape[1:]),
                 "labels": labels.reshape(*shape, *labels.shape[1:]),
                 "pose": p.pose.reshape(*shape, 3), "au": p.au.reshape(*shape, -1),
                 "identity": p.identity.reshape(*shape, -1)}
        if self.kind == "pairs":
            batch["identity"] = p.identity[0::2]
        if self.kind == "triplets":
            batch["distance"] = triplet_distances(batch["au"])
        return batch

    def manifest(self) -> dict[str, object]:
        info: dict[str, object] = {"domain": "render", "size": self.settings.size,
                                   "framing": "aligned" if self.settings.align else "plain",
                                   "generator": asdict(self.settings), "names": names()}
        if self.kind == "triplets":
            info["triplet_rule"] = TRIPLET_RULE
        return info
