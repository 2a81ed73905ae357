"""The installed Qt binding keeps Python's reference counts right.

PySide6 6.12.0 drops a reference to None on every call of a method that returns nothing; on
Python 3.11, where None is not yet immortal, a long session (a minute of video) then aborts
with "deallocating None". pyproject.toml keeps that release out; this test catches a binding
with the same fault before a user does.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_calls_keep_none_alive(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("abc")
        label.setMinimumWidth(3)
        label.repaint()
    assert sys.getrefcount(None) - before > -50
