"""The format registry: its static table matches the modules, and the CLI parser stays light."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop.formats
from desktop.formats import registry

HEAVY = ("desktop.store", "sqlite_utils", "srsly", "numpy", "spacy", "PySide6")


def test_the_static_table_matches_what_each_module_registers() -> None:
    for builtin in registry.BUILTIN:
        module = importlib.import_module(f"desktop.formats.{builtin.module}")
        fmt = module.FORMAT
        assert fmt.name == builtin.name
        assert (fmt.reader is not None) == builtin.reads, builtin.name
        assert (fmt.writer is not None) == builtin.writes, builtin.name
        assert registry.get(builtin.name) is fmt


def test_every_format_module_is_in_the_table() -> None:
    listed = {b.module for b in registry.BUILTIN}
    for info in pkgutil.iter_modules(desktop.formats.__path__):
        module = importlib.import_module(f"desktop.formats.{info.name}")
        if isinstance(getattr(module, "FORMAT", None), registry.Format):
            assert info.name in listed, f"{info.name} registers a format missing from BUILTIN"


def test_choices_come_in_auto_order() -> None:
    assert registry.importable() == ["spacy", "brat", "doccano", "prodigy", "conll", "jsonl", "text"]
    assert registry.exportable() == ["spacy", "brat", "doccano", "prodigy", "conll", "jsonl"]


def test_building_the_cli_parser_imports_no_format_module() -> None:
    code = (
        "import json, sys\n"
        "from desktop.cli import build_parser\n"
        "build_parser()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'desktop', 'sqlite_utils', 'srsly', 'numpy', 'spacy', 'PySide6'})))\n"
    )
    root = Path(desktop.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=root
    ).stdout
    loaded = json.loads(out)
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert not [m for m in loaded if m.startswith("desktop.formats.") and m != "desktop.formats.registry"]


def test_package_names_load_on_first_use() -> None:
    from desktop.formats import ExportOptions, export_project, import_paths, resolve_source
    from desktop.formats.exporter import export_project as direct

    assert export_project is direct
    assert callable(import_paths) and callable(resolve_source)
    assert ExportOptions(source="x").source == "x"
    assert "export_project" in dir(desktop.formats)
