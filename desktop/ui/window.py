"""The annotation window: wires the document list, the editor, the side panel and the controller.

No editing logic here: actions (ui/actions.py) call the window's parts (editing, navigation, long
work), which call the controller; controller signals become view updates. A mode (review mode)
fills the window's slots with its own parts through `enter(mode)` / `leave()`. Everything shown
is read from the project file, so the window can be killed at any moment.
"""

from __future__ import annotations

import sqlite3
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

from desktop.errors import explain
from desktop.model import LabelScheme, Status
from desktop.store import Project, ProjectError
from desktop.ui import actions as registry
from desktop.ui import learning, projects, session, workers
from desktop.ui.controller import AnnotationController
from desktop.ui.dialogs import ShortcutSheet
from desktop.ui.doclist import DocumentList
from desktop.ui.editing import Editing
from desktop.ui.editor import EditorView
from desktop.ui.findbar import FindBar
from desktop.ui.longwork import LongWork
from desktop.ui.menus import LabelKeys, UndoActions, build_menus
from desktop.ui.modes import Mode, Slots
from desktop.ui.navigation import Navigation
from desktop.ui.projects import APP_TITLE, recent_projects
from desktop.ui.sidepanel import SidePanel
from desktop.ui.startpage import StartPage
from desktop.ui.together import Together
from desktop.ui.upkeep import Upkeep

if TYPE_CHECKING:
    from desktop.ui.review import ReviewMode

__all__ = ["APP_TITLE", "MainWindow", "recent_projects"]

FINISHED = (Status.ACCEPTED, Status.REJECTED, Status.SKIPPED)


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
        self.annotator = ""
        self.given_annotator = annotator
        """The name given on the command line: used for the first project opened."""
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
        self.header.setWordWrap(True)  # a long header wraps rather than widen the window
        self.annotation_list = DocumentList()
        self.doc_list = self.annotation_list
        """The document list shown: the window's own, or the mode's."""
        self.side = SidePanel()
        self.docs_dock = self._dock("Documents", self.doc_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.side_dock = self._dock("Annotations", self.side, Qt.DockWidgetArea.RightDockWidgetArea)
        self.slots = Slots(self.docs_dock, self.editor)
        self.mode: Mode | None = None
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.slots.splitter, 1)
        layout.addWidget(self.find_bar)
        self.start_page = StartPage(self)
        layout.addWidget(self.start_page, 1)
        self.slots.splitter.hide()  # until a project opens: the start page instead
        self.setCentralWidget(central)

        self.selection_label = QLabel()
        self.selection_label.setObjectName("selection_status")
        self.selection_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.selection_label, 1)
        self.annotator_label = QLabel()
        self.annotator_label.setObjectName("annotator_status")
        self.annotator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.annotator_label)
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
        self.label_keys = LabelKeys(self, self.menus["Labels"])
        self.undo_actions = UndoActions(
            self.action_map["undo"], self.action_map["redo"], self.side.history, self
        )
        self.annotation_list.document_activated.connect(self.open_document)
        self.editing: Editing = Editing(self)
        self.navigation: Navigation = Navigation(self)
        self.upkeep: Upkeep = Upkeep(self)
        self.together: Together = Together(self)
        self.learning: learning.LearningLoop = learning.install(self)
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
            self.upkeep.checkpoint()
            self.together.closing()
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
        if self.mode is not None:
            parts.append(self.mode.title)
        self.setWindowTitle(" — ".join([*parts, APP_TITLE]))
        self.annotator_label.setText(f"Annotator: {self.annotator}" if self.annotator else "")

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
        how = self.together.ask(path) if not scheme else "write"
        if how is None:
            return False
        try:
            if scheme:
                project = Project.create(path, scheme=scheme)
            else:
                project = Project.open(path, read_only=how == "read_only")
        except (ProjectError, OSError, sqlite3.Error) as e:  # a full disk, too, is said in a dialog
            self.tell(APP_TITLE, explain(e, path, "no project was opened") or str(e), warning=True)
            return False
        if self.project is not None:
            self.work.stop_beside(wait=30)  # it writes to the project being closed
            self.together.closing()
            self.project.close()
        self.project = project
        projects.remember(self.settings, path)
        self.start_page.hide()
        self.slots.splitter.show()
        name, self.given_annotator = self.given_annotator or session.annotator_of(self.settings, path), None
        self.annotator = ""
        if name:
            self.set_annotator(name)
        else:
            self.ask_annotator()
        self.leave() if self.mode is not None else self.start_session()
        self.together.opened()
        return True

    # --- the session and its mode ------------------------------------------------------------------

    def enter(self, mode: Mode) -> bool:
        """Show `mode`'s parts in the window's slots and start a session in it."""
        if self.project is None:
            self.say("Open a project first")
            return False
        if not self.annotator and not self.ask_annotator():
            return False
        if self.mode is mode:
            return True
        if self.mode is not None:
            self._take_down(self.mode)
        self.mode = mode
        self._fill_slots(mode.document_list, mode.list_title, mode.banner, mode.panel)
        self.start_session()
        mode.entered()
        return True

    def leave(self) -> None:
        """Back to annotating: the window's own parts, and a new session."""
        if self.mode is not None:
            self._take_down(self.mode)
        self.start_session()

    def _take_down(self, mode: Mode) -> None:
        self.mode = None
        self._fill_slots(self.annotation_list, "Documents", None, None)
        mode.left()

    def _fill_slots(
        self, doc_list: DocumentList, title: str, banner: QWidget | None, panel: QWidget | None
    ) -> None:
        if doc_list is not self.doc_list:
            self.doc_list.document_activated.disconnect(self.open_document)
            doc_list.document_activated.connect(self.open_document)
        self.doc_list = doc_list
        self.slots.set_list(doc_list, title)
        self.slots.set_banner(banner)
        self.slots.set_panel(panel)

    def start_session(self) -> None:
        """(Re)build everything that depends on the project, the annotator and the mode."""
        project = self.project
        if project is None:
            return
        if self.annotator and project.read_only is None:
            project.ensure_annotator(self.annotator)
        self._drop_controller()
        make = self.mode.make_controller if self.mode is not None else AnnotationController
        self.controller = make(project, self.annotator, self.editor, self)
        self.controller.annotation_changed.connect(self._annotation_changed)
        self.controller.revisited.connect(self.open_document)
        self.controller.message.connect(self.say)
        self.build_label_keys()
        self.side.set_project(project.scheme, project.guidelines)
        self.doc_list.reset(project, self.annotator)
        self._update_title()
        if self.mode is not None:
            return  # the mode opens its first document
        self.say("Select text and press a label's key; F1 lists every shortcut")
        first = self.first_document()
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
        self.undo_actions.follow(controller)

    def _drop_controller(self) -> None:
        """Let go of the session's controller; it must not signal while it dies."""
        old = self._controller
        self.controller = None
        if old is not None:
            old.blockSignals(True)
            old.deleteLater()

    def first_document(self) -> int | None:
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
        """Annotate under `name`, remembered for the open project."""
        self.annotator = name
        if self.project is not None:
            session.remember(self.settings, self.project.path, name)
        self._update_title()

    def switch_annotator(self) -> None:
        if self.ask_annotator():
            self.leave()

    # --- label keys (from the project's scheme) -----------------------------------------------------

    @property
    def label_actions(self) -> list[QAction]:
        return self.label_keys.actions

    def build_label_keys(self) -> None:
        assert self.project is not None
        self.label_keys.rebuild(self.project.scheme, self.overrides)

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
        parts = [f"Document {doc.id}", ctl.annotation.status.text, f"{len(doc.text):,} characters"]
        if source:
            parts.append(str(source))
        self.header.setText("  ·  ".join(parts))

    def _annotation_changed(self, doc_id: int) -> None:
        if self.controller is None or self.project is None:
            return
        self.upkeep.edited()
        self.doc_list.refresh_document(doc_id)
        self.doc_list.update_progress()
        if doc_id == self.controller.doc_id:
            self.side.show_annotation(
                self.controller.document, self.controller.annotation, self.project.scheme
            )
            self.side.select_span(self.editor.selected_span())
            self._update_header()

    # --- review mode (desktop/ui/review) ---------------------------------------------------------

    @property
    def review(self) -> ReviewMode:
        """Review mode, built the first time it is wanted: the window starts without paying for it."""
        if self._review is None:
            from desktop.ui import review

            self._review = review.install(self)
        return self._review

    def show_shortcuts(self) -> None:
        scheme = self.project.scheme if self.project else LabelScheme()
        keys = registry.effective_shortcuts(self.overrides, registry.label_specs(scheme))
        sheet = ShortcutSheet(keys, scheme, self)
        sheet.setObjectName("shortcut_sheet")
        sheet.open()
