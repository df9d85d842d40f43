"""The annotation editor widget: a scrolling, custom-painted view of a document's annotations.

The widget only shows and selects; it never writes to a project. What the user means to do leaves
as signals (`text_selected`, `relation_drawn`, ...) for a controller to turn into edits, which come
back through `update_annotations`.

Mouse: drag over text selects it, widened to whole tokens (hold Alt for exact characters, Shift to
start a selection on top of a span); double-click selects one token; click a span or an arc (or
its label) to select it; drag from one span to another to draw a relation (head to child), or in
relation mode click the head, then the child. An arc whose other end is out of view ends in a tag
naming that span; clicking the tag scrolls there. Keys: Tab / Shift+Tab step through spans in text
order; Left / Right select the previous / next token (from the selection or the selected span),
Shift+Left / Shift+Right shrink or grow the selection by a token; Escape drops a pending head,
then leaves relation mode, then clears the selection; Ctrl+wheel zooms. Label keys, Delete and
undo belong to the window's actions.

Geometry for tests and tools, all in viewport coordinates, ready for `qtbot` clicks on
`view.viewport()`: `span_rect(id)` / `span_rects(id)` (a span's box on each line it covers),
`arc_label_rect(id)` (a relation's label), `arc_point(id)` (a point on the arc's line itself),
`far_tag_rect(id)` (the tag of an arc whose other end is out of view),
`offset_point(i)` (the left edge of character i, mid-height of its text row), and the inverse
`span_at(pos)`, `relation_at(pos)`, `offset_at(pos)`. `visible_text()` is the text of the lines in
view, as drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from desktop.model.tokens import snap
from desktop.ui.editor.core import EditorCore
from desktop.ui.editor.keys import label_digit
from desktop.ui.editor.navigation import describe_relation, describe_span, token_step, words_between

# Keys that stay with the editor even when a window action uses them. Escape is not among them: a
# window that binds it (to cancel its own pending edit first) then calls the editor's `escape()`.
OWN_KEYS = {
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
}
HINT_LETTERS = "asdfghjklzxcvbnm"
"""Letters that name the spans in view while a relation's child is chosen (home row first)."""
SHIFT_CTRL = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier


def hint_labels(n: int) -> list[str]:
    """`n` distinct hints, as many single letters as can be: the last letters turn into prefixes
    of two-letter hints only when there are more spans than letters."""
    letters = HINT_LETTERS
    prefixes = 0
    while len(letters) - prefixes + prefixes * len(letters) < n and prefixes < len(letters):
        prefixes += 1
    singles = list(letters[: len(letters) - prefixes])
    doubles = [a + b for a in letters[len(letters) - prefixes :] for b in letters]
    return (singles + doubles)[:n]


class EditorView(EditorCore):
    """The annotation editor: `EditorCore` with the mouse and keyboard (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewport().setMouseTracking(True)
        self._press: QPointF | None = None
        self._press_span: int | None = None
        self._press_offset: int | None = None
        self._dragging = False
        self._alt = False
        self._last_pos = QPointF()
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(30)
        self._scroll_timer.timeout.connect(self._autoscroll)
        self._hint_typed = ""
        self.every_modifier = Qt.KeyboardModifier.ShiftModifier
        """Held with a label key, it labels every occurrence of the selected text."""

    def _reset_input(self) -> None:
        self._end_drag()

    # -- keyboard ----------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Keys the editor handles itself win over window shortcuts bound to the same keys.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
            if (plain and event.key() in OWN_KEYS) or label_digit(event, self.every_modifier):
                event.accept()
                return True
            if self._state.hints and plain and event.text().isalpha():
                event.accept()
                return True
        return super().event(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002
        return False  # Tab moves the span selection, never the focus

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        label = label_digit(event, self.every_modifier)
        if self._state.hints and event.text().isalpha() and not ctrl:
            self._type_hint(event.text().lower())
        elif label is not None:
            self.label_key.emit(*label)
        elif key == Qt.Key.Key_Tab and not ctrl:
            self.next_span()
        elif key == Qt.Key.Key_Backtab:
            self.previous_span()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not mods & ~SHIFT_CTRL and (shift or not ctrl):
            delta = 1 if key == Qt.Key.Key_Right else -1
            self._step_tokens(delta, extend=shift and not ctrl, move_start=shift and ctrl)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End) and not ctrl:
            self._line_edge(key == Qt.Key.Key_End, shift)
        elif key == Qt.Key.Key_Escape:
            self.escape()
        else:
            super().keyPressEvent(event)

    # -- choosing a relation's child by letters -------------------------------------------------------

    def show_hints(self, head: int) -> None:
        """Put a letter (or two) on every other span in view; typing it draws head → that span."""
        self.complete_layout()
        lay = self._layout
        seen: list[int] = []
        for li in self._visible():
            for p in sorted(lay.lines[li].pieces, key=lambda p: p.start):
                if p.span_id != head and p.span_id not in seen and p.first:
                    seen.append(p.span_id)
        near = lay.spans[head].start if head in lay.spans else 0
        seen.sort(key=lambda sid: abs(lay.spans[sid].start - near))  # the nearest get one letter
        self._state.hints = dict(zip(seen, hint_labels(len(seen)), strict=False))
        self._state.pending_head = head
        self._hint_typed = ""
        self.viewport().update()

    def hints_shown(self) -> bool:
        return bool(self._state.hints)

    def hint_of(self, span_id: int) -> str | None:
        """The letters shown on a span while a relation's child is chosen."""
        return self._state.hints.get(span_id)

    def clear_hints(self) -> None:
        if self._state.hints:
            self._state.hints = {}
            self._state.pending_head = None
            self._hint_typed = ""
            self.viewport().update()

    def _type_hint(self, letter: str) -> None:
        typed = self._hint_typed + letter
        head = self._state.pending_head
        found = [sid for sid, h in self._state.hints.items() if h.startswith(typed)]
        exact = next((sid for sid in found if self._state.hints[sid] == typed), None)
        if exact is not None and head is not None:
            self.clear_hints()
            self.select_span(exact)
            self.relation_drawn.emit(head, exact)
        elif found:
            self._hint_typed = typed
        else:
            self._hint_typed = ""

    def escape(self) -> None:
        """What Escape means to the editor: end a drag, drop a pending head, leave relation mode,
        else clear the selection. A window that binds Escape calls this (never a synthetic key,
        which would fire the window's shortcut again)."""
        if self._state.hints:
            self.clear_hints()
        elif self._press is not None:
            self._end_drag()
        elif self._relation_mode:
            if self._state.pending_head is not None:
                self._state.pending_head = None
                self._state.rubber_band = None
                self.viewport().update()
            else:
                self.set_relation_mode(False)
        else:
            self.clear_selection()

    def _current_range(self) -> tuple[int, int] | None:
        st, lay = self._state, self._layout
        if st.text_selection is not None:
            return st.text_selection
        if st.selected_span in lay.spans:
            span = lay.spans[st.selected_span]
            return (span.start, span.end)
        return None

    def _step_tokens(self, delta: int, extend: bool = False, move_start: bool = False) -> None:
        """Arrows: move a one-word selection; Shift moves its end, Ctrl+Shift its start. On a
        selected span, Shift and Ctrl+Shift ask for the span itself to grow or shrink."""
        st, lay = self._state, self._layout
        sel = self._current_range()
        new = token_step(self._words, sel, delta, extend, self._caret, move_start)
        if new is None:
            return
        if (extend or move_start) and st.selected_span in lay.spans:
            if sel is not None and new != sel:
                self.span_resize_requested.emit(st.selected_span, *new)
            return
        self.select_text(*new)
        self.scroll_to_offset(new[1] if delta > 0 else new[0])

    def _line_edge(self, end: bool, extend: bool) -> None:
        """Home / End: the first or last word of the line; with Shift, the selection grows to it."""
        lay = self._layout
        if not lay.lines:
            return
        sel = self._current_range()
        ref = sel[0] if sel else self._caret
        ln = lay.lines[lay.line_index(ref)]
        edge = words_between(self._words, ln.start, ln.content_end)
        if edge is None:
            return
        if extend and sel is not None:
            new = (sel[0], edge[1]) if end else (edge[0], sel[1])
            if self._state.selected_span in lay.spans:
                if new != sel:
                    self.span_resize_requested.emit(self._state.selected_span, *new)
                return
        else:
            word = token_step(self._words, None, -1 if end else 1, start_at=edge[1] if end else edge[0])
            new = word or edge
        self.select_text(*new)

    # -- mouse -------------------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = 1.1 if event.angleDelta().y() > 0 else 1 / 1.1
            self.set_zoom(self._zoom * step)
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        self._press = pos
        self._dragging = False
        self._alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        force_text = bool(event.modifiers() & (Qt.KeyboardModifier.ShiftModifier)) or self._alt
        self._press_span = None if force_text else self.span_at(pos)
        self._press_offset = self.offset_at(pos)
        self._state.text_selection = None
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._press is None:
            hover = self.span_at(pos)
            head = self._state.pending_head
            if head is not None:  # relation mode: a line from the chosen head to the mouse
                self._state.rubber_band = (self._anchor_point(head), self._doc(pos))
                self.viewport().update()
            hover_rel = None if hover is not None else self.relation_at(pos)
            if hover != self._state.hover_span or hover_rel != self._state.hover_relation:
                self._state.hover_span, self._state.hover_relation = hover, hover_rel
                self._set_cursor(hover is not None or hover_rel is not None)
                self.viewport().update()
            return
        if not self._dragging:
            if (pos - self._press).manhattanLength() < QApplication.startDragDistance():
                return
            self._dragging = True
        self._last_pos = pos
        self._drag_to(pos)
        inside = 0 <= pos.y() <= self.viewport().height()
        if inside:
            self._scroll_timer.stop()
        elif not self._scroll_timer.isActive():
            self._scroll_timer.start()

    def _drag_to(self, pos: QPointF) -> None:
        """Follow a drag: the rubber band of a relation, or the growing text selection."""
        if self._press_span is not None:
            a = self._anchor_point(self._press_span)
            self._state.rubber_band = (a, self._doc(pos))
            target = self.span_at(pos)
            self._state.hover_span = target if target != self._press_span else None
        else:
            self._state.text_selection = self._selection(self._press_offset or 0, self.offset_at(pos))
        self.viewport().update()

    def _autoscroll(self) -> None:
        """While a drag is held above or below the view, scroll toward the mouse."""
        pos, h = self._last_pos, self.viewport().height()
        over = pos.y() if pos.y() < 0 else pos.y() - h if pos.y() > h else 0.0
        if self._press is None or not over:
            self._scroll_timer.stop()
            return
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + int(max(-60.0, min(60.0, over / 2 + (4 if over > 0 else -4)))))
        self._drag_to(pos)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return super().mouseReleaseEvent(event)
        pos = event.position()
        press_span, dragging = self._press_span, self._dragging
        self._end_drag()
        if not dragging:
            self._click(pos)
        elif press_span is not None:
            target = self.span_at(pos)
            if target is not None and target != press_span:
                self.relation_drawn.emit(press_span, target)
        else:
            sel = self._selection(self._press_offset or 0, self.offset_at(pos))
            self._state.text_selection = None
            if sel is not None:
                self.select_text(*sel)
        self.viewport().update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Double-click on text selects the token under the mouse."""
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton or self.span_at(pos) is not None:
            return super().mouseDoubleClickEvent(event)
        self._press = None
        at = self.offset_at(pos)
        sel = self._selection(at, at + 1) if at < len(self._layout.text) else None
        if sel is not None and not self._layout.text[sel[0] : sel[1]].isspace():
            self.select_text(*sel)
        self.viewport().update()

    def _end_drag(self) -> None:
        self._scroll_timer.stop()
        self._press = None
        self._dragging = False
        self._state.rubber_band = None
        self.viewport().update()

    def _click(self, pos: QPointF) -> None:
        sid = self.span_at(pos)
        if self._relation_mode:
            st = self._state
            st.rubber_band = None
            if sid is None:
                st.pending_head = None
            elif st.pending_head is None or st.pending_head == sid:
                st.pending_head = sid
                self.select_span(sid)
            else:
                head, st.pending_head = st.pending_head, None
                self.relation_drawn.emit(head, sid)
            self.viewport().update()
            return
        if sid is not None:
            self.select_span(sid)
            return
        far = self.far_tag_at(pos)
        if far is not None:  # follow the relation to its end out of view
            self.select_relation(far[0])
            self.scroll_to_span(far[1])
            return
        rid = self.relation_at(pos)
        if rid is not None:
            self.select_relation(rid)
            return
        self.clear_selection()
        self.set_caret(self.offset_at(pos))

    def _selection(self, a: int, b: int) -> tuple[int, int] | None:
        start, end = min(a, b), max(a, b)
        if start == end:
            return None
        if not self._alt:
            start, end = snap(self._tokens, start, end, self._layout.text)
        return (start, end) if end > start else None

    def _anchor_point(self, span_id: int) -> QPointF:
        pieces = self._layout.span_pieces(span_id)
        if not pieces:
            return QPointF()
        ln, p = pieces[0]
        return QPointF((p.x0 + p.x1) / 2, self._layout.text_top(ln))

    # -- hover -------------------------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())  # type: ignore[attr-defined]
            tip = self._tooltip(pos)
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _tooltip(self, pos: QPointF) -> str:
        lay = self._layout
        sid = self.span_at(pos)
        if sid is not None:
            return describe_span(lay.text, lay.spans[sid])
        rid = self.relation_at(pos)
        if rid is not None:
            rel = lay.relations[rid]
            head, child = lay.spans.get(rel.head), lay.spans.get(rel.child)
            if head is not None and child is not None:
                return describe_relation(lay.text, rel, head, child)
        return ""

    def _set_cursor(self, over_item: bool) -> None:
        if self._relation_mode:
            shape = Qt.CursorShape.CrossCursor
        else:
            shape = Qt.CursorShape.PointingHandCursor if over_item else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)
