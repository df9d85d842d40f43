"""The export helpers the format modules share: the train/dev split, the run that counts what is
written and reports what is lost, and the export loop of the line-based formats.

This module imports no format module, nor the importer or exporter: they all import it.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.formats.base import Cancelled, ExportOptions, ExportReport, Loss, Progress
from desktop.model import Annotation, Document

_WS = re.compile(r"\s+")


def split_ids(ids: list[int], dev_split: float, seed: int) -> set[int]:
    """The document ids that go to the dev set: a seeded shuffle, the same for the same project."""
    if not 0 <= dev_split < 1:
        raise ValueError("--dev-split is a fraction between 0 and 1")
    if dev_split == 0:
        return set()
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    n_dev = max(1, round(len(ids) * dev_split)) if ids else 0
    return set(shuffled[:n_dev])


def split_paths(out: Path, dev_split: float) -> tuple[Path, Path | None]:
    """`out` alone, or `out` with `-train`/`-dev` before its suffix when splitting."""
    if not dev_split:
        return out, None
    return (out.with_name(f"{out.stem}-train{out.suffix}"), out.with_name(f"{out.stem}-dev{out.suffix}"))


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
