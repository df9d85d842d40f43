"""The window's menus: the registry's actions in their menus, the label keys, Undo/Redo texts.

The actions themselves are data (`desktop.ui.actions`); this module only places them: menus and
separators in the registry's order, one action per label of the project's scheme, and Undo/Redo
following the undo history of whoever edits (the session's controller, or review mode's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMetaObject, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QListView, QMainWindow, QMenu

from desktop.model import LabelScheme
from desktop.ui import actions as registry
from desktop.ui.history import HistoryModel

if TYPE_CHECKING:
    from desktop.ui.controller import AnnotationController
    from desktop.ui.window import MainWindow


def build_menus(window: QMainWindow, action_map: dict[str, QAction]) -> dict[str, QMenu]:
    """The registry's menus, filled in its order; a `Labels` menu goes before `Help`."""
    bar = window.menuBar()
    menus = {name: bar.addMenu(f"&{name}") for name in registry.MENUS}
    menus["Recent"] = menus["File"].addMenu("Open &Recent")
    for spec in registry.ACTIONS:
        menu = menus[spec.menu]
        if spec.new_group:
            menu.addSeparator()
        menu.addAction(action_map[spec.id])
    window.addActions(list(action_map.values()))
    menus["Labels"] = QMenu("&Labels", bar)
    bar.insertMenu(menus["Help"].menuAction(), menus["Labels"])
    return menus


class LabelKeys(QObject):
    """The scheme's label actions (`actions.label_specs`), each under its key unless another
    action already has that key."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.actions: list[QAction] = []

    def rebuild(self, scheme: LabelScheme, overrides: registry.Overrides) -> None:
        w = self.window
        for action in self.actions:
            w.removeAction(action)
            action.deleteLater()
        self.actions = []
        self.menu.clear()
        specs = registry.label_specs(scheme)
        keys = registry.effective_shortcuts(overrides, specs)
        taken = {QKeySequence(k).toString() for a in registry.ACTIONS for k in keys[a.id]}
        unknown = [i for i in overrides.shortcuts if i.startswith(registry.LABEL_PREFIXES) and i not in keys]
        if unknown:
            w.say(f"The shortcuts file names labels this project does not have: {', '.join(unknown)}")
        for spec in specs:
            free = [k for k in keys[spec.id] if QKeySequence(k).toString() not in taken]
            for k in keys[spec.id]:
                if k not in free:
                    w.say(f"The key {k} of label {spec.text} is taken by another action")
            taken.update(QKeySequence(k).toString() for k in free)
            action = registry.build_action(w, w, spec, free)
            if spec.new_group:
                self.menu.addSeparator()
            self.menu.addAction(action)
            w.addAction(action)
            self.actions.append(action)


class UndoActions(QObject):
    """Undo/Redo say what they would undo; the History view lists the annotator's steps (kept in
    the project file, so they are there again after a restart)."""

    def __init__(self, undo: QAction, redo: QAction, history: QListView, parent: QObject) -> None:
        super().__init__(parent)
        self.undo, self.redo, self.history = undo, redo, history
        self.model = HistoryModel()
        history.setModel(self.model)
        self._controller: AnnotationController | None = None
        self._links: list[QMetaObject.Connection] = []

    def follow(self, controller: AnnotationController | None) -> None:
        for link in self._links:
            QObject.disconnect(link)
        self._controller = controller
        self._links = [controller.history_changed.connect(self.refresh)] if controller is not None else []
        self.refresh()

    def refresh(self) -> None:
        ctl = self._controller
        undo, redo = (ctl.undo_text(), ctl.redo_text()) if ctl is not None else ("", "")
        self.undo.setText(f"&Undo {undo}" if undo else "&Undo")
        self.redo.setText(f"&Redo {redo}" if redo else "&Redo")
        self.undo.setEnabled(bool(undo))
        self.redo.setEnabled(bool(redo))
        self.model.show(ctl.project if ctl is not None else None, ctl.annotator if ctl is not None else "")
        self.history.scrollToBottom()
