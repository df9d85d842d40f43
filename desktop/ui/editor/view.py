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

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFrame, QToolTip, QWidget

from desktop.model import LabelScheme, Relation, Span, Token
from desktop.model.tokens import snap
from desktop.ui.editor.layout import EditorLayout
from desktop.ui.editor.navigation import (
    SpanOrder,
    describe_relation,
    describe_span,
    find_match,
    token_step,
)
from desktop.ui.editor.painter import EditorPainter, PaintState
from desktop.ui.editor.pyside_fix import keep_none_alive

ZOOM_MIN, ZOOM_MAX = 0.5, 3.0
# Keys that stay with the editor even when a window action uses them. Escape is not among them: a
# window that binds it (to cancel its own pending edit first) passes it on to the editor itself.
OWN_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Left, Qt.Key.Key_Right}


class EditorView(QAbstractScrollArea):
    """Text with span boxes and relation arcs; selection, relation drawing, find and zoom.

    Offsets are Python string indices into the text given to `set_content`. Spans and relations
    without an id are not shown (ids are how selection and signals name them).
    """

    span_selected = Signal(int)
    """A span was selected (its id), or the span selection was cleared (-1)."""
    relation_selected = Signal(int)
    """A relation was selected (its id), or the relation selection was cleared (-1)."""
    text_selected = Signal(int, int)
    """The mouse selected text: start, end, snapped to tokens unless Alt was held."""
    relation_drawn = Signal(int, int)
    """The user drew a relation: head span id, child span id."""
    relation_mode_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        keep_none_alive()
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAccessibleName("Annotation editor")
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self._zoom = 1.0
        self._base_font = QFont(QApplication.font())
        self._layout = EditorLayout(self._base_font, self._zoom)
        self._painter = EditorPainter(self._layout, self.palette())
        self._tokens: list[Token] = []
        self._state = PaintState()
        self._relation_mode = False
        self._press: QPointF | None = None
        self._press_span: int | None = None
        self._press_offset: int | None = None
        self._dragging = False
        self._alt = False
        self._order = SpanOrder({})
        self._last_pos = QPointF()
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(30)
        self._scroll_timer.timeout.connect(self._autoscroll)
        self._completion = QTimer(self)
        self._completion.setSingleShot(True)
        self._completion.setInterval(0)
        self._completion.timeout.connect(self.complete_layout)

    # -- content ---------------------------------------------------------------------------------

    def set_content(
        self,
        text: str,
        tokens: list[Token],
        spans: list[Span],
        relations: list[Relation],
        scheme: LabelScheme,
    ) -> None:
        """Show a new document; clears selection and scrolls to the top."""
        old = self._state
        self._end_drag()
        self._tokens = list(tokens)
        self._state = PaintState()
        self._painter.reset_colors()
        lay = self._layout
        m = lay.m  # wrap enough for two screens now, the rest once this one is painted
        first = int(2 * self.viewport().height() / (m.text_h + m.label_h)) + 8
        lay.set_text(text, self._content_width(), first_lines=first)
        lay.set_annotations(spans, relations, scheme)
        self._order = SpanOrder(self._layout.spans)
        self._sync_scrollbar()
        self.verticalScrollBar().setValue(0)
        self._describe()
        self.viewport().update()
        if lay.pending is not None:
            self._completion.start()
        if old.selected_span is not None:
            self.span_selected.emit(-1)
        if old.selected_relation is not None:
            self.relation_selected.emit(-1)

    def update_annotations(self, spans: list[Span], relations: list[Relation]) -> None:
        """Show edited annotations, keeping scroll position and a still-existing selection."""
        anchor = self._top_anchor()
        self._layout.update_annotations(spans, relations)
        self._painter.reset_colors()
        st = self._state
        if st.selected_span is not None and st.selected_span not in self._layout.spans:
            self.select_span(None)
        if st.selected_relation is not None and st.selected_relation not in self._layout.relations:
            self.select_relation(None)
        if st.pending_head is not None and st.pending_head not in self._layout.spans:
            st.pending_head = None
            st.rubber_band = None
        self._order = SpanOrder(self._layout.spans)
        self._sync_scrollbar()
        self._restore_anchor(anchor)
        self.viewport().update()

    def text(self) -> str:
        return self._layout.text

    def complete_layout(self) -> None:
        """Finish laying out a long document (set_content lays out the first screens only; the rest
        follows as soon as the event loop is free, or at once when something needs it)."""
        self._completion.stop()
        anchor = self._top_anchor()
        if self._layout.complete():
            self._sync_scrollbar()
            self._restore_anchor(anchor)
            self.viewport().update()

    def editor_layout(self) -> EditorLayout:
        """The layout engine (read-only use: geometry queries in tests and tools)."""
        self.complete_layout()
        return self._layout

    def visible_text(self) -> str:
        """The text of the lines currently in view, one line per visual line, as drawn."""
        self.complete_layout()
        lay = self._layout
        return "\n".join(lay.lines[i].text for i in self._visible())

    # -- selection -------------------------------------------------------------------------------

    def selected_span(self) -> int | None:
        return self._state.selected_span

    def selected_relation(self) -> int | None:
        return self._state.selected_relation

    def text_selection(self) -> tuple[int, int] | None:
        return self._state.text_selection

    def select_span(self, span_id: int | None) -> None:
        st = self._state
        if span_id is not None and span_id not in self._layout.spans:
            span_id = None
        if span_id is not None:
            self._set_relation(None)
            st.text_selection = None
        if st.selected_span != span_id:
            st.selected_span = span_id
            self.span_selected.emit(-1 if span_id is None else span_id)
        self._describe()
        self.viewport().update()

    def select_relation(self, rel_id: int | None) -> None:
        if rel_id is not None and rel_id not in self._layout.relations:
            rel_id = None
        if rel_id is not None:
            self.select_span(None)
            self._state.text_selection = None
        self._set_relation(rel_id)
        self.viewport().update()

    def _set_relation(self, rel_id: int | None) -> None:
        if self._state.selected_relation != rel_id:
            self._state.selected_relation = rel_id
            self.relation_selected.emit(-1 if rel_id is None else rel_id)
            self._describe()

    def clear_selection(self) -> None:
        self.select_span(None)
        self._set_relation(None)
        self._state.text_selection = None
        self._state.pending_head = None
        self._state.rubber_band = None
        self._describe()
        self.viewport().update()

    def next_span(self) -> int | None:
        """Select the next span in text order (the first in view when none is selected)."""
        return self._step_span(1)

    def previous_span(self) -> int | None:
        return self._step_span(-1)

    def _step_span(self, direction: int) -> int | None:
        self.complete_layout()
        sid = self._order.step(self._state.selected_span, direction, self._top_offset())
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def _top_offset(self) -> int:
        lay = self._layout
        return lay.lines[self._visible().start].start if lay.lines else 0

    # -- scrolling, zoom, find -------------------------------------------------------------------

    def scroll_to_span(self, span_id: int) -> None:
        span = self._layout.spans.get(span_id)
        if span is not None:
            self.scroll_to_offset(span.start)

    def scroll_to_offset(self, offset: int) -> None:
        """Bring the line holding `offset` into view (centred when it was out of view)."""
        self.complete_layout()
        lay = self._layout
        if not lay.lines:
            return
        ln = lay.lines[lay.line_index(offset)]
        bar = self.verticalScrollBar()
        top, h = bar.value(), self.viewport().height()
        if ln.top >= top and ln.top + ln.height <= top + h:
            return
        bar.setValue(int(ln.top + ln.height / 2 - h / 2))

    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, factor: float) -> None:
        factor = min(max(factor, ZOOM_MIN), ZOOM_MAX)
        if abs(factor - self._zoom) < 1e-6:
            return
        anchor = self._top_anchor()
        self._zoom = factor
        self._layout.set_zoom(self._base_font, factor)
        self._painter.reset_fonts()
        self._layout.wrap()
        self._sync_scrollbar()
        self._restore_anchor(anchor)
        self.viewport().update()

    # Shadows the static QWidget.find(window id), which an editor never needs.
    def find(self, query: str, forward: bool = True) -> bool:  # type: ignore[override]
        """Highlight and scroll to the next (or previous) match of `query`, ignoring case; wraps.

        An empty query clears the highlight.
        """
        self.complete_layout()
        m = find_match(self._layout.text, query, self._state.find_match, self._cursor_offset(), forward)
        self._state.find_match = m
        if m:
            self.scroll_to_offset(m[0])
        self.viewport().update()
        return m is not None

    def _cursor_offset(self) -> int:
        st = self._state
        if st.selected_span is not None and st.selected_span in self._layout.spans:
            return self._layout.spans[st.selected_span].start
        if st.text_selection:
            return st.text_selection[0]
        return self._top_offset()

    # -- relation mode ---------------------------------------------------------------------------

    def relation_mode(self) -> bool:
        return self._relation_mode

    def set_relation_mode(self, on: bool) -> None:
        if on == self._relation_mode:
            return
        self._relation_mode = on
        self._state.pending_head = None
        self._state.rubber_band = None
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.IBeamCursor)
        self.relation_mode_changed.emit(on)
        self.viewport().update()

    # -- geometry for tests and tools (viewport coordinates) --------------------------------------

    def span_rect(self, span_id: int) -> QRect | None:
        """The box of the span's first piece (its text row, or its bar when stacked)."""
        rects = self.span_rects(span_id)
        return rects[0] if rects else None

    def span_rects(self, span_id: int) -> list[QRect]:
        """One box per line the span covers."""
        self.complete_layout()
        lay = self._layout
        return [self._to_view(lay.piece_rect(ln, p)) for ln, p in lay.span_pieces(span_id)]

    def arc_label_rect(self, rel_id: int) -> QRect | None:
        """The label on the relation's arc (the head side's, for an arc split across lines)."""
        self.complete_layout()
        arcs = self._layout.relation_arcs(rel_id)
        return self._to_view(self._layout.arc_label_rect(*arcs[0])) if arcs else None

    def arc_point(self, rel_id: int) -> QPoint | None:
        """A point on the arc's line itself, away from its label."""
        self.complete_layout()
        arcs = self._layout.relation_arcs(rel_id)
        if not arcs:
            return None
        ln, arc = arcs[0]
        y = self._layout.arc_y(ln, arc.level)
        x = arc.xh + (arc.xc - arc.xh) * 0.15 if abs(arc.xc - arc.xh) > 40 else arc.xh
        if abs(arc.xc - arc.xh) <= 40:
            y = (y + self._layout.text_top(ln)) / 2
        return QPoint(round(x), round(y - self.verticalScrollBar().value()))

    def offset_point(self, offset: int) -> QPoint:
        """The left edge of character `offset`, vertically in the middle of its text row."""
        self.complete_layout()
        lay = self._layout
        ln = lay.lines[lay.line_index(offset)]
        x = lay.x_at(ln, offset)
        y = lay.text_top(ln) + lay.m.text_h / 2
        return QPoint(round(x), round(y - self.verticalScrollBar().value()))

    def _to_view(self, r: QRectF) -> QRect:
        return r.translated(0, -self.verticalScrollBar().value()).toAlignedRect()

    # -- hit testing -----------------------------------------------------------------------------

    def _doc(self, pos: QPointF) -> QPointF:
        return QPointF(pos.x(), pos.y() + self.verticalScrollBar().value())

    def span_at(self, pos: QPointF) -> int | None:
        """The span under a viewport point (the innermost when boxes nest)."""
        return self._layout.span_at(self._doc(pos))

    def relation_at(self, pos: QPointF) -> int | None:
        """The relation whose arc or label is under a viewport point."""
        return self._layout.relation_at(self._doc(pos))

    def far_tag_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(relation id, far span id) of the off-screen-end tag under a viewport point."""
        lay, d = self._layout, self._doc(pos)
        ln = lay.line_at(d)
        visible = self._visible()
        for arc in ln.arcs if ln else ():
            tag = lay.far_tag(ln, arc) if arc.other_line not in visible else None  # type: ignore[arg-type]
            if tag is not None and tag[0].contains(d):
                return arc.rel_id, arc.other
        return None

    def far_tag_rect(self, rel_id: int) -> QRect | None:
        """The tag naming a relation's far end, when that end is out of view."""
        self.complete_layout()
        visible = self._visible()
        for ln, arc in self._layout.relation_arcs(rel_id):
            if ln.index in visible and arc.other_line not in visible:
                tag = self._layout.far_tag(ln, arc)
                if tag is not None:
                    return self._to_view(tag[0])
        return None

    def offset_at(self, pos: QPointF) -> int:
        """The character boundary nearest to a viewport point."""
        return self._layout.offset_at(self._doc(pos))

    # -- events ----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self.viewport())
        if self._painter.palette is not self.palette():
            self._painter.set_palette(self.palette())
        self._state.visible = self._visible()
        self._painter.paint(p, self.verticalScrollBar().value(), self.viewport().height(), self._state)
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        width = self._content_width()
        if abs(width - self._layout.width) >= 1:
            anchor = self._top_anchor()
            self._layout.width = max(width, 80.0)
            self._layout.wrap()
            self._restore_anchor(anchor, sync=True)
        else:
            self._sync_scrollbar()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002
        return False  # Tab moves the span selection, never the focus

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.next_span()
        elif key == Qt.Key.Key_Backtab:
            self.previous_span()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        ):
            extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._step_tokens(1 if key == Qt.Key.Key_Right else -1, extend)
        elif key == Qt.Key.Key_Escape:
            if self._press is not None:
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
        else:
            super().keyPressEvent(event)

    def _step_tokens(self, delta: int, extend: bool) -> None:
        """Arrow keys: move a one-token selection, or with Shift grow or shrink it, then report it."""
        st, lay = self._state, self._layout
        sel = st.text_selection
        if sel is None and st.selected_span in lay.spans:
            span = lay.spans[st.selected_span]  # type: ignore[index]
            sel = (span.start, span.end)
        new = token_step(self._tokens, sel, delta, extend, self._top_offset())
        if new is None:
            return
        self.select_span(None)
        self._set_relation(None)
        st.text_selection = new
        self.scroll_to_offset(new[1] if delta > 0 else new[0])
        self._describe()
        self.text_selected.emit(*new)
        self.viewport().update()

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
            self._state.text_selection = sel
            if sel is not None:
                self.select_span(None)
                self._set_relation(None)
                self._describe()
                self.text_selected.emit(*sel)
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
            self._state.text_selection = sel
            self.select_span(None)
            self._set_relation(None)
            self._describe()
            self.text_selected.emit(*sel)
        self.viewport().update()

    def event(self, event: QEvent) -> bool:
        # Keys the editor handles itself win over window shortcuts bound to the same keys.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
            if plain and event.key() in OWN_KEYS:
                event.accept()
                return True
        return super().event(event)

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

    def _describe(self) -> None:
        """Keep the accessible description on what is selected, for screen readers."""
        st, lay = self._state, self._layout
        text = ""
        if st.selected_span in lay.spans:
            text = describe_span(lay.text, lay.spans[st.selected_span])  # type: ignore[index]
        elif st.selected_relation in lay.relations:
            rel = lay.relations[st.selected_relation]  # type: ignore[index]
            head, child = lay.spans.get(rel.head), lay.spans.get(rel.child)
            if head is not None and child is not None:
                text = describe_relation(lay.text, rel, head, child)
        elif st.text_selection is not None:
            text = "Selected: « " + " ".join(lay.text[slice(*st.text_selection)].split()) + " »"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)

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

    # -- helpers ---------------------------------------------------------------------------------

    def _content_width(self) -> float:
        return float(max(self.viewport().width(), 80))

    def _visible(self) -> range:
        top = self.verticalScrollBar().value()
        return self._layout.visible_lines(top, top + self.viewport().height())

    def _sync_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        h = self.viewport().height()
        bar.setRange(0, max(0, int(self._layout.total_height - h)))
        bar.setPageStep(h)
        bar.setSingleStep(int(self._layout.m.text_h * 2))

    def _top_anchor(self) -> tuple[int, float]:
        """The first visible line's start offset and how far into it the view begins."""
        lay = self._layout
        if not lay.lines:
            return (0, 0.0)
        top = self.verticalScrollBar().value()
        ln = lay.lines[lay.line_at_y(top)]
        return (ln.start, top - ln.top)

    def _restore_anchor(self, anchor: tuple[int, float], sync: bool = False) -> None:
        if sync:
            self._sync_scrollbar()
        lay = self._layout
        if not lay.lines:
            return
        ln = lay.lines[lay.line_index(anchor[0])]
        self.verticalScrollBar().setValue(int(ln.top + anchor[1]))
