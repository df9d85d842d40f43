"""The core stays Qt-free: only desktop/ui may import PySide6."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "desktop"


def qt_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"} for n in names):
            lines.append(node.lineno)
    return lines


def test_no_core_module_imports_qt() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts
        for line in qt_imports(path)
    ]
    assert offenders == []


def test_importing_the_core_loads_no_qt() -> None:
    core = [
        f"desktop.{p.relative_to(PACKAGE).with_suffix('').as_posix().replace('/', '.')}"
        for p in PACKAGE.rglob("*.py")
        if "ui" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {core!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
