"""The document list: a lazy table model over document ids, and the panel that filters and searches it.

The model holds only the ids of the documents that pass the filter (a compact array); the rows a
view paints are read from SQLite a block at a time and kept in a small cache, so a project of
100,000 documents opens and scrolls as fast as one of ten.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.model import Status
from desktop.store import Project

BLOCK = 128
MAX_BLOCKS = 64

STATUS_COLOR = {
    Status.TODO: "#b0b0b0",
    Status.IN_PROGRESS: "#3d8fd6",
    Status.ACCEPTED: "#2e9d4f",
    Status.REJECTED: "#d64545",
    Status.SKIPPED: "#e0a030",
}
DONE = (Status.ACCEPTED, Status.REJECTED)

_icons: dict[Status, QIcon] = {}


def status_icon(status: Status) -> QIcon:
    """A coloured dot per status (made once, after the application exists)."""
    if status not in _icons:
        pix = QPixmap(12, 12)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(STATUS_COLOR[status]))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _icons[status] = QIcon(pix)
    return _icons[status]


class DocumentListModel(QAbstractTableModel):
    """Rows of documents (id, status, spans, text preview) for one annotator, read lazily."""

    COLUMNS = ["#", "Status", "Spans", "Text"]
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, project: Project | None = None, annotator: str = "") -> None:
        super().__init__()
        self.project = project
        self.annotator = annotator
        self._ids = array("q")
        self._blocks: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self.statuses: tuple[Status, ...] | None = None
        self.search = ""

    # --- filling ---------------------------------------------------------------------------------

    def reset(self, project: Project | None, annotator: str) -> None:
        self.project = project
        self.annotator = annotator
        self.reload()

    def set_filter(self, statuses: tuple[Status, ...] | None, search: str) -> None:
        self.statuses = statuses
        self.search = search.strip()
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        if self.project is None:
            self._ids = array("q")
        else:
            self._ids = array(
                "q",
                self.project.document_ids(
                    annotator=self.annotator, statuses=self.statuses, search=self.search or None
                ),
            )
        self.endResetModel()

    def refresh_document(self, doc_id: int) -> bool:
        """Read one document's row again (its status or span count changed).

        Under a status filter the document also leaves the list, or joins it, when its status no
        longer or now passes; True when it did.
        """
        row = self.row_of(doc_id)
        if self.statuses is not None and self.project is not None:
            passes = self._passes(doc_id, listed=row is not None)
            if row is not None and not passes:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._ids[row]
                self._forget_blocks_from(row)
                self.endRemoveRows()
                return True
            if row is None and passes:
                row = bisect_left(self._ids, doc_id)
                self.beginInsertRows(QModelIndex(), row, row)
                self._ids.insert(row, doc_id)
                self._forget_blocks_from(row)
                self.endInsertRows()
                return True
        if row is None:
            return False
        self._blocks.pop(row // BLOCK, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        return False

    def _passes(self, doc_id: int, listed: bool) -> bool:
        """Whether the document passes the filter now (one row read; the search is asked only
        for a document that was not listed, as its text never changes)."""
        assert self.project is not None and self.statuses is not None
        rows = self.project.document_rows([doc_id], self.annotator)
        if not rows or rows[0]["status"] not in self.statuses:
            return False
        return (
            listed
            or not self.search
            or doc_id
            in self.project.document_ids(annotator=self.annotator, statuses=self.statuses, search=self.search)
        )

    def _forget_blocks_from(self, row: int) -> None:
        """Drop the cached blocks whose rows moved (those from `row` on)."""
        for block in [b for b in self._blocks if b >= row // BLOCK]:
            del self._blocks[block]

    # --- lookups ---------------------------------------------------------------------------------

    def doc_id(self, row: int) -> int:
        return int(self._ids[row])

    def row_of(self, doc_id: int) -> int | None:
        """The row of a document, found by bisection (ids are in ascending order)."""
        i = bisect_left(self._ids, doc_id)
        return i if i < len(self._ids) and self._ids[i] == doc_id else None

    def next_id(self, doc_id: int | None, step: int) -> int | None:
        """The document `step` rows after (or before) `doc_id`, even if it left the list."""
        if not self._ids:
            return None
        if doc_id is None:
            return self.doc_id(0 if step > 0 else len(self._ids) - 1)
        if step > 0:
            i = bisect_right(self._ids, doc_id) + step - 1
        else:
            i = bisect_left(self._ids, doc_id) + step
        return self.doc_id(i) if 0 <= i < len(self._ids) else None

    def row_data(self, row: int) -> dict[str, Any] | None:
        block = row // BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            if self.project is None:
                return None
            ids = [int(i) for i in self._ids[block * BLOCK : (block + 1) * BLOCK]]
            fetched = {r["id"]: r for r in self.project.document_rows(ids, self.annotator)}
            rows = [
                fetched.get(i, {"id": i, "preview": "", "length": 0, "status": Status.TODO, "spans": 0})
                for i in ids
            ]
            self._blocks[block] = rows
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        i = row - block * BLOCK
        return rows[i] if i < len(rows) else None

    # --- the model interface ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        col = index.column()
        if role == self.ID_ROLE:
            return self.doc_id(index.row())
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        status = Status(row["status"])
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(row["id"])
            if col == 1:
                return status.text
            if col == 2:
                return str(row["spans"] or 0)
            return " ".join(row["preview"].split())
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return status_icon(status)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(QColor(STATUS_COLOR[status]).darker(130))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


FILTERS: list[tuple[str, tuple[Status, ...] | None]] = [
    ("All documents", None),
    ("To do", (Status.TODO, Status.IN_PROGRESS)),
    ("In progress", (Status.IN_PROGRESS,)),
    ("Accepted", (Status.ACCEPTED,)),
    ("Rejected", (Status.REJECTED,)),
    ("Skipped", (Status.SKIPPED,)),
]


class DocumentList(QWidget):
    """Search box, status filter, the list, and the "312 / 1,204 done" progress."""

    document_activated = Signal(int)

    def __init__(self, model: DocumentListModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model if model is not None else DocumentListModel()
        self.search = QLineEdit(placeholderText="Search documents…", clearButtonEnabled=True)
        self.search.setObjectName("document_search")
        self.filter = QComboBox()
        self.filter.setObjectName("status_filter")
        for text, _ in FILTERS:
            self.filter.addItem(text)
        self.view = QTableView()
        self.view.setObjectName("document_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((48, 96, 44)):
            header.resizeSection(col, width)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress_label")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.progress_label, self.count_label):
            label.setWordWrap(True)  # a long count wraps rather than widen the window

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.filter)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress_label)
        bottom.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.filter.currentIndexChanged.connect(self.apply_filter)
        self.view.clicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentRowChanged.connect(self._moved)
        self._shown: int | None = None
        self._syncing = False  # rows come or go: the current row moving is not the user's doing

    def reset(self, project: Project | None, annotator: str) -> None:
        self.model.reset(project, annotator)
        self._update_count()
        self.update_progress()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        current = self.current_id()
        self.model.set_filter(FILTERS[self.filter.currentIndex()][1], self.search.text())
        self._update_count()
        if current is not None:
            self.show_document(current)

    def refresh_document(self, doc_id: int) -> None:
        """Show a document's new status or span count; under a status filter it may leave or join
        the list, which neither opens another document nor loses the open one's row."""
        self._syncing = True
        try:
            moved = self.model.refresh_document(doc_id)
        finally:
            self._syncing = False
        if moved:
            self._update_count()
            if self._shown is not None:
                self.show_document(self._shown)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        total = self.model.project.document_count() if self.model.project else 0
        filtered = self.model.statuses is not None or self.model.search
        noun = "document" if total == 1 else "documents"
        self.count_label.setText(f"{n:,} of {total:,} {noun}" if filtered else f"{total:,} {noun}")

    def update_progress(self) -> None:
        project = self.model.project
        if project is None:
            self.progress_label.setText("")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            return
        counts = project.status_counts(self.model.annotator)
        total = sum(counts.values())
        done = sum(counts[s] for s in DONE)
        self.progress_label.setText(f"{done:,} / {total:,} done")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setToolTip(", ".join(f"{s.text} {counts[s]:,}" for s in Status))

    def _moved(self, index: QModelIndex) -> None:
        """The current row moved: open its document; with the arrow keys the list keeps the focus,
        so the next arrow moves on (a click leaves the focus to whoever opened the document)."""
        keyboard = self.view.hasFocus() and QApplication.mouseButtons() == Qt.MouseButton.NoButton
        self._activated(index)
        if keyboard:
            self.view.setFocus()

    def _activated(self, index: QModelIndex) -> None:
        """A row clicked, or reached with the arrow keys: open it unless it is open already."""
        if self._syncing:
            return
        if index.isValid() and self.model.doc_id(index.row()) != self._shown:
            self.document_activated.emit(self.model.doc_id(index.row()))

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.doc_id(index.row()) if index.isValid() else None

    def show_document(self, doc_id: int) -> None:
        """Select the document's row (without opening it again) and scroll to it."""
        self._shown = doc_id
        row = self.model.row_of(doc_id)
        selection = self.view.selectionModel()
        if row is None:
            selection.clear()  # no row stays current either, or the arrow keys would start there
            return
        index = self.model.index(row, 0)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
