"""Long work off the GUI thread: loading spaCy, pre-annotating, importing and exporting.

A job is a function of a `progress(done, total) -> bool` callback, run in Qt's thread pool. It
reports progress, its result or its error by signal (queued to the GUI thread) and never touches a
widget. Jobs that read or write the project open their own connection in their thread (SQLite
connections are not shared between threads; WAL lets both work at once).
"""

from __future__ import annotations

import sqlite3
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.errors import explain
from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths
from desktop.store import Project

Progress = Callable[[int, int], bool]
Work = Callable[[Progress], Any]


class JobSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class Job(QRunnable):
    """One piece of work for the thread pool; `cancel()` makes its next progress call say stop."""

    def __init__(self, work: Work, name: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.name = name
        self.signals = JobSignals()
        self._cancel = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progress.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.work(self._progress)
        except Exception as e:  # reported to the window, which says it to the user
            message = explain(e) or str(e) or type(e).__name__
            if not isinstance(e, ValueError | OSError | sqlite3.Error):
                message += "\n\n" + traceback.format_exc(limit=3)
            self.done.set()
            self.signals.failed.emit(message)
            return
        self.done.set()
        self.signals.finished.emit(result)


class Jobs(QObject):
    """Starts jobs and keeps them alive until their thread is done with them.

    A job's signal arrives while its pool thread is still returning from `run()`; freeing the
    runnable then would pull it from under that thread. So ended jobs are only let go once the
    pool is idle.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.jobs: list[Job] = []

    @property
    def running(self) -> list[Job]:
        return [j for j in self.jobs if not j.done.is_set()]

    def start(self, job: Job) -> Job:
        if self.pool.activeThreadCount() == 0:
            self.jobs = [j for j in self.jobs if not j.done.is_set()]
        self.jobs.append(job)
        self.pool.start(job)
        return job

    def wait(self, msecs: int = 30000) -> bool:
        for job in self.jobs:
            job.cancel()
        done = self.pool.waitForDone(msecs)
        if done:
            self.jobs.clear()
        return done


def with_progress_dialog(job: Job, parent: QWidget, title: str, label: str) -> QProgressDialog:
    """A modal progress dialog whose Cancel button cancels the job."""
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(job.cancel)

    def on_progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done if total else 0)
        dialog.setLabelText(f"{label} {done:,}" + (f" / {total:,}" if total else ""))

    job.signals.progress.connect(on_progress)

    def close() -> None:
        dialog.close()
        dialog.deleteLater()

    job.signals.finished.connect(lambda _r: close())
    job.signals.failed.connect(lambda _m: close())
    return dialog


# --- the work itself (runs in a pool thread) ------------------------------------------------------


def load_model_work(name: str) -> Work:
    def work(progress: Progress) -> Any:
        from desktop.nlp.pipeline import load_pipeline

        return load_pipeline(name)

    return work


def preannotate_work(path: Path, nlp: Any) -> Work:
    def work(progress: Progress) -> Any:
        from desktop.nlp.preannotate import preannotate

        with Project.open(path) as project:
            return preannotate(project, nlp, progress=progress)

    return work


def import_work(path: Path, inputs: list[str], fmt: str, options: ImportOptions) -> Work:
    def work(progress: Progress) -> Any:
        with Project.open(path) as project:
            return import_paths(project, inputs, fmt, options, progress=progress)

    return work


def export_work(path: Path, out: str, fmt: str, options: ExportOptions) -> Work:
    def work(progress: Progress) -> Any:
        with Project.open(path) as project:
            return export_project(project, out, fmt, options, progress=progress)

    return work
