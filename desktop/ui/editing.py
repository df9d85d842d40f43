"""What the editing keys do: every edit goes through the controller of the moment.

The window's session (or review mode) owns the controller; this object turns the Edit and View
menus' actions and the side panel's clicks into controller and editor calls, so the window itself
only wires parts together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

ZOOM_STEP = 1.15


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
        window.find_bar.find_requested.connect(self._find)
        window.find_bar.closed.connect(editor.setFocus)

    def undo(self) -> None:
        if self.window.controller is not None:
            self.window.controller.undo_stack.undo()

    def redo(self) -> None:
        if self.window.controller is not None:
            self.window.controller.undo_stack.redo()

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
            self.window.controller.cancel()
        else:
            # The editor knows what Escape means to it (a drag, a head clicked, relation mode).
            self.window.editor.escape()

    def link_selected(self) -> None:
        if self.window.controller is None:
            return
        if not self.window.editor.relation_mode():
            self.window.say("Turn on relation mode to link spans with the keyboard")
            return
        self.window.controller.link_selected()

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
        if self.window.project is None:
            return
        keys = ", ".join(f"{e.key} {e.name}" for e in self.window.project.scheme.entities if e.key)
        self.window.say(f"{end - start} characters selected: press a label's key ({keys})")

    def _jump_to_relation(self, rel_id: int) -> None:
        self.window.editor.select_relation(rel_id)
        self.window.editor.setFocus()

    # --- find and zoom ----------------------------------------------------------------------------

    def find_in_document(self) -> None:
        self.window.find_bar.open_bar()

    def find_next(self) -> None:
        if self.window.find_bar.edit.text():
            self._find(self.window.find_bar.edit.text(), True)
        else:
            self.find_in_document()

    def _find(self, query: str, forward: bool) -> None:
        if query:
            self.window.find_bar.show_result(self.window.editor.find(query, forward))

    def focus_search(self) -> None:
        self.window.doc_list.search.setFocus()
        self.window.doc_list.search.selectAll()

    def zoom_in(self) -> None:
        self.window.editor.set_zoom(self.window.editor.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.window.editor.set_zoom(self.window.editor.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self.window.editor.set_zoom(1.0)
