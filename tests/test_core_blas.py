"""The app, the CLI and the training jobs run numpy's and SciPy's BLAS on one thread."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from auedit.cli.main import main
from auedit.core.blas import use_one_blas_thread


def _blas_threads() -> set[int]:
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


def test_one_blas_thread_for_numpy_and_scipy():
    use_one_blas_thread()
    libraries = [info for info in threadpool_info() if info["user_api"] == "blas"]
    assert len(libraries) >= 2  # numpy's and SciPy's own OpenBLAS
    assert _blas_threads() == {1}


def test_the_cli_limits_blas_threads(tmp_path, capsys):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):
        # a command that fails early (no such file) still runs on one BLAS thread
        assert main(["analyze", str(tmp_path / "missing.jpg"), "--out",
                     str(tmp_path / "out.csv")]) != 0
        assert _blas_threads() == {1}
    capsys.readouterr()
