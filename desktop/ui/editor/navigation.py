"""Moving through a document without the mouse: span order, find, token steps, descriptions.

Plain Python on offsets (no Qt), used by the editor widget for Tab / Shift+Tab, find, the arrow
keys and tooltips.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from desktop.model import Origin, Relation, Span, Token


class SpanOrder:
    """Spans in text order (start, then end, then id), for Tab and Shift+Tab."""

    def __init__(self, spans: dict[int, Span]) -> None:
        self._spans = spans
        self._sorted: list[tuple[int, int, int]] | None = None  # sorted on first use

    @property
    def _order(self) -> list[tuple[int, int, int]]:
        if self._sorted is None:
            self._sorted = sorted((s.start, s.end, sid) for sid, s in self._spans.items())
        return self._sorted

    def step(self, current: int | None, direction: int, from_offset: int = 0) -> int | None:
        """The span after (direction 1) or before (-1) `current`, wrapping around.

        With no current span, the first span at or after `from_offset` (the caret: where the
        reader is), or the last one before it.
        """
        return self.step_where(current, direction, from_offset, lambda _span: True)

    def step_where(
        self, current: int | None, direction: int, from_offset: int, wanted: Callable[[Span], bool]
    ) -> int | None:
        """Like `step`, but only to spans `wanted` accepts (e.g. unconfirmed suggestions)."""
        order = self._order
        span = self._spans.get(current) if current is not None else None
        if span is not None:
            i = bisect_left(order, (span.start, span.end, current)) + direction
        else:
            i = bisect_left(order, (from_offset, -1, -1))
            i = i if direction > 0 else i - 1
        for k in range(len(order)):
            sid = order[(i + k * direction) % len(order)][2]
            if wanted(self._spans[sid]):
                return sid
        return None


def find_match(
    text: str, query: str, current: tuple[int, int] | None, cursor: int, forward: bool = True
) -> tuple[int, int] | None:
    """The next (or previous) case-insensitive match of `query` after the current match or the
    cursor, wrapping around the end of the text."""
    if not query:
        return None
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    if forward:
        pos = current[0] + 1 if current else cursor
        m = pattern.search(text, pos) or pattern.search(text)
    else:
        pos = current[0] if current else cursor
        matches = list(pattern.finditer(text, 0, pos)) or list(pattern.finditer(text))
        m = matches[-1] if matches else None
    return (m.start(), m.end()) if m else None


def words(tokens: Sequence[Token], text: str) -> list[Token]:
    """The tokens a selection may begin or end on: not empty, not whitespace (`\\n\\n`, spaces)."""
    return [t for t in tokens if t.end > t.start and not text[t.start : t.end].isspace()]


def span_around(spans: dict[int, Span], start: int, end: int) -> int | None:
    """The innermost span holding [start, end) (a find match inside a name selects the name)."""
    holding = [(s.end - s.start, sid) for sid, s in spans.items() if s.start <= start and end <= s.end]
    return min(holding)[1] if holding else None


def token_step(
    tokens: Sequence[Token],
    selection: tuple[int, int] | None,
    delta: int,
    extend: bool = False,
    start_at: int = 0,
    move_start: bool = False,
) -> tuple[int, int] | None:
    """A selection of whole words moved by `delta` words; with `extend` its end moves instead (it
    grows or shrinks), with `move_start` its start. `tokens` are `words(...)`: whitespace is never
    a step, so a selection never begins or ends on it.

    Without a selection, the first word at or after `start_at` (the caret) is selected, or with a
    negative `delta` the last word before it.
    """
    real = [t for t in tokens if t.end > t.start]
    if not real:
        return None
    starts = [t.start for t in real]
    ends = [t.end for t in real]
    if selection is None:
        i = bisect_left(starts, start_at) if delta > 0 else bisect_left(starts, start_at) - 1
        i = min(max(i, 0), len(real) - 1)
        return (real[i].start, real[i].end)
    first = min(max(bisect_right(starts, selection[0]) - 1, 0), len(real) - 1)
    last = min(max(bisect_left(ends, selection[1]), first), len(real) - 1)
    if extend:
        last = min(max(last + delta, first), len(real) - 1)
        return (real[first].start, real[last].end)
    if move_start:
        first = min(max(first + delta, 0), last)
        return (real[first].start, real[last].end)
    i = min(max((last if delta > 0 else first) + delta, 0), len(real) - 1)
    return (real[i].start, real[i].end)


def words_between(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """The first and last word inside [start, end) as one range (a line's words, for Home/End)."""
    inside = [t for t in tokens if t.start >= start and t.end <= end and t.end > t.start]
    return (inside[0].start, inside[-1].end) if inside else None


def occurrences(text: str, tokens: Sequence[Token], needle: str) -> list[tuple[int, int]]:
    """Where `needle` occurs in `text` starting and ending at token boundaries (exact case)."""
    if not needle.strip():
        return []
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    out = []
    pos = text.find(needle)
    while pos >= 0:
        if pos in starts and pos + len(needle) in ends:
            out.append((pos, pos + len(needle)))
        pos = text.find(needle, pos + 1)
    return out


def excerpt(text: str, span: Span, limit: int = 40) -> str:
    """The span's text on one line, quoted and shortened."""
    words = " ".join(text[span.start : span.end].split())
    return f"« {words[:limit]}{'…' if len(words) > limit else ''} »"


def describe_span(text: str, span: Span) -> str:
    kind = "suggestion" if span.origin == Origin.MODEL else "confirmed"
    if span.origin == Origin.MODEL and span.confidence is not None:
        kind += f", model {span.confidence:.0%} sure"
    return f"{span.label} · {excerpt(text, span)} ({kind})"


def least_confident(spans: dict[int, Span]) -> int | None:
    """The suggestion the model is least sure of (the first in the text among equals)."""
    scored = [(s.confidence, s.start, sid) for sid, s in spans.items() if s.origin == Origin.MODEL]
    scored = [x for x in scored if x[0] is not None]
    return min(scored)[2] if scored else None


def shown_suggestions(
    spans: list[Span], relations: list[Relation], threshold: float
) -> tuple[list[Span], list[Relation]]:
    """Spans and relations without the suggestions the model is less sure of than `threshold`."""
    if threshold <= 0.0:
        return spans, relations
    kept = [s for s in spans if s.origin != Origin.MODEL or s.confidence is None or s.confidence >= threshold]
    ids = {s.id for s in kept}
    return kept, [r for r in relations if r.head in ids and r.child in ids]


def describe_relation(text: str, rel: Relation, head: Span, child: Span) -> str:
    return f"{excerpt(text, head)} → {rel.label} → {excerpt(text, child)}"
