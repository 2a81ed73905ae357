"""The layers import in one direction only: ui -> workers -> engines -> core.

`auedit/cli` is a front end beside `auedit/ui`: neither the workers nor an engine may import
it. Only the widgets and the workers may import Qt. Checked on the source (every import
statement, also those inside functions), so a lazy import cannot slip through."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "auedit"
FRONT_ENDS = ("auedit.ui", "auedit.cli")
QT = ("PySide6", "pyqtgraph")


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` in `path` names (absolute imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if len(p.relative_to(PACKAGE).parts) > 1)


@pytest.mark.parametrize("path", [p for p in SOURCES if _layer(p) == "workers"],
                         ids=lambda p: p.name)
def test_workers_import_no_front_end(path):
    bad = [m for m in imported_modules(path) if _under(m, FRONT_ENDS)]
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", [p for p in SOURCES if _layer(p) not in ("ui", "workers", "cli")],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engines_import_no_front_end_worker_or_qt(path):
    bad = [m for m in imported_modules(path)
           if _under(m, (*FRONT_ENDS, "auedit.workers", *QT))]
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_the_check_sees_lazy_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from auedit.cli.export import x\n    import PySide6.QtCore\n")
    assert imported_modules(source) == {"auedit.cli.export", "PySide6.QtCore"}
