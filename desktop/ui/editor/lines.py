"""Lines of the annotation editor: fonts, text measurement and word wrapping.

Text is wrapped by our own greedy word wrapper measured with QFontMetricsF, so every offset stays a
Python index into the original text (no UTF-16 arithmetic, no rich-text parsing: the text is only
ever measured and drawn as plain strings). Line breaks (\\n, \\r\\n, \\r, U+2028/9, ...) split
paragraphs and are never drawn; tabs and other control characters are drawn as spaces.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from operator import add

from PySide6.QtGui import QFont, QFontMetricsF

from desktop.model import Origin, Relation, Span

LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]")
CHUNK = re.compile(r"(\s*\S+)(\s*)")
SIMPLE = re.compile(
    r"[\u0020-\u007e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]*"
)
CONTROL = re.compile(r"[\x00-\x09\x0e-\x1b\x1f\x7f]")  # drawn as spaces (same length)

FULL, OUT, IN = "full", "out", "in"
"""Arc kinds: both ends here; head here, child on another line; child here, head elsewhere."""


class _Advance(dict[str, float]):
    """Advance width of single characters in one font, measured once."""

    def __init__(self, fm: QFontMetricsF) -> None:
        super().__init__()
        self.fm = fm

    def __missing__(self, ch: str) -> float:
        w = self[ch] = self.fm.horizontalAdvance(ch)
        return w


class _Widths(dict[str, float]):
    """Advance widths of strings in one font, measured once.

    The editor font has kerning off, so for alphabetic scripts whose glyphs do not combine (Latin,
    Greek, Cyrillic, punctuation) a string is as wide as the sum of its characters, four times
    faster to get than shaping it; anything else (combining marks, emoji, Arabic, CJK...) is shaped.
    """

    def __init__(self, fm: QFontMetricsF) -> None:
        super().__init__()
        self.fm = fm
        self.chars = _Advance(fm)

    def __missing__(self, s: str) -> float:
        if SIMPLE.fullmatch(s):
            w = self[s] = sum(map(self.chars.__getitem__, s))
        else:
            w = self[s] = self.fm.horizontalAdvance(s)
        return w


class Metrics:
    """Fonts and the vertical rhythm they imply, for one zoom factor."""

    def __init__(self, base: QFont, zoom: float) -> None:
        self.font = QFont(base)
        self.font.setPointSizeF(11.0 * zoom)
        self.font.setKerning(False)  # widths then add up, see _Widths
        self.label_font = QFont(base)
        self.label_font.setPointSizeF(7.0 * zoom)
        self.label_font.setBold(True)
        self.label_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        self.rel_font = QFont(self.label_font)
        self.rel_font.setCapitalization(QFont.Capitalization.SmallCaps)
        self.fm = QFontMetricsF(self.font)
        self.lfm = QFontMetricsF(self.label_font)
        self.rfm = QFontMetricsF(self.rel_font)
        self.ascent = self.fm.ascent()
        self.box_pad = round(2 * zoom)
        self.text_h = self.fm.height() + 2 * self.box_pad
        self.label_h = self.lfm.height() + 1
        self.bar_h = self.lfm.height() + 4
        self.arc_step = self.rfm.height() + 3
        self.arc_pad = round(6 * zoom)
        self.pad_top = round(3 * zoom)
        self.pad_bottom = round(3 * zoom)
        self.para_gap = round(10 * zoom)
        self.margin = round(16 * zoom)


class Piece:
    """The part of one span that falls on one line."""

    __slots__ = (
        "span_id", "start", "end", "x0", "x1", "row", "label", "origin", "first", "last", "confidence",
    )  # fmt: skip

    def __init__(self, span: Span, start: int, end: int) -> None:
        self.span_id: int = span.id if span.id is not None else -1
        self.start, self.end = start, end
        self.x0 = self.x1 = 0.0  # set when the line is realised
        self.row = 0
        self.label = span.label
        self.origin = span.origin
        self.confidence = span.confidence if span.origin == Origin.MODEL else None
        self.first = start <= span.start
        self.last = end >= span.end


class Arc:
    """The part of one relation drawn on one line."""

    __slots__ = (
        "rel_id", "kind", "xh", "xc", "fh", "fc", "level", "label", "origin", "other_line",
        "other", "head", "child",
    )  # fmt: skip

    def __init__(self, rel: Relation, kind: str, other_line: int, other: int) -> None:
        self.rel_id: int = rel.id if rel.id is not None else -1
        self.kind = kind
        self.head, self.child = rel.head, rel.child
        self.fh = self.fc = 0.5  # where along its span's box each end sits (0..1)
        self.xh = 0.0  # x of the head end (or of the edge it leaves by)
        self.xc = 0.0  # x of the child end (or of the edge it comes in by)
        self.level = 1
        self.label = rel.label
        self.origin = rel.origin
        self.other_line = other_line
        self.other = other  # span id at the far end, for half arcs


class Line:
    """One visual line: a slice [start, end) of one paragraph, wrapped to the width."""

    __slots__ = (
        "index",
        "start",
        "end",
        "text",
        "starts",
        "xs",
        "lo",
        "hi",
        "last",
        "top",
        "height",
        "levels",
        "rows",
        "pieces",
        "arcs",
        "painted",
        "real",
    )

    def __init__(
        self, start: int, text: str, starts: Sequence[int], xs: Sequence[float], lo: int = 0, hi: int = 1
    ) -> None:
        self.index = 0
        self.start = start
        self.end = start + len(text)
        self.text = text
        # Words of the line: starts[lo:hi] (offsets) and xs[lo:hi] (x from the paragraph's start),
        # slices of arrays shared by all lines of a paragraph, so a line costs no lists of its own.
        self.starts, self.xs, self.lo, self.hi = starts, xs, lo, hi
        self.last = False
        self.top = 0.0
        self.height = 0.0
        self.levels = 0
        self.rows = 1
        self.pieces: Sequence[Piece] = ()
        self.arcs: Sequence[Arc] = ()
        self.painted: object = None  # the painter's cached rendering of the text
        self.real = False  # whether pieces and arcs have their x positions yet

    @property
    def content_end(self) -> int:
        """End of the line's text without its trailing whitespace."""
        return self.start + len(self.text.rstrip())


class TextMeasure:
    """Wraps paragraphs into `Line`s and converts between offsets and x, for one font."""

    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics
        self._widths = _Widths(metrics.fm)

    def width(self, s: str) -> float:
        return self._widths[s]

    def line_width(self, ln: Line) -> float:
        """Width of the line's text (to the end of its last word), from the widths already measured."""
        return self.x_at(ln, ln.content_end) - self.m.margin

    def wrap(
        self, text: str, width: float, start: int = 0, max_lines: int | None = None
    ) -> tuple[list[Line], int | None]:
        """Lines of `text` from offset `start` (a line's start) wrapped to `width` pixels.

        With `max_lines`, stops once about that many lines are made and also returns where the
        next line starts; otherwise wraps to the end and returns None there.
        """
        avail = width - 2 * self.m.margin
        clean = CONTROL.search(text, start) is None
        budget = None if max_lines is None else max_lines * 200  # characters, plenty for that many lines
        lines: list[Line] = []
        pos = start
        ends = [(brk.start(), brk.end()) for brk in LINE_BREAK.finditer(text, start)]
        ends.append((len(text), -1))
        for end, after in ends:
            if budget is not None and end - pos > budget:  # a long paragraph: its beginning only
                resume = self._wrap_beginning(text, pos, end, budget, avail, clean, lines)
                if resume is not None:
                    return lines, resume
            para = text[pos:end]
            self._wrap_paragraph(pos, para if clean else CONTROL.sub(" ", para), avail, lines)
            pos = after
            if max_lines is not None and len(lines) >= max_lines and after >= 0:
                return lines, pos
        return lines, None

    def _wrap_beginning(
        self, text: str, pos: int, end: int, budget: int, avail: float, clean: bool, out: list[Line]
    ) -> int | None:
        """Wrap about `budget` characters from the start of the paragraph [pos, end) and return the
        start of the line to go on from, or None (nothing added) when the paragraph is not long.

        The last line made from the cut is dropped, since only the cut may have ended it there:
        greedy wrapping then goes on from its start exactly as if nothing had been cut.
        """
        cut = text.find(" ", pos + budget, end)
        if cut < 0:
            return None
        para = text[pos:cut]
        part: list[Line] = []
        self._wrap_paragraph(pos, para if clean else CONTROL.sub(" ", para), avail, part)
        if len(part) < 2:
            return None
        resume = part.pop().start
        part[-1].last = False
        out.extend(part)
        return resume

    def _wrap_paragraph(self, start: int, shown: str, avail: float, out: list[Line]) -> None:
        """Greedy word wrap of one paragraph, a bisection per line rather than a step per word."""
        pairs = CHUNK.findall(shown)  # (word with any leading space, the spaces after it)
        if not pairs:
            out.append(Line(start, shown, (start,), (0.0,)))
            out[-1].last = True
            return
        words, gaps = zip(*pairs, strict=True)
        widths = self._widths
        trim = list(map(widths.__getitem__, words))
        full = list(map(add, trim, map(widths.__getitem__, gaps)))
        cum = list(accumulate(full, initial=0.0))
        ends = list(map(add, cum, trim))  # right edge of each word's ink; never decreases
        pos = list(accumulate(map(add, map(len, words), map(len, gaps)), initial=start))
        a, n = 0, len(words)
        while a < n:
            if trim[a] > avail:
                self._hard_break(pos[a], words[a] + gaps[a], avail, out)
                a += 1
                continue
            x0 = cum[a]
            b = bisect_right(ends, x0 + avail, a + 1, n)
            out.append(Line(pos[a], shown[pos[a] - start : pos[b] - start], pos, cum, a, b))
            a = b
        out[-1].last = True

    def _hard_break(self, at: int, chunk: str, avail: float, out: list[Line]) -> None:
        """Split a word wider than the line at character boundaries, one line per piece."""
        fm = self.m.fm
        i = 0
        while i < len(chunk):
            lo, hi = i + 1, len(chunk)
            while lo < hi:  # longest prefix that fits, at least one character
                mid = (lo + hi + 1) // 2
                if fm.horizontalAdvance(chunk[i:mid].rstrip()) <= avail:
                    lo = mid
                else:
                    hi = mid - 1
            out.append(Line(at + i, chunk[i:lo], (at + i,), (0.0,)))
            i = lo

    def x_at(self, ln: Line, offset: int) -> float:
        """Content x of the left edge of character `offset` on line `ln`."""
        offset = min(max(offset, ln.start), ln.end)
        k = max(bisect_right(ln.starts, offset, ln.lo, ln.hi) - 1, ln.lo)
        x = self.m.margin + ln.xs[k] - ln.xs[ln.lo]
        word = ln.starts[k]
        if offset <= word:
            return x
        nxt = ln.starts[k + 1] if k + 1 < ln.hi else ln.end
        return x + self.width(ln.text[word - ln.start : min(offset, nxt) - ln.start])

    def offset_at_x(self, ln: Line, x: float) -> int:
        """Offset of the character boundary nearest to content x on line `ln`."""
        rel_x = x - self.m.margin + ln.xs[ln.lo]
        k = max(bisect_right(ln.xs, rel_x, ln.lo, ln.hi) - 1, ln.lo)
        word = ln.starts[k]
        nxt = ln.starts[k + 1] if k + 1 < ln.hi else ln.end
        chunk = ln.text[word - ln.start : nxt - ln.start]
        rel_x -= ln.xs[k]
        best, best_d = 0, abs(rel_x)
        for i in range(1, len(chunk) + 1):
            d = abs(self.width(chunk[:i]) - rel_x)
            if d > best_d:
                break
            best, best_d = i, d
        return word + best
