"""The History tab: the annotator's steps as the project file keeps them, oldest first.

Steps undone stay listed (greyed) until the next edit drops them; the current position is the
last step done. Reads one query of the undo history; refreshed whenever a step is done.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.store import Project
from desktop.store.history import HistoryStep

Index = QModelIndex | QPersistentModelIndex
SHOWN = 200
"""Steps listed (the history keeps more; undo reaches them all)."""


class HistoryModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.steps: list[HistoryStep] = []

    def show(self, project: Project | None, annotator: str) -> None:
        self.beginResetModel()
        self.steps = project.history(annotator, SHOWN) if project is not None and annotator else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.steps):
            return None
        step = self.steps[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{step.text} (undone)" if step.undone else step.text
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"document {step.document_id}, " if step.document_id is not None else ""
            return f"{where}{step.at[:19].replace('T', ' ')} UTC"
        if role == Qt.ItemDataRole.ForegroundRole and step.undone:
            return QBrush(QColor("#8a8a8a"))
        return None
