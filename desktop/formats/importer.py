"""Importing files into a project: choose each file's format, read, check, and store.

An import is all-or-nothing for the user, and never holds the project's write lock for long:

1. Staging. Every file is read, checked and tokenized into a staging database: a private
   temporary SQLite file of this process, not the project. On the first bad record, or a cancel,
   the staging file is dropped and the project is exactly as it was. Records for one text by one
   annotator are combined here, as Prodigy's `data-to-spacy` does: the document is accepted when
   any record accepted it, and then holds the spans of the accepted records (the spans of its
   rejected records are rejected suggestions, not stored).
2. Moving in. The staged documents and their annotations go into the project in short
   transactions of `BATCH` documents (each `BEGIN IMMEDIATE`, a few milliseconds of write lock),
   so a window editing the project, or another import, keeps writing in between.

A process killed while moving in leaves the batches it committed; running the same import again
completes it: texts already in the project are recognised by their content, and annotations
identical to the stored ones count as already there.

A text the annotator already has in the project, annotated differently, is never overwritten
silently: `ImportOptions.on_conflict` keeps the project's version (the default, and counted as
kept), replaces it, or merges both. The report counts only what was stored.
"""

from __future__ import annotations

import errno
import json
import pickle
import shutil
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from desktop.errors import StoppedPartway
from desktop.formats import registry
from desktop.formats.base import (
    Cancelled,
    FileReport,
    FormatError,
    ImportOptions,
    ImportReport,
    Progress,
    Record,
)
from desktop.formats.checks import check_record, guarded
from desktop.formats.common import check_span, check_tokens, count
from desktop.formats.registry import Format
from desktop.model import Annotation, Status, content_hash
from desktop.model.combine import further, join
from desktop.model.tokens import token_range
from desktop.nlp.pipeline import Tokenized, TokenizerPool, tokenize_texts
from desktop.store import NewDocument, Project
from desktop.store.base import merge_extras

CHUNK = 500
"""Records read, checked and tokenized at a time while staging."""
CHUNK_CHARS = 2_000_000
"""Or fewer records, when their texts reach this many characters."""
BATCH = 200
"""Documents moved into the project per transaction."""


def expand(
    paths: Iterable[str | Path], fmt: str = "auto", project: Path | None = None
) -> list[tuple[Path, Format]]:
    """Each input with its format; folders become their files, except for folder formats (brat).

    The files of `project` (the project being imported into, and its `-wal`/`-shm`) are never read:
    opening and closing them in this process would drop the locks SQLite holds on them.
    """
    own = _project_files(project)
    out: list[tuple[Path, Format]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FormatError(path, "no such file or folder")
        if path.resolve() in own:
            raise FormatError(path, "is the project itself; import other files into it")
        if fmt != "auto":
            chosen = registry.get(fmt)
            if chosen.reader is None:
                raise FormatError(path, f"Etiquette cannot import the {fmt} format")
            if path.is_dir() and not chosen.folder:
                out += [
                    (p, chosen)
                    for p in sorted(path.rglob("*"))
                    if p.is_file() and not p.name.startswith(".") and p.resolve() not in own
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
                if p.is_file() and not p.name.startswith(".") and p.resolve() not in own:
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


def _project_files(project: Path | None) -> set[Path]:
    if project is None:
        return set()
    db = project.resolve()
    return {db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", "-journal"))}


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    fmt: str = "auto",
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files and folders; raises FormatError (and writes nothing) on bad input.

    `progress` may cancel while the files are read; once they are all read and checked, the
    import is moved into the project to the end.
    """
    options = options or ImportOptions()
    inputs = expand(paths, fmt, project.path)
    report = ImportReport()
    with closing(_Staging()) as staging:
        try:
            _stage(project, inputs, options, staging, report, progress)
        except Cancelled:
            report.cancelled = True
            report.files.clear()
            return report
        _move_in(project, staging, options, report, progress)
    return report


class _Staging:
    """The records of one import, checked and tokenized, in a temporary SQLite file."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # an empty name: a private file, deleted on close
        self.db.execute(
            "CREATE TABLE staged (id INTEGER PRIMARY KEY, file INTEGER NOT NULL,"
            " hash TEXT NOT NULL UNIQUE, text TEXT NOT NULL, meta TEXT NOT NULL, source TEXT NOT NULL,"
            " tokens TEXT, annotations BLOB NOT NULL, layers BLOB)"
        )

    def add(
        self, file: int, record: Record, tokens: list[tuple[int, int]] | None, report: FileReport
    ) -> None:
        """Stage a record; a text staged already gets the record's annotations combined into its own.

        A record's own tokens are staged as its tokens; a text staged already keeps the tokens it
        was staged with (other tokens are counted), and gains the format fields it lacked.
        """
        row = self.db.execute(
            "SELECT id, annotations, tokens, layers FROM staged WHERE hash = ?", [content_hash(record.text)]
        ).fetchone()
        if row is not None:
            report.duplicates += 1
            if record.tokens is not None and json.dumps(record.tokens) != row[2]:
                count(report, OTHER_TOKENS)
            if record.extras and row[3] is not None:
                layers = pickle.loads(row[3])
                layers["extras"] = merge_extras(layers["extras"], record.extras)
                self.db.execute("UPDATE staged SET layers = ? WHERE id = ?", [pickle.dumps(layers), row[0]])
            if record.annotations:
                combined = combine(pickle.loads(row[1]), record.annotations, report)
                self.db.execute(
                    "UPDATE staged SET annotations = ? WHERE id = ?", [pickle.dumps(combined), row[0]]
                )
            return
        # Pickled: the annotations are Etiquette's own objects, read back by this process only.
        self.db.execute(
            "INSERT INTO staged(file, hash, text, meta, source, tokens, annotations, layers)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file,
                content_hash(record.text),
                record.text,
                json.dumps(record.meta, ensure_ascii=False),
                record.source,
                None if tokens is None else json.dumps(tokens),
                pickle.dumps(record.annotations),
                pickle.dumps(
                    {
                        "file_tokens": record.tokens is not None,
                        "sent_starts": record.sent_starts,
                        "token_attrs": record.token_attrs,
                        "extras": record.extras,
                    }
                ),
            ],
        )

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM staged").fetchone()[0])

    def size(self) -> int:
        """Bytes the staged records take."""
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        return int(pages) * int(self.db.execute("PRAGMA page_size").fetchone()[0])

    def batches(self, size: int) -> Iterator[list[tuple[int, Record, list[tuple[int, int]] | None]]]:
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, file, text, meta, source, tokens, annotations, layers FROM staged"
                " WHERE id > ? ORDER BY id LIMIT ?",
                [last, size],
            ).fetchall()
            if not rows:
                return
            yield [
                _staged_record(file, text, meta, source, tokens, anns, layers)
                for _, file, text, meta, source, tokens, anns, layers in rows
            ]
            last = rows[-1][0]

    def close(self) -> None:
        self.db.close()


OTHER_TOKENS = "texts already in the project with other tokens (the stored tokens kept)"


def _staged_record(
    file: int, text: str, meta: str, source: str, tokens: str | None, anns: bytes, layers: bytes
) -> tuple[int, Record, list[tuple[int, int]] | None]:
    staged = None if tokens is None else [(int(a), int(b)) for a, b in json.loads(tokens)]
    more = pickle.loads(layers)
    record = Record(
        text,
        json.loads(meta),
        pickle.loads(anns),
        source,
        tokens=staged if more["file_tokens"] else None,
        sent_starts=more["sent_starts"],
        token_attrs=more["token_attrs"],
        extras=more["extras"],
    )
    return file, record, staged


def _stage(
    project: Project,
    inputs: list[tuple[Path, Format]],
    options: ImportOptions,
    staging: _Staging,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Read and check every record, tokenize the texts the project lacks; writes only to staging.

    The texts of one chunk are tokenized by helper processes while the next chunks are read and
    checked (AHEAD chunks at most are waiting); they are staged in the order read.
    """
    waiting: deque[tuple[int, FileReport, list[Record], list[Record], Tokenized]] = deque()
    done = 0

    def stage_first() -> None:
        nonlocal done
        index, file_report, chunk, new, tokenized = waiting.popleft()
        tokens = dict(zip((r.text for r in new), tokenized.result(), strict=True))
        for record in chunk:
            staging.add(index, record, record.tokens or tokens.get(record.text), file_report)
        file_report.records += len(chunk)
        done += len(chunk)
        if progress is not None and progress(done, 0) is False:
            raise Cancelled

    with TokenizerPool(project.lang) as pool:
        for index, (path, chosen) in enumerate(inputs):
            file_report = FileReport(str(path), chosen.name)
            report.files.append(file_report)
            assert chosen.reader is not None
            records = guarded(iter(chosen.reader(path, options, file_report)), path)
            for chunk in _chunks(records):
                for record in chunk:
                    check_record(record, options.max_chars, file_report)
                    if record.tokens is not None:
                        check_tokens(record)
                    for ann in record.annotations:
                        for span in ann.spans:
                            check_span(record, span.start, span.end)
                # Only texts that come without tokens, and that the project lacks, are tokenized.
                new = [
                    r
                    for r in chunk
                    if r.tokens is None and project.document_id_by_hash(content_hash(r.text)) is None
                ]
                waiting.append((index, file_report, chunk, new, pool.submit([r.text for r in new])))
                if len(waiting) > AHEAD:
                    stage_first()
        while waiting:
            stage_first()
    staging.db.commit()


AHEAD = 2
"""Chunks read and checked ahead of the one being staged, while helpers tokenize them."""


def combine(staged: list[Annotation], more: list[Annotation], report: FileReport) -> list[Annotation]:
    """One annotation per annotator from the records of one text: accepted if any record accepted
    it, with the spans and relations of the records that share that status, joined."""
    out = list(staged)
    for ann in more:
        at = next((i for i, a in enumerate(out) if a.annotator == ann.annotator), None)
        if at is None:
            out.append(ann)
            continue
        first = out[at]
        status = further(first.status, ann.status)
        for dropped in (first, ann):
            if dropped.status != status and dropped.spans:
                what = (
                    "rejected suggestions, not stored"
                    if dropped.status == Status.REJECTED
                    else (
                        f"spans of {dropped.status.value.replace('_', ' ')} records of a text "
                        f"{status.value} in another record, not stored"
                    )
                )
                report.not_imported[what] = report.not_imported.get(what, 0) + len(dropped.spans)
        kept = [a for a in (first, ann) if a.status == status]
        out[at] = kept[0] if len(kept) == 1 else join(kept[0], kept[1], status)
    return out


def _move_in(
    project: Project,
    staging: _Staging,
    options: ImportOptions,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    total, done = staging.count(), 0
    _check_room(project, staging)
    try:
        for batch in staging.batches(BATCH):
            with project.transaction():
                _store(project, batch, options, report)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    except (OSError, sqlite3.Error) as e:
        if not done:
            raise
        # The disk filled (or failed) under the import: say truly what is in the project now.
        raise StoppedPartway(
            e,
            f"{done:,} of {total:,} documents were stored before it stopped; import the same files "
            "again once it is fixed to add the rest (the stored ones are recognised and skipped)",
        ) from e


def _check_room(project: Project, staging: _Staging) -> None:
    """Refuse an import the project's disk has no room for, before anything is moved in.

    The project grows by about what the staged records take, and its write-ahead log by up to a
    few megabytes more (SQLite copies the log into the file every thousand pages).
    """
    staged = staging.size()
    need = staged + min(staged, WAL_ROOM) + staged // 10 + 2**16
    try:
        free = shutil.disk_usage(project.path.resolve().parent).free
    except OSError:
        return
    if free < need:
        raise OSError(
            errno.ENOSPC,
            f"the import needs about {_mb(need)}, {_mb(free)} are free",
            str(project.path),
        )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


WAL_ROOM = 8 * 2**20
"""What the project's write-ahead log may take on top of the file while an import moves in."""


def _store(
    project: Project,
    batch: list[tuple[int, Record, list[tuple[int, int]] | None]],
    options: ImportOptions,
    report: ImportReport,
) -> None:
    given = {record.text: tokens for _, record, tokens in batch if tokens is not None}
    fallback = None

    def tokenize(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
        # Staged tokens; a text that another program removed meanwhile is tokenized again.
        nonlocal fallback
        for text in texts:
            if text in given:
                yield given[text]
                continue
            if fallback is None:
                fallback = tokenize_texts(project.lang)
            yield next(iter(fallback([text])))

    hashes = [content_hash(r.text) for _, r, _ in batch]
    seen = {h for h in hashes if project.document_id_by_hash(h) is not None}
    for (file, _, _), h in zip(batch, hashes, strict=True):
        if h in seen:
            report.files[file].duplicates += 1
        else:
            report.files[file].added += 1
            seen.add(h)
    result = project.add_documents(
        (
            NewDocument(r.text, r.meta, r.source, r.tokens, r.sent_starts, r.token_attrs, r.extras)
            for _, r, _ in batch
        ),
        tokenize,
    )
    for pos in result.other_tokens:
        count(report.files[batch[pos][0]], OTHER_TOKENS)
    ids = result.ids
    with_annotations = [i for i, (_, r, _) in zip(ids, batch, strict=True) if r.annotations]
    docs = {d.id: d for d in project.iter_documents(with_annotations)}
    by_file: dict[int, list[Annotation]] = {}
    for doc_id, (file, record, _) in zip(ids, batch, strict=True):
        for ann in record.annotations:
            tokens = docs[doc_id].tokens
            for span in ann.spans:
                span.token_start, span.token_end = token_range(tokens, span.start, span.end)
            ann.document_id = doc_id
            by_file.setdefault(file, []).append(ann)
    for file, anns in by_file.items():
        file_report = report.files[file]
        saved = project.import_annotations(anns, options.on_conflict, log=f"import {file_report.format}")
        file_report.annotations += len(saved.stored)
        file_report.spans += sum(len(a.spans) for a in saved.stored)
        file_report.relations += sum(len(a.relations) for a in saved.stored)
        file_report.kept += saved.kept
        file_report.unchanged += saved.unchanged
        file_report.replaced += saved.replaced
        file_report.merged += saved.merged


def _chunks(records: Iterator[Record]) -> Iterator[list[Record]]:
    """Records a few at a time: CHUNK of them, or fewer when their texts reach CHUNK_CHARS (so
    that memory follows the largest record, not the file)."""
    chunk: list[Record] = []
    chars = 0
    for record in records:
        chunk.append(record)
        chars += len(record.text) if isinstance(record.text, str) else 0
        if len(chunk) >= CHUNK or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk
