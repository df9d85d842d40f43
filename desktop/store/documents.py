"""Documents: adding them (one transaction, duplicates counted), listing, searching, fetching."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from desktop.model import (
    Document,
    Status,
    content_hash,
)
from desktop.store.base import (
    ImportResult,
    NewDocument,
    ProjectBase,
    ProjectError,
    document_from_row,
    encode_tokens,
    fts_query,
    now,
)


class DocumentStore(ProjectBase):
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
        hashes = [content_hash(doc.text) for doc in batch]
        fresh: dict[str, NewDocument] = {}
        for doc, h in zip(batch, hashes, strict=True):
            if h in known or h in fresh:
                result.duplicates += 1
                continue
            row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [h]).fetchone()
            if row:
                known[h] = row[0]
                result.duplicates += 1
            else:
                fresh[h] = doc
        texts = [doc.text for doc in fresh.values()]
        for (h, doc), tokens in zip(fresh.items(), tokenize(texts), strict=True):
            cur = self.db.execute(
                "INSERT INTO documents(hash, text, tokens, meta, created_at) VALUES (?, ?, ?, ?, ?)",
                [h, doc.text, encode_tokens(tokens), json.dumps(doc.meta, ensure_ascii=False), created],
            )
            known[h] = int(cur.lastrowid or 0)
            result.added += 1
        result.ids += [known[h] for h in hashes]

    def document(self, doc_id: int) -> Document:
        row = self.db.execute(
            "SELECT id, text, tokens, meta, hash FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise ProjectError(f"no document {doc_id} in {self.path}")
        return document_from_row(row)

    def document_id_by_hash(self, h: str) -> int | None:
        row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [h]).fetchone()
        return row[0] if row else None

    def iter_documents(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Document]:
        """Documents in id order (or in the order of `ids`), fetched a batch at a time."""
        if ids is None:
            last = 0
            while True:
                rows = self.db.execute(
                    "SELECT id, text, tokens, meta, hash FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                    [last, batch],
                ).fetchall()
                if not rows:
                    return
                for row in rows:
                    yield document_from_row(row)
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
                yield document_from_row(by_id[doc_id])

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
            where.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
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
            r[0]: {
                "id": r[0],
                "preview": r[1],
                "length": r[2],
                "status": Status(r[3]),
                "updated_at": r[4],
                "spans": r[5],
            }
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
