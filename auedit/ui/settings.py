"""Typed access to the app's QSettings."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "AUEdit"
APPLICATION = "AUEdit"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def get_bool(s: QSettings, key: str, default: bool) -> bool:
    v = s.value(key, default)
    return v if isinstance(v, bool) else str(v).lower() in ("true", "1", "yes")


def get_int(s: QSettings, key: str, default: int) -> int:
    try:
        return int(s.value(key, default))
    except (TypeError, ValueError):
        return default


def get_list(s: QSettings, key: str, default: tuple[str, ...]) -> list[str]:
    v = s.value(key, list(default))
    if v is None:
        return list(default)
    if isinstance(v, str):
        return [x for x in v.split(",") if x]
    return [str(x) for x in v]
