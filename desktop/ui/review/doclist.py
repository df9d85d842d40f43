"""The document list of review mode: documents with disagreements, worst first, with gold's status.

The order comes from `desktop.agreement.review.disagreements` (computed in a worker); the list keeps
the document list's lazy rows, status filter and search, but its ids are in that order rather
than ascending, so lookups go through a dictionary instead of a bisection.
"""

from __future__ import annotations

from array import array
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.model import GOLD, Status
from desktop.store import Project
from desktop.ui.doclist import DONE, DocumentList, DocumentListModel


class ReviewListModel(DocumentListModel):
    """Rows: id, gold's status, differences between the annotators, text preview."""

    COLUMNS = ["#", "Gold", "Differences", "Text"]

    def __init__(self) -> None:
        super().__init__(None, GOLD)
        self.order: list[int] = []
        self.disputed: dict[int, int] = {}
        self._row: dict[int, int] = {}

    def set_order(self, order: list[int], disputed: dict[int, int]) -> None:
        self.order = list(order)
        self.disputed = dict(disputed)
        self.reload()

    def reset(self, project: Project | None, annotator: str) -> None:
        if project is not self.project:
            self.order, self.disputed = [], {}
        self.project = project
        self.annotator = GOLD
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        ids = self.order
        if self.project is not None and (self.statuses is not None or self.search):
            allowed = set(self.project.document_ids(GOLD, self.statuses, self.search or None))
            ids = [i for i in ids if i in allowed]
        self._ids = array("q", ids if self.project is not None else [])
        self._row = {int(d): r for r, d in enumerate(self._ids)}
        self.endResetModel()

    def row_of(self, doc_id: int) -> int | None:
        return self._row.get(doc_id)

    def next_id(self, doc_id: int | None, step: int) -> int | None:
        if not self._ids:
            return None
        if doc_id is None:
            return self.doc_id(0 if step > 0 else len(self._ids) - 1)
        row = self._row.get(doc_id)
        if row is None:  # left the list (filtered out): continue from its place in the order
            pos = self.order.index(doc_id) if doc_id in self.order else -1
            later = [self._row[i] for i in self.order[pos + 1 :] if i in self._row]
            row = (later[0] - 1) if later and step > 0 else (later[0] if later else len(self._ids))
        i = row + step
        return self.doc_id(i) if 0 <= i < len(self._ids) else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if index.isValid() and index.column() == 2 and 0 <= index.row() < len(self._ids):
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.disputed.get(self.doc_id(index.row()), 0))
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Spans and relations that differ, summed over pairs of annotators"
        return super().data(index, role)


class ReviewDocumentList(DocumentList):
    """The document list widget over a `ReviewListModel`, with "reviewed" progress."""

    model: ReviewListModel

    def __init__(self) -> None:
        super().__init__(ReviewListModel())
        self.setObjectName("review_document_list")
        self.view.setObjectName("review_document_table")
        header = self.view.horizontalHeader()
        for col, width in enumerate((40, 92, 78)):
            header.resizeSection(col, width)
        self.computing = False

    def set_order(self, order: list[int], disputed: dict[int, int]) -> None:
        self.computing = False
        self.model.set_order(order, disputed)
        self._update_count()
        self.update_progress()

    def show_computing(self) -> None:
        self.computing = True
        self.count_label.setText("Finding the documents where annotators disagree…")

    def _update_count(self) -> None:
        if self.computing:
            return
        n, total = self.model.rowCount(), len(self.model.order)
        shown = f"{n:,} of {total:,}" if n != total else f"{total:,}"
        self.count_label.setText(f"{shown} documents with disagreements, worst first")

    def update_progress(self) -> None:
        project, order = self.model.project, self.model.order
        if project is None or not order:
            self.progress_label.setText("")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            return
        rows = project.document_rows(order, GOLD)
        counts = {s: 0 for s in Status}
        for row in rows:
            counts[Status(row["status"])] += 1
        done = sum(counts[s] for s in DONE)
        self.progress_label.setText(f"{done:,} / {len(order):,} reviewed")
        self.progress.setRange(0, max(len(order), 1))
        self.progress.setValue(done)
        self.progress.setToolTip(", ".join(f"{s.text} {counts[s]:,}" for s in Status))
