"""Correcting spaCy's suggestions in the real window: select, label, relabel, delete, undo, accept."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.window import MainWindow

K = Qt.Key
SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
SUGGESTED = [
    ("Kirill Dmitriev", "PER", "model"),
    ("Dmitry Peskov", "PER", "model"),
    ("Moscou", "LOC", "model"),
    ("Kremlin", "ORG", "model"),
]


def shown(window: MainWindow) -> list[tuple[str, str, str]]:
    """(text, label, origin) of the spans the window shows for the open document."""
    ctl = window.controller
    assert ctl is not None and ctl.annotation is not None and ctl.document is not None
    return [(ctl.document.text[s.start : s.end], s.label, str(s.origin)) for s in ctl.annotation.spans]


def test_opening_a_document_writes_nothing_and_shows_the_suggestions(window: MainWindow, store) -> None:
    assert window.windowTitle() == "ui.db — alice — Etiquette"
    assert window.doc_id == 1
    assert shown(window) == SUGGESTED
    assert window.side.span_model.rowCount() == 4
    window.navigation.next_document()
    window.navigation.previous_document()
    assert store.spans(1) == [] and store.status(1) is None and store.status(2) is None


def test_select_by_mouse_then_label_key_adds_a_span(window: MainWindow, store, gestures) -> None:
    text = window.editor.text()
    start = text.index("États-Unis")
    gestures.select_text(window, start, start + len("États-Unis"))
    assert window.editor.text_selection() == (start, start + len("États-Unis"))
    gestures.key(window, K.Key_2)
    assert ("États-Unis", "LOC", "person") in store.spans(1)
    assert store.status(1) == "in_progress"
    # The new span is selected: the next label key relabels it.
    gestures.key(window, K.Key_3)
    assert ("États-Unis", "ORG", "person") in store.spans(1)
    gestures.key(window, K.Key_Z, CTRL)
    assert ("États-Unis", "LOC", "person") in store.spans(1)
    gestures.key(window, K.Key_Z, CTRL)
    assert store.spans(1) == [] and shown(window) == SUGGESTED  # back to the suggestions
    gestures.key(window, K.Key_Z, CTRL | SHIFT)
    assert ("États-Unis", "LOC", "person") in store.spans(1)


def test_relabel_a_suggestion_confirms_it(window: MainWindow, store, gestures) -> None:
    gestures.click_span(window, gestures.span_id(window, "Kremlin"))
    gestures.key(window, K.Key_4)
    assert ("Kremlin", "MISC", "person") in store.spans(1)
    gestures.click_span(window, gestures.span_id(window, "Moscou"))
    gestures.key(window, K.Key_2)  # the same label: a confirmation
    assert ("Moscou", "LOC", "person") in store.spans(1)
    gestures.key(window, K.Key_Z, CTRL)
    assert ("Moscou", "LOC", "model") in store.spans(1)
    gestures.key(window, K.Key_Z, CTRL)
    assert store.spans(1) == [] and shown(window) == SUGGESTED


def test_delete_then_undo_and_redo(window: MainWindow, store, gestures) -> None:
    sid = gestures.span_id(window, "Dmitry Peskov")
    gestures.click_span(window, sid)
    assert window.editor.selected_span() == sid
    gestures.key(window, K.Key_Delete)
    assert [s[0] for s in store.spans(1)] == ["Kirill Dmitriev", "Moscou", "Kremlin"]
    assert window.side.span_model.rowCount() == 3
    gestures.key(window, K.Key_Z, CTRL)
    assert shown(window) == SUGGESTED
    assert gestures.span_id(window, "Dmitry Peskov") == sid  # back under its own id
    gestures.key(window, K.Key_Z, CTRL | SHIFT)
    assert len(store.spans(1)) == 3


def test_a_wider_selection_replaces_the_suggestion_it_overlaps(window: MainWindow, store, gestures) -> None:
    text = window.editor.text()
    start = text.index("Le Kremlin")
    gestures.select_text(window, start, start + len("Le Kremlin"))
    gestures.key(window, K.Key_3)
    spans = store.spans(1)
    assert ("Le Kremlin", "ORG", "person") in spans and ("Kremlin", "ORG", "model") not in spans
    gestures.key(window, K.Key_Z, CTRL)  # one step undoes both
    assert shown(window) == SUGGESTED


def test_accept_reject_skip_move_on_and_undo_comes_back(window: MainWindow, store, gestures) -> None:
    gestures.key(window, K.Key_A)
    assert store.status(1) == "accepted"
    assert window.doc_id == 2
    assert window.doc_list.progress_label.text() == "1 / 3 done"
    gestures.key(window, K.Key_X)
    assert store.status(2) == "rejected"
    assert window.doc_id == 3
    gestures.key(window, K.Key_S)
    assert store.status(3) == "skipped"
    gestures.key(window, K.Key_Z, CTRL)
    assert store.status(3) is None  # back to never touched
    gestures.key(window, K.Key_Z, CTRL)
    assert store.status(2) is None
    assert window.doc_id == 2  # the undone edit is shown
    gestures.key(window, K.Key_Z, CTRL)
    assert store.status(1) is None
    assert window.doc_id == 1 and shown(window) == SUGGESTED
    assert window.doc_list.progress_label.text() == "0 / 3 done"


def test_page_keys_move_between_documents(window: MainWindow, gestures) -> None:
    gestures.key(window, K.Key_PageDown)
    assert window.doc_id == 2
    gestures.key(window, K.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.doc_id == 3
    gestures.key(window, K.Key_PageDown)
    assert window.doc_id == 3
    assert "No next document" in window.statusBar().currentMessage()
    gestures.key(window, K.Key_PageUp)
    assert window.doc_id == 2
    assert "Washington" in window.editor.text()


def test_clicking_a_span_in_the_side_panel_selects_it(window: MainWindow, qtbot, gestures) -> None:
    view = window.side.span_view
    index = window.side.span_model.index(2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert window.editor.selected_span() == gestures.span_id(window, "Moscou")


def test_label_key_without_selection_says_what_to_do(window: MainWindow, store, gestures) -> None:
    gestures.key(window, K.Key_1)
    assert "Select some text" in window.statusBar().currentMessage()
    assert store.spans(1) == [] and shown(window) == SUGGESTED


def test_window_reloads_everything_from_the_file(open_window, ui_project, store, gestures) -> None:
    first = open_window(ui_project)
    gestures.click_span(first, gestures.span_id(first, "Moscou"))
    gestures.key(first, K.Key_Delete)
    gestures.key(first, K.Key_A)
    first.close()
    second = open_window(ui_project)
    assert second.doc_id == 2  # resumes at the first document still to do
    assert store.status(1) == "accepted"
    second.open_document(1)
    assert [s.label for s in second.controller.annotation.spans] == ["PER", "PER", "ORG"]


def test_undo_says_what_it_undoes_and_history_lists_edits(window: MainWindow, gestures) -> None:
    assert not window.action_map["undo"].isEnabled()
    gestures.click_span(window, gestures.span_id(window, "Kremlin"))
    gestures.key(window, K.Key_4)
    gestures.key(window, K.Key_A)
    assert window.action_map["undo"].text() == "&Undo Mark document 1 accepted"
    history = window.side.history.model()
    assert [history.index(r, 0).data() for r in range(history.rowCount())] == [
        "Relabel « Kremlin » ORG → MISC",
        "Mark document 1 accepted",
    ]
    gestures.key(window, K.Key_Z, CTRL)
    assert window.action_map["undo"].text() == "&Undo Relabel « Kremlin » ORG → MISC"
    assert window.action_map["redo"].isEnabled()


def test_clicking_a_label_in_the_palette_labels_the_selection(
    window: MainWindow, store, qtbot, gestures
) -> None:
    text = window.editor.text()
    start = text.index("États-Unis")
    gestures.select_text(window, start, start + len("États-Unis"))
    assert window.selection_label.text().startswith("« États-Unis » — 1–4 label")
    palette = window.side.palette_view
    item = palette.findItems("MISC", Qt.MatchFlag.MatchExactly, 0)[0]
    qtbot.mouseClick(palette.viewport(), Qt.MouseButton.LeftButton, pos=palette.visualItemRect(item).center())
    assert ("États-Unis", "MISC", "person") in store.spans(1)
