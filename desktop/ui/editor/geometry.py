"""Geometry of a laid-out document: exact x positions, rectangles and hit testing.

`layout.EditorLayout` decides which spans and arcs sit on which line, at which row and level;
this base class turns that into pixels (document coordinates) for the painter, and answers what
lies under a point for the mouse.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF

from desktop.model import Relation, Span
from desktop.ui.editor.lines import FULL, IN, OUT, Arc, Line, Metrics, Piece, TextMeasure


class LayoutGeometry:
    """Pixels of the placed lines: piece and label boxes, arc heights, what is under a point."""

    m: Metrics
    measure: TextMeasure
    text: str
    width: float
    lines: list[Line]
    tops: list[float]
    spans: dict[int, Span]
    relations: dict[int, Relation]
    span_lines: dict[int, list[int]]
    rel_lines: dict[int, tuple[int, ...]]
    _label_widths: dict[tuple[str, int], float]

    def x_at(self, ln: Line, offset: int) -> float:
        """Content x of the left edge of character `offset` on line `ln`."""
        return self.measure.x_at(ln, offset)

    def offset_at_x(self, ln: Line, x: float) -> int:
        """Offset of the character boundary nearest to content x on line `ln`."""
        return self.measure.offset_at_x(ln, x)

    def _label_width(self, label: str, fm: QFontMetricsF) -> float:
        key = (label, id(fm))
        w = self._label_widths.get(key)
        if w is None:
            w = self._label_widths[key] = fm.horizontalAdvance(label)
        return w

    def realise(self, ln: Line) -> Line:
        """Give the line's pieces and arcs their exact x (done for lines that get painted or hit)."""
        if ln.real:
            return ln
        by_span = {}
        for p in ln.pieces:
            p.x0 = self.x_at(ln, p.start)
            p.x1 = max(self.x_at(ln, p.end), p.x0 + 4)
            by_span[p.span_id] = p
        for arc in ln.arcs:
            if arc.kind != IN:
                h = by_span[arc.head]
                arc.xh = h.x0 + (h.x1 - h.x0) * arc.fh
            if arc.kind != OUT:
                c = by_span[arc.child]
                arc.xc = c.x0 + (c.x1 - c.x0) * arc.fc
        ln.real = True
        return ln

    # -- rectangles (document coordinates) ------------------------------------------------------

    def text_top(self, ln: Line) -> float:
        m = self.m
        band = ln.levels * m.arc_step + m.arc_pad if ln.levels else 0
        return ln.top + m.pad_top + band

    def piece_rect(self, ln: Line, p: Piece) -> QRectF:
        """The coloured box (row 0, behind the text) or bar (rows below) of a piece."""
        m = self.m
        tt = self.text_top(ln)
        if p.row == 0:
            return QRectF(p.x0 - 2, tt, p.x1 - p.x0 + 4, m.text_h)
        y = tt + m.text_h + m.label_h + (p.row - 1) * m.bar_h + 1
        return QRectF(p.x0 - 2, y, p.x1 - p.x0 + 4, m.bar_h - 2)

    def label_slots(self, ln: Line) -> list[tuple[Piece, QRectF, str]]:
        """Where each row-0 label of a line goes, and its text: centred under its box, but side by
        side with its neighbours, shortened (to "P…" or "P") when short boxes crowd together."""
        m = self.m
        self.realise(ln)
        firsts = sorted((p for p in ln.pieces if p.row == 0 and p.first), key=lambda p: p.x0)
        boxes = [self.piece_rect(ln, p) for p in firsts]
        widths = [self._label_width(p.label, m.lfm) + 6 for p in firsts]
        slots = []
        prev_right = float("-inf")
        for i, (p, box, w) in enumerate(zip(firsts, boxes, widths, strict=True)):
            centre = box.center().x()
            left = max(centre - w / 2, prev_right + 2)
            right = left + w
            if i + 1 < len(firsts):
                nxt = boxes[i + 1].center().x()
                if right > nxt - widths[i + 1] / 2 - 2:  # would run into the next label
                    right = min(right, max((centre + nxt) / 2 - 1, box.right()))
            text = p.label
            if right - left < w:
                room = max(right - left - 4, 0.0)
                text = m.lfm.elidedText(p.label, Qt.TextElideMode.ElideRight, room)
                if len(text) <= 1:  # not even one letter and the ellipsis: the first letter alone
                    text = p.label[:1]
            slots.append((p, QRectF(left, box.bottom(), max(right - left, 4.0), m.label_h), text))
            prev_right = right
        return slots

    def hit_rect(self, ln: Line, p: Piece) -> QRectF:
        box = self.piece_rect(ln, p)
        if p.row == 0:
            return box.united(QRectF(box.left(), box.bottom(), box.width(), self.m.label_h))
        return box

    def arc_y(self, ln: Line, level: int) -> float:
        return self.text_top(ln) - self.m.arc_pad - (level - 0.5) * self.m.arc_step

    def arc_label_rect(self, ln: Line, arc: Arc) -> QRectF:
        m = self.m
        w = self._label_width(arc.label, m.rfm) + 8
        y = self.arc_y(ln, arc.level)
        left = (arc.xh + arc.xc) / 2 - w / 2
        if arc.kind == IN:  # near the child, leaving the margin end to the far tag
            d = 1 if arc.xh > arc.xc else -1
            left = arc.xc + d * 10 - (0 if d > 0 else w)
        left = max(2.0, min(left, self.width - w - 2))  # a short arc at the edge keeps its label in view
        return QRectF(left, y - m.rfm.height() / 2, w, m.rfm.height())

    def far_tag(self, ln: Line, arc: Arc) -> tuple[QRectF, str] | None:
        """For a half arc: a tag at its edge end naming the span at the far end (shown when that
        end is out of view), or None when it would cover the arc's own label."""
        if arc.kind == FULL:
            return None
        span = self.spans.get(arc.other)
        if span is None:
            return None
        m = self.m
        arrow = "↓" if arc.other_line > ln.index else "↑"
        name = " ".join(self.text[span.start : span.end].split())
        text = m.lfm.elidedText(f"{arrow} {span.label} {name}", Qt.TextElideMode.ElideRight, 12 * m.label_h)
        w = self._label_width(text, m.lfm) + 10
        edge = arc.xc if arc.kind == OUT else arc.xh
        x = edge - w if edge > self.width / 2 else edge
        rect = QRectF(x, self.arc_y(ln, arc.level) - m.label_h / 2, w, m.label_h)
        if rect.intersects(self.arc_label_rect(ln, arc).adjusted(-4, 0, 4, 0)):
            return None
        return rect, text

    def line_at_y(self, y: float) -> int:
        return max(bisect_right(self.tops, y) - 1, 0)

    def visible_lines(self, y0: float, y1: float) -> range:
        if not self.lines:
            return range(0)
        first = self.line_at_y(y0)
        last = self.line_at_y(y1)
        return range(first, min(last + 1, len(self.lines)))

    # -- hit testing (document coordinates) -------------------------------------------------------

    def line_at(self, pt: QPointF) -> Line | None:
        return self.realise(self.lines[self.line_at_y(pt.y())]) if self.lines else None

    def span_at(self, pt: QPointF) -> int | None:
        """The span whose box, label or bar is under `pt` (the innermost when boxes nest)."""
        ln = self.line_at(pt)
        hits = [p for p in ln.pieces if self.hit_rect(ln, p).contains(pt)] if ln else []
        return min(hits, key=lambda p: (p.x1 - p.x0, -p.row)).span_id if hits else None

    def relation_at(self, pt: QPointF, tol: float = 4.0) -> int | None:
        """The relation whose label or arc line passes within `tol` pixels of `pt`."""
        ln = self.line_at(pt)
        if ln is None:
            return None
        arcs = sorted(ln.arcs, key=lambda a: a.level)
        for arc in arcs:
            if self.arc_label_rect(ln, arc).adjusted(-2, -2, 2, 2).contains(pt):
                return arc.rel_id
        x, y = pt.x(), pt.y()
        foot = self.text_top(ln)
        for arc in arcs:
            top = self.arc_y(ln, arc.level)
            lo, hi = sorted((arc.xh, arc.xc))
            if abs(y - top) <= tol and lo - tol <= x <= hi + tol:
                return arc.rel_id
            legs = [arc.xh] if arc.kind == OUT else [arc.xc] if arc.kind == IN else [arc.xh, arc.xc]
            if top <= y <= foot and any(abs(x - leg) <= tol for leg in legs):
                return arc.rel_id
        return None

    def offset_at(self, pt: QPointF) -> int:
        """The character boundary nearest to `pt` (a line's start above its text)."""
        if not self.lines:
            return 0
        ln = self.lines[self.line_at_y(pt.y())]
        return self.offset_at_x(ln, pt.x())

    def span_pieces(self, sid: int) -> list[tuple[Line, Piece]]:
        out: list[tuple[Line, Piece]] = []
        for li in self.span_lines.get(sid, ()):
            ln = self.realise(self.lines[li])
            out.extend((ln, p) for p in ln.pieces if p.span_id == sid)
        return out

    def relation_arcs(self, rid: int) -> list[tuple[Line, Arc]]:
        out: list[tuple[Line, Arc]] = []
        for li in self.rel_lines.get(rid, ()):
            ln = self.realise(self.lines[li])
            out.extend((ln, a) for a in ln.arcs if a.rel_id == rid)
        return out
