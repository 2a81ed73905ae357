"""The training package's tests need `auedit_train` (`pip install -e training`); without it
they are not collected (the header of the test run says so) rather than failing at import."""

from __future__ import annotations

from importlib.util import find_spec

MISSING = find_spec("auedit_train") is None
NOTE = ("tests/training not collected: the training package is not installed "
        "(pip install -e training)")

if MISSING:
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header() -> str | None:
    return NOTE if MISSING else None
