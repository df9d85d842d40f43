"""Killing the window loses nothing: every edit is in the project file the moment it is made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import Store
from PySide6.QtCore import Qt

from desktop.store import Project

DRIVER = Path(__file__).with_name("window_driver.py")
ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_after_edits_loses_nothing(qtbot, ui_project: Path, home: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(ui_project), str(home / "settings.ini")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = Store(ui_project)
    try:

        def all_edits_stored() -> None:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert store.spans(2, "bob") == [
                ("Vladimir Poutine", "PER", "model"),
                ("Washington", "ORG", "person"),
            ]

        qtbot.waitUntil(all_edits_stored, timeout=60000)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with Project.open(ui_project) as project:
        first = project.annotation(1, "bob")
        second = project.annotation(2, "bob")
        assert first is not None and second is not None
        assert first.status == "accepted" and second.status == "in_progress"
    assert store.spans(1, "bob") == [
        ("Kirill Dmitriev", "PER", "model"),
        ("Dmitry Peskov", "PER", "model"),
        ("Kremlin", "MISC", "person"),
    ]
    assert store.relations(1, "bob") == [("Dmitry Peskov", "lien", "Kirill Dmitriev")]


def test_undo_after_a_quit_and_after_a_kill(qtbot, open_window, ui_project: Path, home: Path, store) -> None:  # noqa: ANN001
    """Relabel a span and delete another, quit; reopen, Ctrl+Z undoes the deletion; kill -9 that
    window, reopen: Ctrl+Z undoes the relabel, and the document is back to the suggestions."""
    window = open_window(ui_project)
    window.editor.select_span(span_of(window, "Kremlin"))
    qtbot.keyClick(window.editor, Qt.Key.Key_2)  # relabel as LOC
    window.editor.select_span(span_of(window, "Moscou"))
    qtbot.keyClick(window.editor, Qt.Key.Key_Delete)
    assert [s[0] for s in store.spans(1)] == ["Kirill Dmitriev", "Dmitry Peskov", "Kremlin"]
    window.close()

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(ui_project), str(home / "killed.ini"), "undo"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "undo was: &Undo Delete « Moscou » LOC"
        assert proc.stdout.readline().strip() == "undone"
        assert ("Moscou", "LOC", "model") in store.spans(1)
        assert ("Kremlin", "LOC", "person") in store.spans(1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    last = open_window(ui_project)
    assert last.action_map["undo"].text() == "&Undo Relabel « Kremlin » ORG → LOC"
    qtbot.keyClick(last.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.status(1) is None  # back to the suggestions: alice has no annotation of it
    assert [s.label for s in last.controller.annotation.spans] == ["PER", "PER", "LOC", "ORG"]
    assert not last.action_map["undo"].isEnabled()


def span_of(window, text: str) -> int:  # noqa: ANN001
    ctl = window.controller
    return next(s.id for s in ctl.annotation.spans if ctl.document.text[s.start : s.end] == text)


def test_sigkill_after_an_import_from_the_window_loses_nothing(
    qtbot, ui_project: Path, home: Path, tmp_path: Path
) -> None:  # noqa: ANN001
    """Import from the window, let another program read the project, edit, kill -9: all of it stays."""
    source = tmp_path / "more.jsonl"
    source.write_text(
        "".join(f'{{"text": "Dépêche {i} : le ministre a parlé à Paris."}}\n' for i in range(50)),
        encoding="utf-8",
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(ui_project), str(home / "settings.ini"), "import", str(source)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    store = Store(ui_project)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "imported"
        stats = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "stats", str(ui_project)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert stats.returncode == 0, stats.stderr
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "edits sent"
        assert store.spans(2, "bob") == [
            ("Vladimir Poutine", "PER", "model"),
            ("Washington", "ORG", "person"),
        ]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Project.open(ui_project) as project:
        assert project.document_count() == 53
        assert project.annotation(1, "bob").status == "accepted"  # type: ignore[union-attr]
    assert store.spans(2, "bob") == [("Vladimir Poutine", "PER", "model"), ("Washington", "ORG", "person")]
