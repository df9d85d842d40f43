"""Annotations: reading one annotator's annotation of a document, and writing whole annotations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from desktop.model import (
    Annotation,
    AnnotatorKind,
    Document,
    Relation,
    Span,
    Status,
)
from desktop.model.combine import content_key, further, join
from desktop.store.base import ON_CONFLICT, AnnotationsSaved, ProjectError, now
from desktop.store.documents import DocumentStore
from desktop.store.rows import RELATION_COLUMNS, SPAN_COLUMNS, relation_of, span_of


class AnnotationStore(DocumentStore):
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
        return _assemble(aid, doc_id, annotator, status, updated, reviewer, *self._children([aid]))

    def _children(self, aids: list[int]) -> tuple[dict[int, list[Span]], dict[int, list[Relation]]]:
        """The spans and relations of many annotations, two queries in all, grouped by annotation."""
        if not aids:
            return {}, {}
        marks = ",".join("?" * len(aids))
        spans: dict[int, list[Span]] = {}
        for r in self.db.execute(
            f"SELECT annotation_id, {SPAN_COLUMNS} FROM spans "
            f'WHERE annotation_id IN ({marks}) ORDER BY annotation_id, start, "end" DESC, id',
            aids,
        ):
            spans.setdefault(r[0], []).append(span_of(r[1:]))
        relations: dict[int, list[Relation]] = {}
        for r in self.db.execute(
            f"SELECT annotation_id, {RELATION_COLUMNS} FROM relations "
            f"WHERE annotation_id IN ({marks}) ORDER BY annotation_id, id",
            aids,
        ):
            relations.setdefault(r[0], []).append(relation_of(r[1:]))
        return spans, relations

    def annotations_of(self, doc_id: int) -> list[Annotation]:
        """Every annotator's annotation of one document."""
        rows = self.db.execute(
            "SELECT a.id, n.name, a.status, a.updated_at, a.reviewer FROM annotations a "
            "JOIN annotators n ON n.id = a.annotator_id WHERE a.document_id = ? ORDER BY n.id",
            [doc_id],
        ).fetchall()
        children = self._children([r[0] for r in rows])
        return [_assemble(r[0], doc_id, r[1], r[2], r[3], r[4], *children) for r in rows]

    def iter_annotations(
        self, annotator: str, statuses: Iterable[Status] | None = None, batch: int = 500
    ) -> Iterator[tuple[Document, Annotation]]:
        """(document, annotation) pairs of one annotator, in document order, read a batch at a time."""
        ann_id = self._annotator_id(annotator)
        if ann_id is None:
            return
        status_sql = ""
        wanted: list[str] = []
        if statuses is not None:
            wanted = [Status(s).value for s in statuses]
            status_sql = f" AND status IN ({','.join('?' * len(wanted))})"
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, document_id, status, updated_at, reviewer FROM annotations "
                f"WHERE annotator_id = ? AND document_id > ?{status_sql} "
                "ORDER BY document_id LIMIT ?",
                [ann_id, last, *wanted, batch],
            ).fetchall()
            if not rows:
                return
            last = rows[-1][1]
            docs = {d.id: d for d in self._documents_in([r[1] for r in rows])}
            spans, relations = self._children([r[0] for r in rows])
            for aid, doc_id, status, updated, reviewer in rows:
                yield (
                    docs[doc_id],
                    _assemble(aid, doc_id, annotator, status, updated, reviewer, spans, relations),
                )

    # --- writing whole annotations (imports, pre-annotation, merges) ------------------------------

    def save_annotation(self, ann: Annotation, kind: AnnotatorKind | None = None) -> Annotation:
        """Store an annotation whole, replacing what the annotator had on that document.

        Spans may carry ids of their own (any ints unique within the annotation) that the
        relations refer to; the store gives them new ids and returns the stored annotation.
        """
        with self.transaction():
            stored = self._write_annotation(ann, kind)
            self._log(
                ann.annotator,
                ann.document_id,
                "save_annotation",
                {"spans": len(ann.spans), "relations": len(ann.relations), "status": str(ann.status)},
            )
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

    def import_annotations(
        self, anns: Iterable[Annotation], on_conflict: str = "keep", log: str = "import"
    ) -> AnnotationsSaved:
        """Store annotations an import brings, in one transaction, never overwriting work silently.

        An annotation for a document the annotator has no version of is added; one identical to
        the stored version changes nothing; one that differs is resolved by `on_conflict` (see
        `ON_CONFLICT`): the project's version is kept by default.
        """
        if on_conflict not in ON_CONFLICT:
            raise ProjectError(
                f"unknown conflict policy {on_conflict!r} (choose from {', '.join(ON_CONFLICT)})"
            )
        out = AnnotationsSaved()
        with self.transaction():
            for ann in anns:
                existing = self.annotation(ann.document_id, ann.annotator)
                if existing is None:
                    out.added += 1
                elif content_key(existing) == content_key(ann):
                    out.unchanged += 1
                    continue
                elif on_conflict == "keep":
                    out.kept += 1
                    continue
                elif on_conflict == "merge":
                    ann = join(existing, ann, further(existing.status, ann.status))
                    ann.updated_at = None  # merged now
                    out.merged += 1
                else:
                    out.replaced += 1
                self._write_annotation(ann, None)
                out.stored.append(ann)
            if out.stored:
                self._log("etiquette", None, log, {"annotations": len(out.stored), "kept": out.kept})
        return out

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
                " origin, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [aid, s.start, s.end, s.token_start, s.token_end, s.label, str(s.origin), s.confidence],
            )
            sid = int(cur.lastrowid or 0)
            new_ids[s.id if s.id is not None else i] = sid
            spans.append(
                Span(s.start, s.end, s.label, s.token_start, s.token_end, s.origin, sid, s.confidence)
            )
        relations = []
        for r in ann.relations:
            if r.head not in new_ids or r.child not in new_ids:
                raise ProjectError(
                    f"document {ann.document_id}: relation {r.label} refers to a span it does not have"
                )
            cur = self.db.execute(
                "INSERT INTO relations(annotation_id, head, child, label, origin) VALUES (?, ?, ?, ?, ?)",
                [aid, new_ids[r.head], new_ids[r.child], r.label, str(r.origin)],
            )
            relations.append(
                Relation(new_ids[r.head], new_ids[r.child], r.label, r.origin, int(cur.lastrowid or 0))
            )
        return Annotation(
            ann.document_id, ann.annotator, ann.status, spans, relations, stamp, ann.reviewer, aid
        )

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

    def least_confident_first(self, ids: list[int]) -> list[int]:
        """The documents ordered by the newest model's least sure suggestion in each, lowest first.

        Documents whose suggestions have no confidence (or that have none) come last, in id order.
        """
        if not ids:
            return []
        worst: dict[int, float] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            marks = ",".join("?" * len(part))
            worst.update(
                self.db.execute(
                    f"""SELECT a.document_id, min(s.confidence) FROM annotations a
                        JOIN spans s ON s.annotation_id = a.id
                        WHERE a.document_id IN ({marks}) AND s.confidence IS NOT NULL
                          AND a.annotator_id = (
                              SELECT max(m.annotator_id) FROM annotations m
                              JOIN annotators n ON n.id = m.annotator_id AND n.kind = 'model'
                              WHERE m.document_id = a.document_id)
                        GROUP BY a.document_id""",
                    part,
                ).fetchall()
            )
        return sorted(ids, key=lambda i: (i not in worst, worst.get(i, 0.0), i))

    # --- statistics -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": str(self.path), "documents": self.document_count(), "annotators": {}}
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


def _assemble(
    aid: int,
    doc_id: int,
    annotator: str,
    status: str,
    updated: str,
    reviewer: str | None,
    spans: dict[int, list[Span]],
    relations: dict[int, list[Relation]],
) -> Annotation:
    """One annotation's row with its spans and relations, read for many annotations at once."""
    return Annotation(
        doc_id, annotator, Status(status), spans.get(aid, []), relations.get(aid, []), updated, reviewer, aid
    )
