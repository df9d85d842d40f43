"""Plain text: one `.txt` file is one document, its text kept exactly (line endings included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.formats.registry import Format, register


def read_text_file(path: Path) -> str:
    """A file's text as UTF-8, exactly as it is (no newline translation), or a FormatError."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(path, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line) from e
    return text


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    text = read_text_file(path)
    if not text.strip():
        raise FormatError(path, "empty document")
    yield Record(text, {"source": path.name}, source=str(path))


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".txt"


FORMAT = register(Format("text", "plain text files, one document each", reader=read, sniff=sniff))
