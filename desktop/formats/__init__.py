"""Import and export formats, one module each behind a small registry (`registry.py`)."""

from desktop.formats.base import (
    ExportLossError,
    ExportOptions,
    ExportReport,
    FormatError,
    ImportOptions,
    ImportReport,
)
from desktop.formats.exporter import export_project, resolve_source
from desktop.formats.importer import import_paths

__all__ = [
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
