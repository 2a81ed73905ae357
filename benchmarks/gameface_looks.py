"""What the game face's textured look costs against the flat look, side by side.

Renders batches of the whole rig (`FaceRenderer`: skin, eyeballs, mouth interior; the neutral
face, aligned to the base face) in each look at 128, 256 and 512 px and prints the median
renders/s over several repeats and the textured look's share of the flat look's rate.

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
        rates = {}
        for look in LOOKS:
            renderer = FaceRenderer(rig, size, look=look)
            renderer.render(params, align=True)  # warm-up
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                renderer.render(params, align=True)
                times.append(time.perf_counter() - t)
            rates[look] = batch / statistics.median(times)
        print(f"{size:4d} px, batch {batch:3d}: "
              + ", ".join(f"{look} {rate:6.1f} renders/s" for look, rate in rates.items())
              + f"; textured / flat {rates['textured'] / rates['flat']:.2f}")


if __name__ == "__main__":
    main()
