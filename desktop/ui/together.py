"""Sharing a project with other programs: who else has it open, their changes, a busy lock.

Opening a project another window holds asks whether to open it read-only or anyway (the lock file
of `desktop.store.presence`, released on close; a dead process's lock is ignored). While open,
the window polls SQLite's `data_version` (cheap) and, when another program committed, reloads the
document list and the open document instead of drifting. The window's connection waits only
briefly for another writer's lock; `commands` retries a few times, then says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from desktop.store import presence
from desktop.ui.projects import APP_TITLE

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

BUSY_TIMEOUT_MS = 150
"""The window's wait for a write lock, per try (`commands.RETRIES` tries)."""
POLL_MS = 1000


class Together(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.claimed: Path | None = None
        self.version: int | None = None
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.check_for_changes)

    def ask(self, path: Path) -> str | None:
        """How to open `path`: "write", "read_only", or None (cancelled)."""
        found = presence.holder(path)
        if found is None:
            return "write"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            APP_TITLE,
            f"{path.name} is already open: {found.describe()}.\n\n"
            "Open it read-only, or anyway (both windows can write; each shows the other's changes)?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("already_open")
        box.setTextFormat(Qt.TextFormat.PlainText)
        read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.AcceptRole)
        anyway = box.addButton("Open &Anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(read_only)
        box.exec()
        if box.clickedButton() is read_only:
            return "read_only"
        if box.clickedButton() is anyway:
            return "write"
        return None

    def opened(self) -> None:
        """The window's project opened: claim it (unless read-only), start watching."""
        self.closing()
        project = self.window.project
        if project is None:
            return
        if project.read_only is None:
            project.set_busy_timeout(BUSY_TIMEOUT_MS)
            if presence.claim(project.path, self.window.annotator):
                self.claimed = project.path
        else:
            self.window.say(f"{project.path.name}: {project.read_only}")
        self.version = project.data_version()
        self.poll.start()

    def closing(self) -> None:
        self.poll.stop()
        if self.claimed is not None:
            presence.release(self.claimed)
            self.claimed = None

    def check_for_changes(self) -> None:
        project = self.window.project
        if project is None:
            return
        version = project.data_version()
        if version == self.version:
            return
        self.version = version
        w = self.window
        running = w.jobs.running
        if any(job.beside for job in running):
            # The window's own work, writing while the person annotates: shown once it ends, not
            # by rebuilding the list and the open document under them every second.
            return
        own = bool(running)  # the window's own work writes through a connection of its own
        project.forget_cached()  # the scheme and annotator ids may have changed too
        current = w.doc_id
        w.build_label_keys()
        w.doc_list.reset(project, w.annotator)
        if current is not None:
            w.open_document(current)
        w.undo_actions.refresh()
        if not own:
            w.say("Another program changed the project: shown as it is now")

    def seen(self) -> None:
        """The window has shown the project as it is now (after its own work wrote to it)."""
        if self.window.project is not None:
            self.version = self.window.project.data_version()
