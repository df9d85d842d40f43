"""Annotated Prodigy JSONL as several annotators' work to merge.

Each record is read by the Prodigy format module (`desktop.formats.prodigy.task_record`), so a file
gives the same spans, relations, statuses and annotator names whether it is imported or merged.
What merging adds: records are grouped by text (one document, one annotation per annotator), a
later record of the same annotator and text replaces an earlier one (as when Prodigy saves an
answer again), `_timestamp` (seconds since 1970) is the annotation's `updated_at` (the file's
modification time when absent), and every record must say who made it (`_annotator_id` or
`_session_id`, or `--annotator`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.formats.base import FileReport, FormatError, ImportOptions
from desktop.formats.files import iter_json_lines
from desktop.formats.prodigy import task_record
from desktop.model import GOLD, Annotation, AnnotatorKind
from desktop.team.bulk import StoredAnnotation


@dataclass(slots=True)
class IncomingDocument:
    """A document from another project or a file, with every annotator's annotation of it."""

    text: str
    tokens: str | None = None
    """The source's tokens as a project stores them (JSON), or None to tokenize with the
    project's tokenizer."""
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[Annotation | StoredAnnotation] = field(default_factory=list)
    kinds: dict[str, AnnotatorKind] = field(default_factory=dict)
    where: str = ""
    """`file` or `file:line`, for messages."""
    layers: tuple[Any, Any, Any] = (None, None, None)
    """Sentence starts, token attributes and format fields of a project's document."""


def stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def read_tasks(
    path: Path, annotator: str | None = None, report: FileReport | None = None
) -> list[IncomingDocument]:
    """Every annotated record of the file, grouped by text."""
    try:
        default_stamp = stamp(path.stat().st_mtime)
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    report = report or FileReport(str(path), "prodigy")
    options = ImportOptions(annotator=annotator)
    docs: dict[str, IncomingDocument] = {}
    for lineno, task in iter_json_lines(path):
        if not (task.get("_annotator_id") or task.get("_session_id") or annotator):
            raise FormatError(
                path, "no `_annotator_id` in this record; say who made it with --annotator", lineno
            )
        when = task.get("_timestamp")
        if when is not None and (not isinstance(when, int | float) or isinstance(when, bool)):
            raise FormatError(path, "`_timestamp` must be a number of seconds", lineno)
        record = task_record(path, lineno, task, options, report)
        doc = docs.setdefault(
            record.text, IncomingDocument(record.text, meta=record.meta, where=record.source)
        )
        for ann in record.annotations:
            ann.updated_at = stamp(when) if when is not None else default_stamp
            doc.annotations = [a for a in doc.annotations if a.annotator != ann.annotator]
            doc.annotations.append(ann)
            doc.kinds[ann.annotator] = AnnotatorKind.GOLD if ann.annotator == GOLD else AnnotatorKind.PERSON
    return list(docs.values())
