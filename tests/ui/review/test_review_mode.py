"""Review mode in the real window: the disagreement list, gold seeded with what both agree on,
spans taken from lanes by mouse and keyboard, direct edits of gold, undo, and accepting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.ui.review.lanes import LaneView
from desktop.ui.window import MainWindow
from tests.ui.conftest import Store


def enter_review(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    with qtbot.waitSignal(window.review.list_ready, timeout=10000):
        qtbot.keyClick(window.editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller is not None and window.controller.document is not None)


def lane_span(lane: LaneView, text: str, label: str) -> int:
    found = [
        sid
        for sid, m in lane.marks.items()
        if lane.text()[m.span.start : m.span.end] == text and m.span.label == label
    ]
    assert found, f"no {label} {text!r} in {lane.annotator}'s lane"
    return found[0]


def gold_id(window: MainWindow, text: str) -> int:
    ctl = window.controller
    assert ctl is not None and ctl.annotation is not None and ctl.document is not None
    found = [s.id for s in ctl.annotation.spans if ctl.document.text[s.start : s.end] == text]
    assert found, f"gold has no {text!r}"
    return int(found[0])  # type: ignore[arg-type]


def test_review_adjudicates_into_gold(
    qtbot,
    open_window: Callable[..., MainWindow],  # noqa: ANN001
    team_project: Path,
) -> None:
    window = open_window(team_project, annotator="rita")
    store = Store(team_project)
    enter_review(qtbot, window)

    # Only the documents they disagree on, the most disputed first; the worst one is open.
    model = window.doc_list.model
    listed = [model.doc_id(r) for r in range(model.rowCount())]
    assert listed == [1, 3]
    assert window.controller.doc_id == 1  # type: ignore[union-attr]
    assert window.findChild(object, "review_document_list") is not None

    # Gold starts with what both agree on.
    assert store.spans(1, "gold") == [
        ("Kirill Dmitriev", "PER", "person"),
        ("Dmitry Peskov", "PER", "person"),
        ("Moscou", "LOC", "person"),
    ]
    lanes = window.review.lanes.visible_lanes()
    assert [lane.view.annotator for lane in lanes] == ["alice", "bob"]
    alice, bob = lanes[0].view, lanes[1].view
    assert not alice.marks[lane_span(alice, "Kremlin", "ORG")].agreed
    assert alice.marks[lane_span(alice, "Moscou", "LOC")].agreed
    assert "2 disputed" in lanes[0].header.text()

    # A click on alice's Kremlin (ORG) takes it, with her relation whose ends are now both in gold.
    rect = alice.span_rect(lane_span(alice, "Kremlin", "ORG"))
    assert rect is not None
    qtbot.mouseClick(alice.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ("Kremlin", "ORG", "person") in store.spans(1, "gold")
    assert store.relations(1, "gold") == [("Dmitry Peskov", "porte_parole", "Kremlin")]

    # Keyboard: D selects the next disputed place in gold, Alt+1 takes lane 1's span there.
    qtbot.keyClick(window.editor, Qt.Key.Key_D)
    assert window.editor.text_selection() is not None
    qtbot.keyClick(window.editor, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert ("États-Unis", "LOC", "person") in store.spans(1, "gold")

    # In a lane, Tab selects spans and Enter takes the selected one (here: already in gold).
    bob.setFocus()
    qtbot.keyClick(bob, Qt.Key.Key_Tab)
    assert bob.selected_span() is not None
    qtbot.keyClick(bob, Qt.Key.Key_Return)
    assert "already has" in window.statusBar().currentMessage()

    # Direct edits of gold, as in annotation mode: relabel with a label key, delete, undo.
    window.editor.setFocus()
    window.editor.select_span(gold_id(window, "Kirill Dmitriev"))
    qtbot.keyClick(window.editor, Qt.Key.Key_4)  # MISC
    window.editor.select_span(gold_id(window, "Moscou"))
    qtbot.keyClick(window.editor, Qt.Key.Key_Delete)
    assert ("Moscou", "LOC", "person") not in store.spans(1, "gold")
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ("Moscou", "LOC", "person") in store.spans(1, "gold")

    # Accept: gold is stored accepted with the reviewer's name, and the next disagreement opens.
    qtbot.keyClick(window.editor, Qt.Key.Key_A)
    assert store.spans(1, "gold") == [
        ("Kirill Dmitriev", "MISC", "person"),
        ("Dmitry Peskov", "PER", "person"),
        ("Moscou", "LOC", "person"),
        ("Kremlin", "ORG", "person"),
        ("États-Unis", "LOC", "person"),
    ]
    assert store.status(1, "gold") == "accepted"
    assert store._query(
        "SELECT a.reviewer FROM annotations a JOIN annotators n "
        "ON n.id = a.annotator_id WHERE n.name = 'gold' AND a.document_id = 1",
        (),
    ) == [("rita",)]
    assert window.controller.doc_id == 3  # type: ignore[union-attr]
    # The annotators' own annotations are untouched.
    assert ("Kremlin", "LOC", "person") in store.spans(1, "bob")


def test_undo_and_redo_cover_taking_from_a_lane(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    window = open_window(team_project, annotator="rita")
    store = Store(team_project)
    enter_review(qtbot, window)
    bob = window.review.lanes.visible_lanes()[1].view
    before = store.spans(1, "gold")
    window.review.take("bob", lane_span(bob, "Kremlin", "LOC"))
    assert ("Kremlin", "LOC", "person") in store.spans(1, "gold")
    assert bob.disputed_left() == 0
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.spans(1, "gold") == before
    assert bob.disputed_left() == 1
    qtbot.keyClick(
        window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert ("Kremlin", "LOC", "person") in store.spans(1, "gold")


def test_taking_replaces_an_overlapping_gold_span_in_one_step(
    qtbot,
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    window = open_window(team_project, annotator="rita")
    store = Store(team_project)
    enter_review(qtbot, window)
    alice = window.review.lanes.visible_lanes()[0].view
    bob = window.review.lanes.visible_lanes()[1].view
    window.review.take("alice", lane_span(alice, "Kremlin", "ORG"))
    window.review.take("bob", lane_span(bob, "Kremlin", "LOC"))
    kremlin = [s for s in store.spans(1, "gold") if s[0] == "Kremlin"]
    assert kremlin == [("Kremlin", "LOC", "person")]
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s for s in store.spans(1, "gold") if s[0] == "Kremlin"] == [("Kremlin", "ORG", "person")]


def test_leaving_review_mode_gives_back_the_annotation_window(
    qtbot,
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    window = open_window(team_project, annotator="alice")
    enter_review(qtbot, window)
    assert window.controller.annotator == "gold"  # type: ignore[union-attr]
    assert window.review.lanes.isVisible()
    qtbot.keyClick(window.editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert not window.review.active
    assert window.controller.annotator == "alice"  # type: ignore[union-attr]
    assert not window.review.lanes.isVisible()
    assert window.doc_list.model.rowCount() == 3


def test_the_model_can_be_one_more_lane(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    window = open_window(team_project, annotator="rita")
    enter_review(qtbot, window)
    with qtbot.waitSignal(window.review.list_ready, timeout=10000):
        window.review.choose("fr_core_news_sm-3.8.0", True)
    names = [lane.view.annotator for lane in window.review.lanes.visible_lanes()]
    assert names == ["alice", "bob", "fr_core_news_sm-3.8.0"]
    # With the model, document 2 is disputed too (it misses nothing there, but the list grows
    # only where someone differs).
    assert window.doc_list.model.rowCount() >= 2
