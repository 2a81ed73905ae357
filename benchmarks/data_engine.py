"""Throughput of the synthetic data engine (auedit-train data), writing to disk included.

Renders: `--n` random game faces per size, aligned, written as shards with the manifest
(what `auedit-train data renders` does, timed from the first batch to the manifest; the
renderer's set-up is timed apart). Edits: the London neutral photos (`../shared/data`),
tracked, aligned and prepared once each (timed apart), then `--edits` semantically
resampled edits at 128 px written the same way. Targets: >= 200 renders/s and >= 20 edits/s
at 128 px on a 2-core CPU.

    python benchmarks/data_engine.py [--device cuda] [--sizes 128,256,512] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _shared import shared_data
from auedit_train.data.cli import write_dataset
from auedit_train.data.edits import EditSettings, RealFaceEditor
from auedit_train.data.renders import (
    RenderSettings,
    RigDataRenderer,
    default_batch,
    render_fields,
)
from auedit_train.data.store import prepare_out


def bench_renders(settings: RenderSettings, n: int, tmp: Path) -> None:
    size = settings.size
    t0 = time.perf_counter()
    maker = RigDataRenderer("renders", settings)
    t1 = time.perf_counter()
    out = tmp / f"renders{size}"
    prepare_out(out, overwrite=False)
    write_dataset(out, "renders", n, 0, render_fields("renders", size),
                  maker.batches(n, np.random.default_rng(0)), maker.manifest(), progress=False)
    dt = time.perf_counter() - t1
    mb = sum(f.stat().st_size for f in out.rglob("*.npy")) / 2**20
    print(f"renders {size:3d} px, batch {settings.batch}, {settings.workers} worker(s): "
          f"{n / dt:6.1f} renders/s ({n} in {dt:.1f} s, {mb:.0f} MiB written; set-up "
          f"{t1 - t0:.1f} s)")


def bench_edits(n: int, tmp: Path) -> None:
    source = shared_data() / "london" / "neutral"
    t0 = time.perf_counter()
    editor = RealFaceEditor(EditSettings(), [str(source)], progress=False)
    t1 = time.perf_counter()
    out = tmp / "edits"
    prepare_out(out, overwrite=False)
    plan = editor.plan("edits", n, np.random.default_rng(0))
    write_dataset(out, "edits", n, 0, editor.fields("edits"), editor.batches(plan, 64),
                  editor.manifest(plan), progress=False)
    t2 = time.perf_counter()
    faces = len(editor.faces)
    print(f"edits 128 px: {n / (t2 - t1):6.1f} edits/s once prepared ({n} in {t2 - t1:.1f} s); "
          f"preparing {faces} faces {t1 - t0:.1f} s ({faces / (t1 - t0):.1f} faces/s, tracker "
          f"and synthesizer set-up included); overall {n / (t2 - t0):.1f} edits/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--sizes", default="128", help="comma-separated render sizes")
    parser.add_argument("--n", type=int, default=2048, help="renders per size")
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=None, help="default: by size")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads per worker")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                        help="batches rendered side by side (threads)")
    parser.add_argument("--skip-edits", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, device {args.device}, {args.workers} worker(s) x "
          f"{torch.get_num_threads()} thread(s)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            settings = RenderSettings(size=size, device=args.device, workers=args.workers,
                                      batch=args.batch or default_batch(size))
            bench_renders(settings, args.n, Path(tmp))
        if not args.skip_edits:
            bench_edits(args.edits, Path(tmp))


if __name__ == "__main__":
    main()
