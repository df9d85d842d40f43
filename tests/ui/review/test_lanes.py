"""Lanes on a long document: they follow the gold editor line by line, and a span far down is
taken by a click where it is drawn."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.model import Annotation, AnnotatorKind, LabelScheme, Span, Status
from desktop.model.tokens import token_range
from desktop.store import Project
from tests.ui.conftest import Store, make_project

from .test_review_mode import enter_review

SENTENCE = "Phrase {i} : le porte-parole Dmitry Peskov a parlé à Moscou de la coopération."
TEXT = " ".join(SENTENCE.format(i=i) for i in range(160))


def _spans(project: Project, doc_id: int, label_of_last: str) -> list[Span]:
    doc = project.document(doc_id)
    spans = []
    start = 0
    while (at := doc.text.find("Moscou", start)) >= 0:
        t0, t1 = token_range(doc.tokens, at, at + 6)
        spans.append(Span(at, at + 6, "LOC", t0, t1, id=len(spans)))
        start = at + 6
    spans[-1].label = label_of_last
    return spans


def long_project(path: Path, scheme: LabelScheme) -> Path:
    make_project(path, [TEXT], [[]], scheme)
    with Project.open(path) as project:
        for name, last in (("alice", "LOC"), ("bob", "ORG")):
            project.save_annotation(
                Annotation(1, name, Status.ACCEPTED, _spans(project, 1, last)), AnnotatorKind.PERSON
            )
    return path


def first_line(text: str) -> str:
    return text.splitlines()[0]


def test_lanes_follow_gold_to_the_end_of_a_long_document(
    qtbot,
    open_window,
    tmp_path: Path,  # noqa: ANN001
    ui_scheme: LabelScheme,
) -> None:
    path = long_project(tmp_path / "long.db", ui_scheme)
    window = open_window(path, annotator="rita")
    enter_review(qtbot, window)
    lanes = [lane.view for lane in window.review.lanes.visible_lanes()]
    assert [v.annotator for v in lanes] == ["alice", "bob"]
    assert len(Store(path).spans(1, "gold")) == 159  # every Moscou but the last

    window.editor.scroll_to_offset(len(TEXT) - 1)
    assert window.editor.verticalScrollBar().value() > 0
    for view in lanes:
        assert first_line(view.visible_text()) == first_line(window.editor.visible_text())

    # Scrolling a lane moves gold and the other lane too.
    lanes[0].verticalScrollBar().setValue(0)
    assert window.editor.verticalScrollBar().value() == 0
    assert first_line(lanes[1].visible_text()) == first_line(window.editor.visible_text())

    # D selects the one disputed place, the last Moscou, and brings it into view everywhere;
    # bob's annotation of it (ORG) is taken by a click where it is drawn.
    qtbot.keyClick(window.editor, Qt.Key.Key_D)
    at = TEXT.rindex("Moscou")
    assert window.editor.text_selection() == (at, at + len("Moscou"))
    bob = lanes[1]
    last = max(bob.marks.values(), key=lambda m: m.span.start)
    assert not last.agreed
    rect = bob.span_rect(last.span.id or 0)
    assert rect is not None and bob.viewport().rect().contains(rect.center())
    qtbot.mouseClick(bob.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert Store(path).spans(1, "gold")[-1] == ("Moscou", "ORG", "person")


def test_a_new_session_leaves_review_mode(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    window = open_window(team_project, annotator="rita")
    enter_review(qtbot, window)
    window.set_annotator("alice")
    window.open_project_path(team_project)
    assert not window.review.active
    assert window.controller.annotator == "alice"  # type: ignore[union-attr]
    assert window.findChild(object, "review_document_list") is None or not window.review.list.isVisible()
