"""Review mode: the window switched from annotating to adjudicating into gold.

A mode of the window (`desktop.ui.modes.Mode`): while it is on, the session's controller is a
`ReviewController` on annotator `gold` (so label keys, Delete, relation mode and undo work on gold
exactly as in annotation mode), the document list is the list of documents with disagreements,
the lanes of the annotators' annotations are under the editor and a banner above it. Leaving it
gives the window back its own parts and a new annotation session.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from desktop.agreement.review import disagreements
from desktop.model import Annotation, AnnotatorKind, Status
from desktop.store import Project, ProjectError
from desktop.ui import workers
from desktop.ui.doclist import DocumentList
from desktop.ui.editor import EditorView
from desktop.ui.review.controller import ReviewController
from desktop.ui.review.doclist import ReviewDocumentList
from desktop.ui.review.lanes import LanesPanel

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

MAX_LANES = 9
REVIEW_ACTIONS = [f"take_lane_{n}" for n in range(1, MAX_LANES + 1)] + ["next_pane"]


def disagreements_work(path: Any, annotators: list[str]) -> workers.Work:
    """(ids worst first, disputed spans per id) in a worker, on its own connection."""

    def work(progress: workers.Progress) -> Any:
        with Project.open(path) as project:
            ids = disagreements(project, annotators)
            counts: dict[int, int] = {}
            for doc_id in ids:
                progress(len(counts), len(ids))
                counts[doc_id] = _disputed(project, doc_id, annotators)
            return ids, counts

    return work


def _disputed(project: Project, doc_id: int, annotators: list[str]) -> int:
    """Span and relation differences summed over pairs of annotators: the measure
    `disagreements` orders by, shown next to each document."""
    found = [a for n in annotators if (a := project.annotation(doc_id, n)) is not None]
    keys = [_keys(a) for a in found]
    return sum(len(a ^ b) for a, b in combinations(keys, 2))


def _keys(ann: Annotation) -> set[tuple[object, ...]]:
    spans = {s.id: s for s in ann.spans}
    out: set[tuple[object, ...]] = {s.key for s in ann.spans}
    for r in ann.relations:
        head, child = spans.get(r.head), spans.get(r.child)
        if head is not None and child is not None:
            out.add((head.start, head.end, child.start, child.end, r.label))
    return out


class ReviewMode(QObject):
    """Review mode for a window: its parts, its controller, its keys (a `desktop.ui.modes.Mode`)."""

    switched = Signal(bool)
    """Review mode was switched on (True) or off (False)."""
    list_ready = Signal()
    """The list of documents with disagreements is filled."""

    title = "reviewing"
    list_title = "Disagreements"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller: ReviewController | None = None
        self.chosen: list[str] | None = None
        """Annotators compared (None: every person, no model)."""
        self.list = ReviewDocumentList()
        self.document_list: DocumentList = self.list
        self.lanes = LanesPanel()
        self.lanes.take_requested.connect(self.take)
        self.lanes.chooser.setMenu(QMenu(self.lanes.chooser))
        self.lanes.chooser.menu().aboutToShow.connect(self._fill_chooser)
        self.lanes.follow(window.editor)
        self.panel: QWidget | None = self.lanes
        label = QLabel()
        label.setObjectName("gold_banner")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setContentsMargins(8, 4, 8, 4)
        label.setWordWrap(True)  # a long banner must not push the docks aside
        label.setStyleSheet("QLabel { background: #fff3bf; color: #5c4400; }")
        self.banner_label = label
        self.banner: QWidget | None = label
        self.dashboard: Any = None
        self._pending_doc: int | None = None

    @property
    def active(self) -> bool:
        return self.window.mode is self

    @property
    def lane_actions(self) -> list[QAction]:
        """Alt+1…9 (take from lane N) and F6 (next pane): on only while reviewing."""
        return [self.window.action_map[i] for i in REVIEW_ACTIONS]

    # --- the Mode protocol -----------------------------------------------------------------------

    def make_controller(
        self, project: Project, annotator: str, editor: EditorView, parent: QObject
    ) -> ReviewController:
        self.controller = ReviewController(project, annotator, self.annotators(), editor, parent)
        self.controller.annotation_changed.connect(self._gold_changed)
        return self.controller

    def entered(self) -> None:
        w = self.window
        assert w.project is not None
        w.editor.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        for action in self.lane_actions:
            action.setEnabled(True)
        self.lanes.set_keys([a.shortcut().toString() for a in self.lane_actions[:MAX_LANES]])
        w.action_map["review_mode"].setChecked(True)
        w.document_opened.connect(self._document_opened)
        doc_id, self._pending_doc = self._pending_doc, None
        w.editor.set_content("", [], [], [], w.project.scheme)
        self.banner_label.setText("Finding the documents where the annotators disagree…")
        self.refresh_list(open_first=doc_id is None)
        if doc_id is not None:
            w.open_document(doc_id)
        self.switched.emit(True)

    def left(self) -> None:
        w = self.window
        w.document_opened.disconnect(self._document_opened)
        w.editor.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for action in self.lane_actions:
            action.setEnabled(False)
        w.action_map["review_mode"].setChecked(False)
        self.controller = None
        self.switched.emit(False)

    # --- switching -------------------------------------------------------------------------------

    def toggle(self) -> None:
        if self.active:
            self.window.leave()
        else:
            self.enter()
        self.window.action_map["review_mode"].setChecked(self.active)

    def annotators(self) -> list[str]:
        """The compared annotators: the chosen ones, else every person who accepted a document."""
        project = self.window.project
        if project is None:
            return []
        if self.chosen is not None:
            known = {a.name for a in project.annotators()}
            return [n for n in self.chosen if n in known]
        return [
            a.name
            for a in project.annotators(AnnotatorKind.PERSON)
            if project.document_ids(a.name, (Status.ACCEPTED,))
        ]

    def enter(self, doc_id: int | None = None) -> bool:
        """Switch the window to review mode (on `doc_id`, else on the worst disagreement)."""
        if self.active:
            if doc_id is not None:
                self.window.open_document(doc_id)
            return True
        self._pending_doc = doc_id
        entered = self.window.enter(self)
        self._pending_doc = None
        return entered

    # --- the list ---------------------------------------------------------------------------------

    def refresh_list(self, open_first: bool = False) -> None:
        w = self.window
        assert w.project is not None
        names = self.annotators()
        self.list.show_computing()

        def done(result: Any) -> None:
            if not self.active or w.project is None:
                return  # left review mode, or the window closed its project meanwhile
            ids, counts = result
            self.list.set_order(ids, counts)
            if self.controller is not None and self.controller.doc_id is not None:
                self.list.show_document(self.controller.doc_id)
            if open_first and ids and self.controller is not None and self.controller.document is None:
                w.open_document(ids[0])
            elif not ids and self.controller is not None and self.controller.document is None:
                if w.project is not None:
                    w.editor.set_content("", [], [], [], w.project.scheme)
                self.banner_label.setText(
                    f"No document where {' and '.join(names) or 'the annotators'} disagree "
                    "(only documents they accepted are compared)."
                )
            self.list_ready.emit()

        workers.run(w, disagreements_work(w.project.path, names), "disagreements").on_done(done).on_fail(
            lambda m: w.say(f"Could not compare the annotators: {m}")
        )

    def _fill_chooser(self) -> None:
        menu = self.lanes.chooser.menu()
        menu.clear()
        w = self.window
        if w.project is None:
            return
        current = set(self.annotators())
        for info in w.project.annotators():
            if info.kind == AnnotatorKind.GOLD:
                continue
            text = info.name + (" (model)" if info.kind == AnnotatorKind.MODEL else "")
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(info.name in current)
            action.toggled.connect(lambda on, n=info.name: self.choose(n, on))

    def choose(self, name: str, on: bool) -> None:
        """Compare `name` too (or no more); the list and the lanes follow."""
        names = self.annotators()
        names = [n for n in names if n != name] + ([name] if on else [])
        self.chosen = names
        if self.controller is not None:
            self.controller.annotators = names
            if self.controller.document is not None:
                self.window.open_document(self.controller.document.id)
        self.refresh_list()

    # --- the open document -----------------------------------------------------------------------

    def _document_opened(self, doc_id: int) -> None:
        ctl, w = self.controller, self.window
        if ctl is None or ctl.document is None or w.project is None:
            return
        self.lanes.show_annotations(
            ctl.document, ctl.annotations, ctl.agreement.lanes, w.project.scheme, ctl.gold_keys()
        )
        self._update_banner()

    def _gold_changed(self, doc_id: int) -> None:
        ctl = self.controller
        if ctl is not None and doc_id == ctl.doc_id:
            self.lanes.set_gold(ctl.gold_keys())
            self._update_banner()
        self.list.update_progress()

    def _update_banner(self) -> None:
        ctl = self.controller
        if ctl is None or ctl.annotation is None:
            return
        left = sum(lane.view.disputed_left() for lane in self.lanes.visible_lanes())
        status = ctl.annotation.status
        state = status.text
        ann = ctl.annotation
        self.banner_label.setText(
            f"GOLD  ·  reviewer {ctl.reviewer}  ·  {state}  ·  {_n(len(ann.spans), 'span')}, "
            f"{_n(len(ann.relations), 'relation')}  ·  {_n(left, 'disputed span')} not in gold  ·  "
            "edit as usual; A accepts gold and opens the next disagreement"
        )

    # --- taking spans ----------------------------------------------------------------------------

    def take(self, annotator: str, span_id: int) -> None:
        if self.controller is not None:
            self.controller.take_span(annotator, span_id)
            self.window.editor.setFocus()

    def take_at_cursor(self, index: int) -> None:
        """Alt+N: lane N's span at the gold selection (a selected span, or selected text)."""
        ctl, editor = self.controller, self.window.editor
        if ctl is None or ctl.annotation is None:
            return
        where = editor.text_selection()
        sid = editor.selected_span()
        if where is None and sid is not None:
            span = ctl.annotation.span_by_id(sid)
            where = (span.start, span.end) if span else None
        if where is None:
            self.window.say(
                "Select a span or some text in gold (D jumps to the next "
                "disagreement), then Alt+N takes lane N's span there"
            )
            return
        if index >= len(ctl.annotations):
            self.window.say(f"There is no lane {index + 1}")
            return
        span = ctl.lane_span_at(index, *where)
        if span is None or span.id is None:
            self.window.say(f"{ctl.annotations[index].annotator} has no span there")
            return
        ctl.take_span(ctl.annotations[index].annotator, span.id)

    def step_dispute(self, step: int) -> None:
        """Select in gold the text of the next (or previous) disputed span of any lane."""
        ctl, editor = self.controller, self.window.editor
        if ctl is None or ctl.annotation is None:
            return
        # A place is decided once gold has a span with the same offsets (whatever its label).
        decided = {(s.start, s.end) for s in ctl.annotation.spans}
        spots = sorted(
            {
                (m.span.start, m.span.end)
                for lane in ctl.agreement.lanes.values()
                for m in lane
                if not m.agreed
            }
            - decided
        )
        if not spots:
            self.window.say("Every disputed place has a span in gold")
            return
        here = editor.text_selection()
        sid = editor.selected_span()
        if here is None and sid is not None and (span := ctl.annotation.span_by_id(sid)):
            here = (span.start, span.end)
        if step > 0:
            after = [s for s in spots if here is None or s > here]
            target = after[0] if after else spots[0]
        else:
            before = [s for s in spots if here is not None and s < here]
            target = before[-1] if before else spots[-1]
        self._select_place(*target)

    def _select_place(self, start: int, end: int) -> None:
        """Select characters [start, end) in gold (gold's span there, if it has one), in view in
        the editor and the lanes."""
        ctl, editor = self.controller, self.window.editor
        if ctl is None or ctl.annotation is None:
            return
        same = next((s for s in ctl.annotation.spans if (s.start, s.end) == (start, end)), None)
        if same is not None and same.id is not None:
            editor.select_span(same.id)
        else:
            editor.select_text(start, end)
        editor.scroll_to_offset(start)
        self.lanes.reveal(start)
        editor.setFocus()

    def focus_next_pane(self) -> None:
        panes = [self.window.editor] + [lane.view for lane in self.lanes.visible_lanes()]
        current = next((i for i, p in enumerate(panes) if p.hasFocus()), -1)
        panes[(current + 1) % len(panes)].setFocus()

    # --- the dashboard ----------------------------------------------------------------------------

    def show_dashboard(self) -> None:
        from desktop.ui.dashboard import AgreementDashboard

        w = self.window
        if w.project is None:
            w.say("Open a project first")
            return
        if self.dashboard is None:
            # A window of its own beside the main one, not a dialog kept above it: what it opens is
            # settled in the main window, brought in front; Ctrl+Shift+D brings it back.
            self.dashboard = AgreementDashboard()
            self.dashboard.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
            w.destroyed.connect(self.dashboard.deleteLater)
            self.dashboard.document_requested.connect(self._review_from_dashboard)
            self.dashboard.span_requested.connect(self.review_span)
        self.dashboard.show_for(w.project.path)

    def review_document(self, doc_id: int) -> None:
        try:
            self.enter(doc_id) if not self.active else self.window.open_document(doc_id)
        except ProjectError as e:
            self.window.say(str(e))
        self.window.action_map["review_mode"].setChecked(self.active)

    def review_span(self, doc_id: int, start: int, end: int) -> None:
        """Review `doc_id` with characters [start, end) selected in gold, the window in front, so
        a label key settles the disagreement there."""
        self.review_document(doc_id)
        if self.active and self.controller is not None and self.controller.doc_id == doc_id:
            self._select_place(start, end)
        self._to_front()

    def _review_from_dashboard(self, doc_id: int) -> None:
        self.review_document(doc_id)
        self._to_front()

    def _to_front(self) -> None:
        """The main window in front of the dashboard, with the keyboard, to settle what was opened."""
        self.window.raise_()
        self.window.activateWindow()


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def install(window: MainWindow) -> ReviewMode:
    """Review mode for the window; its parts go into the window's slots when it is entered."""
    return ReviewMode(window)
