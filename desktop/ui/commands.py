"""Undoable edits: each QUndoCommand makes one Project call in `do`, and its inverse in `undo`.

The store commits every call at once, so an edit, its undo and its redo are each on disk when they
return. Commands whose first run may be refused (a relation the scheme forbids) are pushed already
done: the controller makes the call, and only a call that succeeded becomes a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from desktop.model import Origin, Relation, Span, Status
from desktop.store import Project

if TYPE_CHECKING:
    from desktop.ui.controller import AnnotationController


class Edit(QUndoCommand):
    """An edit of one annotator's annotation of one document."""

    def __init__(self, ctl: AnnotationController, doc_id: int, text: str, done: bool = False):
        super().__init__(text)
        self.ctl = ctl
        self.doc_id = doc_id
        self._skip_first_redo = done
        self._ran = False

    @property
    def project(self) -> Project:
        return self.ctl.project

    @property
    def annotator(self) -> str:
        return self.ctl.annotator

    def redo(self) -> None:
        first = not self._ran
        self._ran = True
        if first and self._skip_first_redo:
            self.ctl.after_edit(self.doc_id, replay=False)
            return
        if not self.ctl.run_edit(self.doc_id, self.do, replay=not first):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.ctl.run_edit(self.doc_id, self.revert, replay=True):
            self.setObsolete(True)

    def do(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddSpan(Edit):
    def __init__(self, ctl: AnnotationController, doc_id: int, span: Span) -> None:
        super().__init__(ctl, doc_id, f"Add {span.label}")
        self.span = span

    def do(self) -> None:
        # The first run gives the span its id; a redo brings it back under that same id.
        self.span = self.project.add_span(self.doc_id, self.annotator, self.span)

    def revert(self) -> None:
        assert self.span.id is not None
        self.project.remove_span(self.doc_id, self.annotator, self.span.id)


class RemoveSpan(Edit):
    def __init__(self, ctl: AnnotationController, doc_id: int, span_id: int) -> None:
        super().__init__(ctl, doc_id, "Delete span")
        self.span_id = span_id
        self.removed: tuple[Span, list[Relation]] | None = None

    def do(self) -> None:
        self.removed = self.project.remove_span(self.doc_id, self.annotator, self.span_id)
        self.setText(f"Delete {self.removed[0].label}")

    def revert(self) -> None:
        assert self.removed is not None
        span, relations = self.removed
        self.project.restore_span(self.doc_id, self.annotator, span, relations)


class UpdateSpan(Edit):
    """Relabel a span, or confirm a suggestion: either way the span becomes the person's."""

    def __init__(self, ctl: AnnotationController, doc_id: int, span_id: int, label: str | None) -> None:
        super().__init__(ctl, doc_id, f"Relabel as {label}" if label else "Confirm suggestion")
        self.span_id = span_id
        self.label = label
        self.old: Span | None = None

    def do(self) -> None:
        self.old = self.project.update_span(
            self.doc_id, self.annotator, self.span_id, label=self.label, origin=Origin.PERSON
        )

    def revert(self) -> None:
        assert self.old is not None
        self.project.update_span(
            self.doc_id, self.annotator, self.span_id, label=self.old.label, origin=self.old.origin
        )


class ResizeSpan(Edit):
    """Move a span's start or end (keyboard growing or shrinking by a word); it becomes the person's."""

    def __init__(
        self, ctl: AnnotationController, doc_id: int, span_id: int, bounds: tuple[int, int, int, int]
    ) -> None:
        super().__init__(ctl, doc_id, "Resize span")
        self.span_id = span_id
        self.bounds = bounds
        self.old: Span | None = None

    def do(self) -> None:
        self.old = self.project.update_span(
            self.doc_id, self.annotator, self.span_id, origin=Origin.PERSON, bounds=self.bounds
        )

    def revert(self) -> None:
        old = self.old
        assert old is not None
        self.project.update_span(
            self.doc_id,
            self.annotator,
            self.span_id,
            origin=old.origin,
            bounds=(old.start, old.end, old.token_start, old.token_end),
        )


class AddRelation(Edit):
    """Pushed after the controller stored the relation (the scheme may refuse it)."""

    def __init__(self, ctl: AnnotationController, doc_id: int, rel: Relation) -> None:
        super().__init__(ctl, doc_id, f"Add relation {rel.label}", done=True)
        self.rel = rel

    def do(self) -> None:
        self.project.add_relation(self.doc_id, self.annotator, self.rel, check=False)

    def revert(self) -> None:
        assert self.rel.id is not None
        self.project.remove_relation(self.doc_id, self.annotator, self.rel.id)


class RemoveRelation(Edit):
    def __init__(self, ctl: AnnotationController, doc_id: int, rel_id: int) -> None:
        super().__init__(ctl, doc_id, "Delete relation")
        self.rel_id = rel_id
        self.removed: Relation | None = None

    def do(self) -> None:
        self.removed = self.project.remove_relation(self.doc_id, self.annotator, self.rel_id)
        self.setText(f"Delete relation {self.removed.label}")

    def revert(self) -> None:
        assert self.removed is not None
        self.project.add_relation(self.doc_id, self.annotator, self.removed, check=False)


class RelabelRelation(Edit):
    """Pushed after the controller relabelled the relation (the scheme may refuse it)."""

    def __init__(
        self, ctl: AnnotationController, doc_id: int, rel_id: int, label: str, old: Relation
    ) -> None:
        super().__init__(ctl, doc_id, f"Relabel relation as {label}", done=True)
        self.rel_id = rel_id
        self.label = label
        self.old = old

    def do(self) -> None:
        self.project.update_relation(self.doc_id, self.annotator, self.rel_id, self.label, check=False)

    def revert(self) -> None:
        self.project.update_relation(self.doc_id, self.annotator, self.rel_id, self.old.label, check=False)


class SetStatus(Edit):
    def __init__(self, ctl: AnnotationController, doc_id: int, status: Status) -> None:
        super().__init__(ctl, doc_id, f"Mark {status.value.replace('_', ' ')}")
        self.status = status
        self.old: Status | None = None

    def do(self) -> None:
        self.old = self.project.set_status(self.doc_id, self.annotator, self.status)

    def revert(self) -> None:
        assert self.old is not None
        self.project.set_status(self.doc_id, self.annotator, self.old)
