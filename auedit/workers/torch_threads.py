"""How many threads torch's CPU kernels use, set per worker thread.

torch's intra-op setting (OpenMP's) belongs to each thread that sets it, and a thread that
never set it takes the last value any thread set. The game face renders beside MediaPipe's
and the capture's threads; with torch's default pool (a thread per core) spinning against
them on two cores a 256 px render took about 1 s instead of 20 ms, and a playing video's
analysis fell to 1 frame/s. So the inference thread renders on one thread, and GE-Net's
fitting thread, which has the time to itself, asks for torch's default again.
"""

from __future__ import annotations

_default: int | None = None


def default_count() -> int:
    """torch's own intra-op thread count, as it was before any thread of ours changed it."""
    global _default
    import torch

    if _default is None:
        _default = torch.get_num_threads()
    return _default


def use_torch_threads(count: int | None) -> None:
    """Set the calling thread's torch intra-op threads: `count`, or torch's default (None)."""
    import torch

    default = default_count()  # read before the first change
    torch.set_num_threads(default if count is None else count)
