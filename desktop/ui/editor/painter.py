"""Painting of the annotation editor: draws what `layout.EditorLayout` placed, visible lines only.

Looks: spans are soft rounded boxes behind the text in their label colour, with the label in a
small bold font under the box (stacked spans become labelled bars below); a model's suggestion is
paler with a dashed outline until a person touches it; relations are arcs above the text with an
arrowhead on the child and the label in small caps on the arc; a half arc that leaves toward a line
scrolled out of view names the span at its far end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPolygonF,
    QStaticText,
    QTransform,
)

from desktop.model import Origin
from desktop.ui.editor.layout import FULL, IN, OUT, Arc, EditorLayout, Line, Piece

SELECT = QColor("#1f6feb")
FIND = QColor(255, 236, 61, 150)
FIND_LINE = QColor("#d4a000")


@dataclass(slots=True)
class PaintState:
    """What the view wants highlighted."""

    selected_span: int | None = None
    selected_relation: int | None = None
    pending_head: int | None = None
    hover_span: int | None = None
    hover_relation: int | None = None
    text_selection: tuple[int, int] | None = None
    find_match: tuple[int, int] | None = None
    rubber_band: tuple[QPointF, QPointF] | None = None
    hints: dict[int, str] = field(default_factory=dict)
    """Letters over the spans in view while a relation's child is chosen by keyboard."""
    caret: int | None = None
    """Where the keyboard is, drawn as a text cursor while nothing is selected."""
    visible: range = field(default_factory=lambda: range(0))


class EditorPainter:
    """Paints an `EditorLayout` with a palette; caches colours per label."""

    def __init__(self, layout: EditorLayout, palette: QPalette) -> None:
        self.lay = layout
        self.palette = palette
        self.dark = False
        self._ends: set[int] = set()
        self._pens: dict[tuple[int, float, bool], QPen] = {}
        self.set_palette(palette)
        self._colors: dict[str, QColor] = {}
        self._labels: dict[tuple[str, int], tuple[QStaticText, float]] = {}

    def color(self, label: str) -> QColor:
        c = self._colors.get(label)
        if c is None:
            c = self._colors[label] = QColor(self.lay.scheme.color(label))
        return c

    def set_palette(self, palette: QPalette) -> None:
        """Follow the widget's palette; on a dark base, fills turn translucent and ink light."""
        self.palette = palette
        self.dark = palette.color(QPalette.ColorRole.Base).lightness() < 128

    def ink(self, color: QColor, factor: int) -> QColor:
        """A label colour dark enough to read on white (or light enough on a dark base)."""
        return color.lighter(115) if self.dark else color.darker(factor)

    def pen(self, color: QColor, width: float, dashed: bool = False) -> QPen:
        """A cosmetic pen (width in device pixels): two to three times faster to stroke, and
        outlines stay hairline-thin at any zoom."""
        key = (color.rgba(), width, dashed)
        pen = self._pens.get(key)
        if pen is None:
            pen = self._pens[key] = QPen(color, width)
            pen.setCosmetic(True)
            if dashed:
                pen.setDashPattern([3.0, 2.0])
        return pen

    def reset_colors(self) -> None:
        self._colors.clear()

    def reset_fonts(self) -> None:
        """Forget shaped labels (after a zoom: the fonts changed)."""
        self._labels.clear()

    def paint(self, p: QPainter, scroll_y: float, height: float, state: PaintState) -> None:
        p.fillRect(QRectF(0, 0, self.lay.width, height), self.palette.color(QPalette.ColorRole.Base))
        p.translate(0, -scroll_y)
        rel = self.lay.relations.get(state.selected_relation) if state.selected_relation else None
        self._ends = {rel.head, rel.child} if rel is not None else set()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for li in state.visible:
            self._line(p, self.lay.lines[li], state)
        if state.rubber_band is not None:
            self._rubber_band(p, *state.rubber_band)

    # -- one line --------------------------------------------------------------------------------

    def _line(self, p: QPainter, ln: Line, state: PaintState) -> None:
        lay, m = self.lay, self.lay.m
        lay.realise(ln)
        tt = lay.text_top(ln)
        for piece in ln.pieces:
            if piece.row == 0:
                self._box(p, ln, piece, state)
        if state.find_match is not None:
            self._range(p, ln, state.find_match, FIND, FIND_LINE)
        if state.text_selection is not None:
            sel = QColor(self.palette.color(QPalette.ColorRole.Highlight))
            sel.setAlpha(90)
            self._range(p, ln, state.text_selection, sel, None)
        p.setFont(m.font)
        p.setPen(self.palette.color(QPalette.ColorRole.Text))
        p.drawStaticText(QPointF(m.margin, tt + m.box_pad), self._static(ln))
        for piece, rect, text in lay.label_slots(ln):
            self._label(p, piece, rect, text, state)
        for piece in ln.pieces:
            if piece.row > 0:
                self._bar(p, ln, piece, state)
        for arc in ln.arcs:
            self._arc(p, ln, arc, state)
        if state.hints:
            for piece in ln.pieces:
                hint = state.hints.get(piece.span_id)
                if hint and piece.first:
                    self._hint(p, lay.piece_rect(ln, piece), hint)
        if state.caret is not None and ln.start <= state.caret <= ln.end:
            if state.caret < ln.end or ln.index == len(lay.lines) - 1:
                x = lay.x_at(ln, min(state.caret, ln.content_end))
                p.fillRect(QRectF(x - 1, tt, 2, m.text_h), self.palette.color(QPalette.ColorRole.Text))

    def _hint(self, p: QPainter, box: QRectF, hint: str) -> None:
        """A key to press, in a yellow tag at the top left of a span's box."""
        m = self.lay.m
        w = m.lfm.horizontalAdvance(hint.upper()) + 6
        rect = QRectF(box.left() - 2, box.top() - m.label_h * 0.6, w, m.label_h)
        p.setPen(self.pen(FIND_LINE, 1.0))
        p.setBrush(QColor("#ffe23d"))
        p.drawRoundedRect(rect, 3, 3)
        p.setPen(QColor("#000000"))
        self._small(p, hint.upper(), m.label_font, m.lfm, rect)

    def _range(self, p: QPainter, ln: Line, rng: tuple[int, int], fill: QColor, line: QColor | None) -> None:
        """A translucent marker over a character range (selection, find match), with an underline."""
        if rng[0] >= ln.end or rng[1] <= ln.start:
            return
        lay, m = self.lay, self.lay.m
        x0 = lay.x_at(ln, max(rng[0], ln.start))
        x1 = lay.x_at(ln, min(rng[1], ln.content_end))
        tt = lay.text_top(ln)
        rect = QRectF(x0, tt + 1, max(x1 - x0, 2), m.text_h - 2)
        p.fillRect(rect, fill)
        if line is not None:
            p.fillRect(QRectF(rect.left(), rect.bottom() - 2, rect.width(), 2), line)

    def _small(
        self, p: QPainter, text: str, font: QFont, fm: QFontMetricsF, rect: QRectF, top: bool = False
    ) -> None:
        """Draw a short label centred in `rect` (at its top when `top`), shaped once per text."""
        key = (text, id(font))
        cached = self._labels.get(key)
        if cached is None:
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), font)
            cached = self._labels[key] = (st, fm.horizontalAdvance(text))
        st, w = cached
        y = rect.top() if top else rect.center().y() - fm.height() / 2
        p.setFont(font)
        p.drawStaticText(QPointF(rect.center().x() - w / 2, y), st)

    def _static(self, ln: Line) -> QStaticText:
        """The line's text shaped once and reused by every later paint (plain text, never markup)."""
        st = ln.painted
        if not isinstance(st, QStaticText):
            st = QStaticText(ln.text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
            st.prepare(QTransform(), self.lay.m.font)
            ln.painted = st
        return st

    def _outline(self, piece: Piece, color: QColor, state: PaintState) -> QPen:
        if piece.span_id == state.selected_span or piece.span_id == state.pending_head:
            return self.pen(SELECT, 2.2, dashed=piece.span_id == state.pending_head)
        if piece.span_id in self._ends:  # an end of the selected relation
            return self.pen(SELECT, 1.6)
        if piece.span_id == state.hover_span:
            return self.pen(self.ink(color, 190), 1.6)
        if piece.origin == Origin.MODEL:
            return self.pen(self.ink(color, 170), 1.0, dashed=True)
        return self.pen(self.ink(color, 125), 1.0)

    def _fill(self, piece: Piece, color: QColor) -> QColor:
        fill = QColor(color)
        if piece.origin == Origin.MODEL:
            fill.setAlpha(60 if self.dark else 95)
        elif self.dark:
            fill.setAlpha(130)
        return fill

    def _box(self, p: QPainter, ln: Line, piece: Piece, state: PaintState) -> None:
        color = self.color(piece.label)
        rect = self.lay.piece_rect(ln, piece)
        p.setPen(self._outline(piece, color, state))
        p.setBrush(self._fill(piece, color))
        path = _box_path(rect, 4.0, piece.first, piece.last)
        p.drawPath(path)

    def _label(self, p: QPainter, piece: Piece, rect: QRectF, text: str, state: PaintState) -> None:
        m = self.lay.m
        color = self.color(piece.label)
        selected = piece.span_id == state.selected_span
        p.setPen(SELECT if selected else self.ink(color, 260 if piece.origin == Origin.PERSON else 200))
        self._small(p, text, m.label_font, m.lfm, rect, top=True)

    def _bar(self, p: QPainter, ln: Line, piece: Piece, state: PaintState) -> None:
        m = self.lay.m
        color = self.color(piece.label)
        rect = self.lay.piece_rect(ln, piece)
        p.setPen(self._outline(piece, color, state))
        p.setBrush(self._fill(piece, color))
        p.drawPath(_box_path(rect, 3.0, piece.first, piece.last))
        if piece.first:
            p.setFont(m.label_font)
            p.setPen(self.ink(color, 260))
            text = m.lfm.elidedText(piece.label, Qt.TextElideMode.ElideRight, rect.width() - 4)
            self._small(p, text, m.label_font, m.lfm, rect)

    def _arc(self, p: QPainter, ln: Line, arc: Arc, state: PaintState) -> None:
        lay = self.lay
        color = self.ink(self.color(arc.label), 175)
        selected = arc.rel_id == state.selected_relation
        touched = arc.rel_id == state.hover_relation or state.selected_span in (arc.head, arc.child)
        dashed = arc.origin == Origin.MODEL and not selected
        pen = self.pen(SELECT if selected else color, 2.2 if selected else 2.0 if touched else 1.3, dashed)
        y = lay.arc_y(ln, arc.level)
        foot = lay.text_top(ln) - 1
        r = min(6.0, abs(arc.xc - arc.xh) / 2)
        path = QPainterPath()
        if arc.kind in (FULL, OUT):
            path.moveTo(arc.xh, foot)
            path.lineTo(arc.xh, y + r)
            d = 1 if arc.xc >= arc.xh else -1
            path.quadTo(arc.xh, y, arc.xh + d * r, y)
        else:
            path.moveTo(arc.xh, y)
        if arc.kind in (FULL, IN):
            d = 1 if arc.xc >= arc.xh else -1
            path.lineTo(arc.xc - d * r, y)
            path.quadTo(arc.xc, y, arc.xc, y + r)
            path.lineTo(arc.xc, foot - 5)
        else:
            path.lineTo(arc.xc, y)
        joined = False
        if arc.kind != FULL:  # one arc across lines: the two halves meet down the margin
            other = next(((o, a) for o, a in lay.relation_arcs(arc.rel_id) if o.index != ln.index), None)
            if other is not None:
                edge = arc.xc if arc.kind == OUT else arc.xh
                path.moveTo(edge, y)
                path.lineTo(edge, lay.arc_y(other[0], other[1].level))
                joined = True
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pen.color())
        if arc.kind in (FULL, IN):
            p.drawPolygon(_arrow_down(arc.xc, foot, 4.0))
        elif not joined:
            p.drawPolygon(_arrow_side(arc.xc, y, 4.0, 1 if arc.xc > arc.xh else -1))
        # The label once: on the head's half, or on the child's while the head's is out of view.
        if arc.kind != IN or arc.other_line not in state.visible:
            self._arc_label(p, ln, arc, pen.color(), selected)
        if arc.kind != FULL and arc.other_line not in state.visible:
            self._far_end(p, ln, arc, pen.color())

    def _arc_label(self, p: QPainter, ln: Line, arc: Arc, color: QColor, selected: bool) -> None:
        m = self.lay.m
        rect = self.lay.arc_label_rect(ln, arc)
        p.setPen(self.pen(color, 1.0))
        base = self.palette.color(QPalette.ColorRole.Base)
        p.setBrush(SELECT.lighter(185) if selected else base)
        p.drawRoundedRect(rect, 3, 3)
        p.setFont(m.rel_font)
        p.setPen(SELECT.darker(130) if selected else self.ink(color, 140))
        self._small(p, arc.label, m.rel_font, m.rfm, rect)

    def _far_end(self, p: QPainter, ln: Line, arc: Arc, color: QColor) -> None:
        """Name the span at the far end of a half arc whose other line is out of view."""
        tag = self.lay.far_tag(ln, arc)
        if tag is None:
            return
        rect, text = tag
        m = self.lay.m
        p.setPen(self.pen(color, 1.0))
        p.setBrush(self.palette.color(QPalette.ColorRole.Base))
        p.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        p.setPen(color)
        self._small(p, text, m.label_font, m.lfm, rect)

    def _rubber_band(self, p: QPainter, a: QPointF, b: QPointF) -> None:
        p.setPen(self.pen(SELECT, 1.6, dashed=True))
        p.drawLine(a, b)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(SELECT)
        p.drawEllipse(b, 3.0, 3.0)


def _box_path(rect: QRectF, r: float, round_left: bool, round_right: bool) -> QPainterPath:
    """A rounded box whose sides are square where the span continues on another line."""
    path = QPainterPath()
    rl, rr = (r if round_left else 0.0), (r if round_right else 0.0)
    x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
    path.moveTo(x0 + rl, y0)
    path.lineTo(x1 - rr, y0)
    path.quadTo(x1, y0, x1, y0 + rr)
    path.lineTo(x1, y1 - rr)
    path.quadTo(x1, y1, x1 - rr, y1)
    path.lineTo(x0 + rl, y1)
    path.quadTo(x0, y1, x0, y1 - rl)
    path.lineTo(x0, y0 + rl)
    path.quadTo(x0, y0, x0 + rl, y0)
    return path


def _arrow_down(x: float, y: float, s: float) -> QPolygonF:
    return QPolygonF([QPointF(x - s, y - s * 1.6), QPointF(x + s, y - s * 1.6), QPointF(x, y)])


def _arrow_side(x: float, y: float, s: float, d: int) -> QPolygonF:
    return QPolygonF([QPointF(x - d * s * 1.6, y - s), QPointF(x - d * s * 1.6, y + s), QPointF(x, y)])
