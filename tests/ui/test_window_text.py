"""Text is shown as text (never rich text), and offsets stay Python offsets past emoji and CRLF."""

from __future__ import annotations

from conftest import Store
from PySide6.QtCore import Qt

from desktop.ui.window import MainWindow

K = Qt.Key

MARKUP = "<b>Paris</b> &amp; <script>alert(1)</script> Moscou"
UNICODE = "👩🏽‍🔬 Marie Curie 🇫🇷\r\nvit à 😀 Paris\r\n"


def test_markup_in_a_document_is_shown_literally(open_window, project_with, gestures) -> None:
    path = project_with([MARKUP], [[("Moscou", "LOC")]])
    window: MainWindow = open_window(path)
    assert window.editor.text() == MARKUP
    assert "<b>Paris</b> &amp; <script>alert(1)</script>" in window.editor.visible_text()
    row = window.doc_list.model.index(0, 3).data()
    assert row == MARKUP
    start = MARKUP.index("<b>Paris</b>")
    gestures.select_text(window, start, start + len("<b>Paris</b>"))
    gestures.key(window, K.Key_2)
    texts = [window.side.span_model.index(i).data() for i in range(2)]
    assert any("<b>Paris</b>" in t for t in texts)
    spans = window.controller.annotation.spans
    assert any(MARKUP[s.start : s.end] == "<b>Paris</b>" for s in spans)


def test_emoji_and_crlf_before_a_span_keep_python_offsets(open_window, project_with, gestures) -> None:
    path = project_with([UNICODE], [[("Marie Curie", "PER")]])
    window: MainWindow = open_window(path)
    assert window.editor.text() == UNICODE
    start = UNICODE.index("Paris")
    gestures.select_text(window, start, start + len("Paris"))
    assert window.editor.text_selection() == (start, start + len("Paris"))
    gestures.key(window, K.Key_2)
    assert Store(path).spans(1) == [("Marie Curie", "PER", "model"), ("Paris", "LOC", "person")]
    gestures.click_span(window, gestures.span_id(window, "Marie Curie"))
    gestures.key(window, K.Key_Delete)
    assert Store(path).spans(1) == [("Paris", "LOC", "person")]
