"""The format modules import their helpers, never each other in a circle (function-level imports
included, which import-linter does not see)."""

from __future__ import annotations

import ast
from pathlib import Path

import desktop.formats

FORMATS = Path(desktop.formats.__file__).parent
MODULES = {p.stem for p in FORMATS.glob("*.py") if p.stem != "__init__"}


def imports(module: str) -> set[str]:
    """The `desktop.formats` modules that `module` imports, anywhere in its source."""
    tree = ast.parse((FORMATS / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "desktop.formats":
                found |= {a.name for a in node.names if a.name in MODULES}
            elif node.module.startswith("desktop.formats."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("desktop.formats.")}
    return found - {module}


def cycle() -> list[str]:
    graph = {m: imports(m) for m in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return path[path.index(n) :] + [n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = 2
        path.pop()
        return []

    for m in sorted(MODULES):
        if m not in state and (found := visit(m)):
            return found
    return []


def test_no_import_circle_among_format_modules() -> None:
    assert cycle() == []


def test_shared_helpers_import_no_module_that_uses_them() -> None:
    assert imports("common") <= {"base"}
    assert imports("base") == set()


def test_one_cancelled_exception() -> None:
    sources = {m: (FORMATS / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}
    defining = [m for m, src in sources.items() if "Cancelled(Exception)" in src]
    assert defining == ["base"]
