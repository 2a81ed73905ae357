"""Exceptions told in one short line, for messages a user reads."""

from __future__ import annotations

import re


def exception_summary(exc: BaseException, limit: int = 160) -> str:
    """The exception's kind and the first sentence of its message: torch's and others' run
    on for lines (advice on `weights_only`, links) that say nothing about the user's file."""
    first = re.split(r"(?<=\.)\s", str(exc).strip(), maxsplit=1)[0].splitlines()
    text = first[0][:limit] if first else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
