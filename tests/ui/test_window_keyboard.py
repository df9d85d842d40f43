"""Correcting suggestions with the keyboard alone, in the real window: Tab from where the reader
is, find as a way to select, word-wise arrows, label keys on AZERTY, labelling every occurrence,
and a status bar that names the selection."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.ui.window import MainWindow

K = Qt.Key
M = Qt.KeyboardModifier
NONE, SHIFT, CTRL = M.NoModifier, M.ShiftModifier, M.ControlModifier


def send(key: Qt.Key, mods: M = NONE, text: str = "") -> None:
    """One key press as the keyboard sends it (shortcut override first), to the focused widget."""
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.sendKeyEvent(QTest.KeyAction.Click, widget, key, text, mods)


def type_text(text: str) -> None:
    """One key event per character, accents included."""
    for ch in text:
        key = K(ord(ch.upper())) if ch.isascii() and ch.isalnum() else K.Key_unknown
        send(key, NONE, ch)


def selected_text(window: MainWindow) -> str | None:
    sel = window.editor.text_selection()
    return window.editor.text()[sel[0] : sel[1]] if sel else None


def selected_span_text(window: MainWindow) -> str | None:
    sid = window.editor.selected_span()
    if sid is None:
        return None
    span = window.controller.annotation.span_by_id(sid)  # type: ignore[union-attr]
    return window.editor.text()[span.start : span.end] if span else None


def test_tab_after_delete_goes_on_from_where_the_span_was(window: MainWindow, store) -> None:
    send(K.Key_Tab)
    send(K.Key_Tab)
    assert selected_span_text(window) == "Dmitry Peskov"
    send(K.Key_Delete)
    assert ("Dmitry Peskov", "PER", "model") not in store.spans(1)
    send(K.Key_Tab)
    assert selected_span_text(window) == "Moscou"  # not back to the first span
    send(K.Key_Backtab)
    assert selected_span_text(window) == "Kirill Dmitriev"


def test_find_then_escape_selects_the_match_for_a_label_key(window: MainWindow, store) -> None:
    send(K.Key_F, CTRL)
    assert window.find_bar.edit.hasFocus()
    type_text("états")  # found as typed, ignoring case
    assert window.editor.find_match() is not None
    send(K.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.editor.find_match() is None  # the highlight goes with the bar
    assert selected_text(window) == "États-Unis"  # widened to the whole word
    assert window.editor.hasFocus()
    send(K.Key_4, NONE, "4")
    assert ("États-Unis", "MISC", "person") in store.spans(1)


def test_find_of_a_span_selects_the_span(window: MainWindow, store) -> None:
    send(K.Key_F, CTRL)
    type_text("krem")
    send(K.Key_Escape)
    assert selected_span_text(window) == "Kremlin"
    send(K.Key_Delete)
    assert [t for t, _, _ in store.spans(1)] == ["Kirill Dmitriev", "Dmitry Peskov", "Moscou"]
    send(K.Key_Tab)  # from where the Kremlin was: on to the next span, round to the first
    assert selected_span_text(window) == "Kirill Dmitriev"


def test_enter_and_f3_go_to_the_next_match(project_with, open_window) -> None:
    window = open_window(project_with(["Paris, puis Lyon, puis Paris encore."], [[]]))
    send(K.Key_F, CTRL)
    type_text("paris")
    first = window.editor.find_match()
    send(K.Key_Return)
    second = window.editor.find_match()
    assert first is not None and second is not None and second[0] > first[0]
    send(K.Key_Escape)
    assert window.editor.text_selection() == second
    send(K.Key_F3)  # the bar closed: the next match is selected at once
    assert window.editor.text_selection() == first


def test_enter_twice_leaves_the_find_bar_with_the_match_selected(project_with, open_window) -> None:
    from tests.ui.conftest import Store

    text = "Le président ukrainien parle ; le peuple ukrainien écoute."
    path = project_with([text], [[]])
    window, store = open_window(path), Store(path)
    send(K.Key_F, CTRL)
    type_text("ukrainien")
    send(K.Key_Return)  # on to the second « ukrainien »
    assert window.find_bar.isVisible()
    send(K.Key_Return)  # Return again: the bar goes, the match it showed is selected
    assert not window.find_bar.isVisible()
    assert window.editor.text_selection() == (text.rindex("ukrainien"), text.rindex("ukrainien") + 9)
    assert window.editor.hasFocus()
    send(K.Key_4, NONE, "4")
    assert store.spans(1) == [("ukrainien", "MISC", "person")]


def test_return_after_typing_again_steps_on(project_with, open_window) -> None:
    window = open_window(project_with(["Paris, puis Lyon, puis Paris encore, puis Lyon."], [[]]))
    send(K.Key_F, CTRL)
    type_text("paris")
    send(K.Key_Return)
    send(K.Key_Backspace)
    type_text("s")  # the query typed anew: Return is « next » again, not « take »
    send(K.Key_Return)
    assert window.find_bar.isVisible()
    send(K.Key_Return)
    assert not window.find_bar.isVisible()


def test_shift_label_labels_every_occurrence_in_one_undo_step(project_with, open_window, tmp_path) -> None:
    from tests.ui.conftest import Store

    path = project_with(["La Russie parle ; la Russie écoute ; les Russies non ; Russie."], [[]])
    window = open_window(path)
    store = Store(path)
    send(K.Key_F, CTRL)
    type_text("russie ")
    send(K.Key_Escape)
    assert selected_text(window) == "Russie"
    send(K.Key_2, SHIFT, "@")  # Shift+2 on QWERTY types @
    assert [t for t, lab, _ in store.spans(1)] == ["Russie", "Russie", "Russie"]  # not « Russies »
    assert "LOC on 3 occurrences of « Russie »" in window.statusBar().currentMessage()
    send(K.Key_Z, CTRL)
    assert store.spans(1) == []


def test_labelling_every_occurrence_of_a_word_found_once_says_so_in_the_singular(
    project_with, open_window
) -> None:
    window = open_window(project_with(["Le Kremlin parle à la presse."], [[]]))
    send(K.Key_F, CTRL)
    type_text("kremlin")
    send(K.Key_Escape)
    send(K.Key_3, SHIFT, "#")  # Shift+3 on QWERTY types #
    assert "ORG on the one occurrence of « Kremlin »" in window.statusBar().currentMessage()


def test_arrows_step_by_word_and_never_select_whitespace(project_with, open_window) -> None:
    window = open_window(project_with(["Bonjour.\n\nMoscou parle  fort.\nFin"], [[]]))
    send(K.Key_Right)
    assert selected_text(window) == "Bonjour"
    send(K.Key_Right)
    send(K.Key_Right)
    assert selected_text(window) == "Moscou"  # the blank line is no step
    send(K.Key_Right, SHIFT)
    send(K.Key_Right, SHIFT)
    assert selected_text(window) == "Moscou parle  fort"
    send(K.Key_Right, SHIFT | CTRL)  # the start moves
    assert selected_text(window) == "parle  fort"
    send(K.Key_End, SHIFT)
    assert selected_text(window) == "parle  fort."
    send(K.Key_Home)
    assert selected_text(window) == "Moscou"
    send(K.Key_End)
    assert selected_text(window) == "."
    send(K.Key_Right, SHIFT)
    assert selected_text(window) == ".\nFin".replace("\n", "\n")
    assert not window.editor.text()[slice(*window.editor.text_selection())].startswith("\n")


def test_shift_arrows_grow_and_shrink_a_selected_span(window: MainWindow, store) -> None:
    send(K.Key_F, CTRL)
    type_text("kremlin")
    send(K.Key_Escape)
    send(K.Key_Left, SHIFT | CTRL)  # its start a word earlier
    assert ("Le Kremlin", "ORG", "person") in store.spans(1)
    assert selected_span_text(window) == "Le Kremlin"
    send(K.Key_Right, SHIFT)  # its end a word later
    assert ("Le Kremlin a", "ORG", "person") in store.spans(1)
    send(K.Key_Left, SHIFT)
    send(K.Key_Right, SHIFT | CTRL)
    assert ("Kremlin", "ORG", "person") in store.spans(1)
    for _ in range(4):
        send(K.Key_Z, CTRL)
    assert store.spans(1) == []  # back to the suggestions, before the first change
    assert ("Kremlin", "ORG", "model") in [
        (window.editor.text()[s.start : s.end], s.label, str(s.origin))
        for s in window.controller.annotation.spans
    ]


def test_label_keys_work_unshifted_on_azerty(window: MainWindow, store) -> None:
    text = window.editor.text()
    send(K.Key_F, CTRL)
    type_text("salué")
    send(K.Key_Escape)
    assert selected_text(window) == "salué"
    send(K.Key_Ampersand, NONE, "&")  # AZERTY's 1 key
    assert ("salué", "PER", "person") in store.spans(1)
    send(K.Key_unknown, NONE, "é")  # AZERTY's 2 key: relabel the new span
    assert ("salué", "LOC", "person") in store.spans(1)
    send(K.Key_Apostrophe, NONE, "'")  # AZERTY's 4 key
    assert ("salué", "MISC", "person") in store.spans(1)
    assert "salué" in text


def test_the_status_bar_names_the_selection_and_its_keys(window: MainWindow) -> None:
    send(K.Key_Tab)
    send(K.Key_Tab)
    status = window.selection_label.text()
    assert status.startswith("PER « Dmitry Peskov » (suggestion) — 1–4 relabel · Delete delete · C confirm")
    send(K.Key_Right)
    assert window.selection_label.text().startswith("« à » — 1–4 label · Shift+1–4 label every occurrence")
    send(K.Key_3, NONE, "3")
    # No stale "characters selected": the new span is what is selected now.
    assert window.selection_label.text().startswith("ORG « à » (yours)")
    send(K.Key_Escape)
    assert window.selection_label.text() == ""


def test_u_goes_to_the_next_unconfirmed_suggestion(window: MainWindow) -> None:
    send(K.Key_Tab)
    send(K.Key_C)  # Kirill Dmitriev confirmed
    send(K.Key_Tab)
    send(K.Key_C)  # Dmitry Peskov confirmed
    send(K.Key_Backtab)
    send(K.Key_Backtab)
    assert selected_span_text(window) == "Kremlin"  # wrapped round to the last
    send(K.Key_U)
    assert selected_span_text(window) == "Moscou"  # round the end, past the two confirmed


def test_accepting_says_unconfirmed_suggestions_become_yours(window: MainWindow) -> None:
    send(K.Key_A)
    assert "4 unconfirmed suggestions" in window.statusBar().currentMessage()
    assert "your annotation" in window.statusBar().currentMessage()


def test_a_relation_from_a_selected_span_in_four_keys(window: MainWindow, store) -> None:
    send(K.Key_Tab)
    send(K.Key_Tab)
    assert selected_span_text(window) == "Dmitry Peskov"
    assert not window.editor.relation_mode()
    send(K.Key_Space)  # the head
    send(K.Key_Tab)  # the child
    send(K.Key_Space)
    send(K.Key_Q, NONE, "q")  # porte_parole
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Moscou")]


def test_a_relation_to_any_span_in_view_in_three_keys(window: MainWindow, store) -> None:
    send(K.Key_Tab)
    assert selected_span_text(window) == "Kirill Dmitriev"
    send(K.Key_Space)  # letters appear on the other spans in view
    moscou = next(
        s.id for s in window.controller.annotation.spans if s.start == window.editor.text().index("Moscou")
    )  # type: ignore[union-attr]
    letter = window.editor.hint_of(moscou)
    assert letter is not None and len(letter) == 1 and letter not in "qwe"
    send(K(ord(letter.upper())), NONE, letter)  # not the window's key for that letter
    send(K.Key_Q, NONE, "q")
    assert store.relations(1) == [("Kirill Dmitriev", "porte_parole", "Moscou")]
    assert not window.editor.hints_shown()
    assert store.status(1) == "in_progress"


def test_escape_takes_the_letters_away(window: MainWindow, store) -> None:
    send(K.Key_Tab)
    send(K.Key_Space)
    assert window.editor.hints_shown()
    send(K.Key_Escape)
    assert not window.editor.hints_shown()
    send(K.Key_S)  # the window's Skip again, not a letter for a span
    assert store.status(1) == "skipped"


def test_the_shortcut_sheet_lists_selection_keys(window: MainWindow) -> None:
    send(K.Key_F1)
    sheet = window.findChild(object, "shortcut_sheet")
    rows = {
        sheet.table.item(r, 1).text(): sheet.table.item(r, 2).text() for r in range(sheet.table.rowCount())
    }
    assert rows["Move the selection's start by a word"] == "Ctrl+Shift+Left, Ctrl+Shift+Right"
    assert rows["Label every occurrence of the selected text"] == "Shift+label key"
    assert rows["Next Unconfirmed Suggestion"] == "U"
    assert rows["Next Disagreement"] == "D"
    sheet.close()
