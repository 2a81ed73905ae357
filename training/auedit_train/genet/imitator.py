"""Training GE-Net's imitator M: rig parameters -> the aligned render (paper Sec. 3.2).

Loss: content L1 plus lambda times a perceptual loss (Eqs. 2-4). The paper's perceptual
features are VGG16's relu2_2/3_3/4_3; no VGG weights exist here, so they are the last three
stages of a face-segmentation extractor trained by this package (`--perceptual`, normally the
light one), a network that has learnt exactly the facial parts the imitator must get right.
Inputs are the pitch, yaw, AU and identity parameters (roll is aligned away, as in the
paper's 2-D head pose).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.nn import functional as F  # noqa: N812

from auedit.fit.genet.networks import Imitator, ImitatorConfig
from auedit.fit.genet.params import imitator_input, imitator_input_size
from auedit_train.data.datasets import RenderDataset
from auedit_train.genet import loop


@dataclass(frozen=True)
class ImitatorSettings:
    renders: tuple[str, ...] = ()
    perceptual: str = ""  # segmenter network file; "" for the L1 loss alone
    perceptual_weight: float = 0.05  # lambda of Eq. 4
    width: int = 32
    init: str = ""  # a network file to start from (fine-tuning after the rig changed)
    steps: int = 20000
    batch: int = 64  # the paper's
    lr: float = 2e-3
    val_renders: int = 500
    eval_every: int = 500
    seed: int = 0
    device: str = "cpu"
    workers: int = 0


def _inputs(batch: dict[str, torch.Tensor]) -> torch.Tensor:
    return imitator_input(batch["pose"], batch["au"], batch["identity"])


def perceptual(extractor: torch.nn.Module | None, fake: torch.Tensor, real: torch.Tensor,
               ) -> torch.Tensor:
    """Mean squared distance of the extractor's last three stages' features."""
    if extractor is None:
        return fake.new_zeros(())
    _, f_fake = extractor(fake)
    with torch.no_grad():
        _, f_real = extractor(real)
    return sum(F.mse_loss(a, b) for a, b in zip(f_fake[1:], f_real[1:], strict=True))


def validate(net: torch.nn.Module, data: torch.utils.data.Dataset, device: torch.device,
             ) -> float:
    net.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for b in torch.utils.data.DataLoader(data, 64):
            fake = net(_inputs(b).to(device))
            total += float((fake - b["image"].to(device)).abs().mean()) * len(fake)
            n += len(fake)
    net.train()
    return total / max(n, 1)


def train(out: Path, s: ImitatorSettings, resume: bool = False, log=print,
          overwrite: bool = False) -> dict:
    """Train M; writes `out/best.pt` (network file), checkpoint, log. Returns the best
    record."""
    if not s.renders:
        raise ValueError("no training data: give --renders")
    proc = loop.start(s.device)
    torch.manual_seed(s.seed + proc.rank)
    parts, vals = [], []
    for d in s.renders:
        data = RenderDataset(d)
        k = min(s.val_renders // len(s.renders), len(data) // 5)
        parts.append(torch.utils.data.Subset(data, range(len(data) - k)))
        vals.append(torch.utils.data.Subset(data, range(len(data) - k, len(data))))
    train_data = torch.utils.data.ConcatDataset(parts)
    val_data = torch.utils.data.ConcatDataset(vals)
    if len(val_data) == 0:  # the best network is chosen on held-out renders
        raise ValueError(f"{len(train_data)} renders: too few to hold out validation renders "
                         "(a fifth of each folder; at least 5 renders per folder)")
    config = ImitatorConfig(imitator_input_size(), 128, s.width)
    net = Imitator(config)
    if s.init:
        loop.initialise(net, s.init, "imitator")
    model = loop.wrap(net, proc)
    extractor = None
    if s.perceptual:
        from auedit.fit.genet.model_files import load_segmenter

        extractor = load_segmenter(Path(s.perceptual)).to(proc.device)
    opt = torch.optim.Adam(model.parameters(), lr=s.lr, betas=(0.5, 0.999))
    sched = loop.schedule(opt, s.steps)
    loop.check_batch(train_data, s.batch)  # before the run's folder gets its config
    files = loop.RunFiles(out, proc)
    step, best = files.start(s, resume, net, opt, sched, {"val_l1": float("inf")},
                             overwrite, log)
    stream = loop.batches(train_data, s.batch, s.seed + step, proc, s.workers)
    t0, run_l1, run_p = time.perf_counter(), 0.0, 0.0
    while step < s.steps:
        b = next(stream)
        real = b["image"].to(proc.device)
        fake = model(_inputs(b).to(proc.device))
        l1 = (fake - real).abs().mean()
        per = perceptual(extractor, fake, real)
        loop.optimise(opt, sched, l1 + s.perceptual_weight * per)
        step += 1
        run_l1 += l1.item()
        run_p += per.item()
        n = loop.window(step, s.eval_every, s.steps)
        if n:
            record = {"step": step, "l1": loop.average(run_l1 / n, proc),
                      "perceptual": loop.average(run_p / n, proc),
                      "seconds": time.perf_counter() - t0}
            run_l1 = run_p = 0.0
            if proc.main:
                record["val_l1"] = validate(net, val_data, proc.device)
                if record["val_l1"] < best["val_l1"]:
                    best = record
                    files.save_best(loop.network_file("imitator", asdict(config), net, record))
            files.log(record, log)
            files.save(net, opt, sched, step, best)
    loop.finish(proc)
    return best
