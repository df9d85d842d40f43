"""JSONL of documents: one JSON object per line with a `text` field and an optional `meta` object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import srsly

from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.formats.registry import Format, register
from desktop.formats.text import read_text_file


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a FormatError names the line that is bad."""
    text = read_text_file(path)
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = srsly.json_loads(line)
        except ValueError as e:
            raise FormatError(path, f"not valid JSON ({e})", lineno) from e
        if not isinstance(obj, dict):
            raise FormatError(path, "each line must be a JSON object", lineno)
        yield lineno, obj


def record_text(path: Path, lineno: int, obj: dict[str, Any], field: str = "text") -> str:
    text = obj.get(field)
    if not isinstance(text, str):
        raise FormatError(path, f"no `{field}` field (a string) in this record", lineno)
    if not text.strip():
        raise FormatError(path, "empty text", lineno)
    return text


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    for lineno, obj in iter_json_lines(path):
        text = record_text(path, lineno, obj)
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            raise FormatError(path, "`meta` must be an object", lineno)
        yield Record(text, meta, source=f"{path}:{lineno}")


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in {".jsonl", ".ndjson"}


FORMAT = register(
    Format("jsonl", "JSONL with a `text` field and optional `meta`", reader=read, sniff=sniff)
)
