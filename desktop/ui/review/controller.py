"""Editing gold in review mode: the annotation controller on annotator `gold`, plus taking spans
from the annotators' lanes and accepting with the reviewer's name.

Everything a reviewer does to gold is an undoable command of the same stack as direct edits, so
Ctrl+Z steps back through spans taken from lanes, relabels and deletions alike.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.agreement.review import Consensus, consensus, seed_gold
from desktop.model import GOLD, Annotation, AnnotatorKind, Document, Origin, Relation, Span, Status
from desktop.store import Project, ProjectError
from desktop.ui import commands
from desktop.ui.controller import AnnotationController, Editor


class ReviewStatus(commands.SetStatus):
    """Set gold's status and record who reviewed it."""

    def __init__(self, ctl: AnnotationController, doc_id: int, status: Status, reviewer: str):
        super().__init__(ctl, doc_id, status)
        self.reviewer = reviewer

    def do(self) -> None:
        self.old = self.project.set_status(self.doc_id, self.annotator, self.status, reviewer=self.reviewer)


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
        add = commands.AddSpan(self, doc_id, new)
        self.undo_stack.beginMacro(f"Take {span.label} from {annotator}")
        for s in clashing:
            self.undo_stack.push(commands.RemoveSpan(self, doc_id, s.id or 0))
        self.undo_stack.push(add)
        if add.span.id is not None:
            self._take_relations(lane, span, add.span.id)
        self.undo_stack.endMacro()
        if add.span.id is not None:
            self.editor.select_span(add.span.id)
        self.message.emit(f"Took {span.label} “{self._text(span)}” from {annotator}")
        return True

    def _take_relations(self, lane: Annotation, span: Span, gold_id: int) -> None:
        """The lane's relations of `span` whose other end is in gold (same offsets and label)."""
        assert self.document is not None and self.annotation is not None
        gold_by_key = {s.key: s.id for s in self.annotation.spans}
        have = {(r.head, r.child, r.label) for r in self.annotation.relations}
        lane_keys = {s.id: s.key for s in lane.spans}
        for rel in lane.relations:
            if span.id not in (rel.head, rel.child):
                continue
            head = gold_id if rel.head == span.id else _lookup(gold_by_key, lane_keys.get(rel.head))
            child = gold_id if rel.child == span.id else _lookup(gold_by_key, lane_keys.get(rel.child))
            if head is None or child is None or (head, child, rel.label) in have:
                continue
            try:
                stored = self.project.add_relation(
                    self.document.id, GOLD, Relation(head, child, rel.label, Origin.PERSON), check=False
                )
            except ProjectError as e:
                self.message.emit(f"Relation not taken: {e}")
                continue
            self.undo_stack.push(commands.AddRelation(self, self.document.id, stored))
            have.add((head, child, rel.label))

    def _text(self, span: Span) -> str:
        return self.document.text[span.start : span.end] if self.document else ""

    # --- the document's status -------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        if self.document is None:
            return
        self.undo_stack.push(ReviewStatus(self, self.document.id, status, self.reviewer))


def _lookup(ids: dict[tuple[int, int, str], int | None], key: tuple[int, int, str] | None) -> int | None:
    return ids.get(key) if key is not None else None
