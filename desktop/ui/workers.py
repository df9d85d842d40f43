"""Long work off the GUI thread: loading spaCy, pre-annotating, importing, exporting, agreement.

A job is a function of a `progress(done, total) -> bool` callback, run in Qt's thread pool. It
reports progress, its result or its error by signal (queued to the GUI thread) and never touches a
widget. `run(parent, work)` starts one and chains what to do with its progress, result and error.
Jobs that read or write the project open their own connection in their thread (SQLite
connections are not shared between threads; WAL lets both work at once).
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QProgressDialog,
    QStatusBar,
    QToolButton,
    QWidget,
)

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
        self.op: Op | None = None
        """The `Op` that started the job (kept alive as long as the job)."""
        self.beside = False
        """Whether the person goes on working in the window while the job runs (its progress is in
        the status bar, not in a modal dialog)."""

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
            known = explain(e)  # a full disk, a locked project...: said in one line
            message = known or str(e) or type(e).__name__
            if known is None and not isinstance(e, ValueError):
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

    @staticmethod
    def of(widget: QWidget) -> Jobs:
        """The jobs of the window `widget` belongs to (the outermost one that has jobs, so a
        dialog's work is waited for when the main window closes); made on first use."""
        found: Jobs | None = None
        w: QWidget | None = widget
        while w is not None:
            found = w.findChild(Jobs, options=Qt.FindChildOption.FindDirectChildrenOnly) or found
            w = w.parentWidget()
        return found if found is not None else Jobs(widget.window())

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


class Op:
    """One background job, built in the style of Anki's `CollectionOp`::

        workers.run(window, work, "import").with_progress("Import", "Documents read:").on_done(show)

    The job starts at once in the pool of the top-level window (its `Jobs`); what it reports comes
    back through queued signals, so the callbacks chained after `run()` are all in place before
    the first of them can be called. Callbacks run on the GUI thread.
    """

    def __init__(self, parent: QWidget, work: Work, name: str = "") -> None:
        self.parent = parent
        self.job = Job(work, name)
        self.job.op = self
        self._done: list[Callable[[Any], object]] = []
        self._failed: list[Callable[[str], object]] = []
        self._always: list[Callable[[], object]] = []
        self._dialog: QProgressDialog | None = None
        self._bar: JobProgress | None = None
        self.job.signals.finished.connect(self._finished)
        self.job.signals.failed.connect(self._fail)
        Jobs.of(parent).start(self.job)

    @property
    def name(self) -> str:
        return self.job.name

    def cancel(self) -> None:
        if self._bar is not None:
            self._bar.stop()  # cancels, and says so
        else:
            self.job.cancel()

    def with_progress(self, title: str, label: str) -> Op:
        """A modal progress dialog (after 300 ms) whose Cancel button cancels the job."""
        dialog = QProgressDialog(label, "Cancel", 0, 0, self.parent)
        dialog.setWindowTitle(title)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.job.cancel)

        def on_progress(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done if total else 0)
            dialog.setLabelText(counted(label, done, total))

        self.job.signals.progress.connect(on_progress)

        self._dialog = dialog
        return self

    def in_status_bar(self, window: QMainWindow, label: str) -> Op:
        """Progress and a Cancel button in `window`'s status bar: the window stays usable."""
        bar = JobProgress(label, self.job)
        window.statusBar().addPermanentWidget(bar)
        self.job.signals.progress.connect(bar.show_progress)
        self.job.beside = True
        self._bar = bar
        return self

    def on_progress(self, call: Callable[[int, int], object]) -> Op:
        self.job.signals.progress.connect(call)
        return self

    def on_done(self, call: Callable[[Any], object]) -> Op:
        self._done.append(call)
        return self

    def on_fail(self, call: Callable[[str], object]) -> Op:
        """`call(message)` when the work raised; without one, the error is only logged."""
        self._failed.append(call)
        return self

    def finally_(self, call: Callable[[], object]) -> Op:
        """`call()` once the job has ended, however it ended (after its done or fail callbacks)."""
        self._always.append(call)
        return self

    def _finished(self, result: Any) -> None:
        self._close()
        for done in self._done:
            done(result)
        self._end()

    def _fail(self, message: str) -> None:
        self._close()
        if not self._failed:
            print(f"{self.name or 'background job'} failed: {message}", file=sys.stderr)
        for failed in self._failed:
            failed(message)
        self._end()

    def _close(self) -> None:
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        if self._bar is not None:
            bar = self._bar.parentWidget()
            if isinstance(bar, QStatusBar):
                bar.removeWidget(self._bar)  # and the status bar lays out what stays
            self._bar.deleteLater()
            self._bar = None

    def _end(self) -> None:
        for call in self._always:
            call()
        self._always.clear()


def counted(label: str, done: int, total: int) -> str:
    """'Documents read: 1,216 / 4,000', or without the total when the job does not know it."""
    return f"{label} {done:,}" + (f" / {total:,}" if total else "")


class JobProgress(QWidget):
    """A job's progress in the status bar: what it counts, a bar, and Cancel."""

    def __init__(self, label: str, job: Job) -> None:
        super().__init__()
        self.setObjectName(f"{job.name or 'job'}_progress")
        self.label = label
        self.job = job
        self.text = QLabel(label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        self.cancel.setObjectName("cancel_job")
        self.cancel.setToolTip("Stop: what is done is kept")
        self.cancel.clicked.connect(self.stop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.text, self.bar, self.cancel):
            layout.addWidget(part)

    def show_progress(self, done: int, total: int) -> None:
        if self.job.cancelled:
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done if total else 0)
        self.text.setText(counted(self.label, done, total))

    def stop(self) -> None:
        self.job.cancel()
        self.cancel.setEnabled(False)
        self.text.setText(f"{self.label} stopping…")


def run(parent: QWidget, work: Work, name: str = "") -> Op:
    """Start `work(progress)` off the GUI thread; chain `.with_progress`, `.on_done`, `.on_fail`."""
    return Op(parent, work, name)


# --- the work itself (runs in a pool thread) ------------------------------------------------------


def load_model_work(name: str) -> Work:
    def work(progress: Progress) -> Any:
        from desktop.nlp.pipeline import load_pipeline

        return load_pipeline(name, entities_only=True)

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
