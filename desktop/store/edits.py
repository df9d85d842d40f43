"""Single edits from the window: each commits at once, is logged, and returns what undo needs."""

from __future__ import annotations

from desktop.model import (
    GOLD,
    Annotation,
    AnnotatorKind,
    Origin,
    Relation,
    Span,
    Status,
)
from desktop.model.tokens import token_range
from desktop.store.annotations import AnnotationStore
from desktop.store.base import ProjectError, decode_tokens, now
from desktop.store.rows import RELATION_COLUMNS, SPAN_COLUMNS, relation_of, span_of


class EditStore(AnnotationStore):
    def start_annotation(
        self, doc_id: int, annotator: str, suggestions_from: str | None = None
    ) -> Annotation:
        """The annotator's annotation of a document, created from a model's suggestions on first open.

        Only the model's suggestions are copied, never another person's work.
        """
        found = self.annotation(doc_id, annotator)
        if found is not None:
            return found
        source, ann = self._suggestions(doc_id, annotator, suggestions_from)
        with self.transaction():
            stored = self._write_annotation(ann, AnnotatorKind.GOLD if annotator == GOLD else None)
            self._log(annotator, doc_id, "open", {"suggestions": len(ann.spans), "from": source})
        return stored

    def _suggestions(self, doc_id: int, annotator: str, source: str | None) -> tuple[str | None, Annotation]:
        """The named model's suggestions, or those of the newest model that has read the document,
        as the annotator's annotation to do (not stored), and the model's name. The spans and
        relations keep the model's ids, and the spans the model's confidence in each."""
        name: str | None
        seed: Annotation | None
        for name in [source] if source else reversed(self.model_annotators()):
            seed = self.annotation(doc_id, name)
            if seed is not None:
                break
        else:
            name, seed = source or self.latest_model(), None
        ann = Annotation(doc_id, annotator, Status.TODO)
        if seed is not None:
            ann.spans = [
                Span(s.start, s.end, s.label, s.token_start, s.token_end, Origin.MODEL, s.id, s.confidence)
                for s in seed.spans
            ]
            ann.relations = [Relation(r.head, r.child, r.label, Origin.MODEL, r.id) for r in seed.relations]
        return name, ann

    def untouched_documents(self) -> list[int]:
        """Documents no person has worked on: never opened, or opened and left as the model made them."""
        return [
            r[0]
            for r in self.db.execute(
                """SELECT d.id FROM documents d WHERE NOT EXISTS (
                       SELECT 1 FROM annotations a JOIN annotators n ON n.id = a.annotator_id
                       WHERE a.document_id = d.id AND n.kind != 'model' AND (
                           a.status != 'todo'
                           OR EXISTS (SELECT 1 FROM spans s
                                      WHERE s.annotation_id = a.id AND s.origin = 'person')
                           OR EXISTS (SELECT 1 FROM relations r
                                      WHERE r.annotation_id = a.id AND r.origin = 'person')))
                   ORDER BY d.id"""
            ).fetchall()
        ]

    def refresh_suggestions(self, doc_ids: list[int], model: str) -> list[int]:
        """Give the opened-but-untouched copies of these documents the model's suggestions instead.

        A copy someone has edited, or finished, since is left alone. Returns the documents changed.
        """
        wanted = set(doc_ids)
        changed = []
        with self.transaction():
            untouched = set(self.untouched_documents()) & wanted
            for doc_id in sorted(untouched):
                seed = self.annotation(doc_id, model)
                if seed is None:
                    continue
                for ann in self.annotations_of(doc_id):
                    if self.annotator_kind(ann.annotator) == AnnotatorKind.MODEL:
                        continue
                    ann.spans = [
                        Span(
                            s.start,
                            s.end,
                            s.label,
                            s.token_start,
                            s.token_end,
                            Origin.MODEL,
                            s.id,
                            s.confidence,
                        )
                        for s in seed.spans
                    ]
                    ann.relations = [Relation(r.head, r.child, r.label, Origin.MODEL) for r in seed.relations]
                    self._write_annotation(ann, None)
                    self._log(
                        ann.annotator, doc_id, "new_suggestions", {"from": model, "spans": len(ann.spans)}
                    )
                    changed.append(doc_id)
        return sorted(set(changed))

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
        row = self.db.execute("SELECT length(text), tokens FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None or not (0 <= span.start < span.end <= row[0]):
            raise ProjectError(f"span {span.start}-{span.end} is outside document {doc_id}")
        if span.token_start < 0:
            span = Span(
                span.start,
                span.end,
                span.label,
                *token_range(decode_tokens(row[1]), span.start, span.end),
                origin=span.origin,
                id=span.id,
                confidence=span.confidence,
            )
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            cur = self.db.execute(
                'INSERT INTO spans(id, annotation_id, start, "end", token_start, token_end, label,'
                " origin, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    span.id,
                    aid,
                    span.start,
                    span.end,
                    span.token_start,
                    span.token_end,
                    span.label,
                    str(span.origin),
                    span.confidence,
                ],
            )
            sid = int(cur.lastrowid or 0)
            self._touch(aid)
            self._log(
                annotator,
                doc_id,
                "add_span",
                {"id": sid, "start": span.start, "end": span.end, "label": span.label},
            )
        return Span(
            span.start,
            span.end,
            span.label,
            span.token_start,
            span.token_end,
            span.origin,
            sid,
            span.confidence,
        )

    def _span(self, aid: int, span_id: int, doc_id: int, annotator: str) -> Span:
        row = self.db.execute(
            f"SELECT {SPAN_COLUMNS} FROM spans WHERE id = ? AND annotation_id = ?",
            [span_id, aid],
        ).fetchone()
        if row is None:
            raise ProjectError(f"no span {span_id} in {annotator}'s document {doc_id}")
        return span_of(row)

    def remove_span(self, doc_id: int, annotator: str, span_id: int) -> tuple[Span, list[Relation]]:
        """Remove a span and the relations that use it; returns both, so an undo can restore them."""
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            span = self._span(aid, span_id, doc_id, annotator)
            rels = [
                relation_of(r)
                for r in self.db.execute(
                    f"SELECT {RELATION_COLUMNS} FROM relations WHERE head = ? OR child = ? ORDER BY id",
                    [span_id, span_id],
                ).fetchall()
            ]
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
            self._touch(aid)
            self._log(
                annotator, doc_id, "remove_span", {"id": span_id, "label": span.label, "relations": len(rels)}
            )
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
            old = self._span(aid, span_id, doc_id, annotator)
            start, end, tstart, tend = bounds or (old.start, old.end, old.token_start, old.token_end)
            self.db.execute(
                'UPDATE spans SET label = ?, origin = ?, start = ?, "end" = ?, token_start = ?, '
                "token_end = ? WHERE id = ?",
                [label or old.label, str(origin or old.origin), start, end, tstart, tend, span_id],
            )
            self._touch(aid)
            self._log(
                annotator,
                doc_id,
                "update_span",
                {"id": span_id, "label": label, "origin": origin and str(origin), "bounds": bounds},
            )
        return old

    def add_relation(self, doc_id: int, annotator: str, rel: Relation, check: bool = True) -> Relation:
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
            self._log(
                annotator,
                doc_id,
                "add_relation",
                {"id": rid, "head": rel.head, "child": rel.child, "label": rel.label},
            )
        return Relation(rel.head, rel.child, rel.label, rel.origin, rid)

    def remove_relation(self, doc_id: int, annotator: str, rel_id: int) -> Relation:
        with self.transaction():
            aid = self._annotation_id(doc_id, annotator)
            row = self.db.execute(
                f"SELECT {RELATION_COLUMNS} FROM relations WHERE id = ? AND annotation_id = ?",
                [rel_id, aid],
            ).fetchone()
            if row is None:
                raise ProjectError(f"no relation {rel_id} in {annotator}'s document {doc_id}")
            self.db.execute("DELETE FROM relations WHERE id = ?", [rel_id])
            self._touch(aid)
            self._log(annotator, doc_id, "remove_relation", {"id": rel_id, "label": row[3]})
        return relation_of(row)

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
            self.db.execute("UPDATE relations SET label = ?, origin = 'person' WHERE id = ?", [label, rel_id])
            self._touch(aid)
            self._log(annotator, doc_id, "update_relation", {"id": rel_id, "label": label})
        return relation_of(row[:5])

    def set_status(self, doc_id: int, annotator: str, status: Status, reviewer: str | None = None) -> Status:
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
