"""Throughput of the batched torch rasterizer (auedit.render) on MediaPipe's canonical face.

Renders batches of the 468-vertex, 898-triangle canonical mesh (slightly jittered per item,
random per-vertex colours and part labels) at 128, 256 and 512 px and prints the median
renders/s over several repeats. Saves one sample colour image and its label map to /tmp.

    python benchmarks/render_speed.py [--device cuda] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from PIL import Image

from auedit.face.canonical import load_canonical_face
from auedit.face.model_file import find_face_model
from auedit.render import Camera, render

SIZES = ((128, 64), (256, 16), (512, 4))  # (image size, batch)


def face_batch(batch: int, device: str, seed: int = 0):
    """Camera-space canonical faces (cm, y down, z away), colours and triangle labels."""
    cf = load_canonical_face(find_face_model())
    gen = torch.Generator().manual_seed(seed)
    verts = torch.from_numpy(cf.vertices.astype(np.float32)) * torch.tensor([1.0, -1.0, -1.0])
    verts = verts + torch.tensor([0.0, 0.0, 40.0])  # 40 cm in front of the camera
    jitter = 0.05 * torch.randn(batch, *verts.shape, generator=gen)
    verts = verts[None] + jitter
    tris = torch.from_numpy(cf.triangles.astype(np.int64))
    skin = torch.tensor([0.85, 0.65, 0.55])
    colors = (skin + 0.08 * torch.randn(verts.shape[1], 3, generator=gen)).clamp(0, 1)
    labels = torch.randint(1, 8, (tris.shape[0],), generator=gen)
    return verts.to(device), tris.to(device), colors.to(device), labels.to(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, device {args.device}, threads {torch.get_num_threads()}")
    for size, batch in SIZES:
        verts, tris, colors, labels = face_batch(batch, args.device)
        camera = Camera.fit(verts[0], (size, size), margin=0.05)
        out = render(verts, tris, colors, labels, (size, size), camera)  # warm-up
        rates = []
        for _ in range(args.repeats):
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            t = time.perf_counter()
            out = render(verts, tris, colors, labels, (size, size), camera)
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            rates.append(batch / (time.perf_counter() - t))
        print(f"{size:4d} px, batch {batch:3d}: {statistics.median(rates):7.1f} renders/s "
              f"(min {min(rates):.1f}, max {max(rates):.1f})")
        rgb = (out.color[0].cpu().numpy() * 255).round().astype(np.uint8)
        Image.fromarray(rgb).save(f"/tmp/render_face_{size}.png")
        lab = out.labels[0].cpu().numpy()
        palette = (np.random.default_rng(1).random((int(lab.max()) + 1, 3)) * 255).astype(np.uint8)
        palette[0] = 0
        Image.fromarray(palette[lab]).save(f"/tmp/render_labels_{size}.png")
    print("samples: /tmp/render_face_<size>.png, /tmp/render_labels_<size>.png")


if __name__ == "__main__":
    main()
