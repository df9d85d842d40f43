"""Helpers shared by the editor tests."""

from __future__ import annotations

import re
from collections.abc import Callable

from desktop.model import Span, Token
from desktop.ui.editor import EditorView

WORD = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end()) for m in WORD.finditer(text)]


def span_of(text: str, word: str, label: str, sid: int, nth: int = 0, **kw: object) -> Span:
    i = -1
    for _ in range(nth + 1):
        i = text.index(word, i + 1)
    return Span(i, i + len(word), label, id=sid, **kw)  # type: ignore[arg-type]


Loader = Callable[..., EditorView]
