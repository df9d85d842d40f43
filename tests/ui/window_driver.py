"""Runs the real window in its own process and makes a scripted series of edits by key presses.

Used by test_kill.py: `python tests/ui/window_driver.py PROJECT.db SETTINGS.ini [edit|undo|import FILE]`.
It prints `edits sent` once done (with `import`, after importing FILE from File › Import… and
reading a line on stdin; with `undo`, it presses Ctrl+Z as alice and prints what it undid) and
then keeps the window open until it is killed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

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


def import_then_edit(window: MainWindow, source: str) -> None:
    """File › Import… of `source` (the dialog accepted as it comes), then, once the import is in and
    a line arrives on stdin, the edits."""

    def accept_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            dialog.accept()
        else:
            QTimer.singleShot(20, accept_dialog)

    def imported(name: str, _result: object) -> None:
        if name == "import":
            print("imported", flush=True)
            sys.stdin.readline()
            for box in window.findChildren(QMessageBox):  # the import's summary, read and closed
                box.close()
            window.activateWindow()
            QTimer.singleShot(100, lambda: edit(window))

    window.job_finished.connect(imported)
    QTimer.singleShot(0, accept_dialog)
    window.work.import_files([source])


def main(project: str, settings_path: str, script: str = "edit", source: str = "") -> int:
    app = make_app()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = build_window(project, settings, annotator="alice" if script == "undo" else "bob")
    window.show()
    window.activateWindow()
    scripts = {"edit": edit, "undo": undo, "import": lambda w: import_then_edit(w, source)}
    QTimer.singleShot(200, lambda: scripts[script](window))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
