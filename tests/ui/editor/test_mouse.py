"""Mouse behaviour of the editor: selecting text, spans and relations, and drawing relations."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop.model import Relation

from .helpers import Loader, span_of

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou près du Kremlin."


def drag(qtbot, view, a: QPoint, b: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, mods, a)
    mid = QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2)
    qtbot.mouseMove(vp, mid)
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, mods, b)


def select_chars(qtbot, view, text: str, start: int, end: int, alt: bool = False) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    a = view.offset_point(start) + QPoint(1, 0)
    b = view.offset_point(end) + QPoint(-1, 0)
    mods = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
    with qtbot.waitSignal(view.text_selected, timeout=1000) as blocker:
        drag(qtbot, view, a, b, mods)
    return tuple(blocker.args)  # type: ignore[return-value]


def test_drag_over_part_of_word_selects_whole_tokens(qtbot, load: Loader) -> None:
    view = load(TEXT)
    i = TEXT.index("Dmitriev")
    got = select_chars(qtbot, view, TEXT, i + 2, i + 5)
    assert got == (i, i + len("Dmitriev"))
    assert view.text_selection() == got


def test_alt_drag_selects_exact_characters(qtbot, load: Loader) -> None:
    view = load(TEXT)
    i = TEXT.index("Dmitriev")
    assert select_chars(qtbot, view, TEXT, i + 2, i + 5, alt=True) == (i + 2, i + 5)


def test_selection_after_emoji_uses_python_offsets(qtbot, load: Loader) -> None:
    text = "Réunion 🇺🇸🤝🇷🇺 à Moscou : Poutine 😀 répond."
    view = load(text)
    i = text.index("Poutine")
    got = select_chars(qtbot, view, text, i + 1, i + 4)
    assert got == (i, i + len("Poutine"))
    assert text[got[0] : got[1]] == "Poutine"


def test_selection_with_accents_and_crlf(qtbot, load: Loader) -> None:
    text = "Première ligne.\r\nÉtats-Unis et Russie coopèrent.\r\n\r\nFin élégante."
    view = load(text)
    i = text.index("coopèrent")
    got = select_chars(qtbot, view, text, i + 2, i + 6)
    assert text[got[0] : got[1]] == "coopèrent"
    j = text.index("élégante")
    got = select_chars(qtbot, view, text, j + 1, j + 3)
    assert text[got[0] : got[1]] == "élégante"
    assert "\r" not in view.visible_text()


def test_click_span_selects_it(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Moscou", "LOC", 7), span_of(TEXT, "Kremlin", "ORG", 8)])
    with qtbot.waitSignal(view.span_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(8).center())
    assert blocker.args == [8]
    assert view.selected_span() == 8


def test_click_arc_and_its_label_select_the_relation(qtbot, load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Kremlin", "ORG", 2)]
    view = load(TEXT, spans, [Relation(1, 2, "porte_parole", id=5)])
    with qtbot.waitSignal(view.relation_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.arc_label_rect(5).center())
    assert blocker.args == [5]
    view.clear_selection()
    assert view.selected_relation() is None
    with qtbot.waitSignal(view.relation_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.arc_point(5))
    assert blocker.args == [5]


def test_drag_from_span_to_span_draws_relation(qtbot, load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Kremlin", "ORG", 2)]
    view = load(TEXT, spans)
    with qtbot.waitSignal(view.relation_drawn, timeout=1000) as blocker:
        drag(qtbot, view, view.span_rect(1).center(), view.span_rect(2).center())
    assert blocker.args == [1, 2]


def test_relation_mode_click_click_draws_relation(qtbot, load: Loader) -> None:
    spans = [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Kremlin", "ORG", 2)]
    view = load(TEXT, spans)
    with qtbot.waitSignal(view.relation_mode_changed, timeout=1000):
        view.set_relation_mode(True)
    vp = view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view.span_rect(2).center())
    with qtbot.waitSignal(view.relation_drawn, timeout=1000) as blocker:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view.span_rect(1).center())
    assert blocker.args == [2, 1]
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.relation_mode()


def test_shift_drag_from_a_span_selects_text_inside_it(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Dmitry Peskov", "PER", 1)])
    i = TEXT.index("Peskov")
    drawn: list[tuple[int, int]] = []
    view.relation_drawn.connect(lambda h, c: drawn.append((h, c)))
    a = view.offset_point(i) + QPoint(2, 0)
    b = view.offset_point(i + 4)
    with qtbot.waitSignal(view.text_selected, timeout=1000) as blocker:
        drag(qtbot, view, a, b, Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args == [i, i + len("Peskov")]
    assert drawn == []


def test_relation_drag_released_on_text_draws_nothing(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Dmitry Peskov", "PER", 1), span_of(TEXT, "Kremlin", "ORG", 2)])
    seen: list[object] = []
    view.relation_drawn.connect(lambda *a: seen.append(a))
    view.text_selected.connect(lambda *a: seen.append(a))
    drag(qtbot, view, view.span_rect(1).center(), view.offset_point(TEXT.index("près")) + QPoint(3, 0))
    assert seen == []
    assert view.text_selection() is None


def test_drag_over_whitespace_only_selects_nothing(qtbot, load: Loader) -> None:
    text = "Moscou      Kremlin"
    view = load(text)
    seen: list[object] = []
    view.text_selected.connect(lambda *a: seen.append(a))
    drag(qtbot, view, view.offset_point(7) + QPoint(1, 0), view.offset_point(10))
    assert seen == [] and view.text_selection() is None
