"""The window and another program on one project: a busy lock, a second window, outside changes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Store
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.store import presence
from desktop.ui.window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""
CLAIM = """
import sys
from pathlib import Path
from desktop.store import presence
presence.claim(Path(sys.argv[1]), "bob")
print("claimed", flush=True)
sys.stdin.readline()
"""
EDIT = """
import sys
from desktop import operations as ops
from desktop.store import NewDocument, Project
with Project.open(sys.argv[1]) as project:
    ann = project.annotation_or_suggestions(1, "alice")
    kremlin = next(s.id for s in ann.spans if s.label == "ORG")
    ops.perform(project, ops.UpdateSpan(1, "alice", kremlin, label="LOC"))
    project.add_documents([NewDocument("Le Caire accueille la conférence.")], lambda ts: ([] for _ in ts))
"""


def _start(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc


@pytest.fixture
def locked(ui_project: Path) -> Iterator[subprocess.Popen[str]]:
    proc = _start(HOLD_LOCK, str(ui_project))
    yield proc
    if proc.poll() is None:
        proc.communicate("\n", timeout=30)


def test_an_edit_the_window_cannot_write_is_said_and_leaves_no_undo(
    window: MainWindow, store: Store, locked: subprocess.Popen[str], qtbot
) -> None:  # noqa: ANN001
    window.editor.select_span(next(s.id for s in window.controller.annotation.spans if s.label == "ORG"))  # type: ignore[union-attr]
    qtbot.keyClick(window.editor, Qt.Key.Key_4)
    assert "busy" in window.statusBar().currentMessage()
    assert not window.action_map["undo"].isEnabled()
    locked.communicate("\n", timeout=30)  # the other program is done
    assert store.spans(1) == []
    window.editor.select_span(next(s.id for s in window.controller.annotation.spans if s.label == "ORG"))  # type: ignore[union-attr]
    qtbot.keyClick(window.editor, Qt.Key.Key_4)
    assert ("Kremlin", "MISC", "person") in store.spans(1)
    window.editing.undo()
    assert store.spans(1) == []


def _answer(button: str) -> None:
    """Click `button` of the "already open" question once it shows."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        _answer.text = box.text()  # type: ignore[attr-defined]
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(0, click)


def test_a_second_window_is_told_and_may_open_read_only(
    open_window, ui_project: Path, store: Store, qtbot
) -> None:  # noqa: ANN001
    other = _start(CLAIM, str(ui_project))
    try:
        _answer("Open Read-Only")
        window: MainWindow = open_window(ui_project)
        assert "already open: bob, since" in _answer.text  # type: ignore[attr-defined]
        assert window.project is not None and window.project.read_only
        window.editor.select_span(next(s.id for s in window.controller.annotation.spans if s.label == "ORG"))  # type: ignore[union-attr]
        qtbot.keyClick(window.editor, Qt.Key.Key_4)
        assert "read-only" in window.statusBar().currentMessage()
        assert store.status(1) is None
    finally:
        other.communicate("\n", timeout=30)
    window.close()
    assert presence.holder(ui_project) is None  # the other process is gone: its lock is no lock
    again: MainWindow = open_window(ui_project)  # no question
    assert again.project is not None and not again.project.read_only
    assert presence.lock_path(ui_project).exists()
    again.close()
    assert not presence.lock_path(ui_project).exists()


def test_the_window_shows_what_another_program_wrote(window: MainWindow, ui_project: Path, qtbot) -> None:  # noqa: ANN001
    assert window.doc_list.model.rowCount() == 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", EDIT, str(ui_project)], env=env, check=True, timeout=60)
    qtbot.waitUntil(lambda: window.doc_list.model.rowCount() == 4, timeout=10000)
    labels = [s.label for s in window.controller.annotation.spans]  # type: ignore[union-attr]
    assert labels == ["PER", "PER", "LOC", "LOC"]
    assert window.statusBar().currentMessage().startswith("Another program changed the project")
