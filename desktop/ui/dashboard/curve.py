"""The learning curve painted with QPainter: held-out F1 of each model version, round by round."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.nlp.learning import LearningState, Version
from desktop.store import Project, ProjectError
from desktop.ui.dashboard.chart import begin_chart

IN_USE = QColor("#4263eb")
NEW = QColor("#2e9d4f")
DROPPED = QColor("#d64545")


def versions_of(path: Path) -> list[Version]:
    try:
        with Project.open(path) as project:
            return LearningState.load(project).versions
    except ProjectError:
        return []


class LearningCurve(QWidget):
    """One point per round: the version in use (blue) and the new one (green if adopted, red if
    not), on the same held-out documents; x is the number of finished documents learnt from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learning_curve")
        self.versions: list[Version] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def set_versions(self, versions: list[Version]) -> None:
        self.versions = list(versions)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 260)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p, text, fm = begin_chart(self)
        p.setPen(text)
        if not self.versions:
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                "No model version yet: the model learns after every few finished documents",
            )
            return
        left, bottom = fm.horizontalAdvance("0.00") + 14, fm.height() * 2 + 10
        plot = QRectF(
            left, fm.height() + 16, self.width() - left - 20, self.height() - fm.height() - 16 - bottom
        )
        self._axes(p, plot, fm, text)
        n = len(self.versions)

        def at(i: int, f: float) -> QPointF:
            x = plot.left() + plot.width() * (i + 0.5) / n
            return QPointF(x, plot.bottom() - plot.height() * min(max(f, 0.0), 1.0))

        in_use = [at(i, v.previous_f1) for i, v in enumerate(self.versions)]
        p.setPen(QPen(IN_USE, 2))
        for a, b in zip(in_use, in_use[1:], strict=False):
            p.drawLine(a, b)
        for i, v in enumerate(self.versions):
            old, new = in_use[i], at(i, v.f1)
            color = NEW if v.adopted else DROPPED
            p.setPen(QPen(color, 1.5, Qt.PenStyle.DashLine))
            p.drawLine(old, new)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(IN_USE)
            p.drawEllipse(old, 4, 4)
            p.setBrush(color)
            p.drawEllipse(new, 5, 5)
            p.setPen(text)
            p.drawText(QRectF(new.x() + 7, new.y() - fm.height(), 90, fm.height()), f"v{v.k} {v.f1:.2f}")
            p.drawText(
                QRectF(new.x() - 60, plot.bottom() + 4, 120, fm.height() * 2),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                f"{v.documents} documents\n{'adopted' if v.adopted else 'not adopted'}",
            )
        p.end()

    def _axes(self, p: QPainter, plot: QRectF, fm: QFontMetricsF, text: QColor) -> None:
        grid = QColor(text)
        grid.setAlpha(40)
        for k in range(5):
            y = plot.bottom() - plot.height() * k / 4
            p.setPen(QPen(grid, 1))
            p.drawLine(round(plot.left()), round(y), round(plot.right()), round(y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{k / 4:.2f}",
            )
        p.drawText(
            QRectF(plot.left(), 4, plot.width(), fm.height() + 6),
            int(Qt.AlignmentFlag.AlignLeft),
            "Entity F1 on held-out finished documents: version in use (blue) → new version",
        )
