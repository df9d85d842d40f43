"""The editor's canvas: a laid-out document in a scroll area, and where everything on it is drawn.

`EditorCanvas` owns the layout engine and the painter; it finishes the layout of a long document
a part per event-loop turn, re-wraps it to the width, zooms, scrolls, and maps between viewport
points and the layout (geometry for tests and tools, hit testing for the mouse). `core.EditorCore`
adds what is shown and selected on top.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFrame, QWidget

from desktop.ui.editor.layout import EditorLayout
from desktop.ui.editor.painter import EditorPainter

ZOOM_MIN, ZOOM_MAX = 0.5, 3.0
COMPLETION_STEP = 150
"""Lines laid out per event-loop turn while a long document finishes its layout (about 10 ms)."""


class EditorCanvas(QAbstractScrollArea):
    """The scrolling surface of the editor: layout, zoom, scrolling and viewport geometry."""

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
        self._completion = QTimer(self)
        self._completion.setSingleShot(True)
        self._completion.setInterval(0)
        self._completion.timeout.connect(self._complete_some)
        self._reflow = QTimer(self)
        self._reflow.setSingleShot(True)
        self._reflow.setInterval(60)
        self._reflow.timeout.connect(self._reflow_now)

    # -- layout -------------------------------------------------------------------------------------

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

    # -- scrolling and zoom -------------------------------------------------------------------------

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

    # -- size ---------------------------------------------------------------------------------------

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
