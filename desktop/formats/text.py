"""Plain text: one `.txt` file is one document, its text kept exactly (line endings included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.formats.files import read_text_file
from desktop.formats.registry import Format, register


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    text = read_text_file(path)
    if not text.strip():
        raise FormatError(path, "empty document")
    yield Record(text, {"source": path.name}, source=str(path))


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".txt"


FORMAT = register(Format("text", "plain text files, one document each", reader=read, sniff=sniff))
