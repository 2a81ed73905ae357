"""What the game face's textured look costs against the flat look, side by side.

Renders batches of the whole rig (`FaceRenderer`: skin, eyeballs, mouth interior; the neutral
face, aligned to the base face) in each look, the looks taking turns, at 128, 256 and 512 px
and prints the median renders/s over several repeats and the textured look's share of the
flat look's rate.

    python benchmarks/gameface_looks.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

from auedit.render.face import LOOKS, FaceRenderer
from auedit.rig.model import RigParams, load_rig

SIZES = ((128, 64), (256, 16), (512, 4))  # (image size, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rig = load_rig()
    for size, batch in SIZES:
        params = RigParams.neutral(batch)
        renderers = {look: FaceRenderer(rig, size, look=look) for look in LOOKS}
        times: dict[str, list[float]] = {look: [] for look in LOOKS}
        for renderer in renderers.values():
            renderer.render(params, align=True)  # warm-up
        for _ in range(args.repeats):  # the looks alternate, so both see the same load
            for look, renderer in renderers.items():
                t = time.perf_counter()
                renderer.render(params, align=True)
                times[look].append(time.perf_counter() - t)
        rates = {look: batch / statistics.median(t) for look, t in times.items()}
        print(f"{size:4d} px, batch {batch:3d}: "
              + ", ".join(f"{look} {rate:6.1f} renders/s" for look, rate in rates.items())
              + f"; textured / flat {rates['textured'] / rates['flat']:.2f}")


if __name__ == "__main__":
    main()
