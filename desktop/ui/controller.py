"""Turns what the annotator does in the editor into undoable edits of the project.

The controller reads the editor's selection, decides which edit a key means, pushes the edit on
the undo stack and reloads the annotation from SQLite afterwards, so the editor always shows what
is stored. The main window only wires keys and signals to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop.model import Annotation, Document, Origin, Relation, SchemeError, Span, Status
from desktop.model.tokens import token_range
from desktop.store import Project, ProjectError
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

    def __init__(
        self, project: Project, annotator: str, editor: Editor, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.editor = editor
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self.annotation: Annotation | None = None
        self.pending: tuple[int, int] | None = None
        """A relation drawn (head, child) that waits for its label key."""
        self.link_head: int | None = None
        """The head chosen with the keyboard, waiting for its child."""

    # --- opening ---------------------------------------------------------------------------------

    def open(self, doc_id: int) -> tuple[Document, Annotation]:
        """The document and this annotator's annotation of it (made from suggestions on first open)."""
        self.set_pending(None)
        self.link_head = None
        self.document = self.project.document(doc_id)
        self.annotation = self.project.start_annotation(doc_id, self.annotator)
        return self.document, self.annotation

    @property
    def doc_id(self) -> int | None:
        return self.document.id if self.document else None

    def reload(self) -> None:
        if self.document is not None:
            self.annotation = self.project.annotation(self.document.id, self.annotator)

    # --- running edits ---------------------------------------------------------------------------

    def run_edit(self, doc_id: int, call: Callable[[], Any], replay: bool) -> bool:
        """Run one project call of a command; False (and a message) when the store refused it."""
        try:
            call()
        except (ProjectError, SchemeError) as e:
            self.message.emit(f"Could not apply the edit: {e}")
            self.after_edit(doc_id, replay)
            return False
        self.after_edit(doc_id, replay)
        return True

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
        self.undo_stack.push(
            commands.UpdateSpan(self, self.document.id, span.id or 0, None if span.label == label else label)
        )
        self.editor.select_span(span.id or 0)

    def _add_span(self, label: str, start: int, end: int) -> None:
        assert self.document is not None and self.annotation is not None
        doc_id = self.document.id
        same = next((s for s in self.annotation.spans if (s.start, s.end) == (start, end)), None)
        if same is not None:
            # Labelling a suggestion's exact text again relabels (and confirms) it.
            self.editor.clear_selection()
            if same.label != label or same.origin != Origin.PERSON:
                self.undo_stack.push(
                    commands.UpdateSpan(self, doc_id, same.id or 0, None if same.label == label else label)
                )
            self.editor.select_span(same.id or 0)
            return
        new = Span(start, end, label, origin=Origin.PERSON)
        clashing = (
            [] if self.project.scheme.allow_overlap else [s for s in self.annotation.spans if s.overlaps(new)]
        )
        add = commands.AddSpan(self, doc_id, new)
        self.editor.clear_selection()
        if clashing:
            # A new span replaces the suggestions it overlaps, in one undoable step.
            self.undo_stack.beginMacro(f"Add {label}, replacing {len(clashing)}")
            for s in clashing:
                self.undo_stack.push(commands.RemoveSpan(self, doc_id, s.id or 0))
            self.undo_stack.push(add)
            self.undo_stack.endMacro()
        else:
            self.undo_stack.push(add)
        if add.span.id is not None:
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
        self.undo_stack.push(commands.ResizeSpan(self, self.document.id, span_id, (start, end, first, last)))
        self.editor.select_span(span_id)

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
        edits: list[commands.Edit] = []
        left = 0
        for start, end in places:
            same = next((s for s in spans if (s.start, s.end) == (start, end)), None)
            if same is not None:
                if same.label != label or same.origin != Origin.PERSON:
                    edits.append(
                        commands.UpdateSpan(
                            self, doc_id, same.id or 0, None if same.label == label else label
                        )
                    )
                continue
            new = Span(start, end, label, origin=Origin.PERSON)
            if not self.project.scheme.allow_overlap and any(s.overlaps(new) for s in spans):
                left += 1
                continue
            new.token_start, new.token_end = token_range(self.document.tokens, start, end)
            edits.append(commands.AddSpan(self, doc_id, new))
        words = " ".join(needle.split())
        note = f"; {left} left as they were (inside other spans)" if left else ""
        if not edits:
            self.message.emit(f"Every « {words} » is already {label}{note}")
            return
        self.editor.clear_selection()
        self.undo_stack.beginMacro(f"Label {len(edits)} × « {words} » as {label}")
        for edit in edits:
            self.undo_stack.push(edit)
        self.undo_stack.endMacro()
        self.message.emit(f"{label} on {len(edits)} occurrences of « {words} »{note}")

    def confirm_selected(self) -> None:
        span = self._span(self.editor.selected_span())
        if span is None or self.document is None:
            self.message.emit("Select a suggestion to confirm it")
            return
        if span.origin == Origin.PERSON:
            return
        self.undo_stack.push(commands.UpdateSpan(self, self.document.id, span.id or 0, None))
        self.editor.select_span(span.id or 0)

    def delete_selected(self) -> None:
        if self.document is None:
            return
        rel = self._relation(self.editor.selected_relation())
        if rel is not None:
            self.undo_stack.push(commands.RemoveRelation(self, self.document.id, rel.id or 0))
            return
        span = self._span(self.editor.selected_span())
        if span is None:
            self.message.emit("Select a span or a relation to delete it")
            return
        self.undo_stack.push(commands.RemoveSpan(self, self.document.id, span.id or 0))

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
            try:
                rel = self.project.add_relation(
                    doc_id, self.annotator, Relation(head, child, label, Origin.PERSON)
                )
            except (SchemeError, ProjectError) as e:
                self.message.emit(f"Relation refused: {e}")
                return
            finally:
                self.set_pending(None)
            self.undo_stack.push(commands.AddRelation(self, doc_id, rel))
            self.message.emit(f"Relation {label} added")
            if rel.id is not None:
                self.editor.select_relation(rel.id)
            return
        selected = self._relation(self.editor.selected_relation())
        if selected is None:
            self.message.emit(f"Draw a relation (or select one) first, then press the key of {label}")
            return
        if selected.label == label:
            return
        try:
            old = self.project.update_relation(doc_id, self.annotator, selected.id or 0, label)
        except (SchemeError, ProjectError) as e:
            self.message.emit(f"Relation refused: {e}")
            return
        self.undo_stack.push(commands.RelabelRelation(self, doc_id, selected.id or 0, label, old))
        self.editor.select_relation(selected.id or 0)

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
        self.undo_stack.push(commands.SetStatus(self, self.document.id, status))
