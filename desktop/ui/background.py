"""The window's long work: loading spaCy, pre-annotating, importing and exporting, in workers.

Mixed into the main window: each flow asks what it needs (a dialog), starts a job in the thread
pool with a progress dialog that can cancel, and shows the outcome when the job's signal arrives.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMainWindow

from desktop.model import LabelScheme
from desktop.ui import workers
from desktop.ui.dialogs import ExportDialog, ImportDialog, export_summary, import_summary

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QLabel

    from desktop.store import Project
    from desktop.ui.doclist import DocumentList

    _Base = QMainWindow
else:
    _Base = object


class BackgroundWork(_Base):
    """Model loading, pre-annotation, import and export for the main window."""

    if TYPE_CHECKING:
        project: Project | None
        annotator: str
        nlp: Any
        model_job: workers.Job | None
        jobs: workers.Jobs
        model_label: QLabel
        doc_list: DocumentList
        job_finished: SignalInstance
        _preannotate_when_loaded: bool

        @property
        def doc_id(self) -> int | None: ...

        def say(self, message: str) -> None: ...
        def tell(self, title: str, text: str, warning: bool = False) -> None: ...
        def open_document(self, doc_id: int) -> None: ...
        def _first_document(self) -> int | None: ...
        def _build_label_actions(self) -> None: ...

    def start_model_loading(self) -> None:
        """Load the project's spaCy pipeline in a worker; the window works without it."""
        if self.project is None or self.model_job is not None or self.nlp is not None:
            return
        name = self.project.model
        self.model_label.setText(f"spaCy: loading {name}…")
        job = workers.Job(workers.load_model_work(name), "load_model")
        job.signals.finished.connect(self._model_loaded)
        job.signals.failed.connect(self._model_failed)
        self.model_job = self.jobs.start(job)

    def _model_loaded(self, nlp: Any) -> None:
        self.nlp = nlp
        self.model_job = None
        self.model_label.setText(f"spaCy: {nlp.meta.get('lang')}_{nlp.meta.get('name')} ready")
        self.job_finished.emit("load_model", nlp)
        if self._preannotate_when_loaded:
            self._preannotate_when_loaded = False
            self.preannotate()

    def _model_failed(self, message: str) -> None:
        self.model_job = None
        self.model_label.setText("spaCy: not available")
        self.say(f"The spaCy pipeline could not be loaded: {message.splitlines()[0]}")

    def _run(self, name: str, work: workers.Work, title: str, label: str, done: Any) -> workers.Job:
        job = workers.Job(work, name)
        workers.with_progress_dialog(job, self, title, label)

        def finished(result: Any) -> None:
            done(result)
            self.job_finished.emit(name, result)

        def failed(message: str) -> None:
            self.tell(title, message, warning=True)
            self.job_finished.emit(name, None)

        job.signals.finished.connect(finished)
        job.signals.failed.connect(failed)
        self.jobs.start(job)
        return job

    def preannotate(self) -> None:
        if self.project is None:
            return
        if any(job.name == "preannotate" for job in self.jobs.running):
            self.say("Pre-annotation is already running")
            return
        if self.nlp is None:
            self._preannotate_when_loaded = True
            self.start_model_loading()
            self.say("Pre-annotation starts as soon as the spaCy pipeline has loaded")
            return
        self._run(
            "preannotate",
            workers.preannotate_work(self.project.path, self.nlp),
            "Pre-annotate",
            "Documents annotated:",
            self._preannotated,
        )

    def _preannotated(self, result: Any) -> None:
        state = "cancelled after" if result.cancelled else "done:"
        self.say(
            f"Pre-annotation {state} {result.done:,} documents, {result.spans:,} spans "
            f"({result.skipped:,} already done)"
        )
        self._reload_after_job()

    def import_files(self, paths: list[str] | None = None) -> None:
        if self.project is None:
            self.say("Open or create a project first")
            return
        dialog = ImportDialog(self)
        if paths:
            dialog.set_paths(paths)
        if not dialog.exec():
            return
        inputs, fmt, options = dialog.choice()
        self._run(
            "import",
            workers.import_work(self.project.path, inputs, fmt, options),
            "Import",
            "Documents read:",
            self._imported,
        )

    def _imported(self, report: Any) -> None:
        self._reload_after_job()
        self.tell("Import", import_summary(report))

    def export_files(self) -> None:
        if self.project is None:
            self.say("Open or create a project first")
            return
        names = [a.name for a in self.project.annotators()]
        dialog = ExportDialog(names, self.annotator, self.project.path, self)
        if not dialog.exec():
            return
        out, fmt, options = dialog.choice()
        self._run(
            "export",
            workers.export_work(self.project.path, out, fmt, options),
            "Export",
            "Documents written:",
            self._exported,
        )

    def _exported(self, report: Any) -> None:
        self.tell("Export", export_summary(report))

    def _reload_after_job(self) -> None:
        """Show what a worker wrote through its own connection."""
        if self.project is None:
            return
        # The worker may have added labels to the scheme through its own connection.
        stored = self.project.setting("scheme")
        if stored:
            self.project.set_scheme(LabelScheme.from_dict(json.loads(stored)))
        current = self.doc_id
        self._build_label_actions()
        self.doc_list.reset(self.project, self.annotator)
        if current is not None:
            self.open_document(current)
        else:
            first = self._first_document()
            if first is not None:
                self.open_document(first)
