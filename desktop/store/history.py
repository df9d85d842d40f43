"""The undo history of each annotator, and the annotation writes that undoing needs.

A step of the history is the operation that undoes one edit (JSON, written by
`desktop.operations`), recorded in the same transaction as the edit, so the history survives a
quit or a kill. Steps undone wait to be redone until the annotator's next edit drops them. Only
the last `HISTORY_LIMIT` steps of each annotator are kept.

An annotator's annotation of a document exists from their first change: until then they see the
suggestions of the latest model (`suggestions`), which this floor turns into a stored annotation
when the first change comes (`create_from_suggestions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop.model import GOLD, Annotation, AnnotatorKind, Span
from desktop.store.base import ProjectError, now
from desktop.store.edits import EditStore

HISTORY_LIMIT = 1000


@dataclass(slots=True)
class HistoryStep:
    id: int
    annotator: str
    document_id: int | None
    text: str
    """What the step did, as the History tab names it."""
    undo: dict[str, Any]
    redo: dict[str, Any] | None
    undone: bool
    at: str


class HistoryStore(EditStore):
    # --- annotations from the first change ------------------------------------------------------

    def has_annotation(self, doc_id: int, annotator: str) -> bool:
        ann_id = self._annotator_id(annotator)
        if ann_id is None:
            return False
        return (
            self.db.execute(
                "SELECT 1 FROM annotations WHERE document_id = ? AND annotator_id = ?", [doc_id, ann_id]
            ).fetchone()
            is not None
        )

    def suggestions(self, doc_id: int, annotator: str, source: str | None = None) -> Annotation:
        """What the annotator starts from (not stored): the spans of the newest model that has read
        the document, to do, with the model's confidence in each.

        The spans and relations keep the model's ids, which `create_from_suggestions` maps.
        """
        return self._suggestions(doc_id, annotator, source)[1]

    def annotation_or_suggestions(self, doc_id: int, annotator: str) -> Annotation:
        """The annotator's stored annotation, else the suggestions they would start from."""
        return self.annotation(doc_id, annotator) or self.suggestions(doc_id, annotator)

    def create_from_suggestions(
        self, doc_id: int, annotator: str
    ) -> tuple[Annotation, dict[int, int], dict[int, int]]:
        """Store the annotator's annotation made of the suggestions; with it, the new id of each
        suggested span and relation (keyed by the model's ids)."""
        if self.has_annotation(doc_id, annotator):
            raise ProjectError(f"{annotator} already has an annotation of document {doc_id}")
        preview = self.suggestions(doc_id, annotator)
        with self.transaction():
            stored = self._write_annotation(preview, AnnotatorKind.GOLD if annotator == GOLD else None)
            self._log(annotator, doc_id, "start", {"suggestions": len(preview.spans)})
        spans = {
            int(p.id): int(s.id) for p, s in zip(preview.spans, stored.spans, strict=True) if p.id and s.id
        }
        relations = {
            int(p.id): int(r.id)
            for p, r in zip(preview.relations, stored.relations, strict=True)
            if p.id and r.id
        }
        return stored, spans, relations

    def discard_annotation(self, doc_id: int, annotator: str) -> Annotation:
        """Remove the annotator's annotation (an undo of their first change); returns it whole."""
        with self.transaction():
            found = self.annotation(doc_id, annotator)
            if found is None:
                raise ProjectError(f"{annotator} has no annotation of document {doc_id}")
            self.db.execute("DELETE FROM annotations WHERE id = ?", [found.id])
            self._log(annotator, doc_id, "discard", {"spans": len(found.spans)})
        return found

    def restore_annotation(self, ann: Annotation) -> None:
        """Bring back an annotation removed by `discard_annotation`, under its old ids."""
        with self.transaction():
            annotator_id = self.ensure_annotator(ann.annotator)
            stamp = ann.updated_at or now()
            self.db.execute(
                "INSERT INTO annotations(id, document_id, annotator_id, status, reviewer, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ann.id, ann.document_id, annotator_id, str(ann.status), ann.reviewer, stamp, stamp],
            )
            aid = self._annotation_id(ann.document_id, ann.annotator)
            for s in ann.spans:
                self.db.execute(
                    'INSERT INTO spans(id, annotation_id, start, "end", token_start, token_end, label,'
                    " origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [s.id, aid, s.start, s.end, s.token_start, s.token_end, s.label, str(s.origin)],
                )
            for r in ann.relations:
                self.db.execute(
                    "INSERT INTO relations(id, annotation_id, head, child, label, origin) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [r.id, aid, r.head, r.child, r.label, str(r.origin)],
                )
            self._log(ann.annotator, ann.document_id, "restore", {"spans": len(ann.spans)})

    def span_of(self, doc_id: int, annotator: str, span_id: int) -> Span | None:
        """One span of the annotator's annotation, or None."""
        try:
            return self._span(self._annotation_id(doc_id, annotator), span_id, doc_id, annotator)
        except ProjectError:
            return None

    def document_text(self, doc_id: int) -> str:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        return str(row[0]) if row else ""

    # --- the undo history -----------------------------------------------------------------------

    def record_step(self, annotator: str, doc_id: int | None, text: str, undo: dict[str, Any]) -> int:
        """A new step on top of the annotator's history; the steps they had undone are dropped."""
        with self.transaction():
            self.db.execute("DELETE FROM undo_history WHERE annotator = ? AND undone = 1", [annotator])
            cur = self.db.execute(
                "INSERT INTO undo_history(annotator, document_id, text, undo, at) VALUES (?, ?, ?, ?, ?)",
                [annotator, doc_id, text, json.dumps(undo, ensure_ascii=False), now()],
            )
            self.db.execute(
                "DELETE FROM undo_history WHERE annotator = ? AND id <= (SELECT id FROM undo_history "
                "WHERE annotator = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                [annotator, annotator, HISTORY_LIMIT],
            )
        return int(cur.lastrowid or 0)

    def last_done(self, annotator: str) -> HistoryStep | None:
        """The step an undo would undo."""
        return self._step("undone = 0 ORDER BY id DESC", annotator)

    def next_undone(self, annotator: str) -> HistoryStep | None:
        """The step a redo would redo."""
        return self._step("undone = 1 ORDER BY id", annotator)

    def mark_undone(self, step_id: int, redo: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE undo_history SET undone = 1, redo = ? WHERE id = ?",
                [json.dumps(redo, ensure_ascii=False), step_id],
            )

    def mark_redone(self, step_id: int, undo: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE undo_history SET undone = 0, redo = NULL, undo = ? WHERE id = ?",
                [json.dumps(undo, ensure_ascii=False), step_id],
            )

    def drop_step(self, step_id: int) -> None:
        """Forget a step that can no longer be undone (what it undid was changed by other means)."""
        with self.transaction():
            self.db.execute("DELETE FROM undo_history WHERE id = ?", [step_id])

    def history(self, annotator: str, limit: int = HISTORY_LIMIT) -> list[HistoryStep]:
        """The annotator's steps, oldest first: those done, then those undone."""
        rows = self.db.execute(
            f"SELECT {_STEP_COLUMNS} FROM undo_history WHERE annotator = ? ORDER BY id DESC LIMIT ?",
            [annotator, limit],
        ).fetchall()
        return [_step(r) for r in reversed(rows)]

    def _step(self, where: str, annotator: str) -> HistoryStep | None:
        row = self.db.execute(
            f"SELECT {_STEP_COLUMNS} FROM undo_history WHERE annotator = ? AND {where} LIMIT 1", [annotator]
        ).fetchone()
        return _step(row) if row else None


_STEP_COLUMNS = "id, annotator, document_id, text, undo, redo, undone, at"


def _step(row: tuple[Any, ...]) -> HistoryStep:
    return HistoryStep(
        row[0],
        row[1],
        row[2],
        row[3],
        json.loads(row[4]),
        json.loads(row[5]) if row[5] else None,
        bool(row[6]),
        row[7],
    )


class ConnectionStore(HistoryStore):
    """What a long-lived window needs from its connection: short waits, and news of other writers."""

    def set_busy_timeout(self, ms: int) -> None:
        """How long a write waits for another program's write lock before giving up."""
        self.db.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")

    def forget_cached(self) -> None:
        """Read the scheme and annotator ids afresh (another program may have changed them)."""
        self._forget_cached()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits (cheap: no file read)."""
        return int(self.db.conn.execute("PRAGMA data_version").fetchone()[0])
