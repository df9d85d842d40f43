"""The find bar under the editor: Ctrl+F shows it, Enter finds the next match, Escape hides it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    find_requested = Signal(str, bool)
    """(query, forward)"""
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(placeholderText="Find in this document")
        self.edit.setObjectName("find_edit")
        self.edit.returnPressed.connect(lambda: self.find_requested.emit(self.edit.text(), True))
        previous = QPushButton("Previous")
        previous.clicked.connect(lambda: self.find_requested.emit(self.edit.text(), False))
        following = QPushButton("Next")
        following.clicked.connect(lambda: self.find_requested.emit(self.edit.text(), True))
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        close = QPushButton("Close")
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.result)
        layout.addWidget(close)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def show_result(self, found: bool) -> None:
        self.result.setText("" if found else "not found")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)
