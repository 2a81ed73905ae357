"""Training the AU regressor: seeded, resumable (a checkpoint per epoch), logged as JSON lines.

The loss is the mean squared error of the AU parameters plus a small L1 term (most AUs of a
face are 0, and L1 keeps them there). The best epoch on a held-out tenth of the data is kept.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from auedit_train.rigreg.data import load
from auedit_train.rigreg.model import AURegressorNet


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 60
    batch: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-4
    l1: float = 0.1
    hidden: tuple[int, ...] = (512, 256)
    dropout: float = 0.1
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "cpu"


def _split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    k = max(1, round(n * fraction))
    return order[k:], order[:k]


def train(data_dirs: Path | list[Path], out: Path, settings: TrainSettings,
          resume: bool = False, log=print) -> dict:
    """Train on the data set(s) in `data_dirs`; writes `out/best.pt`, `out/checkpoint.pt` and
    `out/log.jsonl`; returns the best epoch's record."""
    data = load(*(data_dirs if isinstance(data_dirs, list) else [data_dirs]))
    x, y = torch.from_numpy(data["features"]), torch.from_numpy(data["au"])
    tr, va = _split(len(x), settings.val_fraction, settings.seed)
    torch.manual_seed(settings.seed)
    device = torch.device(settings.device)
    net = AURegressorNet(x.shape[1], y.shape[1], settings.hidden, settings.dropout)
    net.set_normalisation(x[tr].mean(0), x[tr].std(0))
    net.to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, settings.epochs)
    out.mkdir(parents=True, exist_ok=True)
    start, best = 0, {"val_mae": float("inf")}
    ckpt_path = out / "checkpoint.pt"
    if resume and ckpt_path.is_file():
        ckpt = torch.load(ckpt_path, map_location=device)
        net.load_state_dict(ckpt["net"])
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
        start, best = ckpt["epoch"] + 1, ckpt["best"]
    xt, yt = x[tr].to(device), y[tr].to(device)
    xv, yv = x[va].to(device), y[va].to(device)
    gen = torch.Generator().manual_seed(settings.seed)
    mse = nn.MSELoss()
    with (out / "log.jsonl").open("a") as log_file:
        for epoch in range(start, settings.epochs):
            t0 = time.perf_counter()
            net.train()
            order = torch.randperm(len(xt), generator=gen).to(device)
            total = 0.0
            for i in range(0, len(order), settings.batch):
                b = order[i:i + settings.batch]
                pred = net(xt[b])
                loss = mse(pred, yt[b]) + settings.l1 * (pred - yt[b]).abs().mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.item() * len(b)
            sched.step()
            net.eval()
            with torch.no_grad():
                val_mae = float((net(xv) - yv).abs().mean())
            record = {"epoch": epoch, "train_loss": total / len(order), "val_mae": val_mae,
                      "seconds": time.perf_counter() - t0}
            if val_mae < best["val_mae"]:
                best = record
                torch.save({"net": net.state_dict(), "n_in": x.shape[1], "n_out": y.shape[1],
                            "settings": asdict(settings), "record": record}, out / "best.pt")
            torch.save({"net": net.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "epoch": epoch, "best": best}, ckpt_path)
            log_file.write(json.dumps(record) + "\n")
            log_file.flush()
            log(f"epoch {epoch + 1}/{settings.epochs} loss {record['train_loss']:.4f} "
                f"val MAE {val_mae:.4f}")
    return best


def load_trained(path: Path) -> AURegressorNet:
    """The network saved in `best.pt`."""
    ckpt = torch.load(path, map_location="cpu")
    s = ckpt["settings"]
    net = AURegressorNet(ckpt["n_in"], ckpt["n_out"], tuple(s["hidden"]), s["dropout"])
    net.load_state_dict(ckpt["net"])
    return net.eval()
