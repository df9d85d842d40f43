"""Relations in the real window: by keyboard and by mouse, relabel, delete, refused pairs, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.window import MainWindow

K = Qt.Key
SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier


def _tab_to(window: MainWindow, gestures, text: str) -> None:
    target = gestures.span_id(window, text)
    for _ in range(10):
        gestures.key(window, K.Key_Tab)
        if window.editor.selected_span() == target:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_relation_by_keyboard_in_relation_mode(window: MainWindow, store, gestures) -> None:
    gestures.key(window, K.Key_R, SHIFT)
    assert window.editor.relation_mode()
    assert window.action_map["relation_mode"].isChecked()
    _tab_to(window, gestures, "Dmitry Peskov")
    gestures.key(window, K.Key_Space)
    _tab_to(window, gestures, "Kremlin")
    gestures.key(window, K.Key_Space)
    assert "press its label key" in window.statusBar().currentMessage()
    gestures.key(window, K.Key_Q)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Kremlin")]
    gestures.key(window, K.Key_Z, CTRL)
    assert store.relations(1) == []
    gestures.key(window, K.Key_Z, CTRL | SHIFT)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Kremlin")]
    gestures.key(window, K.Key_R, SHIFT)
    assert not window.editor.relation_mode()


def test_relation_by_mouse_drag_then_relabel_and_delete(window: MainWindow, store, gestures) -> None:
    head, child = gestures.span_id(window, "Dmitry Peskov"), gestures.span_id(window, "Moscou")
    gestures.drag_span_to_span(window, head, child)
    gestures.key(window, K.Key_Q)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Moscou")]
    rel_id = window.controller.annotation.relations[0].id
    assert window.side.relation_model.rowCount() == 1

    window.editor.clear_selection()
    gestures.click_relation(window, rel_id)
    assert window.editor.selected_relation() == rel_id
    gestures.key(window, K.Key_E)
    assert store.relations(1) == [("Dmitry Peskov", "lien", "Moscou")]
    gestures.key(window, K.Key_Z, CTRL)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Moscou")]

    window.editor.select_relation(rel_id)
    gestures.key(window, K.Key_Delete)
    assert store.relations(1) == []
    assert len(store.spans(1)) == 4  # the spans stay
    gestures.key(window, K.Key_Z, CTRL)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Moscou")]
    assert window.controller.annotation.relations[0].id == rel_id


def test_a_forbidden_pair_is_refused_and_nothing_stored(window: MainWindow, store, gestures) -> None:
    gestures.drag_span_to_span(
        window, gestures.span_id(window, "Moscou"), gestures.span_id(window, "Kremlin")
    )
    gestures.key(window, K.Key_Q)  # porte_parole joins PER to ORG or LOC, not LOC to ORG
    message = window.statusBar().currentMessage()
    assert "refused" in message and "porte_parole cannot join LOC → ORG" in message
    assert store.relations(1) == []
    window.editing.undo()
    assert store.spans(1) == []  # nothing was written, nothing to undo


def test_relabel_to_a_forbidden_label_is_refused(window: MainWindow, store, gestures) -> None:
    gestures.drag_span_to_span(
        window, gestures.span_id(window, "Dmitry Peskov"), gestures.span_id(window, "Kremlin")
    )
    gestures.key(window, K.Key_Q)
    rel_id = window.controller.annotation.relations[0].id
    window.editor.select_relation(rel_id)
    gestures.key(window, K.Key_W)  # situe_dans joins LOC or ORG to LOC
    assert "refused" in window.statusBar().currentMessage()
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Kremlin")]


def test_deleting_a_span_takes_its_relations_and_undo_brings_both(
    window: MainWindow, store, gestures
) -> None:
    peskov = gestures.span_id(window, "Dmitry Peskov")
    gestures.drag_span_to_span(window, peskov, gestures.span_id(window, "Kremlin"))
    gestures.key(window, K.Key_Q)
    peskov = gestures.span_id(window, "Dmitry Peskov")  # the suggestion became alice's span
    gestures.click_span(window, peskov)
    gestures.key(window, K.Key_Delete)
    assert store.relations(1) == []
    assert "Dmitry Peskov" not in [s[0] for s in store.spans(1)]
    gestures.key(window, K.Key_Z, CTRL)
    assert store.relations(1) == [("Dmitry Peskov", "porte_parole", "Kremlin")]
    assert gestures.span_id(window, "Dmitry Peskov") == peskov


def test_escape_cancels_a_relation_waiting_for_its_label(window: MainWindow, store, gestures) -> None:
    gestures.drag_span_to_span(
        window, gestures.span_id(window, "Dmitry Peskov"), gestures.span_id(window, "Kremlin")
    )
    gestures.key(window, K.Key_Escape)
    gestures.key(window, K.Key_Q)
    assert store.relations(1) == []
