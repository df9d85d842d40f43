"""JSONL of documents: one JSON object per line with a `text` field and an optional `meta` object.

A line that carries Prodigy's fields (`spans`, `tokens`, `answer`, hashes) is read as a Prodigy
task, annotations included; exporting `jsonl` writes Prodigy tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import srsly

from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.formats.registry import Format, register


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, streamed; a FormatError names the bad line.

    Lines end at `\\n` only: JSON strings may hold U+2028 and other characters that
    `str.splitlines` would break on.
    """
    try:
        f = open(path, "rb")
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    with f:
        for lineno, raw in enumerate(f, 1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise FormatError(path, f"not UTF-8 (byte 0x{raw[e.start]:02x})", lineno) from e
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
    from desktop.formats import prodigy

    for lineno, obj in iter_json_lines(path):
        if prodigy.PRODIGY_KEYS & obj.keys():
            yield prodigy.task_record(path, lineno, obj, options, report)
            continue
        text = record_text(path, lineno, obj)
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            raise FormatError(path, "`meta` must be an object", lineno)
        yield Record(text, meta, source=f"{path}:{lineno}")


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in {".jsonl", ".ndjson"}


def _write(project: Any, out: Path, options: Any, progress: Any) -> Any:
    from desktop.formats import prodigy

    return prodigy.write(project, out, options, progress)


FORMAT = register(
    Format(
        "jsonl",
        "JSONL with a `text` field and optional `meta` (Prodigy tasks on export)",
        reader=read,
        writer=_write,
        sniff=sniff,
    )
)
