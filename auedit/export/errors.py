"""The error every exporter raises for an export that cannot be made."""

from __future__ import annotations


class ExportError(ValueError):
    """An export that cannot be made: the message says why (shown without a traceback)."""
