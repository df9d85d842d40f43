"""Keeping the project file whole while the window is open: WAL checkpoints and Save a Copy.

SQLite keeps new commits in the `-wal` file beside the project until a checkpoint copies them
into the `.db`; nothing checkpoints unless we do, so a person who copies the `.db` alone (to send
it, to back it up) would miss their latest work. The window checkpoints when no edit has come
for `IDLE_MS`, when another document opens and when it closes: a copy of the `.db` alone then
holds every edit made more than about two seconds earlier. File › Save a Copy… writes one
consistent file with SQLite's backup API, off the GUI thread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from desktop.store import Project
from desktop.ui import workers

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

IDLE_MS = 2000


class Upkeep(QObject):
    checkpointed = Signal(float)
    """A checkpoint ran; what it cost, in milliseconds."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_MS)
        self.idle.timeout.connect(self.checkpoint)
        window.document_opened.connect(lambda _doc_id: self.checkpoint())

    def edited(self) -> None:
        """An edit was committed: checkpoint once the annotator pauses."""
        self.idle.start()

    def checkpoint(self) -> None:
        project = self.window.project
        if project is None:
            return
        started = time.perf_counter()
        project.checkpoint()
        self.checkpointed.emit((time.perf_counter() - started) * 1000)

    def save_copy(self, out: str | None = None) -> None:
        """File › Save a Copy…: the project as one file, with every edit committed so far."""
        w = self.window
        if w.project is None:
            w.say("Open a project first")
            return
        if out is None:
            suggested = str(w.project.path.with_name(f"{w.project.path.stem}-copy.db"))
            out, _ = QFileDialog.getSaveFileName(
                w, "Save a copy of the project", suggested, "Projects (*.db)"
            )
        if not out:
            return
        source, target = w.project.path, Path(out)

        def work(progress: workers.Progress) -> Any:
            with Project.open(source) as project:  # its own connection, in the worker's thread
                return project.backup(target, overwrite=target.exists())

        (
            workers.run(w, work, "save_copy")
            .with_progress("Save a Copy", "Copying the project…")
            .on_done(lambda path: w.tell("Save a Copy", f"Saved a copy of the project as {path}"))
            .on_done(lambda path: w.job_finished.emit("save_copy", path))
            .on_fail(lambda message: w.tell("Save a Copy", message, warning=True))
        )
