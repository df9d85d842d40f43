"""The find bar under the editor: Ctrl+F shows it, typing finds from the caret, Enter (or F3) the
next match, Shift+Enter the previous one. Escape leaves it with the match selected in the text, and
so does Enter pressed again on a match an Enter reached (the query unchanged since): type, Enter to
step on, Enter to take the match; F3 keeps stepping."""

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
        self.edit = QLineEdit(placeholderText="Find in this document (Enter: next, Enter again: select it)")
        self.edit.setObjectName("find_edit")
        self.edit.setToolTip(
            "Type to find from the caret. Enter or F3: the next match, Shift+Enter the previous one.\n"
            "Enter again, or Escape: leave the bar with the match selected, so a label key labels it."
        )
        self.edit.textEdited.connect(self._typed)
        self._entered: str | None = None
        """The query of the last Enter that landed on a match: Enter again takes that match."""
        self._found = False
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
        self._entered = None
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def show_result(self, found: bool) -> None:
        self._found = found
        self.result.setText("" if found else "not found")

    def _typed(self, query: str) -> None:
        self._entered = None
        self.query_changed.emit(query)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the query: the next match (Shift+Enter the previous one), or, pressed again
        with the query unchanged, leave the bar on the match."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                query = self.edit.text()
                if not back and self._found and query and query == self._entered:
                    self.close_bar()
                    return True
                self.find_requested.emit(query, not back)
                self._entered = query if self._found else None
                return True
        return super().eventFilter(watched, event)
