"""Import and export formats, one module each behind a small registry (`registry.py`).

The names below are loaded on first use (PEP 562), so that `from desktop.formats import registry`
stays cheap: the importer and exporter bring in the store, spaCy's tokenizer and SQLite, which the
command line does not need to build its parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.formats.base import (
        Cancelled,
        ExportLossError,
        ExportOptions,
        ExportReport,
        FormatError,
        ImportOptions,
        ImportReport,
    )
    from desktop.formats.exporter import export_project, resolve_source
    from desktop.formats.importer import import_paths

_LAZY = {
    "Cancelled": "base",
    "ExportLossError": "base",
    "ExportOptions": "base",
    "ExportReport": "base",
    "FormatError": "base",
    "ImportOptions": "base",
    "ImportReport": "base",
    "export_project": "exporter",
    "resolve_source": "exporter",
    "import_paths": "importer",
}

__all__ = [
    "Cancelled",
    "ExportLossError",
    "ExportOptions",
    "ExportReport",
    "FormatError",
    "ImportOptions",
    "ImportReport",
    "export_project",
    "import_paths",
    "resolve_source",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
