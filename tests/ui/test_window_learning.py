"""The model's confidence in the editor, and the learning loop in the real window."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.model import AnnotatorKind, Origin, Span, Status
from desktop.model.tokens import token_range
from desktop.model.types import Annotation
from desktop.nlp.pipeline import tokenize_texts
from desktop.store import NewDocument, Project
from desktop.ui.editor.navigation import describe_span
from desktop.ui.learning import LearningLoop
from desktop.ui.window import MainWindow
from tests.ui.window_driver import press, span_id

MODEL = "fr_core_news_sm-3.8.0"


def set_confidence(path: Path, confidences: dict[str, float]) -> None:
    """Give the model's suggestions confidences, by label (as pre-annotation would store them)."""
    con = sqlite3.connect(path)
    for label, p in confidences.items():
        con.execute("UPDATE spans SET confidence = ? WHERE label = ?", [p, label])
    con.commit()
    con.close()


@pytest.fixture
def scored(ui_project: Path) -> Path:
    set_confidence(ui_project, {"PER": 0.97, "LOC": 0.31, "ORG": 0.62})
    return ui_project


def test_a_suggestions_tooltip_says_how_sure_the_model_is() -> None:
    span = Span(0, 6, "LOC", origin=Origin.MODEL, confidence=0.314)
    assert describe_span("Moscou", span) == "LOC · « Moscou » (suggestion, model 31% sure)"
    assert "sure" not in describe_span("Moscou", Span(0, 6, "LOC", origin=Origin.PERSON, confidence=0.3))


def test_l_selects_the_suggestion_the_model_is_least_sure_of(
    open_window: Callable[..., MainWindow], scored: Path, qtbot
) -> None:
    window = open_window(scored)
    press(window, Qt.Key.Key_L)
    assert window.editor.selected_span() == span_id(window, "Moscou")


def test_unsure_suggestions_can_be_hidden_and_shown_again(
    open_window: Callable[..., MainWindow], scored: Path, qtbot
) -> None:
    window = open_window(scored)
    moscou = span_id(window, "Moscou")
    window.action_map["hide_unsure"].trigger()
    assert window.editor.span_rect(moscou) is None
    assert window.editor.span_rect(span_id(window, "Kirill Dmitriev")) is not None
    assert "1 suggestion under 50% confidence hidden" in window.statusBar().currentMessage()
    window.navigation.next_document()  # stays hidden from one document to the next
    assert window.editor.span_rect(span_id(window, "Washington")) is None
    window.action_map["hide_unsure"].trigger()
    assert window.editor.span_rect(span_id(window, "Washington")) is not None
    with Project.open(scored) as p:  # hiding is only a view: the suggestion is still there
        assert {s.label for s in p.start_annotation(1, "alice").spans} == {"PER", "LOC", "ORG"}


# --- the loop, with a small pipeline that learns fast ------------------------------------------------

CITIES = ["Brest", "Rennes", "Nantes", "Quimper", "Vannes", "Lorient", "Morlaix", "Vitré", "Dinan", "Redon"]


@pytest.fixture(scope="module")
def small_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import spacy

    nlp = spacy.blank("fr")
    nlp.add_pipe("ner").add_label("LOC")  # type: ignore[attr-defined]
    nlp.initialize()
    nlp.meta["name"] = "petit"
    path = tmp_path_factory.mktemp("base") / "petit"
    nlp.to_disk(path)
    return path


@pytest.fixture
def learning_project(tmp_path: Path, small_base: Path) -> Path:
    """Ten dispatches the small model suggests nothing on; the person marks each city as LOC."""
    path = tmp_path / "loop.db"
    texts = [f"Le conseil de {c} se réunit demain à {c} pour le port." for c in CITIES]
    with Project.create(path, model=str(small_base)) as project:
        ids = project.add_documents([NewDocument(t) for t in texts], tokenize_texts("fr")).ids
        project.save_annotations(
            [Annotation(i, "fr_petit-0.0.0", Status.ACCEPTED, []) for i in ids], AnnotatorKind.MODEL
        )
    return path


@pytest.mark.slow
def test_after_five_finished_documents_a_new_version_suggests_on_untouched_ones(
    open_window: Callable[..., MainWindow], learning_project: Path, qtbot
) -> None:
    window = open_window(learning_project)
    loop = LearningLoop.of(window)
    assert loop is not None
    assert window.project is not None
    for _ in range(5):
        doc = window.controller.document  # type: ignore[union-attr]
        window.project.start_annotation(doc.id, "alice")
        for city in {doc.text.split()[3]}:
            for start in (doc.text.index(city), doc.text.rindex(city)):
                first, last = token_range(doc.tokens, start, start + len(city))
                window.project.add_span(doc.id, "alice", Span(start, start + len(city), "LOC", first, last))
        window.open_document(doc.id)
        press(window, Qt.Key.Key_A)  # accept, and the next document opens
    assert loop.running()
    assert "model v1 learning from 5 documents" in loop.status_text()
    with qtbot.waitSignal(loop.round_finished, timeout=120_000) as finished:
        pass
    version = finished.args[0]
    assert version is not None and version.adopted, loop.status_text()
    assert f"model v1 adopted · F1 {version.previous_f1:.2f} → {version.f1:.2f}" in loop.status_text()
    # The open document (opened, never edited) and the ones never opened show the new suggestions.
    doc = window.controller.document  # type: ignore[union-attr]
    shown = window.controller.annotation  # type: ignore[union-attr]
    city = doc.text.split()[3]
    assert ("LOC", city) in {(s.label, doc.text[s.start : s.end]) for s in shown.spans}
    assert all(s.confidence is not None for s in shown.spans)
    with Project.open(learning_project) as p:
        assert p.latest_model() == "petit-tuned-1"
        finished_docs = p.document_ids("alice", [Status.ACCEPTED])
        assert len(finished_docs) == 5
        for doc_id in finished_docs:  # a person's finished work is never replaced
            ann = p.annotation(doc_id, "alice")
            assert ann is not None and all(s.origin == Origin.PERSON for s in ann.spans)


def test_the_to_do_list_can_put_the_least_confident_documents_first(
    open_window: Callable[..., MainWindow], scored: Path, qtbot, qtmodeltester
) -> None:
    con = sqlite3.connect(scored)  # document 3's only suggestion is the least sure of all
    con.execute(
        "UPDATE spans SET confidence = ? WHERE annotation_id IN "
        "(SELECT id FROM annotations WHERE document_id = ?)",
        [0.1, 3],
    )
    con.execute(
        "UPDATE spans SET confidence = ? WHERE annotation_id IN "
        "(SELECT id FROM annotations WHERE document_id = ?)",
        [0.9, 2],
    )
    con.commit()
    con.close()
    window = open_window(scored)
    panel = window.doc_list
    panel.filter.setCurrentIndex(panel.filter.findText("To do, least confident first"))
    model = panel.model
    qtmodeltester.check(model)
    assert [model.doc_id(r) for r in range(model.rowCount())] == [3, 1, 2]
    window.open_document(3)
    window.navigation.next_document()
    assert window.doc_id == 1
    window.navigation.accept_document()  # document 1 leaves the to-do list; the next in this order opens
    assert [model.doc_id(r) for r in range(model.rowCount())] == [3, 2]
    assert window.doc_id == 2
