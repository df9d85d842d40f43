"""The agreement dashboard: every figure of `desktop.agreement.compute_agreement`, computed in a
worker (on its own connection) and shown as heatmaps, a per-label chart and tables.

A click (or Enter) on a document row asks the window to open it in review mode. A label confusion
opens (double-click or Enter) on the pairs of spans behind it, and one of those opens its document
in review mode with the span selected. Every figure says what it measures in a tooltip.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.agreement.report import AgreementReport, compute_agreement
from desktop.agreement.spans import EXAMPLES_PER_CONFUSION
from desktop.model import AnnotatorKind, Status
from desktop.store import Project
from desktop.ui import workers
from desktop.ui.dashboard.chart import LabelBars
from desktop.ui.dashboard.curve import LearningCurve, versions_of
from desktop.ui.dashboard.models import (
    CONFUSED_COLUMNS,
    METRICS,
    PAIR_COLUMNS,
    PairMatrixModel,
    RowsModel,
    confused_rows,
    confusion_rows,
    document_rows,
    fmt,
    heat,
    pair_rows,
)


def agreement_work(path: Path, include_model: bool) -> workers.Work:
    def work(progress: workers.Progress) -> AgreementReport:
        progress(0, 0)
        with Project.open(path) as project:
            return compute_agreement(
                project, finished_persons(project), include_model=include_model, previews=1000
            )

    return work


def finished_persons(project: Project) -> list[str] | None:
    """The people who accepted at least one document (someone who only opened documents, such
    as a reviewer, would leave no document finished by everyone); None when there is nobody."""
    names = [
        a.name
        for a in project.annotators(AnnotatorKind.PERSON)
        if project.document_ids(a.name, (Status.ACCEPTED,))
    ]
    return names or None


TIP_FLEISS = (
    "Agreement on each token's label (O for none) among all annotators, beyond what chance gives:\n"
    "1 is perfect, 0 is chance. Only documents every annotator has finished count."
)
TIP_ALPHA = (
    "Like Fleiss' κ on token labels, but an annotator may miss documents.\n"
    "1 is perfect agreement, 0 is chance; below 0.67 the labels are not reliable."
)
TIP_ALPHA_U = (
    "Agreement on which characters are in a span of which label (unitizing),\n"
    "so boundaries count character by character. 1 is perfect, 0 is chance."
)
TIP_F1 = (
    "Span F1 of each pair of annotators (hover a cell for precision and recall).\n"
    "Exact: same start, end and label; overlap: same label and a character in common.\n"
    "Click a cell to see that pair per label."
)
TIP_KAPPA = (
    "Cohen's κ of each pair on token labels (O for none), beyond chance:\n"
    "1 is perfect, 0 is chance. Only documents both annotators finished count."
)
TIP_BARS = (
    "For each label: α_U among all annotators (boundaries and labels, character by character)\n"
    "and the span F1 of the pair chosen in a matrix."
)
TIP_DOCUMENTS = (
    "Documents worst first. Mean F1: exact-match span F1 averaged over the pairs that finished the\n"
    "document; Unmatched: spans without an exact match in the other annotator, summed over pairs.\n"
    "Click a document (or Enter) to review it."
)
TIP_CONFUSION = (
    "Spans of two annotators that overlap but carry different labels, counted over every pair.\n"
    f"Double-click a confusion (or Enter) to list the spans behind it (the first {EXAMPLES_PER_CONFUSION},\n"
    "in document order); double-click one of those (or Enter) to review its document with the\n"
    "span selected."
)
TIP_PAIRS = (
    "Each pair: the first annotator is the reference, so precision is the share of the other's\n"
    "spans the reference has, recall the share of the reference's spans the other found."
)
TIP_CURVE = (
    "Held-out span F1 of each model version, round by round: blue the version in use, green a new\n"
    "one adopted, red one dropped; x is the number of finished documents it learnt from."
)


class Card(QFrame):
    """One overall coefficient: its name, its value, what it is computed on."""

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        self.value = QLabel("—")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel(note)
        self.note.setStyleSheet("color: #6c757d;")
        for label in (self.title, self.value, self.note):
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def set_value(self, x: float) -> None:
        self.value.setText(fmt(x))
        color = "#868e96" if math.isnan(x) else heat(x).darker(190).name()
        self.value.setStyleSheet(f"color: {color};")


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _matrix(name: str, model: PairMatrixModel) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setMinimumHeight(120)
    return view


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class AgreementDashboard(QDialog):
    """Non-modal window of the agreement study of the open project."""

    document_requested = Signal(int)
    """Open this document in review mode."""
    span_requested = Signal(int, int, int)
    """(document, start, end): review this document with these characters selected."""
    computed = Signal(object)
    """The report shown (after each computation)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreement_dashboard")
        self.setWindowTitle("Agreement")
        self.resize(1180, 820)
        self.path: Path | None = None
        self.report: AgreementReport | None = None
        self.op: workers.Op | None = None
        self.selected_pair: tuple[str, str] | None = None

        self.summary = QLabel("")
        self.summary.setObjectName("agreement_summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.include_model = QCheckBox("Include the model")
        self.include_model.setObjectName("include_model")
        self.include_model.setChecked(True)
        self.include_model.toggled.connect(lambda _on: self.refresh())
        self.exact = QPushButton("Exact")
        self.overlap = QPushButton("Overlap")
        group = QButtonGroup(self)
        for i, button in enumerate((self.exact, self.overlap)):
            button.setCheckable(True)
            button.setObjectName(f"match_{button.text().lower()}")
            group.addButton(button, i)
        self.exact.setChecked(True)
        group.idClicked.connect(lambda _i: self._show_metric())
        self.refresh_button = QPushButton("Recompute")
        self.refresh_button.clicked.connect(self.refresh)
        self.progress = QProgressBar()
        self.progress.setObjectName("agreement_progress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.progress)
        top.addWidget(QLabel("Span match:"))
        top.addWidget(self.exact)
        top.addWidget(self.overlap)
        top.addWidget(self.include_model)
        top.addWidget(self.refresh_button)

        self.fleiss = Card("Fleiss' κ", "token labels, documents all finished")
        self.alpha = Card("Krippendorff's α", "token labels, nominal")
        self.alpha_u = Card("Krippendorff's α_U", "characters, all labels")
        for card, tip in ((self.fleiss, TIP_FLEISS), (self.alpha, TIP_ALPHA), (self.alpha_u, TIP_ALPHA_U)):
            card.setToolTip(tip)
        cards = QHBoxLayout()
        for card in (self.fleiss, self.alpha, self.alpha_u):
            cards.addWidget(card)

        self.f1_model = PairMatrixModel("exact")
        self.kappa_model = PairMatrixModel("kappa")
        self.f1_title = _heading(METRICS["exact"])
        self.f1_view = _matrix("f1_matrix", self.f1_model)
        self.kappa_view = _matrix("kappa_matrix", self.kappa_model)
        self.f1_view.clicked.connect(self._pair_clicked)
        self.kappa_view.clicked.connect(self._pair_clicked)
        kappa_title = _heading(METRICS["kappa"])
        matrices = QGridLayout()
        matrices.addWidget(self.f1_title, 0, 0)
        matrices.addWidget(kappa_title, 0, 1)
        matrices.addWidget(self.f1_view, 1, 0)
        matrices.addWidget(self.kappa_view, 1, 1)

        self.bars_title = _heading("Per label")
        self.bars = LabelBars()
        chart = QVBoxLayout()
        chart.addWidget(self.bars_title)
        chart.addWidget(self.bars, 1)

        middle = QHBoxLayout()
        middle.addLayout(matrices, 3)
        middle.addLayout(chart, 2)

        self.documents = RowsModel(["#"])
        self.documents_view = _table("agreement_documents")
        self.documents_view.setModel(self.documents)
        self.documents_view.clicked.connect(self._document_clicked)
        self.documents_view.activated.connect(self._document_clicked)
        self.confusion = RowsModel(["Label", "Label", "Overlapping spans"])
        self.confusion_view = _table("agreement_confusion")
        self.confusion_view.setModel(self.confusion)
        self.confusion_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_confused(current)
        )
        self.confusion_view.activated.connect(self._confusion_opened)
        self.confused = RowsModel(CONFUSED_COLUMNS)
        self.confused_view = _table("agreement_confused_spans")
        self.confused_view.setModel(self.confused)
        self.confused_view.activated.connect(self._confused_opened)
        confusions = QSplitter(Qt.Orientation.Horizontal)
        confusions.addWidget(self.confusion_view)
        confusions.addWidget(self.confused_view)
        confusions.setSizes([300, 700])
        self.pairs = RowsModel(PAIR_COLUMNS, self._shade_pair)
        self.pairs_view = _table("agreement_pairs")
        self.pairs_view.setModel(self.pairs)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.documents_view, "Documents by disagreement (click one to review it)")
        self.tabs.addTab(confusions, "Label confusions (open one to see its spans)")
        self.tabs.addTab(self.pairs_view, "Pairs")
        self.curve = LearningCurve()
        self.tabs.addTab(self.curve, "Model learning curve")
        for i, tip in enumerate((TIP_DOCUMENTS, TIP_CONFUSION, TIP_PAIRS, TIP_CURVE)):
            self.tabs.setTabToolTip(i, tip)
        explained: list[tuple[QWidget, str]] = [
            (self.f1_title, TIP_F1),
            (self.f1_view, TIP_F1),
            (kappa_title, TIP_KAPPA),
            (self.kappa_view, TIP_KAPPA),
            (self.bars_title, TIP_BARS),
            (self.bars, TIP_BARS),
            (self.documents_view, TIP_DOCUMENTS),
            (self.confusion_view, TIP_CONFUSION),
            (self.confused_view, TIP_CONFUSION),
            (self.pairs_view, TIP_PAIRS),
            (self.curve, TIP_CURVE),
        ]
        for widget, tip in explained:
            widget.setToolTip(tip)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(cards)
        upper_layout.addLayout(middle, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.tabs)
        split.setSizes([480, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    # --- computing -------------------------------------------------------------------------------

    def show_for(self, path: Path) -> None:
        """Show the dashboard and compute the agreement of the project at `path`."""
        self.path = Path(path)
        if self.isVisible():
            self.raise_()  # already open behind the main window
        self.show()
        self.activateWindow()
        self.refresh()
        self.curve.set_versions(versions_of(self.path))

    def refresh(self) -> None:
        if self.path is None:
            return
        if self.op is not None:
            self.op.cancel()
        work = agreement_work(self.path, self.include_model.isChecked())
        op = workers.run(self, work, "agreement")
        op.on_done(lambda r: self._done(op, r)).on_fail(lambda m: self._failed(op, m))
        self.op = op
        self.progress.show()
        self.summary.setText("Computing agreement…")

    def _done(self, op: workers.Op, report: AgreementReport) -> None:
        if op is not self.op:
            return  # a newer computation replaced this one
        self.op = None
        self.progress.hide()
        self.show_report(report)
        self.computed.emit(report)

    def _failed(self, op: workers.Op, message: str) -> None:
        if op is self.op:
            self.op = None
            self.progress.hide()
            self.summary.setText(f"Agreement could not be computed: {message.splitlines()[0]}")

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.op is not None:
            self.op.cancel()
            self.op = None
            self.progress.hide()
        super().closeEvent(event)

    # --- showing ---------------------------------------------------------------------------------

    @property
    def match(self) -> str:
        return "overlap" if self.overlap.isChecked() else "exact"

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        people = [n for n in report.annotators if n != report.model]
        model = f" and the model {report.model}" if report.model else ""
        self.summary.setText(
            f"{', '.join(people)}{model} · "
            f"{report.documents} documents finished by at least two, {report.complete_documents} "
            f"by all · statuses: {', '.join(report.statuses)}"
        )
        self.fleiss.set_value(report.fleiss_kappa)
        self.alpha.set_value(report.krippendorff_alpha)
        self.alpha_u.set_value(report.unitizing_alpha.alpha)
        self.f1_model.set_report(report)
        self.kappa_model.set_report(report)
        names = {p for pair in report.pairs for p in (pair.a, pair.b)}
        if self.selected_pair is None or not set(self.selected_pair) <= names:
            self.selected_pair = (report.pairs[0].a, report.pairs[0].b) if report.pairs else None
        columns, rows, ids = document_rows(report)
        self.documents.columns = columns
        self.documents.set_rows(rows, ids)
        self.documents_view.resizeColumnsToContents()
        self.confusion.set_rows(confusion_rows(report))
        self.confused.set_rows([])
        self.pairs.set_rows(pair_rows(report))
        self.pairs_view.resizeColumnsToContents()
        self._show_metric()

    def _show_metric(self) -> None:
        self.f1_model.set_metric(self.match)
        self.f1_title.setText(METRICS[self.match])
        self._show_bars()

    def _show_bars(self) -> None:
        report = self.report
        if report is None:
            return
        labels = list(report.labels)
        alpha = [
            report.unitizing_by_label[lab].alpha if lab in report.unitizing_by_label else float("nan")
            for lab in labels
        ]
        series = [("α_U (all annotators)", alpha)]
        if self.selected_pair is not None:
            pair = report.pair(*self.selected_pair)
            by_label = pair.spans.overlap_by_label if self.match == "overlap" else pair.spans.exact_by_label
            f1 = [by_label[lab].f1 if lab in by_label else float("nan") for lab in labels]
            series.append((f"F1 {self.match}, {pair.a} / {pair.b}", f1))
        self.bars.set_data(labels, series)
        self._mark_pair()
        self.bars_title.setText("Per label (click a cell of a matrix to choose the pair)")

    def _mark_pair(self) -> None:
        """Select the chosen pair's cell in both matrices."""
        if self.selected_pair is None:
            return
        names = self.f1_model.names
        a, b = self.selected_pair
        if a in names and b in names:
            for view, model in ((self.f1_view, self.f1_model), (self.kappa_view, self.kappa_model)):
                view.setCurrentIndex(model.index(names.index(a), names.index(b)))

    def _pair_clicked(self, index: QModelIndex) -> None:
        pair = index.data(PairMatrixModel.PAIR_ROLE)
        if pair:
            self.selected_pair = pair
            self._show_bars()

    def _document_clicked(self, index: QModelIndex) -> None:
        doc_id = self.documents.data(index, RowsModel.KEY_ROLE)
        if doc_id is not None:
            self.document_requested.emit(int(doc_id))

    def _show_confused(self, index: QModelIndex) -> None:
        """The pairs of spans behind the label confusion at `index`."""
        row = self.confusion.rows[index.row()] if index.isValid() else None
        cases = self.report.confusion_examples.get((row[0], row[1]), []) if row and self.report else []
        self.confused.set_rows(confused_rows(cases), list(cases))
        self.confused_view.resizeColumnsToContents()

    def _confusion_opened(self, index: QModelIndex) -> None:
        """Double-click or Enter on a confusion: its spans, the first one current."""
        self._show_confused(index)
        if self.confused.rows:
            self.confused_view.setFocus()
            self.confused_view.setCurrentIndex(self.confused.index(0, 0))

    def _confused_opened(self, index: QModelIndex) -> None:
        case = self.confused.data(index, RowsModel.KEY_ROLE)
        if case is not None:
            self.span_requested.emit(case.document, case.start, case.end)

    def _shade_pair(self, row: int, col: int, value: Any) -> QColor | None:
        return heat(value) if col >= 4 and isinstance(value, float) else None
