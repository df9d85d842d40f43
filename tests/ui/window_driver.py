"""Runs the real window in its own process and makes a scripted series of edits by key presses.

Used by test_kill.py: `python tests/ui/window_driver.py PROJECT.db SETTINGS.ini [edit|undo]`. It
prints `edits sent` once done (or, with `undo`, presses Ctrl+Z as alice and prints what it undid)
and then keeps the window open until it is killed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest

from desktop.ui.app import build_window, make_app
from desktop.ui.window import MainWindow

K = Qt.Key


def span_id(window: MainWindow, text: str) -> int:
    ctl = window.controller
    assert ctl is not None and ctl.annotation is not None and ctl.document is not None
    return next(
        s.id for s in ctl.annotation.spans if ctl.document.text[s.start : s.end] == text and s.id is not None
    )


def press(
    window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(window.editor, key, modifier)


def edit(window: MainWindow) -> None:
    editor = window.editor
    editor.select_span(span_id(window, "Kremlin"))
    press(window, K.Key_4)  # relabel as MISC
    editor.select_span(span_id(window, "Moscou"))
    press(window, K.Key_Delete)
    press(window, K.Key_R, Qt.KeyboardModifier.ShiftModifier)  # relation mode
    editor.select_span(span_id(window, "Dmitry Peskov"))
    press(window, K.Key_Space)
    editor.select_span(span_id(window, "Kirill Dmitriev"))
    press(window, K.Key_Space)
    press(window, K.Key_E)  # lien
    press(window, K.Key_R, Qt.KeyboardModifier.ShiftModifier)
    press(window, K.Key_A)  # accept, next document
    editor.select_span(span_id(window, "Washington"))
    press(window, K.Key_3)  # relabel as ORG
    print("edits sent", flush=True)


def undo(window: MainWindow) -> None:
    print(f"undo was: {window.action_map['undo'].text()}", flush=True)
    press(window, K.Key_Z, Qt.KeyboardModifier.ControlModifier)
    print("undone", flush=True)


def main(project: str, settings_path: str, script: str = "edit") -> int:
    app = make_app()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = build_window(project, settings, annotator="bob" if script == "edit" else "alice")
    window.show()
    window.activateWindow()
    QTimer.singleShot(200, lambda: edit(window) if script == "edit" else undo(window))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
