"""Table models of the agreement dashboard, over an `AgreementReport` (figures are never recomputed
here: every number comes from desktop.agreement).

- `PairMatrixModel`: annotators × annotators, a pair's span F1 (exact or overlap) or Cohen's κ,
  coloured as a heatmap;
- `RowsModel`: a plain read-only table of rows (documents by disagreement, label confusions and the
  spans behind one, pairs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.agreement.report import AgreementReport, PairResult
from desktop.agreement.spans import ConfusedSpans

Index = QModelIndex | QPersistentModelIndex
METRICS = {
    "exact": "Span F1, exact match",
    "overlap": "Span F1, overlapping match",
    "kappa": "Cohen's κ on token labels",
}


def fmt(x: float) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.3f}"


def heat(x: float) -> QColor:
    """Red (0.5 or below: poor agreement) through yellow to green (1); grey when undefined."""
    if x is None or math.isnan(x):
        return QColor("#e9ecef")
    t = min(max((x - 0.5) / 0.5, 0.0), 1.0)
    return QColor.fromHsvF(t * 0.33, 0.5, 0.96)


def pair_value(pair: PairResult, metric: str) -> float:
    if metric == "kappa":
        return pair.cohen_kappa
    counts = pair.spans.overlap if metric == "overlap" else pair.spans.exact
    return counts.f1


class PairMatrixModel(QAbstractTableModel):
    """One row and one column per annotator; a cell is the pair's figure for `metric`."""

    PAIR_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, metric: str = "exact") -> None:
        super().__init__()
        self.metric = metric
        self.report: AgreementReport | None = None
        self.names: list[str] = []

    def set_report(self, report: AgreementReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self.names = list(report.annotators) if report else []
        self.endResetModel()

    def set_metric(self, metric: str) -> None:
        self.metric = metric
        if self.names:
            last = self.index(len(self.names) - 1, len(self.names) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def pair(self, row: int, col: int) -> PairResult | None:
        if self.report is None or row == col:
            return None
        a, b = self.names[row], self.names[col]
        return next((p for p in self.report.pairs if {p.a, p.b} == {a, b}), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not 0 <= section < len(self.names):
            return None
        name = self.names[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return "model" if self.report and name == self.report.model else name
        if role == Qt.ItemDataRole.ToolTipRole:
            return name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(self.names) and 0 <= index.column() < len(self.names)
        ):
            return None
        pair = self.pair(index.row(), index.column())
        value = pair_value(pair, self.metric) if pair else float("nan")
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if index.row() == index.column() else fmt(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor("#f8f9fa") if pair is None else heat(value))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#212529"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and pair is not None:
            return _pair_tip(pair)
        if role == self.PAIR_ROLE:
            return (pair.a, pair.b) if pair else None
        return None


def _pair_tip(p: PairResult) -> str:
    e, o = p.spans.exact, p.spans.overlap
    return (
        f"{p.a} (reference) / {p.b}, {p.documents} documents\n"
        f"exact: P {fmt(e.precision)}  R {fmt(e.recall)}  F1 {fmt(e.f1)}\n"
        f"overlap: P {fmt(o.precision)}  R {fmt(o.recall)}  F1 {fmt(o.f1)}\n"
        f"Cohen's κ {fmt(p.cohen_kappa)} · relation F1 {fmt(p.relations.f1)}"
    )


class RowsModel(QAbstractTableModel):
    """Read-only rows of values; floats are shown with three decimals (— when undefined)."""

    KEY_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self, columns: Sequence[str], shade: Callable[[int, int, Any], QColor | None] | None = None
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[list[Any]] = []
        self.keys: list[Any] = []
        self.shade = shade

    def set_rows(self, rows: list[list[Any]], keys: list[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.keys = keys if keys is not None else [None] * len(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(self.rows) and 0 <= index.column() < len(self.columns)
        ):
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(value) if isinstance(value, float) else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.shade is not None:
            color = self.shade(index.row(), index.column(), value)
            return QBrush(color) if color is not None else None
        if role == self.KEY_ROLE:
            return self.keys[index.row()]
        return None


def document_rows(report: AgreementReport) -> tuple[list[str], list[list[Any]], list[int]]:
    """Columns and rows of the per-document table (the report's order: most disagreement first)."""
    names = report.annotators
    columns = ["#", "Mean F1", "Unmatched", *[f"{n} spans" for n in names], "Text"]
    rows = [
        [r.id, r.f1, r.unmatched, *[r.spans.get(n, "") for n in names], " ".join(r.preview.split())]
        for r in report.document_rows
    ]
    return columns, rows, [r.id for r in report.document_rows]


def confusion_rows(report: AgreementReport) -> list[list[Any]]:
    return [[a, b, n] for (a, b), n in sorted(report.confusion.items(), key=lambda x: -x[1])]


CONFUSED_COLUMNS = ["#", "Annotators", "Text", "Labels"]


def confused_rows(cases: Sequence[ConfusedSpans]) -> list[list[Any]]:
    """One row per pair of spans behind a label confusion: document, who, « text », which labels."""
    rows = []
    for c in cases:
        text = f"« {_oneline(c.text)} »"
        if (c.other_start, c.other_end) != (c.start, c.end):
            text += f" / « {_oneline(c.other_text)} »"
        rows.append([c.document, f"{c.annotator} / {c.other}", text, f"{c.label} / {c.other_label}"])
    return rows


def _oneline(text: str) -> str:
    return " ".join(text.split())


def pair_rows(report: AgreementReport) -> list[list[Any]]:
    rows = []
    for p in report.pairs:
        e, o = p.spans.exact, p.spans.overlap
        rows.append(
            [f"{p.a} / {p.b}", p.documents, e.precision, e.recall, e.f1, o.f1, p.cohen_kappa, p.relations.f1]
        )
    return rows


PAIR_COLUMNS = [
    "Pair (reference / other)",
    "Docs",
    "Exact P",
    "Exact R",
    "Exact F1",
    "Overlap F1",
    "Cohen's κ",
    "Relation F1",
]
