"""The annotation editor's state and drawing: content, selection, scrolling, zoom, find, geometry.

`EditorCore` holds what is shown and selected and paints it through `painter.EditorPainter`;
`view.EditorView` adds the mouse and keyboard on top. The widget only shows and selects; it never
writes to a project.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFrame, QWidget

from desktop.model import LabelScheme, Origin, Relation, Span, Token
from desktop.model.tokens import snap
from desktop.ui.editor.layout import EditorLayout
from desktop.ui.editor.navigation import (
    SpanOrder,
    describe_relation,
    describe_span,
    find_match,
    span_around,
    words,
)
from desktop.ui.editor.painter import EditorPainter, PaintState

ZOOM_MIN, ZOOM_MAX = 0.5, 3.0
COMPLETION_STEP = 150
"""Lines laid out per event-loop turn while a long document finishes its layout (about 10 ms)."""


class EditorCore(QAbstractScrollArea):
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
    selection_changed = Signal()
    """What is selected changed (a span, a relation, text, or nothing): time to say so."""
    label_key = Signal(str, bool)
    """A number-row key on any layout: its digit, and whether it labels every occurrence."""
    span_resize_requested = Signal(int, int, int)
    """The keyboard moved a selected span's start or end by a word: span id, new start, new end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAccessibleName("Annotation editor")
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self._zoom = 1.0
        self._base_font = QFont(QApplication.font())
        self._layout = EditorLayout(self._base_font, self._zoom)
        self._painter = EditorPainter(self._layout, self.palette())
        self._tokens: list[Token] = []
        self._words: list[Token] = []
        """The tokens that are not whitespace: where the arrows step."""
        self._state = PaintState()
        self._relation_mode = False
        self._order = SpanOrder({})
        self._caret = 0
        """Where the reader is: the selected span's or text's start, a find match, a click.
        Tab and Shift+Tab step from here, and it stays where a deleted span was."""
        self._completion = QTimer(self)
        self._completion.setSingleShot(True)
        self._completion.setInterval(0)
        self._completion.timeout.connect(self._complete_some)
        self._reflow = QTimer(self)
        self._reflow.setSingleShot(True)
        self._reflow.setInterval(60)
        self._reflow.timeout.connect(self._reflow_now)

    # -- content ------------------------------------------------------------------------------------

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
        self._reset_input()
        self._tokens = list(tokens)
        self._words = words(self._tokens, text)
        self._state = PaintState()
        self._caret = 0
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
        """Finish laying out a long document at once (set_content lays out the first screens; the
        rest follows a part per event-loop turn, or all at once when something needs it)."""
        if self._reflow.isActive():
            self._reflow_now()
        self._completion.stop()
        anchor = self._top_anchor()
        if self._layout.complete():
            self._sync_scrollbar()
            self._restore_anchor(anchor)
            self.viewport().update()

    def _complete_some(self) -> None:
        """Lay out the next part of a long document, then let the event loop breathe."""
        if self._layout.complete(max_lines=COMPLETION_STEP):
            self._sync_scrollbar()
            self.viewport().update()
        if self._layout.pending is not None:
            self._completion.start()

    def editor_layout(self) -> EditorLayout:
        """The layout engine (read-only use: geometry queries in tests and tools)."""
        self.complete_layout()
        return self._layout

    def visible_text(self) -> str:
        """The text of the lines currently in view, one line per visual line, as drawn."""
        self.complete_layout()
        lay = self._layout
        return "\n".join(lay.lines[i].text for i in self._visible())

    # -- selection ----------------------------------------------------------------------------------

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
            st.find_match = None
            self._caret = self._layout.spans[span_id].start
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

    def caret(self) -> int:
        return self._caret

    def set_caret(self, offset: int) -> None:
        self._caret = min(max(offset, 0), len(self._layout.text))
        self.viewport().update()

    def select_text(self, start: int, end: int) -> None:
        """Select characters [start, end) as text (no span), as the mouse or the arrows do."""
        st = self._state
        self.select_span(None)
        self._set_relation(None)
        size = len(self._layout.text)
        start, end = max(0, min(start, size)), max(0, min(end, size))
        st.text_selection = (start, end) if end > start else None
        self._caret = start
        self.scroll_to_offset(start)
        self._describe()
        if st.text_selection is not None:
            self.text_selected.emit(start, end)
        self.viewport().update()

    def next_span(self) -> int | None:
        """Select the next span in text order, from the selected span or the caret."""
        return self._step_span(1)

    def previous_span(self) -> int | None:
        return self._step_span(-1)

    def next_suggestion(self, direction: int = 1) -> int | None:
        """Select the next (or previous) suggestion nobody has confirmed yet."""
        self.complete_layout()
        sid = self._order.step_where(
            self._state.selected_span, direction, self._caret, lambda s: s.origin == Origin.MODEL
        )
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def _step_span(self, direction: int) -> int | None:
        self.complete_layout()
        sid = self._order.step(self._state.selected_span, direction, self._caret)
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def _top_offset(self) -> int:
        lay = self._layout
        return lay.lines[self._visible().start].start if lay.lines else 0

    def _describe(self) -> None:
        """Keep the accessible description on what is selected, for screen readers."""
        st, lay = self._state, self._layout
        text = ""
        if st.selected_span in lay.spans:
            text = describe_span(lay.text, lay.spans[st.selected_span])
        elif st.selected_relation in lay.relations:
            rel = lay.relations[st.selected_relation]
            head, child = lay.spans.get(rel.head), lay.spans.get(rel.child)
            if head is not None and child is not None:
                text = describe_relation(lay.text, rel, head, child)
        elif st.text_selection is not None:
            text = "Selected: « " + " ".join(lay.text[slice(*st.text_selection)].split()) + " »"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
        self.selection_changed.emit()

    # -- scrolling, zoom, find ----------------------------------------------------------------------

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
        st = self._state
        # From a selection, the next match starts after it (its own text is not "next").
        skip = st.find_match is None and (st.text_selection is not None or st.selected_span is not None)
        caret = self._caret + 1 if skip and forward else self._caret
        m = find_match(self._layout.text, query, st.find_match, caret, forward)
        self._state.find_match = m
        if m:
            self.scroll_to_offset(m[0])
        self.viewport().update()
        return m is not None

    def find_from_caret(self, query: str) -> bool:
        """Find as the query is typed: the first match at or after the caret."""
        self.complete_layout()
        m = find_match(self._layout.text, query, None, self._caret)
        self._state.find_match = m
        if m:
            self.scroll_to_offset(m[0])
        self.viewport().update()
        return m is not None

    def find_match(self) -> tuple[int, int] | None:
        return self._state.find_match

    def take_find_match(self) -> bool:
        """Turn the highlighted match into the selection (widened to whole words): the span it
        lies in when there is one (the innermost), else the text. The highlight goes."""
        m = self._state.find_match
        self._state.find_match = None
        if m is None:
            self.viewport().update()
            return False
        start, end = snap(self._tokens, m[0], m[1], self._layout.text)
        span = span_around(self._layout.spans, start, end)
        if span is not None:
            self.select_span(span)
        else:
            self.select_text(start, end)
        return True

    def clear_find(self) -> None:
        if self._state.find_match is not None:
            self._state.find_match = None
            self.viewport().update()

    # -- relation mode ------------------------------------------------------------------------------

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

    # -- geometry for tests and tools (viewport coordinates) ----------------------------------------

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

    def _to_view(self, r: QRectF) -> QRect:
        return r.translated(0, -self.verticalScrollBar().value()).toAlignedRect()

    # -- hit testing --------------------------------------------------------------------------------

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

    def offset_at(self, pos: QPointF) -> int:
        """The character boundary nearest to a viewport point."""
        return self._layout.offset_at(self._doc(pos))

    # -- painting and size --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self.viewport())
        if self._painter.palette is not self.palette():
            self._painter.set_palette(self.palette())
        self._state.visible = self._visible()
        st = self._state
        idle = st.selected_span is None and st.text_selection is None and st.selected_relation is None
        st.caret = self._caret if idle and self.hasFocus() else None
        self._painter.paint(p, self.verticalScrollBar().value(), self.viewport().height(), self._state)
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if abs(self._content_width() - self._layout.width) < 1:
            self._sync_scrollbar()
        elif len(self._layout.lines) > 400 and self.isVisible():
            self._reflow.start()  # a long document reflows once the resizing pauses
        else:
            self._reflow_now()

    def _reflow_now(self) -> None:
        """Re-wrap the text to the current width, keeping the first visible line in view."""
        self._reflow.stop()
        width = self._content_width()
        if abs(width - self._layout.width) < 1:
            return
        anchor = self._top_anchor()
        self._layout.width = max(width, 80.0)
        self._layout.wrap()
        self._restore_anchor(anchor, sync=True)
        self.viewport().update()

    # -- helpers ------------------------------------------------------------------------------------

    def _reset_input(self) -> None:
        """Forget a mouse gesture in progress (the input layer overrides this)."""

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
