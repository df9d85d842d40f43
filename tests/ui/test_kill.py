"""Killing the window loses nothing: every edit is in the project file the moment it is made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import Store

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
