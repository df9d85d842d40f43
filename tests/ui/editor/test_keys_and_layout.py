"""Keyboard navigation, plain-text rendering and span layout of the editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .helpers import Loader, span_of

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou près du Kremlin."


def test_tab_and_shift_tab_cycle_spans_in_text_order(qtbot, load: Loader) -> None:
    spans = [
        span_of(TEXT, "Kremlin", "ORG", 3),
        span_of(TEXT, "Kirill Dmitriev", "PER", 9),
        span_of(TEXT, "Moscou", "LOC", 1),
    ]
    view = load(TEXT, spans)
    view.setFocus()
    seen = []
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        seen.append(view.selected_span())
    assert seen == [9, 1, 3, 9]
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert view.selected_span() == 3
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.selected_span() is None


def test_markup_is_shown_literally(load: Loader) -> None:
    text = "Titre <b>gras</b> &amp; <script>alert(1)</script> fin"
    view = load(text)
    assert "<b>gras</b> &amp; <script>alert(1)</script>" in view.visible_text()


def test_span_crossing_line_break_has_one_box_per_line(load: Loader) -> None:
    text = "Le fonds souverain\nrusse investit."
    view = load(text, [span_of(text, "souverain\nrusse", "ORG", 4)])
    rects = view.span_rects(4)
    assert len(rects) == 2
    assert rects[1].top() > rects[0].bottom()


def test_span_crossing_an_empty_line_draws_no_box_on_it(load: Loader) -> None:
    text = "Alpha Beta\n\nGamma delta"
    view = load(text, [span_of(text, "Beta\n\nGamma", "PER", 4)])
    rects = view.span_rects(4)
    assert len(rects) == 2
    assert rects[0].contains(view.offset_point(text.index("Beta") + 1))
    assert rects[1].contains(view.offset_point(text.index("Gamma") + 1))
    lay = view.editor_layout()
    labelled = [p.span_id for ln in lay.lines for p, _, _ in lay.label_slots(ln)]
    assert labelled == [4]  # one label, under the piece on "Beta"
    assert [p.first for _, p in lay.span_pieces(4)] == [True, False]


def test_overlapping_spans_stack_in_two_rows(load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Peskov", "MISC", 2)]
    view = load(TEXT, spans)
    a, b = view.span_rect(1), view.span_rect(2)
    assert b.top() > a.bottom() - 1  # the nested span is a bar below the outer box
    assert a.intersects(b.translated(0, a.top() - b.top()))


def test_span_colour_is_painted(load: Loader, editor_scheme) -> None:  # type: ignore[no-untyped-def]
    view = load(TEXT, [span_of(TEXT, "Moscou", "LOC", 1)])
    img = view.viewport().grab().toImage()
    r = view.span_rect(1)
    want = QColor(editor_scheme.color("LOC"))
    found = any(img.pixelColor(x, r.top() + 2) == want for x in range(r.left() + 3, r.right() - 3))
    assert found


def test_own_keys_win_over_window_shortcuts(qtbot, editor_scheme) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow

    from desktop.ui.editor import EditorView

    from .helpers import tokenize

    window = QMainWindow()
    qtbot.addWidget(window)
    view = EditorView()
    window.setCentralWidget(view)
    spans = [span_of(TEXT, "Moscou", "LOC", 1), span_of(TEXT, "Kremlin", "ORG", 2)]
    view.set_content(TEXT, tokenize(TEXT), spans, [], editor_scheme)
    fired: list[str] = []
    for key in ("Tab", "Right"):
        action = QAction(key, window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda *_, k=key: fired.append(k))
        window.addAction(action)
    window.show()
    qtbot.waitExposed(window)
    view.setFocus()
    handle = window.windowHandle()  # through the window system, where shortcuts are matched
    qtbot.keyClick(handle, Qt.Key.Key_Tab)
    assert view.selected_span() == 1
    qtbot.keyClick(handle, Qt.Key.Key_Right)
    assert TEXT[slice(*view.text_selection())] == "près"
    assert fired == []


def test_labels_of_crowded_short_spans_do_not_overlap(load: Loader) -> None:
    text = "Signé par A. B. Cd. et D. E. Fg. hier."
    spans = [
        span_of(text, w, lab, i + 1)
        for i, (w, lab) in enumerate(
            [("A.", "PER"), ("B.", "PER"), ("Cd", "MISC"), ("D.", "LOC"), ("E.", "ORG"), ("Fg", "MISC")]
        )
    ]
    view = load(text, spans)
    lay = view.editor_layout()
    slots = lay.label_slots(lay.lines[0])
    assert len(slots) == 6
    for (_, a, _), (_, b, _) in zip(slots, slots[1:], strict=False):
        assert a.right() <= b.left() + 0.5
    assert all(text_ for _, _, text_ in slots)  # every label keeps at least its first letter
