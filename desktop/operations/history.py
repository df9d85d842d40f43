"""Running edits with an undo history that lives in the project file, and undo and redo themselves.

`perform` applies an edit and records its inverse in the same transaction; `undo` applies the
inverse of the annotator's last step and keeps what redoes it; `redo` the other way round. The
window and the library use the same three calls, so `Ctrl+Z` after a restart undoes the last
edit made before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.operations.base import Compound, Edit, Operation, decode, encode
from desktop.operations.edits import StartAnnotation
from desktop.store import Project, ProjectError
from desktop.store.history import HistoryStep


@dataclass(slots=True)
class Step:
    """One step done, undone or redone: which document it touched and what it did."""

    doc_id: int | None
    text: str
    op: Edit
    """The edit as applied (its new spans and relations carry their ids)."""
    span_ids: dict[int, int]
    """Suggested spans copied into the annotation at this step: their new ids, by the model's."""

    def span_id(self, old: int) -> int:
        return self.span_ids.get(old, old)


class NothingToUndo(ProjectError):
    pass


def perform(project: Project, op: Edit, record: bool = True) -> Step:
    """Apply an edit (making the annotation from the suggestions first if it has none yet) and
    record how to undo it, all in one transaction."""
    spans: dict[int, int] = {}
    with project.transaction():
        start: Edit | None = None
        if op.needs_annotation and not project.has_annotation(op.doc_id, op.annotator):
            first = StartAnnotation(op.doc_id, op.annotator)
            start = first.apply(project)
            spans = first.span_ids
            op = op.remap(first.span_ids, first.relation_ids)
        text = op.describe(project)
        inverse = op.apply(project)
        if start is not None:
            # Undoing the first change brings the suggestions back: no annotation at all.
            inverse = Compound(op.doc_id, op.annotator, [inverse, start], text)
        if record:
            project.record_step(op.annotator, op.doc_id, text, encode(inverse))
    return Step(op.doc_id, text, op, spans)


def undo(project: Project, annotator: str) -> Step:
    """Undo the annotator's last step; NothingToUndo when there is none.

    A step whose edit was changed since by other means (an import, a merge) cannot be undone: it
    is dropped from the history and the ProjectError says so.
    """
    found = project.last_done(annotator)
    if found is None:
        raise NothingToUndo("Nothing to undo")
    return _replay(project, found, found.undo, project.mark_undone, "undo")


def redo(project: Project, annotator: str) -> Step:
    """Redo the step the annotator undid last; NothingToUndo when there is none."""
    found = project.next_undone(annotator)
    if found is None or found.redo is None:
        raise NothingToUndo("Nothing to redo")
    return _replay(project, found, found.redo, project.mark_redone, "redo")


def _replay(
    project: Project,
    step: HistoryStep,
    stored: dict[str, Any],
    mark: Callable[[int, dict[str, Any]], None],
    verb: str,
) -> Step:
    """Apply the stored edit of a step and `mark` the step with the edit that reverses it, in one
    transaction; a step that no longer applies leaves the history."""
    edit = decode(stored)
    assert isinstance(edit, Edit)
    try:
        with project.transaction():
            back = edit.apply(project)
            mark(step.id, encode(back))
    except ProjectError as e:
        project.drop_step(step.id)
        raise ProjectError(f"Could not {verb} “{step.text}” ({e}); it left the history") from e
    return Step(step.document_id, step.text, edit, {})


@dataclass
class Undo(Operation):
    """Undo as an operation: its inverse is a redo."""

    annotator: str

    def apply(self, project: Project) -> Operation:
        undo(project, self.annotator)
        return Redo(self.annotator)


@dataclass
class Redo(Operation):
    annotator: str

    def apply(self, project: Project) -> Operation:
        redo(project, self.annotator)
        return Undo(self.annotator)
