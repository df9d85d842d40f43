"""Runs the real window in its own process and presses every key of the shortcut sheet once.

Used by test_every_key.py: `python tests/ui/key_driver.py PROJECT.db SETTINGS.ini`. A key that
crashes the window kills this process, not pytest. Dialogs a key opens are closed at once. It
prints `pressed KEY` before each key, `alive` when every key was pressed, then quits with Ctrl+Q.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.ui import actions
from desktop.ui.app import build_window, make_app
from desktop.ui.window import MainWindow


def sheet_keys(window: MainWindow) -> list[str]:
    """Every key the F1 sheet lists: the actions' (quit last) and the label keys."""
    keys = actions.effective_shortcuts(window.overrides)
    found = [k for spec in actions.ACTIONS if spec.id != "quit" for k in keys[spec.id]]
    assert window.project is not None
    scheme = window.project.scheme
    found += [e.key for e in scheme.entities if e.key] + [r.key for r in scheme.relations if r.key]
    return found


def close_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()


def press_all(window: MainWindow) -> None:
    closer = QTimer(window)
    closer.setInterval(50)
    closer.timeout.connect(close_dialogs)
    closer.start()
    for key in sheet_keys(window):
        print(f"pressed {key}", flush=True)
        window.activateWindow()
        window.editor.setFocus()
        target: QWidget = QApplication.focusWidget() or window.editor
        QTest.keySequence(target, QKeySequence(key))
        QTest.qWait(30)
        close_dialogs()
    print("alive", flush=True)
    closer.stop()
    window.editor.setFocus()
    QTest.keySequence(window.editor, QKeySequence("Ctrl+Q"))


def main(project: str, settings_path: str) -> int:
    app = make_app()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = build_window(project, settings, annotator="bob")
    window.show()
    window.activateWindow()
    QTimer.singleShot(200, lambda: press_all(window))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
