"""The annotation window: wires the document list, the editor, the side panel and the controller.

No editing logic here: keys become controller calls, controller signals become view updates.
Everything shown is read from the project file, so the window can be killed at any moment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMetaObject, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.model import LabelScheme, Status
from desktop.store import Project, ProjectError
from desktop.ui import actions as registry
from desktop.ui import resources, session, workers
from desktop.ui.background import BackgroundWork
from desktop.ui.controller import AnnotationController
from desktop.ui.dialogs import (
    ShortcutSheet,
)
from desktop.ui.doclist import STATUS_TEXT, DocumentList
from desktop.ui.editor import EditorView
from desktop.ui.findbar import FindBar
from desktop.ui.sidepanel import SidePanel

if TYPE_CHECKING:
    from desktop.ui.review import ReviewMode

APP_TITLE = "Etiquette"
FINISHED = (Status.ACCEPTED, Status.REJECTED, Status.SKIPPED)
MAX_RECENT = 8
ZOOM_STEP = 1.15


def recent_projects(settings: QSettings) -> list[str]:
    """Recent project paths, newest first (an INI file gives a lone string for a one-item list)."""
    value = settings.value("recent_projects", [])
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(p) for p in items if p]


class MainWindow(BackgroundWork, QMainWindow):
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
        self._undo_links: list[QMetaObject.Connection] = []
        self.annotator = ""
        self.given_annotator = annotator
        """The name given on the command line: used for the first project opened."""
        self.nlp: Any = None
        self.model_job: workers.Job | None = None
        self._preannotate_when_loaded = False
        self.jobs = workers.Jobs(self)
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

        self.annotator_label = QLabel()
        self.annotator_label.setObjectName("annotator_status")
        self.annotator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.annotator_label)
        self.model_label = QLabel("spaCy: not loaded")
        self.model_label.setObjectName("model_status")
        self.statusBar().addPermanentWidget(self.model_label)

        self.action_map = registry.build_actions(self, self._handler, self.overrides)
        self.label_actions: list[QAction] = []
        self._build_menus()
        self._connect()
        self._review: ReviewMode | None = None
        self._restore_state()
        self._update_title()
        self.header.setText("Open a project (Ctrl+O), or create one (Ctrl+N)")
        self.setAcceptDrops(True)
        if self.overrides.problems:
            QTimer.singleShot(0, lambda: self.say("; ".join(self.overrides.problems)))

    # --- construction ----------------------------------------------------------------------------

    def _handler(self, name: str) -> Any:
        return getattr(self, name)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        menus = {name: bar.addMenu(f"&{name}") for name in registry.MENUS}
        self.recent_menu = menus["File"].addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        for spec in registry.ACTIONS:
            menu = menus[spec.menu]
            if spec.id in (
                "import",
                "switch_annotator",
                "quit",
                "undo",
                "find",
                "accept",
                "preannotate",
                "zoom_in",
            ):
                menu.addSeparator()
            menu.addAction(self.action_map[spec.id])
        self.addActions(list(self.action_map.values()))
        self.labels_menu = bar.addMenu("&Labels")
        bar.insertMenu(menus["Help"].menuAction(), self.labels_menu)

    def _connect(self) -> None:
        self.doc_list.document_activated.connect(self.open_document)
        self.side.span_clicked.connect(self._jump_to_span)
        self.side.relation_clicked.connect(self._jump_to_relation)
        self.side.label_clicked.connect(self._label_clicked)
        self.editor.text_selected.connect(self._text_selected)
        self.editor.span_selected.connect(self.side.select_span)
        self.editor.relation_selected.connect(self.side.select_relation)
        self.editor.relation_drawn.connect(self._relation_drawn)
        self.editor.relation_mode_changed.connect(self.action_map["relation_mode"].setChecked)
        self.find_bar.find_requested.connect(self._find)
        self.find_bar.closed.connect(self.editor.setFocus)

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
            QTimer.singleShot(0, lambda: self.import_files(paths))

    def _update_title(self) -> None:
        parts = [APP_TITLE]
        if self.project is not None:
            parts.append(self.project.path.name)
        if self.annotator:
            parts.append(self.annotator)
        self.setWindowTitle(" — ".join(parts))
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

    def _remember(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self.recent_projects() if p != str(path.resolve())]
        self.settings.setValue("recent_projects", recent[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_projects():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_project_path(Path(p)))
        if not self.recent_projects():
            self.recent_menu.addAction("No recent projects").setEnabled(False)

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
        self._remember(path)
        name, self.given_annotator = self.given_annotator or session.annotator_of(self.settings, path), None
        self.annotator = ""
        if name:
            self.set_annotator(name)
        else:
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
        self._follow_history(controller)

    def _drop_controller(self) -> None:
        """Let go of the session's controller; it must not signal while it dies."""
        old = self._controller
        self.controller = None
        if old is not None:
            old.blockSignals(True)
            old.deleteLater()

    def _follow_history(self, controller: AnnotationController | None) -> None:
        """Undo/Redo say what they would undo; the History tab lists the annotator's steps."""
        for link in self._undo_links:
            QObject.disconnect(link)
        self._undo_links = []
        if controller is not None:
            self._undo_links = [controller.history_changed.connect(self._history_changed)]
        self._history_changed()

    def _history_changed(self) -> None:
        ctl = self._controller
        undo, redo = ctl.undo_text() if ctl else "", ctl.redo_text() if ctl else ""
        self.action_map["undo"].setText(f"&Undo {undo}" if undo else "&Undo")
        self.action_map["redo"].setText(f"&Redo {redo}" if redo else "&Redo")
        self.action_map["undo"].setEnabled(bool(undo))
        self.action_map["redo"].setEnabled(bool(redo))
        self.side.history_model.show(ctl.project if ctl else None, ctl.annotator if ctl else "")
        self.side.history.scrollToBottom()

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

    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "", "Etiquette projects (*.db)")
        if not path:
            return
        schemes = resources.label_schemes()
        name, ok = QInputDialog.getItem(
            self, "New project", "Labels of the project:", [n for n, _ in schemes], 0, False
        )
        if ok:
            self.open_project_path(Path(path).with_suffix(".db"), dict(schemes)[name])

    def open_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", "", "Etiquette projects (*.db);;All files (*)"
        )
        if path:
            self.open_project_path(Path(path))

    def ask_annotator(self) -> bool:
        name, ok = QInputDialog.getText(
            self,
            APP_TITLE,
            "Your name in this project (it is saved with every edit):",
            text=self.annotator or session.last_name(self.settings),
        )
        name = name.strip()
        if not ok or not name:
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
            self._start_session()

    # --- label keys (from the project's scheme) -----------------------------------------------------

    def _build_label_actions(self) -> None:
        for action in self.label_actions:
            self.removeAction(action)
            action.deleteLater()
        self.label_actions = []
        self.labels_menu.clear()
        assert self.project is not None and self.controller is not None
        taken = {
            QKeySequence(k).toString()
            for keys in registry.effective_shortcuts(self.overrides).values()
            for k in keys
        }
        scheme = self.project.scheme
        entries = [(e.name, e.key, self.controller.apply_entity_label, "") for e in scheme.entities]
        entries += [
            (r.name, r.key, self.controller.apply_relation_label, "relation ") for r in scheme.relations
        ]
        for name, key, apply, kind in entries:
            action = QAction(f"{kind}{name}".capitalize() if kind else name, self)
            action.setObjectName(f"label_{kind.strip() or 'entity'}_{name}")
            sequence = QKeySequence(key) if key else QKeySequence()
            if key and sequence.toString() in taken:
                self.say(f"The key {key} of label {name} is taken by another action")
            elif key:
                action.setShortcut(sequence)
                taken.add(sequence.toString())
            action.triggered.connect(lambda _c=False, a=apply, n=name: a(n))
            self.labels_menu.addAction(action)
            self.addAction(action)
            self.label_actions.append(action)

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
        self._finish(Status.ACCEPTED)

    def reject_document(self) -> None:
        self._finish(Status.REJECTED)

    def skip_document(self) -> None:
        self._finish(Status.SKIPPED)

    # --- editing (all through the controller) -----------------------------------------------------

    def undo(self) -> None:
        if self.controller is not None:
            self.controller.undo()

    def redo(self) -> None:
        if self.controller is not None:
            self.controller.redo()

    def delete_selected(self) -> None:
        if self.controller is not None:
            self.controller.delete_selected()

    def confirm_selected(self) -> None:
        if self.controller is not None:
            self.controller.confirm_selected()

    def clear_selection(self) -> None:
        if self.find_bar.isVisible() and self.find_bar.edit.hasFocus():
            self.find_bar.close_bar()
        elif self.controller is not None and self.controller.drawing:
            self.controller.cancel()
        else:
            # The editor knows what Escape means to it (a drag, a head clicked, relation mode).
            self.editor.escape()

    def link_selected(self) -> None:
        if self.controller is None:
            return
        if not self.editor.relation_mode():
            self.say("Turn on relation mode to link spans with the keyboard")
            return
        self.controller.link_selected()

    def _relation_drawn(self, head: int, child: int) -> None:
        if self.controller is not None:
            self.controller.relation_drawn(head, child)

    def toggle_relation_mode(self) -> None:
        self.editor.set_relation_mode(not self.editor.relation_mode())
        self.action_map["relation_mode"].setChecked(self.editor.relation_mode())
        self.say(
            "Relation mode: drag from one span to another, then press the relation's key"
            if self.editor.relation_mode()
            else "Span mode"
        )

    def next_span(self) -> None:
        self.editor.next_span()

    def previous_span(self) -> None:
        self.editor.previous_span()

    def _jump_to_span(self, span_id: int) -> None:
        self.editor.scroll_to_span(span_id)
        self.editor.select_span(span_id)
        self.editor.setFocus()

    def _label_clicked(self, label: str, relation: bool) -> None:
        if self.controller is None:
            return
        if relation:
            self.controller.apply_relation_label(label)
        else:
            self.controller.apply_entity_label(label)

    def _text_selected(self, start: int, end: int) -> None:
        if self.project is None:
            return
        keys = ", ".join(f"{e.key} {e.name}" for e in self.project.scheme.entities if e.key)
        self.say(f"{end - start} characters selected: press a label's key ({keys})")

    def _jump_to_relation(self, rel_id: int) -> None:
        self.editor.select_relation(rel_id)
        self.editor.setFocus()

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

    # --- find and zoom ----------------------------------------------------------------------------

    def find_in_document(self) -> None:
        self.find_bar.open_bar()

    def find_next(self) -> None:
        if self.find_bar.edit.text():
            self._find(self.find_bar.edit.text(), True)
        else:
            self.find_in_document()

    def _find(self, query: str, forward: bool) -> None:
        if query:
            self.find_bar.show_result(self.editor.find(query, forward))

    def focus_search(self) -> None:
        self.doc_list.search.setFocus()
        self.doc_list.search.selectAll()

    def zoom_in(self) -> None:
        self.editor.set_zoom(self.editor.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.editor.set_zoom(self.editor.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self.editor.set_zoom(1.0)

    def show_shortcuts(self) -> None:
        scheme = self.project.scheme if self.project else LabelScheme()
        sheet = ShortcutSheet(registry.effective_shortcuts(self.overrides), scheme, self)
        sheet.setObjectName("shortcut_sheet")
        sheet.open()
