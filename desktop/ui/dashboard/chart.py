"""A per-label bar chart painted with QPainter: for each label, α_U and one pair's span F1."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES_COLORS = [QColor("#4263eb"), QColor("#f08c00")]


def begin_chart(widget: QWidget) -> tuple[QPainter, QColor, QFontMetricsF]:
    """An antialiased painter on `widget` over the palette's base colour, the palette's text colour
    and the metrics of the widget's font: how every dashboard chart starts painting."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pal = widget.palette()
    p.fillRect(widget.rect(), pal.color(QPalette.ColorRole.Base))
    return p, pal.color(QPalette.ColorRole.Text), QFontMetricsF(widget.font())


class LabelBars(QWidget):
    """Grouped horizontal bars: one group per label, one bar per series, values in [0, 1]
    (negative values are drawn as zero and written as they are; undefined ones as —)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("label_bars")
        self.labels: list[str] = []
        self.series: list[tuple[str, list[float]]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(160)

    def set_data(self, labels: list[str], series: list[tuple[str, list[float]]]) -> None:
        self.labels = labels
        self.series = series
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 40 + 22 * max(len(self.labels), 1) * max(len(self.series), 1))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p, text, fm = begin_chart(self)
        if not self.labels or not self.series:
            p.setPen(text)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No labels to show")
            return
        left = max(fm.horizontalAdvance(lab) for lab in self.labels) + 16
        right = fm.horizontalAdvance("0.000") + 14
        legend_h = fm.height() + 10
        plot = QRectF(left, legend_h + 4, self.width() - left - right, self.height() - legend_h - 24)
        self._legend(p, fm, text)
        group = plot.height() / len(self.labels)
        bar = min(18.0, (group - 6) / len(self.series))
        self._grid(p, plot, fm, text)
        for i, label in enumerate(self.labels):
            y0 = plot.top() + i * group + (group - bar * len(self.series)) / 2
            p.setPen(text)
            p.drawText(
                QRectF(0, y0, left - 8, bar * len(self.series)),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
            for s, (_, values) in enumerate(self.series):
                value = values[i] if i < len(values) else float("nan")
                y = y0 + s * bar
                width = 0.0 if math.isnan(value) else plot.width() * min(max(value, 0.0), 1.0)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(SERIES_COLORS[s % len(SERIES_COLORS)])
                p.drawRoundedRect(QRectF(plot.left(), y + 1, max(width, 1.5), bar - 2), 2, 2)
                p.setPen(text)
                shown = "—" if math.isnan(value) else f"{value:.3f}"
                p.drawText(
                    QRectF(plot.left() + width + 4, y, right + 40, bar),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    shown,
                )
        p.end()

    def _legend(self, p: QPainter, fm: QFontMetricsF, text: QColor) -> None:
        x = 8.0
        for s, (name, _) in enumerate(self.series):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(SERIES_COLORS[s % len(SERIES_COLORS)])
            p.drawRoundedRect(QRectF(x, 6, 12, 12), 2, 2)
            p.setPen(text)
            p.drawText(
                QRectF(x + 16, 2, fm.horizontalAdvance(name) + 4, fm.height() + 6),
                int(Qt.AlignmentFlag.AlignVCenter),
                name,
            )
            x += fm.horizontalAdvance(name) + 36

    def _grid(self, p: QPainter, plot: QRectF, fm: QFontMetricsF, text: QColor) -> None:
        grid = QColor(text)
        grid.setAlpha(40)
        for k in range(5):
            x = plot.left() + plot.width() * k / 4
            p.setPen(QPen(grid, 1))
            p.drawLine(round(x), round(plot.top()), round(x), round(plot.bottom()))
            p.setPen(text)
            p.drawText(
                QRectF(x - 20, plot.bottom() + 2, 40, fm.height()),
                int(Qt.AlignmentFlag.AlignCenter),
                f"{k / 4:g}",
            )
