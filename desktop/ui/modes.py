"""The window's seam for modes: what a mode provides, and the places in the window it fills.

A mode (review mode is one) brings its own document list, a panel under the editor, a banner
above it, a title suffix and the controller that edits in it; the window puts them in its slots
on `enter(mode)` and puts its own parts back on `leave()`. A mode touches nothing private of the
window or the editor: it uses their public methods and signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QSplitter, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.store import Project
    from desktop.ui.controller import AnnotationController
    from desktop.ui.doclist import DocumentList
    from desktop.ui.editor import EditorView


class Mode(Protocol):
    title: str
    """Said after the window's title while the mode is on ("reviewing")."""
    list_title: str
    """The title of the document list's dock ("Disagreements")."""
    document_list: DocumentList
    panel: QWidget | None
    """Shown under the editor."""
    banner: QWidget | None
    """Shown above the editor."""

    def make_controller(
        self, project: Project, annotator: str, editor: EditorView, parent: QObject
    ) -> AnnotationController:
        """The controller of a session in this mode (made again whenever the session changes)."""
        ...

    def entered(self) -> None:
        """The window shows the mode's parts and runs its session: open a first document."""
        ...

    def left(self) -> None:
        """The window took the mode's parts away and is about to start a plain session."""
        ...


class Slots:
    """Where a mode's parts go: the Documents dock, a banner above the editor, a panel under it."""

    def __init__(self, dock: QDockWidget, editor: QWidget) -> None:
        self.dock = dock
        self.editor = editor
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("editor_splitter")
        self.splitter.setChildrenCollapsible(False)
        area = QWidget()
        self.above = QVBoxLayout(area)
        self.above.setContentsMargins(0, 0, 0, 0)
        self.above.setSpacing(0)
        self.above.addWidget(editor, 1)
        self.splitter.addWidget(area)
        self.banner: QWidget | None = None
        self.panel: QWidget | None = None

    def set_list(self, widget: DocumentList, title: str) -> None:
        old = self.dock.widget()
        if old is widget:
            return
        self.dock.setWidget(widget)  # the old list stays the dock's child, hidden
        if old is not None:
            old.hide()
        widget.show()
        self.dock.setWindowTitle(title)

    def set_banner(self, widget: QWidget | None) -> None:
        if self.banner is not None and self.banner is not widget:
            self.banner.hide()
        if widget is not None and self.above.indexOf(widget) < 0:
            self.above.insertWidget(0, widget)
        if widget is not None:
            widget.show()
        self.banner = widget

    def set_panel(self, widget: QWidget | None) -> None:
        if self.panel is not None and self.panel is not widget:
            self.panel.hide()
        self.panel = widget
        if widget is None:
            return
        if self.splitter.indexOf(widget) < 0:
            self.splitter.addWidget(widget)
        widget.show()
        height = max(self.splitter.height(), 400)
        self.splitter.setSizes([height * 2 // 5, height - height * 2 // 5])
