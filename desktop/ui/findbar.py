"""The find bar under the editor: Ctrl+F shows it, typing finds from the caret, Enter (or F3) the
next match, Shift+Enter the previous one; Escape leaves it with the match selected in the text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    find_requested = Signal(str, bool)
    """(query, forward)"""
    query_changed = Signal(str)
    """The query as it is typed (find as you type)."""
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(placeholderText="Find in this document")
        self.edit.setObjectName("find_edit")
        self.edit.textEdited.connect(self.query_changed)
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
        self.edit.installEventFilter(self)
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

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the query: the next match; Shift+Enter the previous one."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.find_requested.emit(self.edit.text(), not back)
                return True
        return super().eventFilter(watched, event)
