"""Editor behaviour around edits, find, zoom, long documents and relations across lines."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from desktop.model import Origin, Relation

from .helpers import Loader, span_of

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou près du Kremlin."
LONG = "\n\n".join(
    f"Paragraphe {i} : le Kremlin et Moscou discutent avec Washington de terres rares." for i in range(200)
)


def test_update_keeps_scroll_and_selection(qtbot, load: Loader) -> None:
    spans = [span_of(LONG, "Moscou", "LOC", i + 1, nth=i) for i in range(0, 200, 10)]
    view = load(LONG, spans)
    view.select_span(11)
    view.scroll_to_span(11)
    before = view.verticalScrollBar().value()
    assert before > 0
    edited = [replace(s, label="ORG") if s.id == 11 else s for s in spans]
    view.update_annotations(edited, [])
    assert view.verticalScrollBar().value() == before
    assert view.selected_span() == 11
    with qtbot.waitSignal(view.span_selected, timeout=1000) as blocker:
        view.update_annotations([s for s in edited if s.id != 11], [])
    assert blocker.args == [-1]
    assert view.selected_span() is None


def test_relabel_repaints_in_the_new_colour(load: Loader, editor_scheme) -> None:  # type: ignore[no-untyped-def]
    span = span_of(TEXT, "Moscou", "LOC", 1)
    view = load(TEXT, [span])
    view.update_annotations([replace(span, label="ORG")], [])
    img = view.viewport().grab().toImage()
    r = view.span_rect(1)
    want = QColor(editor_scheme.color("ORG"))
    assert any(img.pixelColor(x, r.top() + 3) == want for x in range(r.left() + 3, r.right() - 3))


def test_suggestion_is_paler_than_confirmed_span(load: Loader) -> None:
    spans = [
        span_of(TEXT, "Moscou", "LOC", 1),
        span_of(TEXT, "Kremlin", "LOC", 2, origin=Origin.MODEL),
    ]
    view = load(TEXT, spans)
    img = view.viewport().grab().toImage()
    a, b = view.span_rect(1), view.span_rect(2)
    confirmed = img.pixelColor(a.left() + 3, a.top() + 3)
    suggested = img.pixelColor(b.left() + 3, b.top() + 3)
    assert suggested.lightness() > confirmed.lightness()


def test_find_highlights_scrolls_and_wraps(qtbot, load: Loader) -> None:
    view = load(LONG)
    assert view.find("paragraphe 150")
    assert view.verticalScrollBar().value() > 0
    assert "Paragraphe 150" in view.visible_text()
    assert view.find("Paragraphe 1", forward=False)
    assert not view.find("Sibérie")


def test_zoom_enlarges_text_and_keeps_spans(load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Moscou", "LOC", 1)])
    small = view.span_rect(1)
    view.set_zoom(1.5)
    assert view.zoom() == 1.5
    big = view.span_rect(1)
    assert big.height() > small.height() and big.width() > small.width()
    view.set_zoom(100)
    assert view.zoom() == 3.0


def test_only_visible_lines_are_realised(load: Loader) -> None:
    spans = [span_of(LONG, "Kremlin", "ORG", i + 1, nth=i) for i in range(200)]
    view = load(LONG, spans)
    view.viewport().grab()
    lay = view.editor_layout()
    realised = sum(1 for ln in lay.lines if ln.real and ln.pieces)
    assert 0 < realised < 40


def test_relation_across_lines_draws_two_half_arcs(qtbot, load: Loader) -> None:
    text = "Le porte-parole Dmitry Peskov a parlé.\n\nAu Kremlin, personne n'a commenté."
    spans = [span_of(text, "Dmitry Peskov", "PER", 1), span_of(text, "Kremlin", "ORG", 2)]
    view = load(text, spans, [Relation(1, 2, "porte_parole", id=9)])
    arcs = view.editor_layout().relation_arcs(9)
    assert sorted(a.kind for _, a in arcs) == ["in", "out"]
    with qtbot.waitSignal(view.relation_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.arc_label_rect(9).center())
    assert blocker.args == [9]


def test_far_relation_stays_clickable_when_other_end_is_off_screen(qtbot, load: Loader) -> None:
    spans = [span_of(LONG, "Kremlin", "ORG", 1), span_of(LONG, "Washington", "LOC", 2, nth=190)]
    view = load(LONG, spans, [Relation(1, 2, "situe_dans", id=4)])
    assert view.arc_label_rect(4).top() >= 0
    with qtbot.waitSignal(view.relation_selected, timeout=1000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.arc_label_rect(4).center())


def test_click_on_nested_bar_selects_the_inner_span(qtbot, load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Peskov", "MISC", 2)]
    view = load(TEXT, spans)
    with qtbot.waitSignal(view.span_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(2).center())
    assert blocker.args == [2]


def test_programmatic_selection_emits_once(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Moscou", "LOC", 1)])
    seen: list[int] = []
    view.span_selected.connect(seen.append)
    view.select_span(1)
    view.select_span(1)
    view.select_span(None)
    view.select_span(77)  # unknown: nothing to select
    assert seen == [1, -1]


def test_escape_in_relation_mode_drops_head_then_leaves(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Moscou", "LOC", 1), span_of(TEXT, "Kremlin", "ORG", 2)])
    view.set_relation_mode(True)
    view.setFocus()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(1).center())
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.relation_mode()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.relation_mode()


def test_double_click_selects_a_token(qtbot, load: Loader) -> None:
    view = load(TEXT)
    i = TEXT.index("rencontré")
    with qtbot.waitSignal(view.text_selected, timeout=1000) as blocker:
        qtbot.mouseDClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.offset_point(i + 3) + QPoint(1, 0)
        )
    assert blocker.args == [i, i + len("rencontré")]


def test_crlf_offsets_stay_python_indices(load: Loader) -> None:
    text = "Ligne un.\r\nLigne deux 😀 avec Moscou.\r\n"
    span = span_of(text, "Moscou", "LOC", 1)
    view = load(text, [span])
    rect = view.span_rect(1)
    assert view.offset_at(rect.topLeft() + QPoint(3, 3)) == span.start
    assert view.visible_text() == "Ligne un.\nLigne deux 😀 avec Moscou.\n"


def test_tabs_and_controls_draw_as_spaces(load: Loader) -> None:
    view = load("a\tb\x07c")
    assert view.visible_text() == "a b c"


def test_drag_below_the_view_scrolls_and_extends_selection(qtbot, load: Loader) -> None:
    view = load(LONG)
    vp = view.viewport()
    start = view.offset_point(LONG.index("Kremlin")) + QPoint(2, 0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, start + QPoint(30, 0))
    below = QPoint(start.x(), vp.height() + 40)
    qtbot.mouseMove(vp, below)
    qtbot.waitUntil(lambda: view.verticalScrollBar().value() > 100, timeout=3000)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=below)
    sel = view.text_selection()
    assert sel is not None and sel[1] - sel[0] > 200


def test_accessible_description_follows_the_selection(load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Kremlin", "ORG", 2)]
    view = load(TEXT, spans, [Relation(1, 2, "porte_parole", id=3)])
    view.select_span(1)
    assert "PER" in view.accessibleDescription() and "Dmitry Peskov" in view.accessibleDescription()
    view.select_relation(3)
    assert "porte_parole" in view.accessibleDescription()
    view.clear_selection()
    assert view.accessibleDescription() == ""


def test_clicking_the_far_end_tag_follows_the_relation(qtbot, load: Loader) -> None:
    spans = [span_of(LONG, "Kremlin", "ORG", 1), span_of(LONG, "Washington", "LOC", 2, nth=190)]
    view = load(LONG, spans, [Relation(1, 2, "situe_dans", id=4)])
    tag = view.far_tag_rect(4)
    assert tag is not None
    with qtbot.waitSignal(view.relation_selected, timeout=1000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=tag.center())
    assert view.selected_relation() == 4
    assert "Paragraphe 190" in view.visible_text()
    assert view.far_tag_rect(4) is not None  # now the head's end is the one out of view


def test_resizing_a_long_document_reflows_it_keeping_the_line_in_view(qtbot, load: Loader) -> None:
    text = "\n".join(f"Ligne {i} : le Kremlin et Moscou parlent avec Washington." for i in range(600))
    view = load(text)
    view.scroll_to_offset(text.index("Ligne 420 "))
    assert "Ligne 420 " in view.visible_text()
    lines_before = len(view.editor_layout().lines)
    view.resize(300, 500)  # a long document reflows once resizing pauses
    qtbot.waitUntil(lambda: len(view._layout.lines) > lines_before, timeout=2000)
    assert "Ligne 420 " in view.visible_text()
