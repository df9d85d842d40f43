"""Turns what the annotator does in the editor into operations on the project.

The controller reads the editor's selection, decides which operation a key means, runs it through
`commands` (which records it in the project's undo history) and reloads the annotation from
SQLite afterwards, so the editor always shows what is stored. Until the annotator's first change
a document has no annotation of theirs: the editor shows the latest model's suggestions. The main
window only wires keys and signals to it.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal

from desktop import operations as ops
from desktop.model import Annotation, Document, Origin, Relation, Span, Status
from desktop.model.tokens import token_range
from desktop.store import Project
from desktop.ui import commands
from desktop.ui.editor.navigation import occurrences


class Editor(Protocol):
    """What the controller needs from the editor view."""

    def selected_span(self) -> int | None: ...
    def select_span(self, span_id: int) -> None: ...
    def selected_relation(self) -> int | None: ...
    def select_relation(self, rel_id: int) -> None: ...
    def text_selection(self) -> tuple[int, int] | None: ...
    def clear_selection(self) -> None: ...
    def update_annotations(self, spans: list[Span], relations: list[Relation]) -> None: ...


class AnnotationController(QObject):
    annotation_changed = Signal(int)
    """A document's annotation changed (an edit, an undo or a redo); its id."""
    revisited = Signal(int)
    """An undo or redo changed a document other than the open one: show it."""
    message = Signal(str)
    """Something to tell the annotator in the status bar (a refused edit, a hint)."""
    history_changed = Signal()
    """A step was done, undone or redone: what Undo and Redo would do next changed."""

    def __init__(
        self, project: Project, annotator: str, editor: Editor, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.editor = editor
        self.document: Document | None = None
        self.annotation: Annotation | None = None
        """The annotator's annotation, or (id None) the suggestions they would start from."""
        self.pending: tuple[int, int] | None = None
        """A relation drawn (head, child) that waits for its label key."""
        self.link_head: int | None = None
        """The head chosen with the keyboard, waiting for its child."""

    # --- opening ---------------------------------------------------------------------------------

    def open(self, doc_id: int) -> tuple[Document, Annotation]:
        """The document and this annotator's annotation of it, else the suggestions (nothing is written)."""
        self.pending = None
        self.link_head = None
        self.document = self.project.document(doc_id)
        self.annotation = self.project.annotation_or_suggestions(doc_id, self.annotator)
        return self.document, self.annotation

    @property
    def doc_id(self) -> int | None:
        return self.document.id if self.document else None

    def reload(self) -> None:
        if self.document is not None:
            self.annotation = self.project.annotation_or_suggestions(self.document.id, self.annotator)

    # --- running operations ----------------------------------------------------------------------

    def run(self, op: ops.Edit) -> ops.Step | None:
        """Run one edit; None (and a message) when it was refused or could not be written."""
        done = commands.perform(self.project, op)
        if isinstance(done, commands.Refused):
            self.message.emit(f"Could not apply the edit: {done.message}")
            self.after_edit(op.doc_id, replay=False)
            return None
        self.after_edit(op.doc_id, replay=False)
        self.history_changed.emit()
        return done

    def undo(self) -> None:
        self._walk(commands.undo(self.project, self.annotator), "Undid")

    def redo(self) -> None:
        self._walk(commands.redo(self.project, self.annotator), "Redid")

    def _walk(self, done: ops.Step | commands.Refused, verb: str) -> None:
        if isinstance(done, commands.Refused):
            self.message.emit(done.message)
            self.history_changed.emit()  # a step that could not be undone left the history
            return
        self.message.emit(f"{verb}: {done.text}")
        if done.doc_id is not None:
            self.after_edit(done.doc_id, replay=True)
        self.history_changed.emit()

    def undo_text(self) -> str:
        step = self.project.last_done(self.annotator)
        return step.text if step else ""

    def redo_text(self) -> str:
        step = self.project.next_undone(self.annotator)
        return step.text if step else ""

    def after_edit(self, doc_id: int, replay: bool) -> None:
        if doc_id == self.doc_id:
            self.reload()
            assert self.annotation is not None
            self.editor.update_annotations(self.annotation.spans, self.annotation.relations)
        elif replay:
            self.revisited.emit(doc_id)
        self.annotation_changed.emit(doc_id)

    def _span(self, span_id: int | None) -> Span | None:
        if span_id is None or self.annotation is None:
            return None
        return self.annotation.span_by_id(span_id)

    def _relation(self, rel_id: int | None) -> Relation | None:
        if rel_id is None or self.annotation is None:
            return None
        return next((r for r in self.annotation.relations if r.id == rel_id), None)

    def _select(self, step: ops.Step | None, span_id: int) -> None:
        if step is not None:
            self.editor.select_span(step.span_id(span_id))

    # --- entity labels ---------------------------------------------------------------------------

    def apply_entity_label(self, label: str) -> None:
        """A label key: label the selected text as a new span, or relabel/confirm the selected span."""
        if self.document is None:
            return
        selection = self.editor.text_selection()
        if selection is not None and selection[0] < selection[1]:
            self._add_span(label, *selection)
            return
        span = self._span(self.editor.selected_span())
        if span is None:
            self.message.emit(f"Select some text (or a span) first, then press the key of {label}")
            return
        if span.label == label and span.origin == Origin.PERSON:
            return
        self._relabel(span, label)

    def _relabel(self, span: Span, label: str) -> None:
        assert self.document is not None and span.id is not None
        op = ops.UpdateSpan(
            self.document.id, self.annotator, span.id, None if span.label == label else label, Origin.PERSON
        )
        self._select(self.run(op), span.id)

    def _add_span(self, label: str, start: int, end: int) -> None:
        assert self.document is not None and self.annotation is not None
        doc_id = self.document.id
        same = next((s for s in self.annotation.spans if (s.start, s.end) == (start, end)), None)
        if same is not None:
            # Labelling a suggestion's exact text again relabels (and confirms) it.
            self.editor.clear_selection()
            if same.label != label or same.origin != Origin.PERSON:
                self._relabel(same, label)
            else:
                self.editor.select_span(same.id or 0)
            return
        new = Span(start, end, label, origin=Origin.PERSON)
        clashing = (
            [] if self.project.scheme.allow_overlap else [s for s in self.annotation.spans if s.overlaps(new)]
        )
        add = ops.AddSpan(doc_id, self.annotator, new)
        self.editor.clear_selection()
        op: ops.Edit = add
        if clashing:
            # A new span replaces the suggestions it overlaps, in one undoable step.
            removals: list[ops.Edit] = [ops.RemoveSpan(doc_id, self.annotator, s.id or 0) for s in clashing]
            text = f"Add « {self.document.text[start:end]} » {label}, replacing {len(clashing)}"
            op = ops.Compound(doc_id, self.annotator, [*removals, add], text)
        if self.run(op) is not None and add.span.id is not None:
            self.editor.select_span(add.span.id)

    def resize_span(self, span_id: int, start: int, end: int) -> None:
        """Move a span's bounds (the keyboard grew or shrank it by a word)."""
        span = self._span(span_id)
        if span is None or self.document is None or end <= start:
            return
        if (span.start, span.end) == (start, end):
            return
        others = [s for s in self.annotation.spans if s.id != span_id] if self.annotation else []
        moved = Span(start, end, span.label)
        if not self.project.scheme.allow_overlap and any(s.overlaps(moved) for s in others):
            self.message.emit("The span would overlap another one: delete that one first")
            return
        first, last = token_range(self.document.tokens, start, end)
        op = ops.UpdateSpan(
            self.document.id, self.annotator, span_id, None, Origin.PERSON, [start, end, first, last]
        )
        self._select(self.run(op), span_id)

    def label_every(self, label: str) -> None:
        """Label every occurrence of the selected text (at word boundaries) in one undoable step."""
        if self.document is None or self.annotation is None:
            return
        selection = self.editor.text_selection()
        span = self._span(self.editor.selected_span())
        if selection is None and span is not None:
            selection = (span.start, span.end)
        if selection is None:
            self.message.emit(f"Select some text first, then Shift and the key of {label}")
            return
        text = self.document.text
        needle = text[selection[0] : selection[1]]
        places = occurrences(text, self.document.tokens, needle)
        doc_id, spans = self.document.id, list(self.annotation.spans)
        edits: list[ops.Edit] = []
        left = 0
        for start, end in places:
            same = next((s for s in spans if (s.start, s.end) == (start, end)), None)
            if same is not None:
                if same.label != label or same.origin != Origin.PERSON:
                    relabel = None if same.label == label else label
                    edits.append(ops.UpdateSpan(doc_id, self.annotator, same.id or 0, relabel, Origin.PERSON))
                continue
            new = Span(start, end, label, origin=Origin.PERSON)
            if not self.project.scheme.allow_overlap and any(s.overlaps(new) for s in spans):
                left += 1
                continue
            new.token_start, new.token_end = token_range(self.document.tokens, start, end)
            edits.append(ops.AddSpan(doc_id, self.annotator, new))
        words = " ".join(needle.split())
        note = f"; {left} left as they were (inside other spans)" if left else ""
        if not edits:
            self.message.emit(f"Every « {words} » is already {label}{note}")
            return
        self.editor.clear_selection()
        text = f"Label {len(edits)} × « {words} » as {label}"
        if self.run(ops.Compound(doc_id, self.annotator, edits, text)) is not None:
            times = "the one occurrence" if len(edits) == 1 else f"{len(edits)} occurrences"
            self.message.emit(f"{label} on {times} of « {words} »{note}")

    def confirm_selected(self) -> None:
        span = self._span(self.editor.selected_span())
        if span is None or self.document is None:
            self.message.emit("Select a suggestion to confirm it")
            return
        if span.origin == Origin.PERSON:
            return
        self._relabel(span, span.label)

    def delete_selected(self) -> None:
        if self.document is None:
            return
        rel = self._relation(self.editor.selected_relation())
        if rel is not None:
            self.run(ops.RemoveRelation(self.document.id, self.annotator, rel.id or 0))
            return
        span = self._span(self.editor.selected_span())
        if span is None:
            self.message.emit("Select a span or a relation to delete it")
            return
        self.run(ops.RemoveSpan(self.document.id, self.annotator, span.id or 0))

    # --- relations -------------------------------------------------------------------------------

    def set_pending(self, pair: tuple[int, int] | None) -> None:
        self.pending = pair

    def relation_drawn(self, head: int, child: int) -> None:
        """The editor drew a relation: wait for the key of its label."""
        h, c = self._span(head), self._span(child)
        self.link_head = None
        if h is None or c is None or head == child:
            return
        self.set_pending((head, child))
        scheme = self.project.scheme
        fitting = [r for r in scheme.relations if r.allows(h.label, c.label)]
        keys = ", ".join(f"{r.key.upper()} {r.name}" for r in fitting if r.key) or "none fits"
        self.message.emit(f"Relation {h.label} → {c.label}: press its label key ({keys}); Escape cancels")

    def link_selected(self) -> None:
        """The keyboard way to draw a relation: the selected span is the head, then the child."""
        span = self._span(self.editor.selected_span())
        if span is None or span.id is None:
            self.message.emit("Select a span (Tab moves between spans) to link it")
            return
        if self.link_head is None or self.link_head == span.id or self._span(self.link_head) is None:
            self.link_head = span.id
            self.message.emit(
                f"Head: {span.label}. Type the letter on the child span (or Tab to it and press the link "
                "key again); Escape cancels"
            )
            return
        head, self.link_head = self.link_head, None
        self.relation_drawn(head, span.id)

    def apply_relation_label(self, label: str) -> None:
        """A relation key: label the relation just drawn, or relabel the selected relation."""
        if self.document is None:
            return
        doc_id = self.document.id
        if self.pending is not None:
            head, child = self.pending
            self.set_pending(None)
            add = ops.AddRelation(doc_id, self.annotator, Relation(head, child, label, Origin.PERSON))
            done = commands.perform(self.project, add)
            if isinstance(done, commands.Refused):
                self.message.emit(f"Relation refused: {done.message}")
                return
            self.after_edit(doc_id, replay=False)
            self.history_changed.emit()
            self.message.emit(f"Relation {label} added")
            if isinstance(done.op, ops.AddRelation) and done.op.relation.id is not None:
                self.editor.select_relation(done.op.relation.id)
            return
        selected = self._relation(self.editor.selected_relation())
        if selected is None:
            self.message.emit(f"Draw a relation (or select one) first, then press the key of {label}")
            return
        if selected.label == label:
            return
        relabel = ops.RelabelRelation(doc_id, self.annotator, selected.id or 0, label)
        done = commands.perform(self.project, relabel)
        if isinstance(done, commands.Refused):
            self.message.emit(f"Relation refused: {done.message}")
            return
        self.after_edit(doc_id, replay=False)
        self.history_changed.emit()
        assert isinstance(done.op, ops.RelabelRelation)
        self.editor.select_relation(done.op.relation_id)

    def cancel(self) -> None:
        """Escape: drop a pending relation, else the selection."""
        if self.pending is not None or self.link_head is not None:
            self.set_pending(None)
            self.link_head = None
            self.message.emit("Relation cancelled")
            return
        self.editor.clear_selection()

    @property
    def drawing(self) -> bool:
        """Whether a relation is being drawn with the keyboard or waits for its label."""
        return self.pending is not None or self.link_head is not None

    # --- the document's status -------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        if self.document is None:
            return
        self.run(ops.SetStatus(self.document.id, self.annotator, status))
