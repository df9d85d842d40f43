"""What the editing keys do: every edit goes through the controller of the moment.

The window's session (or review mode) owns the controller; this object turns the Edit and View
menus' actions and the side panel's clicks into controller and editor calls, so the window itself
only wires parts together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from desktop.ui import actions as registry
from desktop.ui import statusline

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

ZOOM_STEP = 1.15
MODIFIERS = {
    "Shift": Qt.KeyboardModifier.ShiftModifier,
    "Alt": Qt.KeyboardModifier.AltModifier,
    "Ctrl": Qt.KeyboardModifier.ControlModifier,
    "Meta": Qt.KeyboardModifier.MetaModifier,
}


class Editing(QObject):
    """The Edit and View commands of a window, and its editor's and side panel's signals."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        side, editor = window.side, window.editor
        side.span_clicked.connect(self._jump_to_span)
        side.relation_clicked.connect(self._jump_to_relation)
        side.label_clicked.connect(self.apply_label)
        editor.text_selected.connect(self._text_selected)
        editor.span_selected.connect(side.select_span)
        editor.relation_selected.connect(side.select_relation)
        editor.relation_drawn.connect(self._relation_drawn)
        editor.relation_mode_changed.connect(window.action_map["relation_mode"].setChecked)
        editor.label_key.connect(self._label_key)
        editor.span_resize_requested.connect(self._resize_span)
        editor.selection_changed.connect(self.describe_selection)
        editor.every_modifier = MODIFIERS[registry.every_modifier(window.overrides)]
        window.find_bar.find_requested.connect(self._find)
        window.find_bar.query_changed.connect(self._find_as_typed)
        window.find_bar.closed.connect(self._find_closed)

    def undo(self) -> None:
        if self.window.controller is not None:
            self.window.controller.undo()

    def redo(self) -> None:
        if self.window.controller is not None:
            self.window.controller.redo()

    def delete_selected(self) -> None:
        if self.window.controller is not None:
            self.window.controller.delete_selected()

    def confirm_selected(self) -> None:
        if self.window.controller is not None:
            self.window.controller.confirm_selected()

    def clear_selection(self) -> None:
        if self.window.find_bar.isVisible() and self.window.find_bar.edit.hasFocus():
            self.window.find_bar.close_bar()
        elif self.window.controller is not None and self.window.controller.drawing:
            self.window.editor.clear_hints()
            self.window.controller.cancel()
        else:
            # The editor knows what Escape means to it (a drag, a head clicked, relation mode).
            self.window.editor.escape()

    def link_selected(self) -> None:
        """The selected span becomes a relation's head: letters name the spans in view, and
        typing one draws the relation to it (or Tab to the child and press the link key again)."""
        ctl = self.window.controller
        if ctl is None:
            return
        ctl.link_selected()
        if ctl.link_head is not None:
            self.window.editor.show_hints(ctl.link_head)
        else:
            self.window.editor.clear_hints()

    def _relation_drawn(self, head: int, child: int) -> None:
        if self.window.controller is not None:
            self.window.controller.relation_drawn(head, child)

    def toggle_relation_mode(self) -> None:
        self.window.editor.set_relation_mode(not self.window.editor.relation_mode())
        self.window.action_map["relation_mode"].setChecked(self.window.editor.relation_mode())
        self.window.say(
            "Relation mode: drag from one span to another, then press the relation's key"
            if self.window.editor.relation_mode()
            else "Span mode"
        )

    def next_span(self) -> None:
        self.window.editor.next_span()

    def previous_span(self) -> None:
        self.window.editor.previous_span()

    def next_suggestion(self, direction: int) -> None:
        if self.window.editor.next_suggestion(direction) is None:
            self.window.say("No unconfirmed suggestion left in this document")

    def _label_key(self, digit: str, every: bool) -> None:
        """A number-row key (on any layout): the label bound to that digit."""
        ctl, project = self.window.controller, self.window.project
        if project is None or ctl is None:
            return
        scheme = project.scheme
        keys = registry.effective_shortcuts(self.window.overrides, registry.label_specs(scheme))
        ent = next((e for e in scheme.entities if digit in keys.get(f"label_entity_{e.name}", ())), None)
        if ent is not None:
            if every:
                ctl.label_every(ent.name)
            else:
                ctl.apply_entity_label(ent.name)
            return
        rel = next((r for r in scheme.relations if digit in keys.get(f"label_relation_{r.name}", ())), None)
        if rel is not None:
            ctl.apply_relation_label(rel.name)
        else:
            self.window.say(f"No label on the key {digit}")

    def _resize_span(self, span_id: int, start: int, end: int) -> None:
        if self.window.controller is not None:
            self.window.controller.resize_span(span_id, start, end)

    def describe_selection(self) -> None:
        """The status bar names what is selected and the keys that act on it."""
        w = self.window
        ctl, project = w.controller, w.project
        text = ""
        if ctl is not None and project is not None and ctl.document is not None and ctl.annotation:
            keys = registry.effective_shortcuts(w.overrides)
            doc_text, scheme, ann = ctl.document.text, project.scheme, ctl.annotation
            span = ann.span_by_id(w.editor.selected_span() or -1)
            rel_id = w.editor.selected_relation()
            rel = next((r for r in ann.relations if r.id == rel_id), None)
            selection = w.editor.text_selection()
            if span is not None:
                text = statusline.describe_span(doc_text, span, scheme, keys)
            elif rel is not None:
                head, child = ann.span_by_id(rel.head), ann.span_by_id(rel.child)
                if head is not None and child is not None:
                    text = statusline.describe_relation(doc_text, rel, head, child, scheme, keys)
            elif selection is not None:
                every = registry.every_modifier(w.overrides)
                text = statusline.describe_text(doc_text, selection, scheme, every)
        w.selection_label.setText(text)
        w.statusBar().clearMessage()

    def _jump_to_span(self, span_id: int) -> None:
        self.window.editor.scroll_to_span(span_id)
        self.window.editor.select_span(span_id)
        self.window.editor.setFocus()

    def apply_label(self, label: str, relation: bool) -> None:
        """A label key or a click on a label: label the selection (or the relation drawn)."""
        if self.window.controller is None:
            return
        if relation:
            self.window.controller.apply_relation_label(label)
        else:
            self.window.controller.apply_entity_label(label)

    def _text_selected(self, start: int, end: int) -> None:
        self.describe_selection()

    def _jump_to_relation(self, rel_id: int) -> None:
        """A click in the Relations list: the relation is selected and scrolled into view."""
        editor, ctl = self.window.editor, self.window.controller
        rel = (
            next((r for r in ctl.annotation.relations if r.id == rel_id), None)
            if ctl and ctl.annotation
            else None
        )
        if rel is not None:
            editor.scroll_to_span(rel.head)
        editor.select_relation(rel_id)
        editor.setFocus()

    # --- find and zoom ----------------------------------------------------------------------------

    def find_in_document(self) -> None:
        self.window.find_bar.open_bar()

    def find_next(self) -> None:
        """F3: the next match; with the find bar closed, it becomes the selection at once."""
        bar, editor = self.window.find_bar, self.window.editor
        query = bar.edit.text()
        if not query:
            self.find_in_document()
        elif bar.isVisible():
            self._find(query, True)
        elif editor.find(query, True):
            editor.take_find_match()
        else:
            self.window.say(f"« {query} » not found")

    def _find(self, query: str, forward: bool) -> None:
        if query:
            self.window.find_bar.show_result(self.window.editor.find(query, forward))

    def _find_as_typed(self, query: str) -> None:
        if query:
            self.window.find_bar.show_result(self.window.editor.find_from_caret(query))
        else:
            self.window.editor.clear_find()
            self.window.find_bar.show_result(True)

    def _find_closed(self) -> None:
        """Leaving the find bar selects the match (so a label key labels it); the highlight goes."""
        self.window.editor.take_find_match()
        self.window.editor.setFocus()

    def focus_search(self) -> None:
        self.window.doc_list.search.setFocus()
        self.window.doc_list.search.selectAll()

    def zoom_in(self) -> None:
        self.window.editor.set_zoom(self.window.editor.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.window.editor.set_zoom(self.window.editor.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self.window.editor.set_zoom(1.0)
