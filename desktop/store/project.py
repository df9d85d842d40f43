"""The project file: one SQLite database holding documents, annotations and the edit log.

Every public method that changes data runs in one transaction and commits before it returns, so an
edit is on disk as soon as the call ends (WAL, `synchronous=NORMAL`: a killed process loses nothing
that was committed). Reads never hold a transaction open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.model import (
    GOLD,
    Annotation,
    AnnotatorKind,
    Document,
    LabelScheme,
    Origin,
    Relation,
    Span,
    Status,
    Token,
    content_hash,
)
from desktop.model.tokens import token_range
from desktop.store.migrations import MIGRATIONS

APPLICATION_ID = 0x45544951  # "ETIQ", written in the SQLite header of every project file


class ProjectError(Exception):
    """A project file that cannot be used, or an edit that cannot be applied."""


class NotAProjectError(ProjectError):
    pass


@dataclass(slots=True)
class NewDocument:
    """A document on its way in: text, metadata, and where it came from (for error messages)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    duplicates: int = 0
    ids: list[int] = field(default_factory=list)
    """Ids of every document read, added or already there, in input order."""


@dataclass(slots=True)
class AnnotatorInfo:
    name: str
    kind: AnnotatorKind


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def encode_tokens(tokens: Iterable[tuple[int, int]]) -> str:
    flat: list[int] = []
    for start, end in tokens:
        flat += (start, end)
    return json.dumps(flat, separators=(",", ":"))


def decode_tokens(raw: str) -> list[Token]:
    flat = json.loads(raw)
    return [Token(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


class Project:
    """An open project file."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._annotator_ids: dict[str, int] = {}
        self._scheme: LabelScheme | None = None

    # --- opening and creating -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        lang: str = "fr",
        model: str = "fr_core_news_sm",
        scheme: LabelScheme | None = None,
    ) -> Project:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise ProjectError(f"{path}: already exists; open it instead, or choose a new name")
        db = _connect(path)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        MIGRATIONS.apply(db)
        project = cls(db, path)
        scheme = scheme or LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"])
        with project.transaction():
            project._set("lang", lang)
            project._set("model", model)
            project._set("scheme", json.dumps(scheme.to_dict()))
            project._set("guidelines", "")
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        path = Path(path)
        if not path.is_file():
            raise NotAProjectError(f"{path}: no such project file")
        try:
            with open(path, "rb") as f:
                header = f.read(100)
        except OSError as e:
            raise NotAProjectError(f"{path}: cannot be read ({e.strerror})") from e
        if not header.startswith(b"SQLite format 3\x00"):
            raise NotAProjectError(f"{path}: not an Etiquette project (not an SQLite file)")
        if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
            raise NotAProjectError(f"{path}: an SQLite file, but not an Etiquette project")
        db = _connect(path)
        pending = MIGRATIONS.pending(db)
        if pending:
            MIGRATIONS.apply(db)
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several changes into one; nested calls join the outer transaction."""
        with self.db.atomic():
            yield

    # --- settings ---------------------------------------------------------------------------------

    def _set(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def setting(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self._set(key, value)

    @property
    def lang(self) -> str:
        return self.setting("lang", "fr")

    @property
    def model(self) -> str:
        return self.setting("model", "fr_core_news_sm")

    @property
    def guidelines(self) -> str:
        return self.setting("guidelines")

    @property
    def scheme(self) -> LabelScheme:
        if self._scheme is None:
            raw = self.setting("scheme")
            self._scheme = LabelScheme.from_dict(json.loads(raw)) if raw else LabelScheme()
        return self._scheme

    def set_scheme(self, scheme: LabelScheme) -> None:
        with self.transaction():
            self._set("scheme", json.dumps(scheme.to_dict()))
        self._scheme = scheme

    # --- documents --------------------------------------------------------------------------------

    def add_documents(
        self,
        docs: Iterable[NewDocument],
        tokenize: Any,
    ) -> ImportResult:
        """Add documents in one transaction; texts already in the project are counted, not added.

        `tokenize(texts)` yields, for each text, its tokens as (start, end) character offsets.
        Nothing is written when any document fails: the error propagates and the transaction rolls
        back.
        """
        result = ImportResult()
        known: dict[str, int] = {}
        created = now()
        with self.transaction():
            batch: list[NewDocument] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= 500:
                    self._add_batch(batch, tokenize, result, known, created)
                    batch = []
            self._add_batch(batch, tokenize, result, known, created)
        return result

    def _add_batch(
        self,
        batch: list[NewDocument],
        tokenize: Any,
        result: ImportResult,
        known: dict[str, int],
        created: str,
    ) -> None:
        fresh: list[tuple[NewDocument, str]] = []
        for doc in batch:
            h = content_hash(doc.text)
            if h in known:
                result.duplicates += 1
                result.ids.append(known[h])
                continue
            row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [h]).fetchone()
            if row:
                known[h] = row[0]
                result.duplicates += 1
                result.ids.append(row[0])
                continue
            known[h] = -1
            fresh.append((doc, h))
        if not fresh:
            return
        for (doc, h), tokens in zip(fresh, tokenize([d.text for d, _ in fresh]), strict=True):
            cur = self.db.execute(
                "INSERT INTO documents(hash, text, tokens, meta, created_at) VALUES (?, ?, ?, ?, ?)",
                [h, doc.text, encode_tokens(tokens), json.dumps(doc.meta, ensure_ascii=False),
                 created],
            )
            doc_id = int(cur.lastrowid or 0)
            known[h] = doc_id
            result.ids.append(doc_id)
            result.added += 1

    def document(self, doc_id: int) -> Document:
        row = self.db.execute(
            "SELECT id, text, tokens, meta, hash FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise ProjectError(f"no document {doc_id} in {self.path}")
        return _document(row)

    def document_id_by_hash(self, h: str) -> int | None:
        row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [h]).fetchone()
        return row[0] if row else None

    def iter_documents(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Document]:
        """Documents in id order (or in the order of `ids`), fetched a batch at a time."""
        if ids is None:
            last = 0
            while True:
                rows = self.db.execute(
                    "SELECT id, text, tokens, meta, hash FROM documents WHERE id > ? "
                    "ORDER BY id LIMIT ?",
                    [last, batch],
                ).fetchall()
                if not rows:
                    return
                for row in rows:
                    yield _document(row)
                last = rows[-1][0]
        else:
            chunk: list[int] = []
            for doc_id in ids:
                chunk.append(doc_id)
                if len(chunk) >= batch:
                    yield from self._documents_in(chunk)
                    chunk = []
            yield from self._documents_in(chunk)

    def _documents_in(self, ids: list[int]) -> Iterator[Document]:
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT id, text, tokens, meta, hash FROM documents WHERE id IN ({marks})", ids
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        for doc_id in ids:
            if doc_id in by_id:
                yield _document(by_id[doc_id])

    def document_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_ids(
        self,
        annotator: str | None = None,
        statuses: Iterable[Status] | None = None,
        search: str | None = None,
    ) -> list[int]:
        """Document ids in id order, filtered by the annotator's status and by full-text search.

        A document the annotator has not opened counts as `todo`.
        """
        sql = "SELECT d.id FROM documents d"
        params: list[Any] = []
        where: list[str] = []
        if statuses is not None:
            wanted = [Status(s).value for s in statuses]
            ann_id = self._annotator_id(annotator) if annotator else None
            sql += " LEFT JOIN annotations a ON a.document_id = d.id AND a.annotator_id = ?"
            params.append(ann_id if ann_id is not None else -1)
            marks = ",".join("?" * len(wanted))
            where.append(f"coalesce(a.status, 'todo') IN ({marks})")
            params += wanted
        if search:
            where.append(
                "d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
            )
            params.append(fts_query(search))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.id"
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    def document_rows(self, ids: list[int], annotator: str | None) -> list[dict[str, Any]]:
        """Light rows for a list view: id, a preview of the text, status and span count."""
        if not ids:
            return []
        ann_id = self._annotator_id(annotator) if annotator else None
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"""SELECT d.id, substr(d.text, 1, 200), length(d.text),
                       coalesce(a.status, 'todo'), a.updated_at,
                       (SELECT count(*) FROM spans s WHERE s.annotation_id = a.id)
                FROM documents d
                LEFT JOIN annotations a ON a.document_id = d.id AND a.annotator_id = ?
                WHERE d.id IN ({marks})""",
            [ann_id if ann_id is not None else -1, *ids],
        ).fetchall()
        by_id = {
            r[0]: {"id": r[0], "preview": r[1], "length": r[2], "status": Status(r[3]),
                   "updated_at": r[4], "spans": r[5]}
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def status_counts(self, annotator: str) -> dict[Status, int]:
        counts = {s: 0 for s in Status}
        ann_id = self._annotator_id(annotator)
        if ann_id is not None:
            for status, n in self.db.execute(
                "SELECT status, count(*) FROM annotations WHERE annotator_id = ? GROUP BY status",
                [ann_id],
            ).fetchall():
                counts[Status(status)] = n
        counts[Status.TODO] += self.document_count() - sum(counts.values())
        return counts

    # --- annotators -------------------------------------------------------------------------------

    def annotators(self, kind: AnnotatorKind | None = None) -> list[AnnotatorInfo]:
        sql = "SELECT name, kind FROM annotators"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind.value)
        rows = self.db.execute(sql + " ORDER BY id", params).fetchall()
        return [AnnotatorInfo(n, AnnotatorKind(k)) for n, k in rows]

    def annotator_kind(self, name: str) -> AnnotatorKind | None:
        row = self.db.execute("SELECT kind FROM annotators WHERE name = ?", [name]).fetchone()
        return AnnotatorKind(row[0]) if row else None

    def ensure_annotator(self, name: str, kind: AnnotatorKind | None = None) -> int:
        if not name.strip():
            raise ProjectError("an annotator needs a name")
        found = self._annotator_id(name)
        if found is not None:
            return found
        kind = kind or (AnnotatorKind.GOLD if name == GOLD else AnnotatorKind.PERSON)
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO annotators(name, kind, created_at) VALUES (?, ?, ?)",
                [name, kind.value, now()],
            )
        self._annotator_ids[name] = int(cur.lastrowid or 0)
        return self._annotator_ids[name]

    def _annotator_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self._annotator_ids:
            row = self.db.execute("SELECT id FROM annotators WHERE name = ?", [name]).fetchone()
            if row is None:
                return None
            self._annotator_ids[name] = row[0]
        return self._annotator_ids[name]

    def model_annotators(self) -> list[str]:
        return [a.name for a in self.annotators(AnnotatorKind.MODEL)]

    # --- reading annotations ----------------------------------------------------------------------

    def annotation(self, doc_id: int, annotator: str) -> Annotation | None:
        ann_id = self._annotator_id(annotator)
        if ann_id is None:
            return None
        row = self.db.execute(
            "SELECT id, status, updated_at, reviewer FROM annotations "
            "WHERE document_id = ? AND annotator_id = ?",
            [doc_id, ann_id],
        ).fetchone()
        if row is None:
            return None
        return self._load_annotation(row[0], doc_id, annotator, row[1], row[2], row[3])

    def _load_annotation(
        self, aid: int, doc_id: int, annotator: str, status: str, updated: str, reviewer: str | None
    ) -> Annotation:
        spans = [
            Span(r[1], r[2], r[5], r[3], r[4], Origin(r[6]), r[0])
            for r in self.db.execute(
                'SELECT id, start, "end", token_start, token_end, label, origin FROM spans '
                "WHERE annotation_id = ? ORDER BY start, \"end\" DESC, id",
                [aid],
            ).fetchall()
        ]
        relations = [
            Relation(r[1], r[2], r[3], Origin(r[4]), r[0])
            for r in self.db.execute(
                "SELECT id, head, child, label, origin FROM relations WHERE annotation_id = ? "
                "ORDER BY id",
                [aid],
            ).fetchall()
        ]
        return Annotation(doc_id, annotator, Status(status), spans, relations, updated, reviewer, aid)

    def annotations_of(self, doc_id: int) -> list[Annotation]:
        """Every annotator's version of one document."""
        rows = self.db.execute(
            "SELECT a.id, n.name, a.status, a.updated_at, a.reviewer FROM annotations a "
            "JOIN annotators n ON n.id = a.annotator_id WHERE a.document_id = ? ORDER BY n.id",
            [doc_id],
        ).fetchall()
        return [self._load_annotation(r[0], doc_id, r[1], r[2], r[3], r[4]) for r in rows]

    def iter_annotations(
        self, annotator: str, statuses: Iterable[Status] | None = None
    ) -> Iterator[tuple[Document, Annotation]]:
        """(document, annotation) pairs of one annotator, in document order, streamed."""
        ann_id = self._annotator_id(annotator)
        if ann_id is None:
            return
        sql = (
            "SELECT a.id, a.document_id, a.status, a.updated_at, a.reviewer FROM annotations a "
            "WHERE a.annotator_id = ?"
        )
        params: list[Any] = [ann_id]
        if statuses is not None:
            wanted = [Status(s).value for s in statuses]
            sql += f" AND a.status IN ({','.join('?' * len(wanted))})"
            params += wanted
        rows = self.db.execute(sql + " ORDER BY a.document_id", params).fetchall()
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            docs = {d.id: d for d in self._documents_in([r[1] for r in chunk])}
            for aid, doc_id, status, updated, reviewer in chunk:
                ann = self._load_annotation(aid, doc_id, annotator, status, updated, reviewer)
                yield docs[doc_id], ann

    # --- writing whole annotations (imports, pre-annotation, merges) ------------------------------

    def save_annotation(self, ann: Annotation, kind: AnnotatorKind | None = None) -> Annotation:
        """Store an annotation whole, replacing what the annotator had on that document.

        Spans may carry ids of their own (any ints unique within the annotation) that the
        relations refer to; the store gives them new ids and returns the stored annotation.
        """
        with self.transaction():
            stored = self._write_annotation(ann, kind)
            self._log(ann.annotator, ann.document_id, "save_annotation",
                      {"spans": len(ann.spans), "relations": len(ann.relations),
                       "status": str(ann.status)})
        return stored

    def save_annotations(
        self, anns: Iterable[Annotation], kind: AnnotatorKind | None = None, log: str = "import"
    ) -> int:
        """Store many annotations in one transaction; returns how many were written."""
        n = 0
        with self.transaction():
            for ann in anns:
                self._write_annotation(ann, kind)
                n += 1
            if n:
                self._log("etiquette", None, log, {"annotations": n})
        return n

    def _write_annotation(self, ann: Annotation, kind: AnnotatorKind | None) -> Annotation:
        annotator_id = self.ensure_annotator(ann.annotator, kind)
        stamp = ann.updated_at or now()
        row = self.db.execute(
            "SELECT id FROM annotations WHERE document_id = ? AND annotator_id = ?",
            [ann.document_id, annotator_id],
        ).fetchone()
        if row:
            aid = row[0]
            self.db.execute("DELETE FROM spans WHERE annotation_id = ?", [aid])
            self.db.execute("DELETE FROM relations WHERE annotation_id = ?", [aid])
            self.db.execute(
                "UPDATE annotations SET status = ?, updated_at = ?, reviewer = ? WHERE id = ?",
                [str(ann.status), stamp, ann.reviewer, aid],
            )
        else:
            cur = self.db.execute(
                "INSERT INTO annotations(document_id, annotator_id, status, reviewer, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [ann.document_id, annotator_id, str(ann.status), ann.reviewer, stamp, stamp],
            )
            aid = int(cur.lastrowid or 0)
        new_ids: dict[int, int] = {}
        spans = []
        for i, s in enumerate(ann.spans):
            cur = self.db.execute(
                'INSERT INTO spans(annotation_id, start, "end", token_start, token_end, label,'
                " origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [aid, s.start, s.end, s.token_start, s.token_end, s.label, str(s.origin)],
            )
            sid = int(cur.lastrowid or 0)
            new_ids[s.id if s.id is not None else i] = sid
            spans.append(Span(s.start, s.end, s.label, s.token_start, s.token_end, s.origin, sid))
        relations = []
        for r in ann.relations:
            if r.head not in new_ids or r.child not in new_ids:
                raise ProjectError(
                    f"document {ann.document_id}: relation {r.label} refers to a span it does not have"
                )
            cur = self.db.execute(
                "INSERT INTO relations(annotation_id, head, child, label, origin) "
                "VALUES (?, ?, ?, ?, ?)",
                [aid, new_ids[r.head], new_ids[r.child], r.label, str(r.origin)],
            )
            relations.append(
                Relation(new_ids[r.head], new_ids[r.child], r.label, r.origin, int(cur.lastrowid or 0))
            )
        return Annotation(ann.document_id, ann.annotator, ann.status, spans, relations, stamp,
                          ann.reviewer, aid)

    def documents_annotated_by(self, annotator: str) -> set[int]:
        ann_id = self._annotator_id(annotator)
        if ann_id is None:
            return set()
        return {
            r[0]
            for r in self.db.execute(
                "SELECT document_id FROM annotations WHERE annotator_id = ?", [ann_id]
            ).fetchall()
        }

    # --- single edits (the window) ----------------------------------------------------------------

    def start_annotation(
        self, doc_id: int, annotator: str, suggestions_from: str | None = None
    ) -> Annotation:
        """The annotator's version of a document, created from a model's suggestions on first open.

        Only the model's suggestions are copied, never another person's work.
        """
        found = self.annotation(doc_id, annotator)
        if found is not None:
            return found
        source = suggestions_from or self.latest_model()
        seed = self.annotation(doc_id, source) if source else None
        ann = Annotation(doc_id, annotator, Status.TODO)
        if seed is not None:
            ann.spans = [
                Span(s.start, s.end, s.label, s.token_start, s.token_end, Origin.MODEL, s.id)
                for s in seed.spans
            ]
            ann.relations = [Relation(r.head, r.child, r.label, Origin.MODEL) for r in seed.relations]
        with self.transaction():
            stored = self._write_annotation(ann, AnnotatorKind.GOLD if annotator == GOLD else None)
            self._log(annotator, doc_id, "open", {"suggestions": len(ann.spans), "from": source})
        return stored

    def latest_model(self) -> str | None:
        models = self.model_annotators()
        return models[-1] if models else None

    def _annotation_id(self, doc_id: int, annotator: str) -> int:
        ann_id = self._annotator_id(annotator)
        row = (
            self.db.execute(
                "SELECT id FROM annotations WHERE document_id = ? AND annotator_id = ?",
                [doc_id, ann_id],
            ).fetchone()
            if ann_id is not None
            else None
        )
        if row is None:
            raise ProjectError(f"{annotator} has not opened document {doc_id}")
        return int(row[0])

    def _touch(self, aid: int) -> None:
        self.db.execute(
            "UPDATE annotations SET updated_at = ?, "
            "status = CASE status WHEN 'todo' THEN 'in_progress' ELSE status END WHERE id = ?",
            [now(), aid],
        )

    def add_span(self, doc_id: int, annotator: str, span: Span) -> Span:
        """Add one span; with `span.id` set (an undo), the span comes back under its old id."""
        row = self.db.execute(
            "SELECT length(text), tokens FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None or not (0 <= span.start < span.end <= row[0]):
            raise ProjectError(f"span {span.start}-{span.end} is outside document {doc_id}")
        if span.token_start < 0:
            span = Span(span.start, span.end, span.label,
                        *token_range(decode_tokens(row[1]), span.start, span.end),
                        origin=span.origin, id=span.id)
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            cur = self.db.execute(
                'INSERT INTO spans(id, annotation_id, start, "end", token_start, token_end, label,'
                " origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [span.id, aid, span.start, span.end, span.token_start, span.token_end, span.label,
                 str(span.origin)],
            )
            sid = int(cur.lastrowid or 0)
            self._touch(aid)
            self._log(annotator, doc_id, "add_span",
                      {"id": sid, "start": span.start, "end": span.end, "label": span.label})
        return Span(span.start, span.end, span.label, span.token_start, span.token_end,
                    span.origin, sid)

    def remove_span(self, doc_id: int, annotator: str, span_id: int) -> tuple[Span, list[Relation]]:
        """Remove a span and the relations that use it; returns both, so an undo can restore them."""
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            row = self.db.execute(
                'SELECT id, start, "end", token_start, token_end, label, origin FROM spans '
                "WHERE id = ? AND annotation_id = ?",
                [span_id, aid],
            ).fetchone()
            if row is None:
                raise ProjectError(f"no span {span_id} in {annotator}'s document {doc_id}")
            span = Span(row[1], row[2], row[5], row[3], row[4], Origin(row[6]), row[0])
            rels = [
                Relation(r[1], r[2], r[3], Origin(r[4]), r[0])
                for r in self.db.execute(
                    "SELECT id, head, child, label, origin FROM relations "
                    "WHERE head = ? OR child = ? ORDER BY id",
                    [span_id, span_id],
                ).fetchall()
            ]
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
            self._touch(aid)
            self._log(annotator, doc_id, "remove_span",
                      {"id": span_id, "label": span.label, "relations": len(rels)})
        return span, rels

    def restore_span(self, doc_id: int, annotator: str, span: Span, relations: list[Relation]) -> None:
        """Undo a removal: the span and its relations come back under their old ids."""
        with self.transaction():
            self.add_span(doc_id, annotator, span)
            for rel in relations:
                self.add_relation(doc_id, annotator, rel, check=False)

    def update_span(
        self,
        doc_id: int,
        annotator: str,
        span_id: int,
        label: str | None = None,
        origin: Origin | None = None,
        bounds: tuple[int, int, int, int] | None = None,
    ) -> Span:
        """Relabel, confirm (origin), or move (start, end, token_start, token_end) a span.

        Returns the span as it was, for undo.
        """
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            row = self.db.execute(
                'SELECT id, start, "end", token_start, token_end, label, origin FROM spans '
                "WHERE id = ? AND annotation_id = ?",
                [span_id, aid],
            ).fetchone()
            if row is None:
                raise ProjectError(f"no span {span_id} in {annotator}'s document {doc_id}")
            old = Span(row[1], row[2], row[5], row[3], row[4], Origin(row[6]), row[0])
            start, end, tstart, tend = bounds or (old.start, old.end, old.token_start, old.token_end)
            self.db.execute(
                'UPDATE spans SET label = ?, origin = ?, start = ?, "end" = ?, token_start = ?, '
                "token_end = ? WHERE id = ?",
                [label or old.label, str(origin or old.origin), start, end, tstart, tend, span_id],
            )
            self._touch(aid)
            self._log(annotator, doc_id, "update_span",
                      {"id": span_id, "label": label, "origin": origin and str(origin),
                       "bounds": bounds})
        return old

    def add_relation(
        self, doc_id: int, annotator: str, rel: Relation, check: bool = True
    ) -> Relation:
        """Add a relation between two spans of the same annotation.

        With `check`, a pair that the label scheme forbids raises SchemeError and nothing is stored.
        """
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            labels = dict(
                self.db.execute(
                    "SELECT id, label FROM spans WHERE annotation_id = ? AND id IN (?, ?)",
                    [aid, rel.head, rel.child],
                ).fetchall()
            )
            if rel.head not in labels or rel.child not in labels:
                raise ProjectError("a relation joins two spans of the same document")
            if rel.head == rel.child:
                raise ProjectError("a relation joins two different spans")
            if check:
                self.scheme.check_relation(rel.label, labels[rel.head], labels[rel.child])
            cur = self.db.execute(
                "INSERT INTO relations(id, annotation_id, head, child, label, origin) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [rel.id, aid, rel.head, rel.child, rel.label, str(rel.origin)],
            )
            rid = int(cur.lastrowid or 0)
            self._touch(aid)
            self._log(annotator, doc_id, "add_relation",
                      {"id": rid, "head": rel.head, "child": rel.child, "label": rel.label})
        return Relation(rel.head, rel.child, rel.label, rel.origin, rid)

    def remove_relation(self, doc_id: int, annotator: str, rel_id: int) -> Relation:
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            row = self.db.execute(
                "SELECT id, head, child, label, origin FROM relations WHERE id = ? AND annotation_id = ?",
                [rel_id, aid],
            ).fetchone()
            if row is None:
                raise ProjectError(f"no relation {rel_id} in {annotator}'s document {doc_id}")
            self.db.execute("DELETE FROM relations WHERE id = ?", [rel_id])
            self._touch(aid)
            self._log(annotator, doc_id, "remove_relation", {"id": rel_id, "label": row[3]})
        return Relation(row[1], row[2], row[3], Origin(row[4]), row[0])

    def update_relation(
        self, doc_id: int, annotator: str, rel_id: int, label: str, check: bool = True
    ) -> Relation:
        """Relabel a relation; returns it as it was."""
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            row = self.db.execute(
                "SELECT r.id, r.head, r.child, r.label, r.origin, h.label, c.label FROM relations r "
                "JOIN spans h ON h.id = r.head JOIN spans c ON c.id = r.child "
                "WHERE r.id = ? AND r.annotation_id = ?",
                [rel_id, aid],
            ).fetchone()
            if row is None:
                raise ProjectError(f"no relation {rel_id} in {annotator}'s document {doc_id}")
            if check:
                self.scheme.check_relation(label, row[5], row[6])
            self.db.execute(
                "UPDATE relations SET label = ?, origin = 'person' WHERE id = ?", [label, rel_id]
            )
            self._touch(aid)
            self._log(annotator, doc_id, "update_relation", {"id": rel_id, "label": label})
        return Relation(row[1], row[2], row[3], Origin(row[4]), row[0])

    def set_status(
        self, doc_id: int, annotator: str, status: Status, reviewer: str | None = None
    ) -> Status:
        """Set the annotator's status for a document; returns the previous one, for undo.

        Accepting a document accepts every span in it, suggestions included; a span's origin keeps
        saying who put it there.
        """
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            old = self.db.execute("SELECT status FROM annotations WHERE id = ?", [aid]).fetchone()[0]
            self.db.execute(
                "UPDATE annotations SET status = ?, updated_at = ?, reviewer = coalesce(?, reviewer) "
                "WHERE id = ?",
                [str(status), now(), reviewer, aid],
            )
            self._log(annotator, doc_id, "set_status", {"from": old, "to": str(status)})
        return Status(old)

    # --- the edit log -----------------------------------------------------------------------------

    def _log(self, annotator: str, doc_id: int | None, action: str, detail: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO edit_log(at, annotator, document_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            [now(), annotator, doc_id, action, json.dumps(detail, ensure_ascii=False)],
        )

    def edit_log(self, doc_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, at, annotator, document_id, action, detail FROM edit_log"
        params: list[Any] = []
        if doc_id is not None:
            sql += " WHERE document_id = ?"
            params.append(doc_id)
        return [
            {"id": r[0], "at": r[1], "annotator": r[2], "document_id": r[3], "action": r[4],
             "detail": json.loads(r[5])}
            for r in self.db.execute(sql + " ORDER BY id", params).fetchall()
        ]

    # --- statistics -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": str(self.path), "documents": self.document_count(),
                               "annotators": {}}
        for info in self.annotators():
            ann_id = self._annotator_id(info.name)
            spans = dict(
                self.db.execute(
                    "SELECT s.label, count(*) FROM spans s JOIN annotations a ON a.id = s.annotation_id "
                    "WHERE a.annotator_id = ? GROUP BY s.label ORDER BY s.label",
                    [ann_id],
                ).fetchall()
            )
            rels = dict(
                self.db.execute(
                    "SELECT r.label, count(*) FROM relations r "
                    "JOIN annotations a ON a.id = r.annotation_id "
                    "WHERE a.annotator_id = ? GROUP BY r.label ORDER BY r.label",
                    [ann_id],
                ).fetchall()
            )
            counts = self.status_counts(info.name)
            out["annotators"][info.name] = {
                "kind": str(info.kind),
                "statuses": {str(k): v for k, v in counts.items()},
                "spans": spans,
                "relations": rels,
            }
        return out


def fts_query(text: str) -> str:
    """A user's search words as an FTS5 query: every word must appear, quotes escaped."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


def _document(row: tuple[Any, ...]) -> Document:
    return Document(row[0], row[1], decode_tokens(row[2]), json.loads(row[3]), row[4])


def _connect(path: Path) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False)
    db = Database(conn)
    try:
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.DatabaseError as e:
        conn.close()
        raise NotAProjectError(f"{path}: not an Etiquette project ({e})") from e
    return db
