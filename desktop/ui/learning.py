"""The learning loop in the window: every few finished documents, a new model version trains in a
process of its own; an adopted version's suggestions replace the old ones on untouched documents.

Also the confidence display's window side: hiding unsure suggestions, the least-confident jump.
The rules (when to train, when to adopt) are in `desktop.nlp.learning`; this module only starts the
process, listens to it, and shows what it says in the status bar.
"""

from __future__ import annotations

import multiprocessing
import queue
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from desktop.nlp import learning
from desktop.nlp.learning import LearningState, Version

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

POLL_MS = 200


class LearningLoop(QObject):
    """Watches the documents a person finishes and runs rounds of training beside the window."""

    state_changed = Signal(str)
    """The status bar text changed."""
    round_finished = Signal(object)
    """A round ended: the `Version` it made (adopted or not), or None when it failed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("learning_loop")
        self.window = window
        self.label = QLabel()
        self.label.setObjectName("learning_status")
        window.statusBar().addPermanentWidget(self.label)
        self.state = LearningState()
        self._project: Any = None
        self._process: Any = None
        self._messages: Any = None
        self._starting = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        window.document_opened.connect(self._check)
        window.installEventFilter(self)

    @staticmethod
    def of(window: QObject) -> LearningLoop | None:
        return window.findChild(LearningLoop, "learning_loop")

    # --- when to train ------------------------------------------------------------------------

    def _check(self, _doc_id: int = 0) -> None:
        """After each document opens (the next one, once one is finished): is a round due?"""
        project = self.window.project
        if project is None:
            return
        if project is not self._project:
            self._project = project
            self.state = LearningState.load(project)
            self.apply_threshold()
            self._show(self._summary())
        if self.running() or not self.window.annotator:
            return
        if learning.due(self.state, learning.finished(project, self.window.annotator)):
            self.start_round()

    def running(self) -> bool:
        return self._process is not None

    def start_round(self) -> None:
        project = self.window.project
        if project is None or self.running() or not self.window.annotator:
            return
        done = learning.finished(project, self.window.annotator)
        multiprocessing.active_children()  # reaps the rounds that have ended
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no Qt, no GUI state
        self._messages = context.Queue()
        self._process = context.Process(
            target=learning.round_in_process,
            args=(str(project.path), self.window.annotator, self._messages),
            name="etiquette-learning",
            daemon=True,
        )
        self._process.start()
        self._starting = f"model v{self.state.number + 1} learning from {done} documents…"
        self._show(self._starting + self._scores_tail())
        self._timer.start()

    def stop(self) -> None:
        """End a round early (the window closes): the version in use stays, nothing half-written."""
        self._timer.stop()
        if self._process is not None:
            self._process.terminate()
            self._process.join(5)
            self._process = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
        return False

    # --- listening to the round -----------------------------------------------------------------

    def _poll(self) -> None:
        while self._messages is not None:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                break
            kind = message[0]
            if kind == "progress":
                _, stage, done, total = message
                pct = f" {100 * done // total}%" if total else ""
                what = self._starting if stage == "training" else "new suggestions for untouched documents…"
                self._show(f"{what}{pct}{self._scores_tail()}")
            elif kind == "done":
                self._finish(Version(**message[1]))
                return
            elif kind == "failed":
                self._end()
                self._show(f"model learning failed: {message[1].splitlines()[0]}")
                self.round_finished.emit(None)
                return
        if self._process is not None and not self._process.is_alive() and self._messages is not None:
            self._end()
            self._show("model learning stopped; the version in use is kept")
            self.round_finished.emit(None)

    def _end(self) -> None:
        # No join: the process is still closing spaCy and the project, which takes a second;
        # multiprocessing reaps it when the next round starts.
        self._timer.stop()
        self._process = None
        self._messages = None

    def _finish(self, version: Version) -> None:
        self._end()
        project = self.window.project
        if project is not None:
            self.state = LearningState.load(project)
        if version.adopted and project is not None:
            changed = project.refresh_suggestions(project.untouched_documents(), version.annotator)
            current = self.window.doc_id
            self.window.doc_list.reset(project, self.window.annotator)
            if current is not None:
                self.window.open_document(current)
            self._show(
                f"model v{version.k} adopted · F1 {version.previous_f1:.2f} → {version.f1:.2f} · "
                f"new suggestions on {max(version.suggested, len(changed))} untouched documents"
            )
        else:
            self._show(
                f"model v{version.k} not adopted (F1 {version.f1:.2f}, the version in use has "
                f"{version.previous_f1:.2f}); v{self.state.number} stays"
            )
        self.round_finished.emit(version)
        self._check()

    # --- the status bar ------------------------------------------------------------------------

    def _summary(self) -> str:
        if not self.state.versions:
            return ""
        return f"model v{self.state.number}{self._scores_tail()}"

    def _scores_tail(self) -> str:
        last = self.state.versions[-1] if self.state.versions else None
        return f" · F1 {last.previous_f1:.2f} → {last.f1:.2f}" if last else ""

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.label.setToolTip(
            "The model learns from the documents you finish; a new version is adopted only when it "
            "scores better on finished documents it did not learn from."
        )
        self.state_changed.emit(text)

    def status_text(self) -> str:
        return self.label.text()

    # --- confidence in the editor ----------------------------------------------------------------

    def hiding(self) -> bool:
        return self.window.action_map["hide_unsure"].isChecked()

    def apply_threshold(self) -> None:
        threshold = self.state.prefs.threshold if self.hiding() else 0.0
        self.window.editor.set_confidence_threshold(threshold)

    def toggle_unsure(self) -> None:
        self.apply_threshold()
        hidden = self.window.editor.hidden_suggestions()
        if self.hiding():
            self.window.say(
                f"{hidden} suggestion{'s' if hidden != 1 else ''} under "
                f"{self.state.prefs.threshold:.0%} confidence hidden"
            )
        else:
            self.window.say("Every suggestion shown")

    def least_confident(self) -> None:
        sid = self.window.editor.select_least_confident()
        if sid is None:
            self.window.say("No suggestion with a confidence in this document")


def install(window: MainWindow) -> LearningLoop:
    return LearningLoop.of(window) or LearningLoop(window)
