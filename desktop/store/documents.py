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
    DOCUMENT_COLUMNS,
    ImportResult,
    NewDocument,
    ProjectBase,
    ProjectError,
    document_from_row,
    encode_tokens,
    fts_query,
    merge_extras,
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
        again: list[tuple[int, str, NewDocument]] = []
        for pos, (doc, h) in enumerate(zip(batch, hashes, strict=True), len(result.ids)):
            if h in known or h in fresh:
                again.append((pos, h, doc))
                continue
            row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [h]).fetchone()
            if row:
                known[h] = row[0]
                again.append((pos, h, doc))
            else:
                fresh[h] = doc
        # Only texts that come without tokens get the project's tokenizer.
        made = iter(tokenize([doc.text for doc in fresh.values() if doc.tokens is None]))
        for h, doc in fresh.items():
            tokens = doc.tokens if doc.tokens is not None else next(made)
            cur = self.db.execute(
                "INSERT INTO documents(hash, text, tokens, meta, created_at, sent_starts, token_attrs, "
                "extras) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    h,
                    doc.text,
                    encode_tokens(tokens),
                    json.dumps(doc.meta, ensure_ascii=False),
                    created,
                    _json_or_null(doc.sent_starts),
                    _json_or_null(doc.token_attrs),
                    _json_or_null(doc.extras or None),
                ],
            )
            known[h] = int(cur.lastrowid or 0)
            result.added += 1
        for pos, h, doc in again:
            result.duplicates += 1
            if self._known_again(known[h], doc):
                result.other_tokens.append(pos)
        result.ids += [known[h] for h in hashes]

    def _known_again(self, doc_id: int, doc: NewDocument) -> bool:
        """A text the project has: its stored tokens stay, and format fields it did not have yet
        (e.g. another annotator's Prodigy session) are added. True when `doc` came with other
        tokens than the stored ones."""
        if doc.tokens is None and not doc.extras:
            return False
        tokens, raw = self.db.execute(
            "SELECT tokens, extras FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        other = doc.tokens is not None and encode_tokens(doc.tokens) != tokens
        if doc.extras:
            stored = json.loads(raw) if raw else {}
            merged = merge_extras(stored, doc.extras)
            if merged != stored:
                self.db.execute(
                    "UPDATE documents SET extras = ? WHERE id = ?",
                    [json.dumps(merged, ensure_ascii=False), doc_id],
                )
        return other

    def document(self, doc_id: int) -> Document:
        row = self.db.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", [doc_id]).fetchone()
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
                    f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?",
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
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id IN ({marks})", ids
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

    def document_texts(self, ids: Iterable[int], batch: int = 500) -> dict[int, str]:
        """The text of each of these documents (nothing else: no tokens), a batch at a time."""
        wanted = list(dict.fromkeys(ids))
        out: dict[int, str] = {}
        for i in range(0, len(wanted), batch):
            chunk = wanted[i : i + batch]
            marks = ",".join("?" * len(chunk))
            out.update(
                self.db.execute(f"SELECT id, text FROM documents WHERE id IN ({marks})", chunk).fetchall()
            )
        return out

    def token_layers(self) -> set[str]:
        """What the project's documents carry beyond tokens: `SENT_START` when some document has
        sentence starts, and the names of the token attributes some document has (e.g. `TAG`)."""
        layers = {
            name
            for (name,) in self.db.execute(
                "SELECT DISTINCT j.key FROM documents d, json_each(d.token_attrs) j "
                "WHERE d.token_attrs IS NOT NULL"
            ).fetchall()
        }
        if self.db.execute("SELECT 1 FROM documents WHERE sent_starts IS NOT NULL LIMIT 1").fetchone():
            layers.add("SENT_START")
        return layers

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


def _json_or_null(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
