"""What GE-Net's trainers share: torchrun/DDP set-up, seeded loaders, resumable checkpoints,
JSON-lines logs and the network files the app loads.

A run folder holds `config.json`, `checkpoint.pt` (everything needed to go on: weights,
optimiser, scheduler, step, best record), `best.pt` (a network file in the format of
`auedit.fit.genet.model_files`) and `log.jsonl`. Under torchrun every process trains on its
share of each batch (DistributedSampler) and rank 0 alone writes files.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import distributed as dist
from torch.utils.data import DataLoader, Dataset, DistributedSampler, RandomSampler

from auedit_train.common import (
    DAMAGED,
    check_device,
    check_fresh,
    check_same,
    load_torch,
    make_folder,
    read_json,
    save_atomic,
    say_no_checkpoint,
)

CHECKPOINT_KEYS = ("net", "opt", "sched", "step", "best")


@dataclass(frozen=True)
class Process:
    """This process's place in a (possibly single-process) run."""

    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0


def start(device: str) -> Process:
    """Join torchrun's process group where WORLD_SIZE > 1 (NCCL on CUDA, else Gloo)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Process(0, 1, check_device(device))
    check_device(device)
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.device(device).type == "cuda"
    dist.init_process_group("nccl" if cuda else "gloo")
    if cuda:
        torch.cuda.set_device(local)
    return Process(dist.get_rank(), world, torch.device(f"cuda:{local}" if cuda else "cpu"))


def is_main_process() -> bool:
    """Whether this process reports a run's outcome: rank 0 under torchrun, or the only one."""
    return int(os.environ.get("RANK", "0")) == 0


def finish(proc: Process) -> None:
    if proc.world > 1:
        dist.destroy_process_group()


def wrap(net: torch.nn.Module, proc: Process) -> torch.nn.Module:
    """The network as this process trains it (DDP across processes)."""
    net.to(proc.device)
    if proc.world == 1:
        return net
    ids = [proc.device.index] if proc.device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(net, device_ids=ids)


def batches(dataset: Dataset, batch: int, seed: int, proc: Process, workers: int = 0,
            ) -> Iterator[dict[str, torch.Tensor]]:
    """Endless shuffled batches (each process `batch // world` samples), the same for the
    same seed; epoch e reshuffles with seed + e. ValueError where the data hold fewer samples
    than one batch (whole batches only: there would never be one)."""
    check_batch(dataset, batch)
    return _batches(dataset, max(1, batch // proc.world), seed, proc, workers)


def check_batch(dataset: Dataset, batch: int) -> None:
    """ValueError where the data hold fewer samples than one batch; checked before a run
    writes anything to its folder too."""
    if len(dataset) < batch:
        raise ValueError(f"the training set holds {len(dataset)} samples, fewer than one batch "
                         f"(--batch {batch}): give more data or a smaller --batch")


def _batches(dataset: Dataset, per: int, seed: int, proc: Process, workers: int,
             ) -> Iterator[dict[str, torch.Tensor]]:
    epoch = 0
    while True:
        if proc.world > 1:
            sampler = DistributedSampler(dataset, proc.world, proc.rank, seed=seed)
            sampler.set_epoch(epoch)
        else:
            sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed + epoch))
        loader = DataLoader(dataset, per, sampler=sampler, num_workers=workers, drop_last=True,
                            persistent_workers=False)
        yield from loader
        epoch += 1


def initialise(net: torch.nn.Module, path: str, kind: str) -> None:
    """Start `net` from the weights of a network file of `kind` (fine-tuning); the file's
    layout must be the network's."""
    from auedit.fit.genet.model_files import load_state, read

    load_state(net, read(Path(path), kind), Path(path))


def schedule(opt: torch.optim.Optimizer, steps: int, warmup: float = 0.05,
             ) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over the first `warmup` of the steps, then a cosine decay to 0."""
    w = max(1, round(steps * warmup))

    def factor(step: int) -> float:
        return min(1.0, (step + 1) / w) * 0.5 * (1.0 + math.cos(math.pi * min(step, steps)
                                                                / steps))

    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


def optimise(opt: torch.optim.Optimizer, sched: Any, loss: torch.Tensor) -> None:
    """One optimiser and schedule step on `loss`."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()


def window(step: int, every: int, steps: int) -> int:
    """How many steps the running sums cover when `step` is due for a record (every `every`
    steps and at the last one), else 0."""
    if step % every == 0:
        return every
    return step % every if step == steps else 0


def save_config(out: Path, config: Any) -> None:
    make_folder(out)
    (out / "config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")


def check_config(out: Path, config: Any) -> None:
    """A resumed run must go on with the settings it started with."""
    saved = read_json(out / "config.json", "a run configuration", DAMAGED)
    if not isinstance(saved, dict):
        raise ValueError(f"{out / 'config.json'} does not hold a run configuration; {DAMAGED}")
    check_same(out, saved, asdict(config))


def check_finite(network: dict, what: str) -> None:
    """ValueError where a network file's weights hold NaN or infinity (`what`: which)."""
    bad = sum(int((~torch.isfinite(v)).sum()) for v in network["state"].values()
              if v.is_floating_point())
    if bad:
        raise ValueError(f"{what} has {bad} weights that are not finite numbers: training "
                         "diverged (a lower --lr may help)")


def network_file(kind: str, config: dict, net: torch.nn.Module, record: dict) -> dict:
    """The contents of a network file (`auedit.fit.genet.model_files`)."""
    module = net.module if hasattr(net, "module") else net
    return {"kind": kind, "config": config, "record": record,
            "state": {k: v.detach().cpu() for k, v in module.state_dict().items()}}


class RunFiles:
    """Checkpoint, best network and log of one run folder (written by rank 0 only)."""

    def __init__(self, out: Path, proc: Process) -> None:
        self.out, self.proc = out, proc
        self.checkpoint = out / "checkpoint.pt"
        self.best = out / "best.pt"

    def start(self, settings: Any, resume: bool, net: torch.nn.Module,
              opt: torch.optim.Optimizer, sched: Any, best: dict, overwrite: bool = False,
              echo: Callable[[str], None] = print) -> tuple[int, dict]:
        """(step, best record) to begin with: from the checkpoint when resuming (the settings
        must match the run's), else from scratch with the settings written down (refused
        where the folder holds another run, unless `overwrite`)."""
        if resume and self.checkpoint.is_file():
            check_config(self.out, settings)
            state = load_torch(self.checkpoint, "a checkpoint", CHECKPOINT_KEYS, DAMAGED,
                               self.proc.device, weights_only=False)
            net.load_state_dict(state["net"])
            opt.load_state_dict(state["opt"])
            sched.load_state_dict(state["sched"])
            return state["step"], state["best"]
        if resume and self.proc.main:
            say_no_checkpoint(self.out, echo)
        check_fresh(self.out, overwrite, self.proc.main)
        if self.proc.main:
            save_config(self.out, settings)
        return 0, best

    def save(self, net: torch.nn.Module, opt: torch.optim.Optimizer, sched: Any, step: int,
             best: dict) -> None:
        """The checkpoint to go on from (rank 0)."""
        if self.proc.main:
            state = {"net": net.state_dict(), "opt": opt.state_dict(),
                     "sched": sched.state_dict(), "step": step, "best": best}
            save_atomic(state, self.checkpoint)

    def save_best(self, network: dict) -> None:
        """The best network so far (rank 0); a diverged one (weights not finite, whose
        score can still look fine: argmax of NaN logits is class 0) stops the run."""
        if self.proc.main:
            step = network.get("record", {}).get("step", "?")
            check_finite(network, f"the network at step {step} (best.pt not written)")
            save_atomic(network, self.best)

    def log(self, record: dict, echo: Callable[[str], None]) -> None:
        """Append a record to the log, and echo its scalars as one line (rank 0)."""
        if self.proc.main:
            with (self.out / "log.jsonl").open("a") as f:
                f.write(json.dumps(record) + "\n")
            echo(" ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in record.items() if not isinstance(v, dict)))


def average(value: float, proc: Process) -> float:
    """A metric averaged over the processes."""
    if proc.world == 1:
        return value
    t = torch.tensor([value], device=proc.device, dtype=torch.float64)
    dist.all_reduce(t)
    return float(t.item()) / proc.world
