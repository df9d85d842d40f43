"""Importing files into a project: choose each file's format, read, check, and store in one transaction.

Either everything given is imported, or (on the first bad record) nothing is: the project is left
exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from desktop.formats import registry
from desktop.formats.base import (
    FileReport,
    FormatError,
    ImportOptions,
    ImportReport,
    Progress,
    Record,
)
from desktop.formats.registry import Format
from desktop.model import Annotation
from desktop.model.tokens import token_range
from desktop.nlp.pipeline import tokenize_texts
from desktop.store import NewDocument, Project

CHUNK = 500


class _Cancelled(Exception):
    pass


def expand(paths: Iterable[str | Path], fmt: str = "auto") -> list[tuple[Path, Format]]:
    """Each input with its format; folders become their files, except for folder formats (brat)."""
    out: list[tuple[Path, Format]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FormatError(path, "no such file or folder")
        if fmt != "auto":
            chosen = registry.get(fmt)
            if chosen.reader is None:
                raise FormatError(path, f"Etiquette cannot import the {fmt} format")
            if path.is_dir() and not chosen.folder:
                out += [
                    (p, chosen) for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
                ]
            else:
                out.append((path, chosen))
            continue
        if path.is_dir():
            try:
                out.append((path, registry.sniff(path)))
                continue
            except FormatError:
                pass
            found = []
            for p in sorted(path.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    try:
                        found.append((p, registry.sniff(p)))
                    except FormatError:
                        continue
            if not found:
                raise FormatError(path, "no file in this folder is in a format Etiquette reads")
            out += found
        else:
            out.append((path, registry.sniff(path)))
    return out


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    fmt: str = "auto",
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files and folders; raises FormatError (and writes nothing) on bad input."""
    options = options or ImportOptions()
    inputs = expand(paths, fmt)
    report = ImportReport()
    tokenize = tokenize_texts(project.lang)
    done = 0
    try:
        with project.transaction():
            for path, chosen in inputs:
                file_report = FileReport(str(path), chosen.name)
                report.files.append(file_report)
                assert chosen.reader is not None
                records = chosen.reader(path, options, file_report)
                for chunk in _chunks(records):
                    _store(project, chunk, file_report, tokenize)
                    done += len(chunk)
                    if progress is not None and progress(done, 0) is False:
                        raise _Cancelled
    except _Cancelled:
        report.cancelled = True
        report.files.clear()
    return report


def _chunks(records: Iterator[Record]) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store(project: Project, chunk: list[Record], report: FileReport, tokenize: object) -> None:
    for r in chunk:
        if r.tokens is not None:
            check_tokens(r)
    result = project.add_documents(
        (
            NewDocument(r.text, r.meta, r.source, r.tokens, r.sent_starts, r.token_attrs, r.extras)
            for r in chunk
        ),
        tokenize,
    )
    report.records += len(chunk)
    report.added += result.added
    report.duplicates += result.duplicates
    if result.other_tokens:
        what = "texts already in the project with other tokens (the stored tokens kept)"
        report.not_imported[what] = report.not_imported.get(what, 0) + result.other_tokens
    ids = result.ids
    docs = {
        d.id: d for d in project.iter_documents([i for i, r in zip(ids, chunk, strict=True) if r.annotations])
    }
    annotations: list[Annotation] = []
    for doc_id, record in zip(ids, chunk, strict=True):
        for ann in record.annotations:
            doc = docs[doc_id]
            for span in ann.spans:
                check_span(record, span.start, span.end)
                span.token_start, span.token_end = token_range(doc.tokens, span.start, span.end)
            ann.document_id = doc_id
            annotations.append(ann)
            report.annotations += 1
            report.spans += len(ann.spans)
            report.relations += len(ann.relations)
    if annotations:
        project.save_annotations(annotations, log=f"import {report.format}")


def _where(record: Record) -> tuple[str, int | None]:
    path, _, line = record.source.rpartition(":")
    return (path, int(line)) if line.isdigit() else (record.source, None)


def check_tokens(record: Record) -> None:
    """Raise a FormatError naming the record when its tokens do not fit its text."""
    assert record.tokens is not None
    pos = 0
    for start, end in record.tokens:
        if not (isinstance(start, int) and isinstance(end, int) and pos <= start < end <= len(record.text)):
            path, line = _where(record)
            raise FormatError(
                path,
                f"token {start!r}-{end!r} does not fit the text (tokens must be in order, "
                f"not overlap, and lie within the text's {len(record.text)} characters)",
                line,
            )
        pos = end


def check_span(record: Record, start: int, end: int, text: str | None = None) -> None:
    """Raise a FormatError naming the record when a span does not fit its text."""
    path, _, line = record.source.rpartition(":")
    where = (path, int(line)) if line.isdigit() else (record.source, None)
    if not (isinstance(start, int) and isinstance(end, int)):
        raise FormatError(where[0], f"span offsets must be integers, got {start!r}-{end!r}", where[1])
    if not (0 <= start < end <= len(record.text)):
        raise FormatError(
            where[0],
            f"span {start}-{end} is out of range for a text of {len(record.text)} characters",
            where[1],
        )
    if text is not None and record.text[start:end] != text:
        raise FormatError(
            where[0],
            f"span {start}-{end} says {text!r} but the text there is {record.text[start:end]!r}",
            where[1],
        )
