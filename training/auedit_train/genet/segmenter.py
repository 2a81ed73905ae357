"""Training GE-Net's feature extractor E: face parsing with a pixel-wise cross-entropy.

From scratch (no ImageNet weights exist here) on rig renders, whose part labels are exact,
mixed with real faces labelled by projecting the tracked mesh's regions (`auedit-train data
faces`), which stand in for the paper's Helen fine-tuning. Renders get a cluttered background,
a jittered alignment and photometric noise so that what E learns carries over to photos.
Validation: mean IoU over the parts on held-out renders and held-out real faces.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch.nn import functional as F  # noqa: N812
from torch.utils.data import Dataset

from auedit.fit.genet.networks import SegmenterConfig, build_segmenter
from auedit.rig.topology import Part
from auedit_train.data.datasets import FaceDataset, RenderDataset, ShardDataset
from auedit_train.genet import augment, loop

N_CLASSES = len(Part)


@dataclass(frozen=True)
class SegmenterSettings:
    arch: str = "light"
    width: float = 1.0
    renders: tuple[str, ...] = ()
    faces: tuple[str, ...] = ()
    real_fraction: float = 0.3  # share of real faces in the training stream
    steps: int = 6000
    batch: int = 32
    lr: float = 1e-3  # the paper's
    weight_decay: float = 1e-4
    val_renders: int = 500
    val_faces: int = 300
    eval_every: int = 500
    seed: int = 0
    device: str = "cpu"
    workers: int = 0
    init: str = ""  # a network file to start from (fine-tuning)
    extra: dict = field(default_factory=dict)


class _Parsing(Dataset):
    """(image, labels, is_render) samples of one data folder, a range of its indices."""

    def __init__(self, data: ShardDataset, indices: range, render: bool) -> None:
        self.data, self.indices, self.render = data, indices, render

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        s = self.data[self.indices[i]]
        return {"image": s["image"], "labels": s["labels"],
                "render": torch.tensor(self.render)}


class _Mixed(Dataset):
    """Renders followed by real faces repeated so that they make `fraction` of the total."""

    def __init__(self, renders: Dataset | None, faces: Dataset | None, fraction: float) -> None:
        self.renders, self.faces = renders, faces
        self.n_r = len(renders) if renders is not None else 0
        n_f = len(faces) if faces is not None else 0
        if not self.n_r and not n_f:
            raise ValueError("no training data: give --renders and/or --faces")
        self.n_f = 0 if not n_f else (n_f if not self.n_r else
                                      max(n_f, round(self.n_r * fraction / (1 - fraction))))

    def __len__(self) -> int:
        return self.n_r + self.n_f

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        if i < self.n_r:
            return self.renders[i]
        return self.faces[(i - self.n_r) % len(self.faces)]


def _split(dirs: tuple[str, ...], n_val: int, render: bool) -> tuple[Dataset | None, list]:
    """Training and validation parts of the folders (the last samples of each are held out;
    none of a folder too small to spare any), each folder checked to be of the kind asked
    for (renders or faces)."""
    train, val = [], []
    for d in dirs:
        data = RenderDataset(d) if render else FaceDataset(d)
        k = min(n_val // max(len(dirs), 1), len(data) // 5)
        train.append(_Parsing(data, range(len(data) - k), render))
        if k:
            val.append(_Parsing(data, range(len(data) - k, len(data)), render))
    return (torch.utils.data.ConcatDataset(train) if train else None), val


def prepare(batch: dict[str, torch.Tensor], g: torch.Generator, device: torch.device,
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Augmented (image, labels) of a training batch. The augmentation runs on `device`:
    on the CPU it takes about 0.3 s per batch of 64 (one thread), which held runs on an H100
    to 2.4-6.8 steps/s; the random draws stay on the CPU generator `g` (same draws on any
    device)."""
    image, labels = batch["image"].to(device), batch["labels"].to(device)
    is_render = batch["render"].bool()
    if is_render.any():
        bg = augment.clutter(len(image), image.shape[-1], g, device)
        hole = ((labels == int(Part.BACKGROUND))[:, None]
                & is_render.to(device)[:, None, None, None])
        image = torch.where(hole, bg, image)
    image, labels = augment.jitter_alignment(image, labels, g)
    return augment.photometric(image, g), labels


def confusion(net: torch.nn.Module, parts: list[Dataset], device: torch.device) -> torch.Tensor:
    """(K, K) pixel confusion counts of `net` over validation sets."""
    conf = torch.zeros(N_CLASSES, N_CLASSES, dtype=torch.int64)
    net.eval()
    with torch.no_grad():
        for part in parts:
            loader = torch.utils.data.DataLoader(part, 64)
            for b in loader:
                pred = net(b["image"].to(device))[0].argmax(1).cpu()
                idx = b["labels"] * N_CLASSES + pred
                conf += torch.bincount(idx.ravel(), minlength=N_CLASSES**2).view(N_CLASSES, -1)
    net.train()
    return conf


def mean_iou(conf: torch.Tensor) -> tuple[float, dict[str, float]]:
    """Mean IoU over the classes present, and each class's IoU."""
    inter = conf.diag().double()
    union = conf.sum(0).double() + conf.sum(1).double() - inter
    ious = {Part(k).name.lower(): float(inter[k] / union[k]) for k in range(N_CLASSES)
            if conf[k].sum() > 0}
    return (sum(ious.values()) / max(len(ious), 1)), ious


def evaluate(net: torch.nn.Module, val_r: list[Dataset], val_f: list[Dataset],
             device: torch.device, loss: float) -> dict:
    """Validation mean IoUs of the sets there are, and the score that picks the best network:
    the faces' mean IoU, else the renders', else (no validation data) minus the training
    loss."""
    record: dict = {}
    if val_r:
        record["miou_renders"], _ = mean_iou(confusion(net, val_r, device))
    if val_f:
        record["miou_faces"], record["iou_faces"] = mean_iou(confusion(net, val_f, device))
    record["score"] = record.get("miou_faces", record.get("miou_renders", -loss))
    return record


def train(out: Path, s: SegmenterSettings, resume: bool = False, log=print,
          overwrite: bool = False) -> dict:
    """Train E; writes `out/best.pt` (network file), checkpoint, log. Returns the best
    record."""
    proc = loop.start(s.device)
    torch.manual_seed(s.seed + proc.rank)
    renders, val_r = _split(s.renders, s.val_renders, True)
    faces, val_f = _split(s.faces, s.val_faces, False)
    data = _Mixed(renders, faces, s.real_fraction)
    config = SegmenterConfig(s.arch, N_CLASSES, s.width)
    net = build_segmenter(config)
    if s.init:
        loop.initialise(net, s.init, "segmenter")
    model = loop.wrap(net, proc)
    opt = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    sched = loop.schedule(opt, s.steps)
    loop.check_batch(data, s.batch)  # before the run's folder gets its config
    files = loop.RunFiles(out, proc)
    step, best = files.start(s, resume, net, opt, sched, {"score": float("-inf")},
                             overwrite, log)
    g = torch.Generator().manual_seed(s.seed * 1000 + step + proc.rank)
    stream = loop.batches(data, s.batch, s.seed + step, proc, s.workers)
    t0, running = time.perf_counter(), 0.0
    while step < s.steps:
        image, labels = prepare(next(stream), g, proc.device)
        logits, _ = model(image)
        loss = F.cross_entropy(logits, labels)
        loop.optimise(opt, sched, loss)
        step += 1
        running += loss.item()
        n = loop.window(step, s.eval_every, s.steps)
        if n:
            record = {"step": step, "loss": loop.average(running / n, proc),
                      "seconds": time.perf_counter() - t0}
            running = 0.0
            if proc.main:
                record.update(evaluate(net, val_r, val_f, proc.device, record["loss"]))
                if record["score"] > best["score"]:
                    best = record
                    files.save_best(loop.network_file("segmenter", asdict(config), net, record))
            files.log(record, log)
            files.save(net, opt, sched, step, best)
    loop.finish(proc)
    return best
