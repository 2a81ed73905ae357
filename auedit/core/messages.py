"""Exceptions told in one short line, for messages a user reads."""

from __future__ import annotations

import re


def exception_summary(exc: BaseException, limit: int = 160) -> str:
    """The exception's kind and the first sentence of its message: torch's and others' run
    on for lines (advice on `weights_only`, links) that say nothing about the user's file."""
    first = re.split(r"(?<=\.)\s", str(exc).strip(), maxsplit=1)[0].splitlines()
    text = first[0][:limit] if first else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def error_text(exc: BaseException) -> str:
    """The message of an error a command reports: an OSError as "FILE: why" (not Python's
    "[Errno 20] Not a directory: 'FILE'"), others as they say."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
        return f"{where}: {exc.strerror}" if where is not None else exc.strerror
    return str(exc)
