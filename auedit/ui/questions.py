"""A yes-or-cancel question, answered in a modal box (Cancel is the default)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

Button = QMessageBox.StandardButton


def ask(parent: QWidget, title: str, text: str, accept: Button = Button.Yes) -> bool:
    """True where the user picks `accept` (Yes, Discard, ...) over Cancel."""
    answer = QMessageBox.question(parent, title, text, accept | Button.Cancel, Button.Cancel)
    return answer == accept
