"""The window's long work: loading spaCy, pre-annotating, importing and exporting.

Each flow asks what it needs (a dialog), runs the work off the GUI thread with `workers.run`
(a progress dialog that can cancel), and shows the outcome when the result arrives. Pre-annotation,
which takes as long as the documents do, runs beside the person's work instead: its progress and
Cancel are in the status bar, and what it wrote is shown when it ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from desktop.model import LabelScheme
from desktop.ui import workers
from desktop.ui.dialogs import ExportDialog, ImportDialog, export_summary, import_summary

if TYPE_CHECKING:
    from pathlib import Path

    from desktop.store import Project
    from desktop.ui.window import MainWindow


class LongWork(QObject):
    """Model loading, pre-annotation, import and export for the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.nlp: Any = None
        self.model_op: workers.Op | None = None
        self.preannotate_when_loaded = False

    def _finished(self, name: str, result: Any) -> None:
        self.window.job_finished.emit(name, result)

    def _run(
        self, name: str, work: workers.Work, title: str, label: str, done: Any, beside: bool = False
    ) -> workers.Op:
        """Run `work`; its progress in a modal dialog, or `beside` the person's work in the status bar."""
        w = self.window
        op = workers.run(w, work, name)
        op = op.in_status_bar(w, label) if beside else op.with_progress(title, label)
        return (
            op.on_done(done)
            .on_done(lambda result: self._finished(name, result))
            .on_fail(lambda message: w.tell(title, message, warning=True))
            .on_fail(lambda _m: self._finished(name, None))
        )

    # --- the spaCy pipeline -----------------------------------------------------------------------

    def start_model_loading(self) -> None:
        """Load the project's spaCy pipeline in a worker; the window works without it."""
        w = self.window
        if w.project is None or self.model_op is not None or self.nlp is not None:
            return
        name = w.project.model
        w.model_label.setText(f"spaCy: loading {name}…")
        self.model_op = (
            workers.run(w, workers.load_model_work(name), "load_model")
            .on_done(self._model_loaded)
            .on_fail(self._model_failed)
        )

    def _model_loaded(self, nlp: Any) -> None:
        self.nlp = nlp
        self.model_op = None
        self.window.model_label.setText(f"spaCy: {nlp.meta.get('lang')}_{nlp.meta.get('name')} ready")
        self._finished("load_model", nlp)
        if self.preannotate_when_loaded:
            self.preannotate_when_loaded = False
            self.preannotate()

    def _model_failed(self, message: str) -> None:
        self.model_op = None
        self.window.model_label.setText("spaCy: not available")
        self.window.say(f"The spaCy pipeline could not be loaded: {message.splitlines()[0]}")

    # --- pre-annotation, import, export -----------------------------------------------------------

    def preannotate(self) -> None:
        w = self.window
        if w.project is None:
            return
        if any(job.name == "preannotate" for job in w.jobs.running):
            self._ask_to_stop()
            return
        if self.nlp is None:
            self.preannotate_when_loaded = True
            self.start_model_loading()
            w.say("Pre-annotation starts as soon as the spaCy pipeline has loaded")
            return
        self._run(
            "preannotate",
            workers.preannotate_work(w.project.path, self.nlp),
            "Pre-annotate",
            "Pre-annotating:",
            lambda result, path=w.project.path: self._preannotated(result, path),
            beside=True,  # runs for as long as the documents take: annotating goes on meanwhile
        )

    def _ask_to_stop(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Pre-annotate",
            "Pre-annotation is running. Stop it?\n\n"
            "The suggestions stored so far are kept; pre-annotating again continues where it stopped.",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setObjectName("stop_preannotation")
        stop = box.addButton("&Stop", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep Running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.stop_beside() if button is stop else None)
        box.open()

    def stop_beside(self, wait: float = 0.0) -> None:
        """Cancel the jobs that run beside the person's work; with `wait`, wait that many seconds
        for them to end (before the project they write to is closed)."""
        for job in self.window.jobs.running:
            if job.beside:
                if job.op is not None:
                    job.op.cancel()
                if wait:
                    job.done.wait(wait)

    def _preannotated(self, result: Any, path: Path) -> None:
        w = self.window
        state = "cancelled after" if result.cancelled else "done:"
        said = f"{state} {result.done:,} documents, {result.spans:,} spans ({result.skipped:,} already done)"
        if w.project is None or w.project.path != path:  # another project was opened meanwhile
            w.say(f"Pre-annotation of {path.name} {said}")
            return
        self.reload_project()  # first: opening the document again clears the status bar
        w.say(f"Pre-annotation {said}")

    def import_files(self, paths: list[str] | None = None) -> None:
        def ask(project: Project) -> ImportDialog:
            dialog = ImportDialog(self.window)
            if paths:
                dialog.set_paths(paths)
            return dialog

        self._ask_and_run("import", ask, workers.import_work, "Import", "Documents read:", self._imported)

    def _imported(self, report: Any) -> None:
        self.reload_project()
        self.window.tell("Import", import_summary(report))

    def export_files(self) -> None:
        w = self.window

        def ask(project: Project) -> ExportDialog:
            return ExportDialog([a.name for a in project.annotators()], w.annotator, project.path, w)

        self._ask_and_run(
            "export",
            ask,
            workers.export_work,
            "Export",
            "Documents written:",
            lambda report: w.tell("Export", export_summary(report)),
        )

    def _ask_and_run(
        self,
        name: str,
        ask: Callable[[Project], ImportDialog | ExportDialog],
        work: Callable[[Path, Any, str, Any], workers.Work],
        title: str,
        label: str,
        done: Callable[[Any], object],
    ) -> None:
        """An import or an export: the dialog `ask` makes says what, in which format and how, then
        `work(project path, what, format, options)` runs with a progress dialog."""
        w = self.window
        if w.project is None:
            w.say("Open or create a project first")
            return
        dialog = ask(w.project)
        if not dialog.exec():
            return
        what, fmt, options = dialog.choice()
        self._run(name, work(w.project.path, what, fmt, options), title, label, done)

    def reload_project(self) -> None:
        """Show what a worker wrote through its own connection (documents, labels it added)."""
        w = self.window
        if w.project is None:
            return
        w.together.seen()  # what the worker wrote is the window's own, not another program's
        stored = w.project.setting("scheme")
        if stored:
            w.project.set_scheme(LabelScheme.from_dict(json.loads(stored)))
        current = w.doc_id
        w.build_label_keys()
        w.doc_list.reset(w.project, w.annotator)
        if current is not None:
            w.open_document(current)
        else:
            first = w.first_document()
            if first is not None:
                w.open_document(first)
