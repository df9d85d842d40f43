"""Fixtures for the editor tests: a shown EditorView and a helper that loads a text with spans."""

from __future__ import annotations

import pytest

from desktop.model import LabelScheme, Relation, Span
from desktop.ui.editor import EditorView

from .helpers import Loader, tokenize


@pytest.fixture
def editor_scheme() -> LabelScheme:
    return LabelScheme.from_names(
        ["PER", "LOC", "ORG", "MISC"], ["porte_parole", "situe_dans"], allow_overlap=True
    )


@pytest.fixture
def view(qtbot, editor_scheme: LabelScheme) -> EditorView:  # type: ignore[no-untyped-def]
    w = EditorView()
    qtbot.addWidget(w)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def load(view: EditorView, editor_scheme: LabelScheme) -> Loader:
    def _load(
        text: str, spans: list[Span] | None = None, relations: list[Relation] | None = None
    ) -> EditorView:
        view.set_content(text, tokenize(text), spans or [], relations or [], editor_scheme)
        return view

    return _load
