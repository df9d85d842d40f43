"""Moving through a document without the mouse: span order, find, token steps, descriptions.

Plain Python on offsets (no Qt), used by the editor widget for Tab / Shift+Tab, find, the arrow
keys and tooltips.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

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

        With no current span, the first span at or after `from_offset` (or the last before it).
        """
        order = self._order
        if not order:
            return None
        span = self._spans.get(current) if current is not None else None
        if span is not None:
            i = bisect_left(order, (span.start, span.end, current)) + direction
        else:
            i = bisect_left(order, (from_offset, -1, -1))
            i = i if direction > 0 else i - 1
        return order[i % len(order)][2]


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


def token_step(
    tokens: Sequence[Token], selection: tuple[int, int] | None, delta: int, extend: bool, start_at: int = 0
) -> tuple[int, int] | None:
    """A selection of whole tokens moved (or, with `extend`, its end grown or shrunk) by `delta` tokens.

    Without a selection, the first token at or after `start_at` is selected.
    """
    real = [t for t in tokens if t.end > t.start]
    if not real:
        return None
    starts = [t.start for t in real]
    ends = [t.end for t in real]
    if selection is None:
        i = min(bisect_left(starts, start_at), len(real) - 1)
        return (real[i].start, real[i].end)
    first = max(bisect_right(starts, selection[0]) - 1, 0)
    last = max(bisect_left(ends, selection[1]), first)
    last = min(last, len(real) - 1)
    if extend:
        last = min(max(last + delta, first), len(real) - 1)
        return (real[first].start, real[last].end)
    i = min(max((last if delta > 0 else first) + delta, 0), len(real) - 1)
    return (real[i].start, real[i].end)


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
