"""Editing gold in review mode: the annotation controller on annotator `gold`, plus taking spans
from the annotators' lanes and accepting with the reviewer's name.

Everything a reviewer does to gold is an operation in gold's undo history, as direct edits are,
so Ctrl+Z steps back through spans taken from lanes, relabels and deletions alike.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop import operations as ops
from desktop.agreement.review import Consensus, consensus, seed_gold
from desktop.model import GOLD, Annotation, AnnotatorKind, Document, Origin, Span, Status
from desktop.store import Project
from desktop.ui.controller import AnnotationController, Editor


class ReviewController(AnnotationController):
    """The controller of the gold editor; `lanes` holds the compared annotators' annotations."""

    def __init__(
        self,
        project: Project,
        reviewer: str,
        annotators: list[str],
        editor: Editor,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(project, GOLD, editor, parent)
        self.reviewer = reviewer
        self.annotators = list(annotators)
        self.annotations: list[Annotation] = []
        """The compared annotators' annotations of the open document, in lane order."""
        self.agreement = Consensus([], [], {})

    # --- opening ---------------------------------------------------------------------------------

    def open(self, doc_id: int) -> tuple[Document, Annotation]:
        """The document and its gold version, seeded with what everyone agrees on when new."""
        self.load_annotations(doc_id)
        if self.project.annotation(doc_id, GOLD) is None:
            if len(self.annotations) >= 2:
                seed_gold(self.project, doc_id, [a.annotator for a in self.annotations], self.reviewer)
            else:
                self.project.save_annotation(
                    Annotation(doc_id, GOLD, Status.IN_PROGRESS, reviewer=self.reviewer), AnnotatorKind.GOLD
                )
        return super().open(doc_id)

    def load_annotations(self, doc_id: int) -> None:
        found = (self.project.annotation(doc_id, name) for name in self.annotators)
        self.annotations = [a for a in found if a is not None]
        self.agreement = consensus(self.annotations)

    def gold_keys(self) -> set[tuple[int, int, str]]:
        return {s.key for s in self.annotation.spans} if self.annotation else set()

    # --- taking from lanes -----------------------------------------------------------------------

    def lane(self, annotator: str) -> Annotation | None:
        return next((a for a in self.annotations if a.annotator == annotator), None)

    def lane_span_at(self, index: int, start: int, end: int) -> Span | None:
        """Lane `index`'s span at a range of the text: the same offsets, else the first overlap."""
        if not 0 <= index < len(self.annotations):
            return None
        spans = sorted(self.annotations[index].spans, key=lambda s: (s.start, -s.end))
        exact = [s for s in spans if (s.start, s.end) == (start, end)]
        if exact:
            return exact[0]
        probe = Span(start, max(end, start + 1), "")
        return next((s for s in spans if s.overlaps(probe)), None)

    def take_span(self, annotator: str, span_id: int) -> bool:
        """Copy a lane's span into gold (replacing the gold spans it overlaps when the scheme
        forbids overlaps), with the lane's relations whose other end gold has; one undo step."""
        lane = self.lane(annotator)
        span = lane.span_by_id(span_id) if lane else None
        if lane is None or span is None or self.document is None or self.annotation is None:
            return False
        if span.key in self.gold_keys():
            self.message.emit(f"Gold already has {span.label} “{self._text(span)}”")
            return False
        doc_id = self.document.id
        new = Span(span.start, span.end, span.label, span.token_start, span.token_end, Origin.PERSON)
        clashing = (
            [] if self.project.scheme.allow_overlap else [s for s in self.annotation.spans if s.overlaps(new)]
        )
        take = ops.TakeIntoGold(
            doc_id,
            GOLD,
            new,
            annotator,
            [s.id or 0 for s in clashing],
            self._lane_relations(lane, span, {s.id for s in clashing}),
        )
        done = self.run(take)
        if done is None:
            return False
        assert isinstance(done.op, ops.TakeIntoGold)
        if done.op.span.id is not None:
            self.editor.select_span(done.op.span.id)
        self.message.emit(f"Took {span.label} “{self._text(span)}” from {annotator}")
        return True

    def _lane_relations(
        self, lane: Annotation, span: Span, replaced: set[int | None]
    ) -> list[list[int | str | None]]:
        """The lane's relations of `span` whose other end is in gold (same offsets and label), as
        (head, child, label) with None for the span taken."""
        assert self.annotation is not None
        gold_by_key = {s.key: s.id for s in self.annotation.spans if s.id not in replaced}
        have = {(r.head, r.child, r.label) for r in self.annotation.relations}
        lane_keys = {s.id: s.key for s in lane.spans}
        out: list[list[int | str | None]] = []
        for rel in lane.relations:
            if span.id not in (rel.head, rel.child):
                continue
            head = None if rel.head == span.id else _lookup(gold_by_key, lane_keys.get(rel.head))
            child = None if rel.child == span.id else _lookup(gold_by_key, lane_keys.get(rel.child))
            if (rel.head != span.id and head is None) or (rel.child != span.id and child is None):
                continue
            if (head, child, rel.label) in have or [head, child, rel.label] in out:
                continue
            out.append([head, child, rel.label])
        return out

    def _text(self, span: Span) -> str:
        return self.document.text[span.start : span.end] if self.document else ""

    # --- the document's status -------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        """Set gold's status and record who reviewed it."""
        if self.document is None:
            return
        self.run(ops.SetStatus(self.document.id, GOLD, status, self.reviewer))


def _lookup(ids: dict[tuple[int, int, str], int | None], key: tuple[int, int, str] | None) -> int | None:
    return ids.get(key) if key is not None else None
