"""JSONL of documents: one JSON object per line with a `text` field and an optional `meta` object.

A line that carries Prodigy's fields (`spans`, `tokens`, `answer`, hashes) is read as a Prodigy
task, annotations included; exporting `jsonl` writes Prodigy tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop.formats import prodigy
from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.formats.common import reading, record_text
from desktop.formats.files import iter_json_lines, line_limit
from desktop.formats.registry import Format, register


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    for lineno, obj in iter_json_lines(path, line_limit(options)):
        if prodigy.PRODIGY_KEYS & obj.keys():
            with reading(path, lineno):
                task = prodigy.task_record(path, lineno, obj, options, report)
            yield task
            continue
        text = record_text(path, lineno, obj)
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            raise FormatError(path, "`meta` must be an object", lineno)
        yield Record(text, meta, source=f"{path}:{lineno}")


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in {".jsonl", ".ndjson"}


FORMAT = register(
    Format(
        "jsonl",
        "JSONL with a `text` field and optional `meta` (Prodigy tasks on export)",
        reader=read,
        writer=prodigy.write,
        sniff=sniff,
    )
)
