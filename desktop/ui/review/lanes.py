"""The annotators' annotations under the gold editor: one read-only lane per annotator.

Each lane is an editor view of the same text (same width, so the same line breaks) that follows the
gold editor's scrolling line by line. On top of the usual boxes and arcs a lane marks each span:
agreed by everyone (faded, green tick), disputed (orange outline), already in gold (green tick).
A click on a lane span, or Enter on the span selected with Tab, asks to take it into gold.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.agreement.review import LaneSpan
from desktop.model import Annotation, Document, LabelScheme
from desktop.ui.editor import EditorView

DISPUTED = QColor("#e8590c")
AGREED = QColor("#2b8a3e")
Key = tuple[int, int, str]


class LaneView(EditorView):
    """One annotator's annotation, read-only, with agreement marks; clicks ask to take spans."""

    take_requested = Signal(str, int)
    """(annotator, span id): the reviewer wants this span in gold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.annotator = ""
        self.status = ""
        self.marks: dict[int, LaneSpan] = {}
        self.gold: set[Key] = set()

    def set_lane(
        self, doc: Document, ann: Annotation, lane: list[LaneSpan], scheme: LabelScheme, gold: set[Key]
    ) -> None:
        self.annotator = ann.annotator
        self.status = ann.status.text
        self.marks = {s.span.id: s for s in lane if s.span.id is not None}
        self.gold = gold
        self.set_content(doc.text, doc.tokens, ann.spans, ann.relations, scheme)
        self.setAccessibleName(f"Annotation of {ann.annotator}")

    def set_gold(self, gold: set[Key]) -> None:
        self.gold = gold
        self.viewport().update()

    def disputed_left(self) -> int:
        """Disputed spans of this lane that gold does not have (yet)."""
        return sum(1 for m in self.marks.values() if not m.agreed and m.span.key not in self.gold)

    # --- read-only input: a click takes, Tab selects, Enter takes ---------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus()
            sid = self.span_at(event.position())
            if sid is not None:
                self.select_span(sid)
                self.take_requested.emit(self.annotator, sid)
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not event.buttons():
            super().mouseMoveEvent(event)  # hover highlight only

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sid = self.selected_span()
            if sid is not None:
                self.take_requested.emit(self.annotator, sid)
            return
        if key == Qt.Key.Key_Right:
            self.next_span()
            return
        if key == Qt.Key.Key_Left:
            self.previous_span()
            return
        super().keyPressEvent(event)

    def _tooltip(self, pos: QPointF) -> str:
        tip = super()._tooltip(pos)
        sid = self.span_at(pos)
        mark = self.marks.get(sid) if sid is not None else None
        if mark is None:
            return tip
        if mark.agreed:
            state = "everyone agrees"
        else:
            state = "also " + ", ".join(mark.others) if mark.others else f"only {self.annotator}"
        where = "in gold" if mark.span.key in self.gold else "click (or Enter) to take into gold"
        return f"{tip}\n{state} · {where}"

    # --- agreement marks --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        lay = self.editor_layout()
        top = self.verticalScrollBar().value()
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.translate(0, -top)
        fade = QColor(self.palette().color(QPalette.ColorRole.Base))
        fade.setAlpha(120)
        for li in lay.visible_lines(top, top + self.viewport().height()):
            ln = lay.realise(lay.lines[li])
            for piece in ln.pieces:
                mark = self.marks.get(piece.span_id)
                if mark is None:
                    continue
                rect = lay.piece_rect(ln, piece)
                in_gold = mark.span.key in self.gold
                if mark.agreed:
                    p.fillRect(rect, fade)
                else:
                    pen = QPen(DISPUTED, 2.0, Qt.PenStyle.DashLine if in_gold else Qt.PenStyle.SolidLine)
                    p.setPen(pen)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)
                if in_gold and piece.last:
                    _tick(p, QPointF(rect.right() - 1, rect.top() + 1))
        p.end()


def _tick(p: QPainter, at: QPointF) -> None:
    """A small green check mark in a white disc, centred on `at`."""
    r = 5.5
    p.setPen(QPen(AGREED, 1.2))
    p.setBrush(QColor("white"))
    p.drawEllipse(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r))
    pen = QPen(AGREED, 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    x, y = at.x(), at.y()
    p.drawPolyline([QPointF(x - 2.6, y + 0.2), QPointF(x - 0.6, y + 2.2), QPointF(x + 2.8, y - 2.2)])


class Lane(QWidget):
    """A lane with its header: number key, annotator, status and what is left to decide."""

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.key = f"Alt+{index + 1}"
        """The key that takes this lane's span at the gold selection (shown in the header)."""
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setObjectName(f"lane_header_{index + 1}")
        self.header.setContentsMargins(6, 3, 6, 3)
        self.header.setWordWrap(True)  # a long header wraps rather than widen the window
        self.view = LaneView()
        self.view.setObjectName(f"lane_{index + 1}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)

    def show_lane(
        self, doc: Document, ann: Annotation, lane: list[LaneSpan], scheme: LabelScheme, gold: set[Key]
    ) -> None:
        self.view.set_lane(doc, ann, lane, scheme, gold)
        self.update_header()

    def update_header(self, gold: set[Key] | None = None) -> None:
        if gold is not None:
            self.view.set_gold(gold)
        marks = self.view.marks.values()
        agreed = sum(1 for m in marks if m.agreed)
        disputed = len(marks) - agreed
        left = self.view.disputed_left()
        self.header.setText(
            f"{self.key}   {self.view.annotator} ({self.view.status})   ·   {len(marks)} spans, "
            f"{agreed} agreed, {disputed} disputed ({left} not in gold)"
        )
        self.header.setStyleSheet(
            "QLabel { background: %s; color: white; font-weight: 600; }" % ("#c05a16" if left else "#3b7d4a")
        )


class LanesPanel(QWidget):
    """The stacked lanes, kept in step with the gold editor's scrolling."""

    take_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_lanes")
        self.lanes: list[Lane] = []
        self.keys: list[str] = []
        """The take-from-lane key of each lane, as the user set them (`set_keys`)."""
        self.leader: EditorView | None = None
        self._syncing = False
        self.legend = QLabel(
            "Annotations of the annotators — faded ✓ agreed by everyone · orange outline: disputed · "
            "✓ in gold.  Click a span (or Tab to it, Enter) to take it into gold; "
            "Alt+N takes lane N's span at the gold selection; D / Shift+D: next / previous "
            "disagreement; F6 moves between gold and the lanes."
        )
        self.legend.setTextFormat(Qt.TextFormat.PlainText)
        self.legend.setWordWrap(True)
        self.legend.setObjectName("lanes_legend")
        self.chooser = QToolButton()
        self.chooser.setText("Annotators")
        self.chooser.setObjectName("lane_chooser")
        self.chooser.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        bar.addWidget(self.legend, 1)
        bar.addWidget(self.chooser)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.empty = QLabel("No annotator's annotation of this document to compare.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty, 1)

    def follow(self, leader: EditorView) -> None:
        """Scroll the lanes with `leader` (and it with them)."""
        self.leader = leader
        leader.verticalScrollBar().valueChanged.connect(lambda _v: self._sync(leader))

    def show_annotations(
        self,
        doc: Document,
        annotations: list[Annotation],
        lanes: dict[str, list[LaneSpan]],
        scheme: LabelScheme,
        gold: set[Key],
    ) -> None:
        while len(self.lanes) < len(annotations):
            lane = Lane(len(self.lanes))
            if lane.index < len(self.keys):
                lane.key = self.keys[lane.index]
            lane.view.take_requested.connect(self.take_requested)
            bar = lane.view.verticalScrollBar()
            bar.valueChanged.connect(lambda _v, v=lane.view: self._sync(v))
            self.splitter.addWidget(lane)
            self.lanes.append(lane)
        for i, lane in enumerate(self.lanes):
            lane.setVisible(i < len(annotations))
        for lane, ann in zip(self.lanes, annotations, strict=False):
            lane.show_lane(doc, ann, lanes.get(ann.annotator, []), scheme, gold)
        self.empty.setVisible(not annotations)
        self.splitter.setVisible(bool(annotations))
        if self.leader is not None:
            self._sync(self.leader)

    def set_keys(self, keys: list[str]) -> None:
        """Say in each lane's header the key that takes from it (shortcuts.toml may change them)."""
        self.keys = list(keys)
        for lane in self.lanes:
            lane.key = self.keys[lane.index] if lane.index < len(self.keys) else ""
            if lane.view.annotator:
                lane.update_header()

    def set_gold(self, gold: set[Key]) -> None:
        for lane in self.visible_lanes():
            lane.update_header(gold)

    def visible_lanes(self) -> list[Lane]:
        return [lane for lane in self.lanes if not lane.isHidden()]

    def reveal(self, offset: int) -> None:
        """Bring the line holding `offset` into every lane (the views scroll together, so the
        shortest lane decides)."""
        lanes = self.visible_lanes()
        if lanes:
            min(lanes, key=lambda lane: lane.view.viewport().height()).view.scroll_to_offset(offset)

    def _sync(self, source: EditorView) -> None:
        """Put the line `source` shows at its top at the top of every other view."""
        if self._syncing:
            return
        lay = source.editor_layout()
        if not lay.lines:
            return
        top = source.verticalScrollBar().value()
        ln = lay.lines[lay.line_at_y(top)]
        frac = (top - ln.top) / ln.height if ln.height else 0.0
        views: list[EditorView] = [lane.view for lane in self.visible_lanes()]
        if self.leader is not None:
            views.append(self.leader)
        self._syncing = True
        try:
            for view in views:
                if view is source:
                    continue
                other = view.editor_layout()
                if other.lines:
                    target = other.lines[other.line_index(ln.start)]
                    _set(view.verticalScrollBar(), target.top + frac * target.height)
        finally:
            self._syncing = False


def _set(bar: QScrollBar, value: float) -> None:
    bar.setValue(round(value))
