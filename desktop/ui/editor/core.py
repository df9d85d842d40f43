"""The annotation editor's state and drawing: content, selection, navigation, find, relation mode.

`EditorCore` holds what is shown and selected and paints it through `painter.EditorPainter`, on
`canvas.EditorCanvas` (layout, scrolling, zoom, geometry); `view.EditorView` adds the mouse and
keyboard on top. The widget only shows and selects; it never writes to a project.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop.model import LabelScheme, Origin, Relation, Span, Token
from desktop.model.tokens import snap
from desktop.ui.editor.canvas import EditorCanvas
from desktop.ui.editor.navigation import (
    SpanOrder,
    describe_relation,
    describe_span,
    find_match,
    least_confident,
    shown_suggestions,
    span_around,
    words,
)
from desktop.ui.editor.painter import PaintState


class EditorCore(EditorCanvas):
    """Text with span boxes and relation arcs; selection, navigation, find and relation drawing
    (layout, scrolling and zoom come from `EditorCanvas`).

    Offsets are Python string indices into the text given to `set_content`. Spans and relations
    without an id are not shown (ids are how selection and signals name them).
    """

    span_selected = Signal(int)
    """A span was selected (its id), or the span selection was cleared (-1)."""
    relation_selected = Signal(int)
    """A relation was selected (its id), or the relation selection was cleared (-1)."""
    text_selected = Signal(int, int)
    """The mouse selected text: start, end, snapped to tokens unless Alt was held."""
    relation_drawn = Signal(int, int)
    """The user drew a relation: head span id, child span id."""
    relation_mode_changed = Signal(bool)
    selection_changed = Signal()
    """What is selected changed (a span, a relation, text, or nothing): time to say so."""
    label_key = Signal(str, bool)
    """A number-row key on any layout: its digit, and whether it labels every occurrence."""
    span_resize_requested = Signal(int, int, int)
    """The keyboard moved a selected span's start or end by a word: span id, new start, new end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tokens: list[Token] = []
        self._words: list[Token] = []
        """The tokens that are not whitespace: where the arrows step."""
        self._state = PaintState()
        self._relation_mode = False
        self._order = SpanOrder({})
        self._threshold = 0.0
        self._all: tuple[list[Span], list[Relation]] = ([], [])
        self._caret = 0
        """Where the reader is: the selected span's or text's start, a find match, a click.
        Tab and Shift+Tab step from here, and it stays where a deleted span was."""

    # -- content ------------------------------------------------------------------------------------

    def set_content(
        self,
        text: str,
        tokens: list[Token],
        spans: list[Span],
        relations: list[Relation],
        scheme: LabelScheme,
    ) -> None:
        """Show a new document; clears selection and scrolls to the top."""
        old = self._state
        self._reset_input()
        self._tokens = list(tokens)
        self._words = words(self._tokens, text)
        self._state = PaintState()
        self._caret = 0
        self._painter.reset_colors()
        lay = self._layout
        m = lay.m  # wrap enough for two screens now, the rest once this one is painted
        first = int(2 * self.viewport().height() / (m.text_h + m.label_h)) + 8
        lay.set_text(text, self._content_width(), first_lines=first)
        self._all = (list(spans), list(relations))
        spans, relations = shown_suggestions(spans, relations, self._threshold)
        lay.set_annotations(spans, relations, scheme)
        self._order = SpanOrder(self._layout.spans)
        self._sync_scrollbar()
        self.verticalScrollBar().setValue(0)
        self._describe()
        self.viewport().update()
        if lay.pending is not None:
            self._completion.start()
        if old.selected_span is not None:
            self.span_selected.emit(-1)
        if old.selected_relation is not None:
            self.relation_selected.emit(-1)

    def update_annotations(self, spans: list[Span], relations: list[Relation]) -> None:
        """Show edited annotations, keeping scroll position and a still-existing selection."""
        self._all = (list(spans), list(relations))
        spans, relations = shown_suggestions(spans, relations, self._threshold)
        anchor = self._top_anchor()
        self._layout.update_annotations(spans, relations)
        self._painter.reset_colors()
        st = self._state
        if st.selected_span is not None and st.selected_span not in self._layout.spans:
            self.select_span(None)
        if st.selected_relation is not None and st.selected_relation not in self._layout.relations:
            self.select_relation(None)
        if st.pending_head is not None and st.pending_head not in self._layout.spans:
            st.pending_head = None
            st.rubber_band = None
        self._order = SpanOrder(self._layout.spans)
        self._sync_scrollbar()
        self._restore_anchor(anchor)
        self.viewport().update()

    def text(self) -> str:
        return self._layout.text

    # -- selection ----------------------------------------------------------------------------------

    def selected_span(self) -> int | None:
        return self._state.selected_span

    def selected_relation(self) -> int | None:
        return self._state.selected_relation

    def text_selection(self) -> tuple[int, int] | None:
        return self._state.text_selection

    def select_span(self, span_id: int | None) -> None:
        st = self._state
        if span_id is not None and span_id not in self._layout.spans:
            span_id = None
        if span_id is not None:
            self._set_relation(None)
            st.text_selection = None
            st.find_match = None
            self._caret = self._layout.spans[span_id].start
        if st.selected_span != span_id:
            st.selected_span = span_id
            self.span_selected.emit(-1 if span_id is None else span_id)
        self._describe()
        self.viewport().update()

    def select_relation(self, rel_id: int | None) -> None:
        if rel_id is not None and rel_id not in self._layout.relations:
            rel_id = None
        if rel_id is not None:
            self.select_span(None)
            self._state.text_selection = None
        self._set_relation(rel_id)
        self.viewport().update()

    def _set_relation(self, rel_id: int | None) -> None:
        if self._state.selected_relation != rel_id:
            self._state.selected_relation = rel_id
            self.relation_selected.emit(-1 if rel_id is None else rel_id)
            self._describe()

    def clear_selection(self) -> None:
        self.select_span(None)
        self._set_relation(None)
        self._state.text_selection = None
        self._state.pending_head = None
        self._state.rubber_band = None
        self._describe()
        self.viewport().update()

    def caret(self) -> int:
        return self._caret

    def set_caret(self, offset: int) -> None:
        self._caret = min(max(offset, 0), len(self._layout.text))
        self.viewport().update()

    def select_text(self, start: int, end: int) -> None:
        """Select characters [start, end) as text (no span), as the mouse or the arrows do."""
        st = self._state
        self.select_span(None)
        self._set_relation(None)
        size = len(self._layout.text)
        start, end = max(0, min(start, size)), max(0, min(end, size))
        st.text_selection = (start, end) if end > start else None
        self._caret = start
        self.scroll_to_offset(start)
        self._describe()
        if st.text_selection is not None:
            self.text_selected.emit(start, end)
        self.viewport().update()

    def next_span(self) -> int | None:
        """Select the next span in text order, from the selected span or the caret."""
        return self._step_span(1)

    def previous_span(self) -> int | None:
        return self._step_span(-1)

    def next_suggestion(self, direction: int = 1) -> int | None:
        """Select the next (or previous) suggestion nobody has confirmed yet."""
        self.complete_layout()
        sid = self._order.step_where(
            self._state.selected_span, direction, self._caret, lambda s: s.origin == Origin.MODEL
        )
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def set_confidence_threshold(self, threshold: float) -> None:
        """Hide the suggestions the model is less sure of than `threshold` (0 shows them all)."""
        self._threshold = threshold
        self.update_annotations(*self._all)

    def hidden_suggestions(self) -> int:
        return len(self._all[0]) - len(self._layout.spans)

    def select_least_confident(self) -> int | None:
        """Select the shown suggestion the model is least sure of, and scroll to it."""
        self.complete_layout()
        sid = least_confident(self._layout.spans)
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def _step_span(self, direction: int) -> int | None:
        self.complete_layout()
        sid = self._order.step(self._state.selected_span, direction, self._caret)
        if sid is not None:
            self.select_span(sid)
            self.scroll_to_span(sid)
        return sid

    def _describe(self) -> None:
        """Keep the accessible description on what is selected, for screen readers."""
        st, lay = self._state, self._layout
        text = ""
        if st.selected_span in lay.spans:
            text = describe_span(lay.text, lay.spans[st.selected_span])
        elif st.selected_relation in lay.relations:
            rel = lay.relations[st.selected_relation]
            head, child = lay.spans.get(rel.head), lay.spans.get(rel.child)
            if head is not None and child is not None:
                text = describe_relation(lay.text, rel, head, child)
        elif st.text_selection is not None:
            text = "Selected: « " + " ".join(lay.text[slice(*st.text_selection)].split()) + " »"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
        self.selection_changed.emit()

    # -- find ---------------------------------------------------------------------------------------

    # Shadows the static QWidget.find(window id), which an editor never needs.
    def find(self, query: str, forward: bool = True) -> bool:  # type: ignore[override]
        """Highlight and scroll to the next (or previous) match of `query`, ignoring case; wraps.

        An empty query clears the highlight.
        """
        self.complete_layout()
        st = self._state
        # From a selection, the next match starts after it (its own text is not "next").
        skip = st.find_match is None and (st.text_selection is not None or st.selected_span is not None)
        caret = self._caret + 1 if skip and forward else self._caret
        m = find_match(self._layout.text, query, st.find_match, caret, forward)
        self._state.find_match = m
        if m:
            self.scroll_to_offset(m[0])
        self.viewport().update()
        return m is not None

    def find_from_caret(self, query: str) -> bool:
        """Find as the query is typed: the first match at or after the caret."""
        self.complete_layout()
        m = find_match(self._layout.text, query, None, self._caret)
        self._state.find_match = m
        if m:
            self.scroll_to_offset(m[0])
        self.viewport().update()
        return m is not None

    def find_match(self) -> tuple[int, int] | None:
        return self._state.find_match

    def take_find_match(self) -> bool:
        """Turn the highlighted match into the selection (widened to whole words): the span it
        lies in when there is one (the innermost), else the text. The highlight goes."""
        m = self._state.find_match
        self._state.find_match = None
        if m is None:
            self.viewport().update()
            return False
        start, end = snap(self._tokens, m[0], m[1], self._layout.text)
        span = span_around(self._layout.spans, start, end)
        if span is not None:
            self.select_span(span)
        else:
            self.select_text(start, end)
        return True

    def clear_find(self) -> None:
        if self._state.find_match is not None:
            self._state.find_match = None
            self.viewport().update()

    # -- relation mode ------------------------------------------------------------------------------

    def relation_mode(self) -> bool:
        return self._relation_mode

    def set_relation_mode(self, on: bool) -> None:
        if on == self._relation_mode:
            return
        self._relation_mode = on
        self._state.pending_head = None
        self._state.rubber_band = None
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.IBeamCursor)
        self.relation_mode_changed.emit(on)
        self.viewport().update()

    # -- painting -----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self.viewport())
        if self._painter.palette is not self.palette():
            self._painter.set_palette(self.palette())
        self._state.visible = self._visible()
        st = self._state
        idle = st.selected_span is None and st.text_selection is None and st.selected_relation is None
        st.caret = self._caret if idle and self.hasFocus() else None
        self._painter.paint(p, self.verticalScrollBar().value(), self.viewport().height(), self._state)
        p.end()

    def _reset_input(self) -> None:
        """Forget a mouse gesture in progress (the input layer overrides this)."""
