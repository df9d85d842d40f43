"""Helpers the format modules share: building annotations from a file's spans, streaming JSON
objects with their line numbers, spaCy words/spaces from stored tokens, and the export loop."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.formats.base import (
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Loss,
    Progress,
)
from desktop.formats.exporter import split_ids, split_paths
from desktop.formats.text import read_text_file
from desktop.model import Annotation, Document, Relation, Span, Status
from desktop.model.tokens import words_and_spaces

DEFAULT_ANNOTATOR = "imported"
"""Whose annotations a file's spans become when neither the file nor `--annotator` says."""

_WS = re.compile(r"\s+")


def annotator_name(options: ImportOptions, from_file: str | None = None) -> str:
    return from_file or options.annotator or DEFAULT_ANNOTATOR


@dataclass(slots=True)
class AnnotationBuilder:
    """Collects one record's spans (under the file's own ids) and relations, without duplicates.

    A span given twice (same offsets and label) is kept once and counted in the file report;
    relations to either copy land on the one kept.
    """

    annotator: str
    status: Status
    report: FileReport
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _ids: dict[Any, int] = field(default_factory=dict)
    _by_key: dict[tuple[int, int, str], int] = field(default_factory=dict)
    _rel_keys: set[tuple[int, int, str]] = field(default_factory=set)

    def span(self, start: int, end: int, label: str, file_id: Any = None) -> int:
        """Add a span; returns its local id (the one relations refer to)."""
        key = (start, end, label)
        local = self._by_key.get(key)
        if local is None:
            local = len(self.spans)
            self.spans.append(Span(start, end, label, id=local))
            self._by_key[key] = local
        else:
            self.report.not_imported["duplicate spans"] = (
                self.report.not_imported.get("duplicate spans", 0) + 1
            )
        if file_id is not None:
            self._ids[file_id] = local
        return local

    def local_id(self, file_id: Any) -> int | None:
        return self._ids.get(file_id)

    def find(self, start: int, end: int, label: str | None = None) -> int | None:
        if label is not None:
            return self._by_key.get((start, end, label))
        return next((i for (s, e, _), i in self._by_key.items() if s == start and e == end), None)

    def relation(self, head: int, child: int, label: str) -> None:
        key = (head, child, label)
        if key in self._rel_keys:
            self.report.not_imported["duplicate relations"] = (
                self.report.not_imported.get("duplicate relations", 0) + 1
            )
            return
        self._rel_keys.add(key)
        self.relations.append(Relation(head, child, label))

    def build(self) -> Annotation:
        return Annotation(0, self.annotator, self.status, self.spans, self.relations)


def count(report: FileReport, what: str, n: int = 1) -> None:
    if n:
        report.not_imported[what] = report.not_imported.get(what, 0) + n


def iter_json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for each JSON object in a file, one per line or pretty-printed over many."""
    text = read_text_file(path)
    decoder = json.JSONDecoder()
    pos, line, counted = 0, 1, 0
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            bad = line + text.count("\n", pos, e.pos)
            raise FormatError(path, f"not valid JSON ({e.msg})", bad) from e
        if not isinstance(obj, dict):
            raise FormatError(path, "each record must be a JSON object", line)
        yield line, obj
        pos = end


def first_json_object(path: Path) -> dict[str, Any] | None:
    """The first JSON object of a small prefix of the file, for sniffing; None if not JSON."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.read(65536)
    except (OSError, UnicodeDecodeError):
        return None
    first = head.lstrip()
    if not first.startswith("{"):
        return None
    try:
        line = first.split("\n", 1)[0]
        obj = json.loads(line)
    except ValueError:
        try:
            obj, _ = json.JSONDecoder().raw_decode(first)
        except ValueError:
            return None
    return obj if isinstance(obj, dict) else None


# --- spaCy words and spaces from stored tokens ---------------------------------------------------


def words_spaces(doc: Document) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild `doc.text` exactly from its stored tokens."""
    return words_and_spaces(doc.text, doc.tokens)


# --- exporting -----------------------------------------------------------------------------------


class Cancelled(Exception):
    pass


NOT_ON_TOKENS = "spans not aligned to tokens"
"""A span whose start or end is not a boundary of the document's tokens: every export reports it,
and formats that need tokens cannot write it."""


@dataclass(slots=True)
class ExportRun:
    """One export: which documents go to dev, progress, and the report with per-document losses."""

    report: ExportReport
    dev: set[int]
    total: int
    progress: Progress | None
    done: int = 0

    def loss(self, doc_id: int, reason: str, n: int = 1) -> None:
        if n <= 0:
            return
        if not self.report.losses or self.report.losses[-1].document_id != doc_id:
            self.report.losses.append(Loss(doc_id))
        reasons = self.report.losses[-1].reasons
        reasons[reason] = reasons.get(reason, 0) + n

    def off_tokens(self, doc: Document, ann: Annotation, written: str) -> set[int | None]:
        """Ids of the spans that do not start and end on the document's token boundaries, reported
        for the document as `spans not aligned to tokens (<how they are written>)`."""
        if not ann.spans:
            return set()
        starts = {t.start for t in doc.tokens}
        ends = {t.end for t in doc.tokens}
        off = {s.id for s in ann.spans if s.start not in starts or s.end not in ends}
        self.loss(doc.id, f"{NOT_ON_TOKENS} ({written})", len(off))
        return off

    def count(self, ann: Annotation) -> None:
        """Count every span and relation of `ann` as exported, for formats that hold them all."""
        self.report.spans += len(ann.spans)
        self.report.relations += len(ann.relations)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 200 == 0 or self.done == self.total):
            if self.progress(self.done, self.total) is False:
                raise Cancelled


def start_export(
    project: Any, out: Path, fmt: str, options: ExportOptions, progress: Progress | None
) -> tuple[ExportRun, Path, Path | None]:
    """The run and its output path(s): `out`, or `out-train` and `out-dev` with a dev split."""
    if options.dev_split:
        ids = project.document_ids(options.source, options.statuses)
        dev, total = split_ids(ids, options.dev_split, options.seed), len(ids)
    else:  # no list of every id when there is nothing to split
        counts = project.status_counts(options.source)
        dev, total = set(), sum(counts[s] for s in options.statuses)
    train_path, dev_path = split_paths(out, options.dev_split)
    return ExportRun(ExportReport(fmt), dev, total, progress), train_path, dev_path


def finish_cancelled(run: ExportRun) -> ExportReport:
    for p in run.report.paths:
        target = Path(p)
        if target.is_dir():
            import shutil

            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
    run.report.cancelled = True
    run.report.paths = []
    return run.report


def dataset_name(out: Path) -> str:
    """A name without hyphens for Prodigy's `dataset-session` ids, from the output file's name."""
    return _WS.sub("_", out.stem).replace("-", "_") or "etiquette"


Render = Callable[[ExportRun, Document, Annotation], str | None]
"""The text of one document in a line-based format, or None to leave the document out; it counts
the spans and relations it writes (`run.count`) and reports what it cannot hold (`run.loss`)."""


def write_lines(
    project: Any,
    out: Path,
    fmt: str,
    options: ExportOptions,
    progress: Progress | None,
    render: Render,
) -> ExportReport:
    """The export loop of the text formats: each document rendered into the train or dev file."""
    run, train_path, dev_path = start_export(project, out, fmt, options, progress)
    paths = [train_path] if dev_path is None else [train_path, dev_path]
    train_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            files = []
            for path in paths:
                files.append(stack.enter_context(open(path, "w", encoding="utf-8", newline="\n")))
                run.report.paths.append(str(path))
            for doc, ann in project.iter_annotations(options.source, options.statuses):
                text = render(run, doc, ann)
                if text is not None:
                    files[1 if doc.id in run.dev else 0].write(text)
                    run.report.documents += 1
                run.tick()
    except Cancelled:
        return finish_cancelled(run)
    return run.report
