"""Token arithmetic on character offsets: which tokens a span covers, and snapping a selection."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from desktop.model.types import Token


class TokenIndex:
    """Token boundaries of one document, for many look-ups in O(log n) each."""

    __slots__ = ("starts", "ends")

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.starts = [t.start for t in tokens]
        self.ends = [t.end for t in tokens]

    def range(self, start: int, end: int) -> tuple[int, int]:
        """Indices of the first token and one past the last token that overlap [start, end).

        Returns (-1, -1) when no token overlaps (e.g. a span over whitespace only).
        """
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end)
        if first >= last:
            return (-1, -1)
        return (first, last)


def token_range(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int]:
    """Indices of the first token and one past the last token that overlap [start, end)."""
    return TokenIndex(tokens).range(start, end)


def aligned(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether the span starts at a token's start and ends at a token's end."""
    first, last = token_range(tokens, start, end)
    return first >= 0 and tokens[first].start == start and tokens[last - 1].end == end


def snap(tokens: Sequence[Token], start: int, end: int, text: str = "") -> tuple[int, int]:
    """Widen a character selection to whole tokens, ignoring whitespace at its edges.

    A selection that touches no token is returned unchanged.
    """
    if text:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
    first, last = token_range(tokens, start, end)
    if first < 0:
        return (start, end)
    while first < last and tokens[first].start == tokens[first].end:
        first += 1
    return (min(start, tokens[first].start), max(end, tokens[last - 1].end))


def words_and_spaces(text: str, tokens: Sequence[Token]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild `text` exactly from its tokens, for a spaCy Doc.

    Text between tokens that is not one trailing space becomes a whitespace token, as spaCy does.
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for t in tokens:
        if t.start < pos or t.end <= t.start:
            continue
        if t.start > pos:
            _gap(text[pos : t.start], words, spaces)
        words.append(text[t.start : t.end])
        spaces.append(False)
        pos = t.end
    if pos < len(text):
        _gap(text[pos:], words, spaces)
    return words, spaces


def _gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if words and not spaces[-1] and gap[0] == " ":
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)
