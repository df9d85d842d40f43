"""The annotation window: wires the document list, the editor, the side panel and the controller.

No editing logic here: keys become controller calls, controller signals become view updates.
Everything shown is read from the project file, so the window can be killed at any moment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.model import LabelScheme, Origin, Status
from desktop.store import Project, ProjectError
from desktop.ui import actions as registry
from desktop.ui import projects, workers
from desktop.ui.controller import AnnotationController
from desktop.ui.dialogs import ShortcutSheet
from desktop.ui.doclist import STATUS_TEXT, DocumentList
from desktop.ui.editing import Editing
from desktop.ui.editor import EditorView
from desktop.ui.findbar import FindBar
from desktop.ui.longwork import LongWork
from desktop.ui.menus import LabelKeys, UndoActions, build_menus
from desktop.ui.projects import APP_TITLE, recent_projects
from desktop.ui.sidepanel import SidePanel

if TYPE_CHECKING:
    from desktop.ui.review import ReviewMode

__all__ = ["APP_TITLE", "MainWindow", "recent_projects"]

FINISHED = (Status.ACCEPTED, Status.REJECTED, Status.SKIPPED)
ZOOM_STEP = 1.15


class MainWindow(QMainWindow):
    document_opened = Signal(int)
    job_finished = Signal(str, object)
    """(job name, result) once a background job's result has been shown."""

    def __init__(
        self, settings: QSettings, overrides: registry.Overrides | None = None, annotator: str | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.settings = settings
        self.project: Project | None = None
        self._controller: AnnotationController | None = None
        self.annotator = annotator or str(settings.value("annotator", "") or "")
        self.jobs = workers.Jobs(self)
        self.work: LongWork = LongWork(self)
        self.last_message = ""
        """The text of the last message box (the summary of an import or export)."""
        self.overrides = overrides if overrides is not None else registry.read_overrides()

        self.editor = EditorView()
        self.editor.setObjectName("editor")
        self.find_bar = FindBar()
        self.header = QLabel()
        self.header.setObjectName("document_header")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)

        self.doc_list = DocumentList()
        self.side = SidePanel()
        self.docs_dock = self._dock("Documents", self.doc_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.side_dock = self._dock("Annotations", self.side, Qt.DockWidgetArea.RightDockWidgetArea)

        self.selection_label = QLabel()
        self.selection_label.setObjectName("selection_status")
        self.selection_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.selection_label, 1)
        self.model_label = QLabel("spaCy: not loaded")
        self.model_label.setObjectName("model_status")
        self.statusBar().addPermanentWidget(self.model_label)

        self.action_map = registry.build_actions(self, self, self.overrides)
        self.menus = build_menus(self, self.action_map)
        self.recent_menu = self.menus["Recent"]
        view = self.menus["View"]  # a closed panel comes back from here
        view.addSeparator()
        for dock in (self.docs_dock, self.side_dock):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action_show_{dock.objectName()}")
            view.addAction(toggle)
        self.recent_menu.aboutToShow.connect(lambda: projects.fill_recent_menu(self, self.recent_menu))
        self.label_keys = LabelKeys(self, self.menus["Labels"], self.say)
        self.undo_actions = UndoActions(
            self.action_map["undo"], self.action_map["redo"], self.side.history, self
        )
        self.doc_list.document_activated.connect(self.open_document)
        self.editing: Editing = Editing(self)
        self._review: ReviewMode | None = None
        self._restore_state()
        self._update_title()
        self.header.setText("Open a project (Ctrl+O), or create one (Ctrl+N)")
        self.setAcceptDrops(True)
        if self.overrides.problems:
            QTimer.singleShot(0, lambda: self.say("; ".join(self.overrides.problems)))

    # --- construction ----------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    # --- state ------------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.docs_dock, self.side_dock], [360, 390], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.jobs.wait(10000)
        self._drop_controller()
        if self.project is not None:
            self.project.close()
            self.project = None
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.project is not None and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped on the window are imported (the import dialog opens with them)."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.work.import_files(paths))

    def _update_title(self) -> None:
        # The application's name last: desktops add it after a title that does not end with it,
        # which would show "Etiquette" twice.
        parts = []
        if self.project is not None:
            parts.append(self.project.path.name)
        if self.annotator:
            parts.append(self.annotator)
        self.setWindowTitle(" — ".join([*parts, APP_TITLE]))

    def say(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def tell(self, title: str, text: str, warning: bool = False) -> None:
        """A message box that does not block the event loop (work may still be arriving)."""
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("message_box")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = text
        box.open()

    # --- projects ---------------------------------------------------------------------------------

    def recent_projects(self) -> list[str]:
        return recent_projects(self.settings)

    def open_project_path(self, path: Path, scheme: LabelScheme | None = None) -> bool:
        """Open a project file, or create it with `scheme`."""
        try:
            project = Project.create(path, scheme=scheme) if scheme else Project.open(path)
        except ProjectError as e:
            self.tell(APP_TITLE, str(e), warning=True)
            return False
        if self.project is not None:
            self.project.close()
        self.project = project
        projects.remember(self.settings, path)
        if not self.annotator:
            self.ask_annotator()
        self._start_session()
        return True

    def _start_session(self) -> None:
        """(Re)build everything that depends on the project and the annotator."""
        project = self.project
        if project is None:
            return
        if self._review is not None:
            self._review.leave()
        if self.annotator:
            project.ensure_annotator(self.annotator)
        self._drop_controller()
        self.controller = AnnotationController(project, self.annotator, self.editor, self)
        self.controller.annotation_changed.connect(self._annotation_changed)
        self.controller.revisited.connect(self.open_document)
        self.controller.message.connect(self.say)
        self._build_label_actions()
        self.side.set_project(project.scheme, project.guidelines)
        self.doc_list.reset(project, self.annotator)
        self._update_title()
        self.say("Select text and press a label's key; F1 lists every shortcut")
        first = self._first_document()
        if first is not None:
            self.open_document(first)
        else:
            self.editor.set_content("", [], [], [], project.scheme)
            self.header.setText("This project has no documents yet: File → Import…")

    @property
    def controller(self) -> AnnotationController | None:
        """Who turns keys into edits: the session's, or review mode's while it is on."""
        return self._controller

    @controller.setter
    def controller(self, controller: AnnotationController | None) -> None:
        self._controller = controller
        self.undo_actions.follow(controller.undo_stack if controller is not None else None)

    def _drop_controller(self) -> None:
        """Let go of the session's controller; its undo stack must not signal while it dies."""
        old = self._controller
        self.controller = None
        if old is not None:
            old.undo_stack.blockSignals(True)
            old.deleteLater()

    def _first_document(self) -> int | None:
        """Where to resume: the first document still to do, else the first of the list."""
        assert self.project is not None
        # Ask for the finished ones: early in a big project they are few, the rest are many.
        done = set(self.project.document_ids(self.annotator, FINISHED))
        model = self.doc_list.model
        for row in range(model.rowCount()):
            if model.doc_id(row) not in done:
                return model.doc_id(row)
        return model.next_id(None, 1)

    def ask_annotator(self) -> bool:
        name = projects.ask_annotator(self)
        if name is None:
            return False
        self.set_annotator(name)
        return True

    def set_annotator(self, name: str) -> None:
        self.annotator = name
        self.settings.setValue("annotator", name)
        self._update_title()

    def switch_annotator(self) -> None:
        if self.ask_annotator():
            self._start_session()

    # --- label keys (from the project's scheme) -----------------------------------------------------

    @property
    def label_actions(self) -> list[QAction]:
        return self.label_keys.actions

    def _build_label_actions(self) -> None:
        assert self.project is not None and self.controller is not None
        taken = [k for keys in registry.effective_shortcuts(self.overrides).values() for k in keys]
        self.label_keys.rebuild(
            self.project.scheme,
            taken,
            self.controller.apply_entity_label,
            self.controller.apply_relation_label,
        )

    # --- documents --------------------------------------------------------------------------------

    @property
    def doc_id(self) -> int | None:
        return self.controller.doc_id if self.controller else None

    def open_document(self, doc_id: int) -> None:
        if self.project is None or self.controller is None:
            return
        if not self.annotator and not self.ask_annotator():
            return
        try:
            doc, ann = self.controller.open(doc_id)
        except ProjectError as e:
            self.say(str(e))
            return
        self.editor.set_content(doc.text, doc.tokens, ann.spans, ann.relations, self.project.scheme)
        self.side.show_annotation(doc, ann, self.project.scheme)
        self.side.show_document_meta(doc)
        self.doc_list.show_document(doc_id)
        self.doc_list.refresh_document(doc_id)
        self._update_header()
        self.editor.setFocus()
        self.document_opened.emit(doc_id)

    def _update_header(self) -> None:
        ctl = self.controller
        if ctl is None or ctl.document is None or ctl.annotation is None:
            return
        doc = ctl.document
        source = doc.meta.get("source") or doc.meta.get("file") or ""
        parts = [f"Document {doc.id}", STATUS_TEXT[ctl.annotation.status], f"{len(doc.text):,} characters"]
        if source:
            parts.append(str(source))
        self.header.setText("  ·  ".join(parts))

    def _annotation_changed(self, doc_id: int) -> None:
        if self.controller is None or self.project is None:
            return
        self.doc_list.refresh_document(doc_id)
        self.doc_list.update_progress()
        if doc_id == self.controller.doc_id:
            self.side.show_annotation(
                self.controller.document, self.controller.annotation, self.project.scheme
            )
            self.side.select_span(self.editor.selected_span())
            self._update_header()

    def _step(self, step: int) -> None:
        target = self.doc_list.model.next_id(self.doc_id, step)
        if target is None:
            self.say("No next document in this list" if step > 0 else "No previous document in this list")
            return
        self.open_document(target)

    def next_document(self) -> None:
        self._step(1)

    def previous_document(self) -> None:
        self._step(-1)

    def _finish(self, status: Status) -> None:
        if self.controller is None or self.controller.document is None:
            return
        self.controller.set_status(status)
        self._step(1)

    def accept_document(self) -> None:
        ann = self.controller.annotation if self.controller is not None else None
        left = sum(1 for s in ann.spans if s.origin == Origin.MODEL) if ann is not None else 0
        self._finish(Status.ACCEPTED)
        if left:
            self.say(
                f"Accepted with {left} unconfirmed suggestion{'s' if left != 1 else ''}: "
                "they are now part of your annotation"
            )

    def reject_document(self) -> None:
        self._finish(Status.REJECTED)

    def skip_document(self) -> None:
        self._finish(Status.SKIPPED)

    # --- after long work (desktop/ui/longwork.py) ------------------------------------------------

    def reload_project(self) -> None:
        """Show what a worker wrote through its own connection (documents, labels it added)."""
        if self.project is None:
            return
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

    # --- review mode (desktop/ui/review) ---------------------------------------------------------

    @property
    def review(self) -> ReviewMode:
        """Review mode, built the first time it is wanted: the window starts without paying for it."""
        if self._review is None:
            from desktop.ui import review

            self._review = review.install(self)
        return self._review

    def toggle_review_mode(self) -> None:
        self.review.toggle()

    def show_agreement(self) -> None:
        self.review.show_dashboard()

    def next_dispute(self) -> None:
        self.review.step_dispute(1)

    def previous_dispute(self) -> None:
        self.review.step_dispute(-1)

    def show_shortcuts(self) -> None:
        scheme = self.project.scheme if self.project else LabelScheme()
        sheet = ShortcutSheet(registry.effective_shortcuts(self.overrides), scheme, self)
        sheet.setObjectName("shortcut_sheet")
        sheet.open()
