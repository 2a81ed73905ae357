"""One BLAS thread per process for AUEdit's numpy and SciPy work.

Per frame the engines multiply and solve many small matrices (the landmark fit's Gauss-Newton
steps, the warp's meshes). OpenBLAS's worker threads gain nothing on matrices that small, and
where other threads want the CPU too (capture, MediaPipe, the GUI, a second data job) they spin
and wait: beside one busy process a photo's rig fit takes twice as long with them as without
(`python benchmarks/blas_threads.py`). The app, the CLI, the training package's jobs and the
benchmarks therefore run numpy's and SciPy's BLAS on one thread; torch keeps its own threads.
"""

from __future__ import annotations


def use_one_blas_thread() -> None:
    """Limit the BLAS libraries of numpy and SciPy (both loaded here first) to one thread."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401  (SciPy links an OpenBLAS of its own)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
