"""The lazy document list: a sound Qt model that reads rows a block at a time, filtered and searched."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.model import Status
from desktop.store import NewDocument, Project
from desktop.ui import doclist
from desktop.ui.doclist import DocumentListModel
from desktop.ui.window import MainWindow


@pytest.fixture
def big(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "big.db")
    texts = [f"Document numéro {i} sur la ville {'Paris' if i % 7 == 0 else 'Lyon'}." for i in range(2000)]
    project.add_documents((NewDocument(t) for t in texts), lambda ts: ([(0, 8)] for _ in ts))
    project.ensure_annotator("alice")
    for doc_id in (1, 2, 3):
        project.start_annotation(doc_id, "alice")
    project.set_status(1, "alice", Status.ACCEPTED)
    project.set_status(2, "alice", Status.SKIPPED)
    yield project
    project.close()


def test_model_passes_the_model_tester(qtmodeltester, big: Project) -> None:
    model = DocumentListModel(big, "alice")
    model.reload()
    qtmodeltester.check(model, force_py=True)


def test_rows_are_read_in_blocks_on_demand(big: Project, monkeypatch) -> None:
    model = DocumentListModel(big, "alice")
    model.reload()
    assert model.rowCount() == 2000
    calls: list[int] = []
    real = big.document_rows
    monkeypatch.setattr(
        big, "document_rows", lambda ids, annotator: calls.append(len(ids)) or real(ids, annotator)
    )
    assert model.index(1500, 0).data() == "1501"
    assert model.index(1501, 3).data().startswith("Document numéro 1501 ")
    assert calls == [doclist.BLOCK]
    for row in range(0, 2000, doclist.BLOCK):
        model.index(row, 1).data()
    assert len(model._blocks) <= doclist.MAX_BLOCKS
    assert model.index(0, 1).data() == "accepted"
    assert model.index(1, 1).data() == "skipped"
    assert model.index(2, 1).data() == "to do"


def test_filter_by_status_and_full_text_search(big: Project) -> None:
    model = DocumentListModel(big, "alice")
    model.set_filter((Status.ACCEPTED,), "")
    assert [model.doc_id(r) for r in range(model.rowCount())] == [1]
    model.set_filter((Status.TODO, Status.IN_PROGRESS), "")
    assert model.rowCount() == 1998
    model.set_filter(None, "Paris")
    assert model.rowCount() == len(range(0, 2000, 7))
    assert model.next_id(1, 1) == 8  # the next match after a document that is not one
    model.set_filter(None, "Tombouctou")
    assert model.rowCount() == 0


def test_status_changes_move_documents_in_and_out_of_a_filtered_list(qtmodeltester, big: Project) -> None:
    model = DocumentListModel(big, "alice")
    model.set_filter((Status.TODO, Status.IN_PROGRESS), "Paris")
    qtmodeltester.check(model, force_py=True)
    assert [model.doc_id(r) for r in range(3)] == [8, 15, 22]
    big.start_annotation(15, "alice")
    big.set_status(15, "alice", Status.ACCEPTED)
    assert model.refresh_document(15)
    assert [model.doc_id(r) for r in range(3)] == [8, 22, 29]
    assert model.index(1, 0).data() == "22"  # the rows below moved up, not their cached texts
    big.set_status(15, "alice", Status.TODO)
    big.start_annotation(17, "alice")  # to do too, but no "Paris" in it
    big.set_status(17, "alice", Status.TODO)
    assert model.refresh_document(15) and not model.refresh_document(17)
    assert [model.doc_id(r) for r in range(3)] == [8, 15, 22]
    assert model.index(1, 1).data() == "to do"


def test_the_panel_filters_searches_and_counts(window: MainWindow, qtbot, gestures, store) -> None:
    panel = window.doc_list
    assert panel.progress_label.text() == "0 / 3 done"
    gestures.key(window, doclist.Qt.Key.Key_A)
    panel.filter.setCurrentIndex(3)  # accepted
    assert panel.model.rowCount() == 1
    assert panel.count_label.text() == "1 of 3 documents"
    panel.filter.setCurrentIndex(0)
    qtbot.keyClicks(panel.search, "Washington")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.doc_id(0) == 2
    assert store.status(2) is None  # the A and S typed in the search box were text, not keys
    qtbot.mouseClick(
        panel.view.viewport(),
        doclist.Qt.MouseButton.LeftButton,
        pos=panel.view.visualRect(panel.model.index(0, 3)).center(),
    )
    assert window.doc_id == 2


def test_arrow_keys_in_the_list_open_documents(window: MainWindow, qtbot) -> None:
    view = window.doc_list.view
    view.setFocus()
    qtbot.keyClick(view, doclist.Qt.Key.Key_Down)
    assert window.doc_id == 2
    qtbot.keyClick(view, doclist.Qt.Key.Key_Down)
    assert window.doc_id == 3
    window.navigation.previous_document()
    assert view.currentIndex().row() == 1


def test_a_document_leaves_the_filtered_list_when_its_status_changes(
    window: MainWindow, gestures, store
) -> None:
    panel = window.doc_list
    panel.filter.setCurrentIndex(1)  # to do
    assert window.doc_id == 1 and panel.model.rowCount() == 3
    gestures.key(window, doclist.Qt.Key.Key_A)
    assert store.status(1) == "accepted"
    assert [panel.model.doc_id(r) for r in range(panel.model.rowCount())] == [2, 3]
    assert window.doc_id == 2 and panel.current_id() == 2  # moved on to the next one
    assert panel.progress_label.text() == "1 / 3 done"
    assert panel.count_label.text() == "2 of 3 documents"
    gestures.key(window, doclist.Qt.Key.Key_Z, doclist.Qt.KeyboardModifier.ControlModifier)
    assert store.status(1) != "accepted"
    assert [panel.model.doc_id(r) for r in range(panel.model.rowCount())] == [1, 2, 3]
    assert window.doc_id == 1 and panel.current_id() == 1
    assert panel.progress_label.text() == "0 / 3 done"
    assert panel.filter.currentIndex() == 1


def test_with_all_documents_a_status_change_only_updates_its_row(window: MainWindow, gestures) -> None:
    panel = window.doc_list
    gestures.key(window, doclist.Qt.Key.Key_X)
    assert panel.model.rowCount() == 3
    assert panel.model.index(0, 1).data() == "rejected"
    assert window.doc_id == 2 and panel.current_id() == 2
