"""The window's menus: the registry's actions in their menus, the label keys, Undo/Redo texts.

The actions themselves are data (`desktop.ui.actions`); this module only places them: menus and
separators in the registry's order, one action per label of the project's scheme, and Undo/Redo
following the undo stack of whoever edits (the session's controller, or review mode's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QMetaObject, QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QUndoView

from desktop.model import LabelScheme
from desktop.ui import actions as registry

SEPARATE_BEFORE = ("import", "switch_annotator", "quit", "undo", "find", "accept", "preannotate", "zoom_in")


def build_menus(window: QMainWindow, action_map: dict[str, QAction]) -> dict[str, QMenu]:
    """The registry's menus, filled in its order; a `Labels` menu goes before `Help`."""
    bar = window.menuBar()
    menus = {name: bar.addMenu(f"&{name}") for name in registry.MENUS}
    menus["Recent"] = menus["File"].addMenu("Open &Recent")
    for spec in registry.ACTIONS:
        menu = menus[spec.menu]
        if spec.id in SEPARATE_BEFORE:
            menu.addSeparator()
        menu.addAction(action_map[spec.id])
    window.addActions(list(action_map.values()))
    menus["Labels"] = QMenu("&Labels", bar)
    bar.insertMenu(menus["Help"].menuAction(), menus["Labels"])
    return menus


class LabelKeys(QObject):
    """One action per label of the scheme, under its key unless another action has that key."""

    def __init__(self, window: QMainWindow, menu: QMenu, say: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.say = say
        self.actions: list[QAction] = []

    def rebuild(
        self,
        scheme: LabelScheme,
        taken_keys: Iterable[str],
        apply_entity: Callable[[str], object],
        apply_relation: Callable[[str], object],
    ) -> None:
        for action in self.actions:
            self.window.removeAction(action)
            action.deleteLater()
        self.actions = []
        self.menu.clear()
        taken = {QKeySequence(k).toString() for k in taken_keys}
        entries = [(e.name, e.key, apply_entity, "") for e in scheme.entities]
        entries += [(r.name, r.key, apply_relation, "relation ") for r in scheme.relations]
        for name, key, apply, kind in entries:
            action = QAction(f"{kind}{name}".capitalize() if kind else name, self.window)
            action.setObjectName(f"label_{kind.strip() or 'entity'}_{name}")
            sequence = QKeySequence(key) if key else QKeySequence()
            if key and sequence.toString() in taken:
                self.say(f"The key {key} of label {name} is taken by another action")
            elif key:
                action.setShortcut(sequence)
                taken.add(sequence.toString())
            action.triggered.connect(lambda _c=False, a=apply, n=name: a(n))
            self.menu.addAction(action)
            self.window.addAction(action)
            self.actions.append(action)


class UndoActions(QObject):
    """Undo/Redo say what they would undo; the History view lists every edit of the session."""

    def __init__(self, undo: QAction, redo: QAction, history: QUndoView, parent: QObject) -> None:
        super().__init__(parent)
        self.undo, self.redo, self.history = undo, redo, history
        self._links: list[QMetaObject.Connection] = []

    def follow(self, stack: QUndoStack | None) -> None:
        for link in self._links:
            QObject.disconnect(link)
        self._links = []
        self.history.setStack(stack)  # type: ignore[arg-type]  # None detaches the view
        if stack is None:
            return
        self._links = [
            stack.undoTextChanged.connect(self._undo_text),
            stack.redoTextChanged.connect(self._redo_text),
            stack.canUndoChanged.connect(self.undo.setEnabled),
            stack.canRedoChanged.connect(self.redo.setEnabled),
        ]
        self._undo_text(stack.undoText())
        self._redo_text(stack.redoText())
        self.undo.setEnabled(stack.canUndo())
        self.redo.setEnabled(stack.canRedo())

    def _undo_text(self, text: str) -> None:
        self.undo.setText(f"&Undo {text}" if text else "&Undo")

    def _redo_text(self, text: str) -> None:
        self.redo.setText(f"&Redo {text}" if text else "&Redo")
