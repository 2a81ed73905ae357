"""Training the AU regressor: seeded, resumable (a checkpoint per epoch), logged as JSON lines.

Renders are learnt from their true AU parameters: the mean squared error plus a small L1 term
(most AUs of a face are 0, and L1 keeps them there). Featurised edits of real faces
(`auedit_train.rigreg.edits`) are learnt from their edited AU's label with the same terms, and
in pairs: each edit is paired, anew every epoch, with another edit of the same source face,
and the difference of the two predictions must equal the difference of the two labels (the
same terms on differences, weighted by `pair_weight`): that difference is exactly what the
synthesizer changed, while the labels' unedited AUs are only a reading of the source. With
`pseudo_weight`, an edit's unedited AUs are also learnt from that reading, at that weight (the
MediaPipe AU detector's reading of the source, and for `geometric.REGRESSOR_AUS` the rig fit's
regressor's at the time the edits were made): nothing else ties the network's reading of a
real face's unedited AUs to anything. Held
out: a tenth of the renders, and the edits of a tenth of the source faces; the best epoch by
validation MAE on renders plus the MAE of the held-out edits' pair differences is kept.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from auedit_train.common import (
    DAMAGED,
    check_device,
    check_fresh,
    check_same,
    load_torch,
    make_folder,
    require_positive,
    save_atomic,
    say_no_checkpoint,
)
from auedit_train.rigreg.data import load
from auedit_train.rigreg.model import AURegressorNet

CHECKPOINT_KEYS = ("net", "opt", "sched", "epoch", "best")


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 60
    batch: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-4
    l1: float = 0.1
    pair_weight: float = 1.0
    pseudo_weight: float = 0.0
    hidden: tuple[int, ...] = (512, 256)
    dropout: float = 0.1
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "cpu"


def _split(group: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation rows: renders at random, edits by whole source faces."""
    rng = np.random.default_rng(seed)
    renders = np.flatnonzero(group < 0)
    order = rng.permutation(renders)
    k = max(1, round(len(renders) * fraction)) if len(renders) else 0
    sources = np.unique(group[group >= 0])
    held = rng.permutation(sources)[:round(len(sources) * fraction)]
    edits_val = np.isin(group, held) & (group >= 0)
    edits_tr = ~np.isin(group, held) & (group >= 0)
    return (np.sort(np.concatenate([order[k:], np.flatnonzero(edits_tr)])),
            np.sort(np.concatenate([order[:k], np.flatnonzero(edits_val)])))


def partners(rows: np.ndarray, group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each of the (sorted) rows, another row of the same source face where it is an edit
    (a random cyclic pairing within each source; a lone edit is its own partner); renders
    (group -1) are their own partner."""
    out = rows.copy()
    edits = rows[group[rows] >= 0]
    order = edits[np.lexsort((rng.random(len(edits)), group[edits]))]
    g = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    lengths = np.diff(np.r_[starts, len(g)])
    first = np.repeat(starts, lengths)
    nxt = order[first + (np.arange(len(g)) - first + 1) % np.repeat(lengths, lengths)]
    out[np.searchsorted(rows, order)] = nxt
    return out


def _loss(pred: torch.Tensor, want: torch.Tensor, l1: float,
          known: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared error + l1 x mean absolute error, over the `known` entries (all if None)."""
    err = pred - want
    if known is None:
        return (err ** 2).mean() + l1 * err.abs().mean()
    k = known.float()
    n = k.sum().clamp_min(1.0)
    return ((err ** 2) * k).sum() / n + l1 * (err.abs() * k).sum() / n


def check_settings(settings: TrainSettings) -> None:
    """ValueError for settings that cannot train."""
    require_positive(epochs=settings.epochs, batch=settings.batch)
    for name, weight in (("pair", settings.pair_weight), ("pseudo", settings.pseudo_weight)):
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError(f"--{name}-weight must be a finite number, 0 or more (got "
                             f"{weight})")


def run_config(data_dirs: list[Path], settings: TrainSettings) -> dict:
    """What a resumed run must share with the run it goes on from: the settings and the data."""
    return {**asdict(settings), "data": [str(Path(d).resolve()) for d in data_dirs]}


def begin(out: Path, config: dict, resume: bool, overwrite: bool, device: torch.device,
          log=print) -> dict | None:
    """The checkpoint to go on from (its run's settings and data checked against `config`),
    or None to start afresh (refused where `out` holds another run, unless `overwrite`)."""
    path = out / "checkpoint.pt"
    if resume and path.is_file():
        ckpt = load_torch(path, "an AU regressor checkpoint", CHECKPOINT_KEYS, DAMAGED, device)
        if "config" not in ckpt:
            raise ValueError(f"{path} records no settings (an older version wrote it), so "
                             f"a resume cannot be checked; {DAMAGED}")
        # settings added since the run began count as their defaults (what it trained with)
        check_same(out, {**asdict(TrainSettings()), **ckpt["config"]}, config)
        return ckpt
    if resume:
        say_no_checkpoint(out, log)
    check_fresh(out, overwrite)
    return None


def train(data_dirs: Path | list[Path], out: Path, settings: TrainSettings,
          resume: bool = False, log=print, overwrite: bool = False) -> dict:
    """Train on the data set(s) in `data_dirs`; writes `out/best.pt`, `out/checkpoint.pt` and
    `out/log.jsonl`; returns the best epoch's record. `resume` goes on from the checkpoint
    (of the same settings and data); a run in `out` is replaced only with `overwrite`."""
    dirs = data_dirs if isinstance(data_dirs, list) else [data_dirs]
    check_settings(settings)
    data = load(*dirs)
    x, y = torch.from_numpy(data["features"]), torch.from_numpy(data["au"])
    known, group = torch.from_numpy(data["known"]), data["group"]
    tr, va = _split(group, settings.val_fraction, settings.seed)
    torch.manual_seed(settings.seed)
    device = check_device(settings.device)
    net = AURegressorNet(x.shape[1], y.shape[1], settings.hidden, settings.dropout)
    net.set_normalisation(x[tr].mean(0), x[tr].std(0))
    net.to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, settings.epochs)
    make_folder(out)
    start, best = 0, {"val_score": float("inf")}
    config = run_config(dirs, settings)
    ckpt = begin(out, config, resume, overwrite, device, log)
    if ckpt is not None:
        net.load_state_dict(ckpt["net"])
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
        start, best = ckpt["epoch"] + 1, ckpt["best"]
    x, y, known = x.to(device), y.to(device), known.to(device)
    is_edit = torch.from_numpy(group >= 0).to(device)
    pseudo = is_edit[:, None] & ~known if settings.pseudo_weight > 0 else None
    rng = np.random.default_rng(settings.seed)
    for _ in range(start):  # the partners a resumed run would have drawn so far
        partners(tr, group, rng)
    val_partner = torch.from_numpy(partners(va, group, np.random.default_rng(settings.seed)))
    tr_t, va_t = torch.from_numpy(tr).to(device), torch.from_numpy(va).to(device)
    if not any(len(v) for v in _validation_rows(va_t, val_partner.to(device), is_edit)[:2]):
        raise ValueError("nothing to validate on: the held-out share of the data holds no "
                         "render and no pair of edits of one face: give more data")
    gen = torch.Generator().manual_seed(settings.seed)
    for _ in range(start):
        torch.randperm(len(tr), generator=gen)
    with (out / "log.jsonl").open("a") as log_file:
        for epoch in range(start, settings.epochs):
            t0 = time.perf_counter()
            net.train()
            partner = torch.from_numpy(partners(tr, group, rng)).to(device)
            order = torch.randperm(len(tr), generator=gen).to(device)
            total = 0.0
            for i in range(0, len(order), settings.batch):
                b = order[i:i + settings.batch]
                rows, pair = tr_t[b], partner[b]
                edit = is_edit[rows]
                pred = net(x[rows])
                loss = _loss(pred, y[rows], settings.l1, known[rows])
                if pseudo is not None and pseudo[rows].any():
                    loss = loss + settings.pseudo_weight * _loss(pred, y[rows], settings.l1,
                                                                 pseudo[rows])
                if edit.any():
                    e, p = rows[edit], pair[edit]
                    diff = pred[edit] - net(x[p])
                    loss = loss + settings.pair_weight * _loss(diff, y[e] - y[p], settings.l1)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.item() * len(b)
            sched.step()
            record = {"epoch": epoch, "train_loss": total / len(order),
                      **_validate(net, x, y, va_t, val_partner.to(device), is_edit),
                      "seconds": time.perf_counter() - t0}
            if record["val_score"] < best["val_score"]:
                best = record
                save_atomic({"net": net.state_dict(), "n_in": x.shape[1],
                             "n_out": y.shape[1], "settings": asdict(settings),
                             "record": record}, out / "best.pt")
            save_atomic({"net": net.state_dict(), "opt": opt.state_dict(),
                         "sched": sched.state_dict(), "epoch": epoch, "best": best,
                         "config": config}, out / "checkpoint.pt")
            log_file.write(json.dumps(record) + "\n")
            log_file.flush()
            log(f"epoch {epoch + 1}/{settings.epochs} loss {record['train_loss']:.4f} "
                f"val MAE {figure(record['val_mae'])} pair MAE "
                f"{figure(record['val_pair_mae'])}")
    return best


@torch.no_grad()
def _validate(net: AURegressorNet, x: torch.Tensor, y: torch.Tensor, rows: torch.Tensor,
              partner: torch.Tensor, is_edit: torch.Tensor) -> dict[str, float]:
    """Validation MAE on the held-out renders and on the held-out edits' pair differences
    (None where there are none), and the sum of those there are, which picks the best epoch."""
    net.eval()
    r, e, p = _validation_rows(rows, partner, is_edit)
    mae = float((net(x[r]) - y[r]).abs().mean()) if len(r) else None
    pair = (float(((net(x[e]) - net(x[p])) - (y[e] - y[p])).abs().mean()) if len(e) else None)
    return {"val_mae": mae, "val_pair_mae": pair,
            "val_score": sum(v for v in (mae, pair) if v is not None)}


def _validation_rows(rows: torch.Tensor, partner: torch.Tensor, is_edit: torch.Tensor,
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The held-out renders, and the held-out edits with their partners (an edit that is its
    own partner, the only one of its face held out, tells nothing)."""
    edit = is_edit[rows]
    e, p = rows[edit], partner[edit]
    return rows[~edit], e[e != p], p[e != p]


def figure(value: float | None) -> str:
    """A validation figure as the log prints it (\"none\" where there was nothing to measure)."""
    return "none" if value is None else f"{value:.4f}"


def load_trained(path: Path) -> AURegressorNet:
    """The network saved in `best.pt`; ValueError naming the file for anything else."""
    ckpt = load_torch(path, "an AU regressor network", ("net", "n_in", "n_out", "settings"),
                      "give the best.pt of an `auedit-train rigreg train` run")
    s = ckpt["settings"]
    try:
        net = AURegressorNet(ckpt["n_in"], ckpt["n_out"], tuple(s["hidden"]), s["dropout"])
        net.load_state_dict(ckpt["net"])
    except (KeyError, TypeError, RuntimeError) as exc:
        raise ValueError(f"{path}: the weights do not fit the AU regressor ({exc})") from exc
    return net.eval()
