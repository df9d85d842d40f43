"""A copy of the project taken while the window is open holds the work: idle checkpoints, Save a Copy."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from conftest import Store
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop.ui.window import MainWindow


def _relabel_and_delete(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    ctl = window.controller
    assert ctl is not None and ctl.annotation is not None and ctl.document is not None
    ids = {ctl.document.text[s.start : s.end]: s.id for s in ctl.annotation.spans}
    window.editor.select_span(ids["Kremlin"])
    qtbot.keyClick(window.editor, Qt.Key.Key_4)  # MISC
    ctl = window.controller
    ids = {ctl.document.text[s.start : s.end]: s.id for s in ctl.annotation.spans}  # type: ignore[union-attr]
    window.editor.select_span(ids["Moscou"])
    qtbot.keyClick(window.editor, Qt.Key.Key_Delete)


def test_a_copy_of_the_db_alone_holds_the_edits_once_the_window_was_idle(
    window: MainWindow, ui_project: Path, tmp_path: Path, qtbot
) -> None:  # noqa: ANN001
    _relabel_and_delete(window, qtbot)
    with qtbot.waitSignal(window.upkeep.checkpointed, timeout=10000):
        pass  # about two seconds after the last edit
    copy = tmp_path / "copy.db"
    # Copied by another program: this process must not open and close the live project file.
    subprocess.run(["cp", str(ui_project), str(copy)], check=True)
    assert not Path(f"{copy}-wal").exists()
    assert Store(copy).spans(1) == [
        ("Kirill Dmitriev", "PER", "model"),
        ("Dmitry Peskov", "PER", "model"),
        ("Kremlin", "MISC", "person"),
    ]


def test_save_a_copy_writes_one_file_with_every_edit(
    window: MainWindow, tmp_path: Path, qtbot, monkeypatch
) -> None:  # noqa: ANN001
    window.upkeep.idle.setInterval(3_600_000)  # no idle checkpoint: the copy must not need one
    _relabel_and_delete(window, qtbot)
    out = tmp_path / "sent.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    with qtbot.waitSignal(window.job_finished, timeout=20000) as done:
        window.action_map["save_copy"].trigger()
    assert done.args == ["save_copy", out]
    assert not Path(f"{out}-wal").exists()
    assert ("Kremlin", "MISC", "person") in Store(out).spans(1)
    assert sqlite3.connect(out).execute("PRAGMA integrity_check").fetchone() == ("ok",)
