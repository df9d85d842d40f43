"""Keyboard-only annotation: token steps with the arrow keys, span order, find."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.model import Span
from desktop.ui.editor.navigation import SpanOrder, find_match, token_step

from .helpers import Loader, span_of, tokenize

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou."


def test_token_step_moves_and_extends() -> None:
    tokens = tokenize(TEXT)
    first = token_step(tokens, None, 1, False)
    assert first == (0, 6)
    nxt = token_step(tokens, first, 1, False)
    assert TEXT[slice(*nxt)] == "Dmitriev"
    grown = token_step(tokens, nxt, 2, True)
    assert TEXT[slice(*grown)] == "Dmitriev a rencontré"
    shrunk = token_step(tokens, grown, -1, True)
    assert TEXT[slice(*shrunk)] == "Dmitriev a"
    assert token_step(tokens, (0, 6), -1, False) == (0, 6)  # stays at the first token
    assert token_step([], None, 1, False) is None


def test_span_order_wraps_and_starts_from_an_offset() -> None:
    spans = {1: Span(30, 36, "PER", id=1), 2: Span(0, 6, "PER", id=2), 3: Span(10, 12, "LOC", id=3)}
    order = SpanOrder(spans)
    assert order.step(None, 1, from_offset=8) == 3
    assert order.step(None, -1, from_offset=8) == 2
    assert order.step(1, 1) == 2
    assert order.step(2, -1) == 1
    assert SpanOrder({}).step(None, 1) is None


def test_find_match_ignores_case_and_wraps() -> None:
    text = "Moscou, puis moscou, puis MOSCOU."
    first = find_match(text, "moscou", None, 0)
    assert first == (0, 6)
    second = find_match(text, "moscou", first, 0)
    assert second == (13, 19)
    assert find_match(text, "moscou", (26, 32), 0) == (0, 6)
    assert find_match(text, "moscou", first, 0, forward=False) == (26, 32)
    assert find_match(text, "Kyiv", None, 0) is None


def test_arrow_keys_select_tokens_from_the_selected_span(qtbot, load: Loader) -> None:
    view = load(TEXT, [span_of(TEXT, "Dmitry Peskov", "PER", 1)])
    view.setFocus()
    view.select_span(1)
    with qtbot.waitSignal(view.text_selected, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert TEXT[slice(*blocker.args)] == "à"
    assert view.selected_span() is None
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert TEXT[slice(*view.text_selection())] == "à Moscou"
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert TEXT[slice(*view.text_selection())] == "Peskov"
