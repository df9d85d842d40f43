"""Layout engine of the annotation editor: where every line, span box and relation arc goes.

Pure geometry, no painting. Text is wrapped by our own word wrapper measured with
QFontMetricsF, so every offset stays a Python index into the original text (no UTF-16 arithmetic,
no rich-text parsing: the text is only ever measured and drawn as plain strings). Line breaks
(\\n, \\r\\n, \\r, U+2028/9) split paragraphs and are never drawn.

Coordinates: x in content pixels from the widget's left edge; each `Line` knows its `top` in
document pixels and everything inside it is placed relative to that, so a change of one line's
height only shifts the `top` of the lines below (a prefix sum) without touching their contents.

Vertical anatomy of a line, top to bottom: padding, the arc band (one `arc_step` per arc level),
the text row (row-0 span boxes sit behind the text), the row-0 label strip, one bar per extra
stacked span row, padding (plus a paragraph gap after a paragraph's last line).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from operator import add

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF

from desktop.model import LabelScheme, Origin, Relation, Span

LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]")
CHUNK = re.compile(r"\s*\S+\s*|\s+")
# Control characters are measured and drawn as spaces (same length, so offsets do not move).
CONTROL = re.compile(r"[\x00-\x09\x0e-\x1b\x1f\x7f]")  # drawn as spaces; breaks are not here

FULL, OUT, IN = "full", "out", "in"
"""Arc kinds: both ends here; head here, child on another line; child here, head elsewhere."""


class _Widths(dict[str, float]):
    """Advance widths of strings in one font, measured once."""

    def __init__(self, fm: QFontMetricsF) -> None:
        super().__init__()
        self.fm = fm

    def __missing__(self, s: str) -> float:
        w = self[s] = self.fm.horizontalAdvance(s)
        return w


class Metrics:
    """Fonts and the vertical rhythm they imply, for one zoom factor."""

    def __init__(self, base: QFont, zoom: float) -> None:
        self.font = QFont(base)
        self.font.setPointSizeF(11.0 * zoom)
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

    __slots__ = ("span_id", "start", "end", "x0", "x1", "row", "label", "origin", "first", "last")

    def __init__(self, span: Span, start: int, end: int) -> None:
        self.span_id: int = span.id if span.id is not None else -1
        self.start, self.end = start, end
        self.x0 = self.x1 = 0.0  # set when the line is realised
        self.row = 0
        self.label = span.label
        self.origin = span.origin
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
        "chunk_starts",
        "chunk_x",
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

    def __init__(self, start: int, text: str, chunk_starts: list[int], chunk_x: list[float]) -> None:
        self.index = 0
        self.start = start
        self.end = start + len(text)
        self.text = text
        self.chunk_starts = chunk_starts
        self.chunk_x = chunk_x
        self.last = False
        self.top = 0.0
        self.height = 0.0
        self.levels = 0
        self.rows = 1
        self.pieces: list[Piece] = []
        self.arcs: list[Arc] = []
        self.painted: object = None  # the painter's cached rendering of the text
        self.real = False  # whether pieces and arcs have their x positions yet

    @property
    def content_end(self) -> int:
        """End of the line's text without its trailing whitespace."""
        return self.start + len(self.text.rstrip())


@dataclass(slots=True)
class SpanGeometry:
    lines: list[int]


class EditorLayout:
    """Lines, span pieces and arcs of one document at one width and zoom."""

    def __init__(self, base_font: QFont, zoom: float = 1.0) -> None:
        self.m = Metrics(base_font, zoom)
        self.text = ""
        self.width = 600.0
        self.lines: list[Line] = []
        self.starts: list[int] = []
        self.tops: list[float] = []
        self.total_height = 0.0
        self.spans: dict[int, Span] = {}
        self.relations: dict[int, Relation] = {}
        self.scheme = LabelScheme()
        self.span_lines: dict[int, list[int]] = {}
        self.line_spans: list[set[int]] = []
        self.line_rels: list[set[int]] = []
        self.rel_lines: dict[int, tuple[int, ...]] = {}
        self._widths = _Widths(self.m.fm)
        self._label_widths: dict[tuple[str, int], float] = {}

    # -- text ----------------------------------------------------------------------------------

    def set_zoom(self, base_font: QFont, zoom: float) -> None:
        self.m = Metrics(base_font, zoom)
        self._widths = _Widths(self.m.fm)
        self._label_widths = {}
        self._label_widths: dict[tuple[str, int], float] = {}

    def set_text(self, text: str, width: float) -> None:
        """Wrap a new text; annotations follow with `set_annotations`."""
        self.text = text
        self.width = max(width, 80.0)
        self._wrap_text()
        self.spans, self.relations = {}, {}
        self.span_lines.clear()
        self.rel_lines.clear()

    def wrap(self) -> None:
        """Re-wrap the text to `self.width` (after a resize or zoom) and re-place every annotation."""
        self._wrap_text()
        self.span_lines.clear()
        self.rel_lines.clear()
        self.place(list(self.spans.values()), list(self.relations.values()), full=True)

    def _wrap_text(self) -> None:
        avail = self.width - 2 * self.m.margin
        text = self.text
        clean = CONTROL.search(text) is None
        lines: list[Line] = []
        pos = 0
        for brk in LINE_BREAK.finditer(text):
            para = text[pos : brk.start()]
            self._wrap_paragraph(pos, para if clean else CONTROL.sub(" ", para), avail, lines)
            pos = brk.end()
        para = text[pos:]
        self._wrap_paragraph(pos, para if clean else CONTROL.sub(" ", para), avail, lines)
        for i, ln in enumerate(lines):
            ln.index = i
        self.lines = lines
        self.starts = [ln.start for ln in lines]
        self.line_spans = [set() for _ in lines]
        self.line_rels = [set() for _ in lines]

    def _width(self, s: str) -> float:
        return self._widths[s]

    def _wrap_paragraph(self, start: int, shown: str, avail: float, out: list[Line]) -> None:
        """Greedy word wrap of one paragraph, a bisection per line rather than a step per word."""
        chunks = CHUNK.findall(shown)
        if not chunks:
            out.append(Line(start, "", [start], [0.0]))
            out[-1].last = True
            return
        widths = self._widths
        full = list(map(widths.__getitem__, chunks))
        trim = list(map(widths.__getitem__, map(str.rstrip, chunks)))
        cum = list(accumulate(full, initial=0.0))
        ends = list(map(add, cum, trim))  # right edge of each chunk's ink; never decreases
        pos = list(accumulate(map(len, chunks), initial=start))
        a, n = 0, len(chunks)
        while a < n:
            if trim[a] > avail:
                self._hard_break(pos[a], chunks[a], avail, out)
                a += 1
                continue
            x0 = cum[a]
            b = bisect_right(ends, x0 + avail, a + 1, n)
            text = shown[pos[a] - start : pos[b] - start]
            out.append(Line(pos[a], text, pos[a:b], [c - x0 for c in cum[a:b]]))
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
            out.append(Line(at + i, chunk[i:lo], [at + i], [0.0]))
            i = lo

    # -- geometry of text ------------------------------------------------------------------------

    def line_index(self, offset: int) -> int:
        """Index of the line holding `offset` (the previous line when it falls on a line break)."""
        return max(bisect_right(self.starts, offset) - 1, 0)

    def line_text(self, i: int) -> str:
        ln = self.lines[i]
        return ln.text

    def x_at(self, ln: Line, offset: int) -> float:
        """Content x of the left edge of character `offset` on line `ln`."""
        offset = min(max(offset, ln.start), ln.end)
        k = max(bisect_right(ln.chunk_starts, offset) - 1, 0)
        base = ln.chunk_x[k] if ln.chunk_x else 0.0
        cs = ln.chunk_starts[k]
        rel = offset - cs
        if rel <= 0:
            return self.m.margin + base
        nxt = ln.chunk_starts[k + 1] if k + 1 < len(ln.chunk_starts) else ln.end
        chunk = ln.text[cs - ln.start : nxt - ln.start]
        return self.m.margin + base + self._width(chunk[:rel])

    def offset_at_x(self, ln: Line, x: float) -> int:
        """Offset of the character boundary nearest to content x on line `ln`."""
        x -= self.m.margin
        k = max(bisect_right(ln.chunk_x, x) - 1, 0)
        cs = ln.chunk_starts[k]
        nxt = ln.chunk_starts[k + 1] if k + 1 < len(ln.chunk_starts) else ln.end
        chunk = ln.text[cs - ln.start : nxt - ln.start]
        rel_x = x - ln.chunk_x[k]
        best, best_d = 0, abs(rel_x)
        for i in range(1, len(chunk) + 1):
            d = abs(self._width(chunk[:i]) - rel_x)
            if d > best_d:
                break
            best, best_d = i, d
        return cs + best

    # -- annotations -----------------------------------------------------------------------------

    def set_annotations(self, spans: list[Span], relations: list[Relation], scheme: LabelScheme) -> None:
        self.scheme = scheme
        self.spans = {s.id: s for s in spans if s.id is not None}
        self.relations = {r.id: r for r in relations if r.id is not None}
        self.line_spans = [set() for _ in self.lines]
        self.line_rels = [set() for _ in self.lines]
        self.span_lines.clear()
        self.rel_lines.clear()
        self.place(list(self.spans.values()), list(self.relations.values()), full=True)

    def update_annotations(self, spans: list[Span], relations: list[Relation]) -> set[int]:
        """Apply new spans and relations; re-place only what changed. Returns the dirty lines."""
        new_spans = {s.id: s for s in spans if s.id is not None}
        new_rels = {r.id: r for r in relations if r.id is not None}
        old_spans, old_rels = self.spans, self.relations
        changed_spans = {
            sid
            for sid in old_spans.keys() | new_spans.keys()
            if _span_sig(old_spans.get(sid)) != _span_sig(new_spans.get(sid))
        }
        moved = {
            sid for sid in changed_spans if _span_pos(old_spans.get(sid)) != _span_pos(new_spans.get(sid))
        }
        changed_rels = {
            rid
            for rid in old_rels.keys() | new_rels.keys()
            if _rel_sig(old_rels.get(rid)) != _rel_sig(new_rels.get(rid))
        }
        for rid, rel in new_rels.items():
            if rel.head in moved or rel.child in moved:
                changed_rels.add(rid)
        for rid, rel in old_rels.items():
            if rel.head in moved or rel.child in moved:
                changed_rels.add(rid)
        self.spans, self.relations = new_spans, new_rels
        dirty: set[int] = set()
        for sid in changed_spans:
            for li in self.span_lines.pop(sid, ()):
                self.line_spans[li].discard(sid)
                dirty.add(li)
        for rid in changed_rels:
            for li in self.rel_lines.pop(rid, ()):
                self.line_rels[li].discard(rid)
                dirty.add(li)
        spans_now = [new_spans[s] for s in changed_spans if s in new_spans]
        rels_now = [new_rels[r] for r in changed_rels if r in new_rels]
        dirty |= self.place(spans_now, rels_now, full=False, dirty=dirty)
        return dirty

    def place(
        self,
        spans: list[Span],
        relations: list[Relation],
        full: bool,
        dirty: set[int] | None = None,
    ) -> set[int]:
        """Index `spans` and `relations` by line, then rebuild the lines they touch."""
        dirty = set() if dirty is None else dirty
        for span in spans:
            lines = self._lines_of(span.start, span.end)
            self.span_lines[span.id] = lines  # type: ignore[index]
            for li in lines:
                self.line_spans[li].add(span.id)  # type: ignore[arg-type]
            dirty.update(lines)
        for rel in relations:
            ends = self._rel_lines(rel)
            if ends is None:
                continue
            self.rel_lines[rel.id] = ends  # type: ignore[index]
            for li in ends:
                self.line_rels[li].add(rel.id)  # type: ignore[arg-type]
            dirty.update(ends)
        todo = range(len(self.lines)) if full else sorted(dirty)
        for li in todo:
            self._build_line(li)
        self._stack()
        return dirty

    def _lines_of(self, start: int, end: int) -> list[int]:
        first = self.line_index(start)
        out = []
        li = first
        while li < len(self.lines) and self.lines[li].start < max(end, start + 1):
            ln = self.lines[li]
            if ln.end > start or (ln.start == start):
                out.append(li)
            li += 1
        return out or [first]

    def _rel_lines(self, rel: Relation) -> tuple[int, ...] | None:
        head, child = self.span_lines.get(rel.head), self.span_lines.get(rel.child)
        if not head or not child:
            return None
        return (head[0],) if head[0] == child[0] else (head[0], child[0])

    def _build_line(self, li: int) -> None:
        ln = self.lines[li]
        m = self.m
        if not self.line_spans[li] and not self.line_rels[li]:
            ln.pieces, ln.arcs, ln.rows, ln.levels, ln.real = [], [], 1, 0, True
            plain = m.pad_top + m.text_h + m.label_h + m.pad_bottom
            ln.height = (plain if ln.text.strip() else m.text_h * 0.6) + (m.para_gap if ln.last else 0)
            return
        pieces = []
        content_end = ln.content_end
        for sid in self.line_spans[li]:
            span = self.spans[sid]
            s, e = max(span.start, ln.start), min(span.end, content_end)
            if e <= s:
                s = e = min(max(span.start, ln.start), ln.end)
            pieces.append(Piece(span, s, e))
        pieces.sort(key=lambda p: (p.start, -p.end, p.span_id))
        row_ends: list[int] = []
        for p in pieces:
            for r, end in enumerate(row_ends):
                if end <= p.start:
                    p.row, row_ends[r] = r, p.end
                    break
            else:
                p.row = len(row_ends)
                row_ends.append(p.end)
        ln.pieces = pieces
        ln.real = False
        ln.rows = max(len(row_ends), 1)
        self._build_arcs(li, ln)
        band = ln.levels * m.arc_step + m.arc_pad if ln.levels else 0
        if ln.text.strip() or ln.pieces:
            ln.height = m.pad_top + band + m.text_h + m.label_h + (ln.rows - 1) * m.bar_h + m.pad_bottom
        else:
            ln.height = m.text_h * 0.6
        if ln.last:
            ln.height += m.para_gap

    def _build_arcs(self, li: int, ln: Line) -> None:
        """Make the line's arcs and give them levels, in estimated x (exact x comes with realise)."""
        if not self.line_rels[li]:
            ln.arcs, ln.levels = [], 0
            return
        m = self.m
        per_char = (self._width(ln.text) / len(ln.text)) if ln.text else 1.0
        by_span = {p.span_id: p for p in ln.pieces}

        def est(sid: int) -> float:  # estimated centre x of a span's piece on this line
            p = by_span.get(sid)
            return m.margin + ((p.start + p.end) / 2 - ln.start) * per_char if p else m.margin

        arcs: list[Arc] = []
        ends: dict[int, list[tuple[float, Arc, bool]]] = {}
        right, left = self.width - m.margin / 2, m.margin / 2
        for rid in self.line_rels[li]:
            rel = self.relations[rid]
            hl, cl = self.span_lines[rel.head][0], self.span_lines[rel.child][0]
            if hl == cl:
                arc = Arc(rel, FULL, li, rel.child)
                arc.xh, arc.xc = est(rel.head), est(rel.child)
                ends.setdefault(rel.head, []).append((arc.xc, arc, True))
                ends.setdefault(rel.child, []).append((arc.xh, arc, False))
            elif hl == li:
                arc = Arc(rel, OUT, cl, rel.child)
                arc.xh, arc.xc = est(rel.head), (right if cl > li else left)
                ends.setdefault(rel.head, []).append((arc.xc, arc, True))
            else:
                arc = Arc(rel, IN, hl, rel.head)
                arc.xh, arc.xc = (left if hl < li else right), est(rel.child)
                ends.setdefault(rel.child, []).append((arc.xh, arc, False))
            arcs.append(arc)
        # Spread the ends meeting on one span across its box, ordered by where they go.
        for items in ends.values():
            items.sort(key=lambda t: (t[0], t[1].rel_id))
            n = len(items)
            for i, (_, arc, is_head) in enumerate(items):
                if is_head:
                    arc.fh = (i + 1) / (n + 1)
                else:
                    arc.fc = (i + 1) / (n + 1)
        # Levels: shorter arcs first; an arc rises one level above every arc (or label) it meets.
        arcs.sort(key=lambda a: (abs(a.xc - a.xh), a.rel_id))
        placed: list[tuple[float, float, int]] = []
        for arc in arcs:
            half = (self._label_width(arc.label, m.rfm) + 12) / 2
            mid = (arc.xh + arc.xc) / 2
            lo = min(arc.xh, arc.xc, mid - half)
            hi = max(arc.xh, arc.xc, mid + half)
            over = [lv for plo, phi, lv in placed if plo < hi and lo < phi]
            level = 1
            while level in over:
                level += 1
            if arc.kind == FULL:  # a full arc also stays above the arcs nested under it
                level = max(
                    level, 1 + max((lv for plo, phi, lv in placed if lo <= plo and phi <= hi), default=0)
                )
            arc.level = level
            placed.append((lo, hi, level))
        ln.arcs = arcs
        ln.levels = max((a.level for a in arcs), default=0)

    def _label_width(self, label: str, fm: QFontMetricsF) -> float:
        key = (label, id(fm))
        w = self._label_widths.get(key)
        if w is None:
            w = self._label_widths[key] = fm.horizontalAdvance(label)
        return w

    def realise(self, ln: Line) -> Line:
        """Give the line's pieces and arcs their exact x (done for lines that get painted or hit)."""
        if ln.real:
            return ln
        by_span = {}
        for p in ln.pieces:
            p.x0 = self.x_at(ln, p.start)
            p.x1 = max(self.x_at(ln, p.end), p.x0 + 4)
            by_span[p.span_id] = p
        for arc in ln.arcs:
            if arc.kind != IN:
                h = by_span[arc.head]
                arc.xh = h.x0 + (h.x1 - h.x0) * arc.fh
            if arc.kind != OUT:
                c = by_span[arc.child]
                arc.xc = c.x0 + (c.x1 - c.x0) * arc.fc
        ln.real = True
        return ln

    def _stack(self) -> None:
        heights = [ln.height for ln in self.lines]
        tops = [float(self.m.margin / 2), *accumulate(heights, initial=self.m.margin / 2)][1:]
        for ln, top in zip(self.lines, tops, strict=False):
            ln.top = top
        self.tops = tops[: len(self.lines)]
        self.total_height = (tops[-1] if tops else 0.0) + self.m.margin

    # -- rectangles (document coordinates) ------------------------------------------------------

    def text_top(self, ln: Line) -> float:
        m = self.m
        band = ln.levels * m.arc_step + m.arc_pad if ln.levels else 0
        return ln.top + m.pad_top + band

    def piece_rect(self, ln: Line, p: Piece) -> QRectF:
        """The coloured box (row 0, behind the text) or bar (rows below) of a piece."""
        m = self.m
        tt = self.text_top(ln)
        if p.row == 0:
            return QRectF(p.x0 - 2, tt, p.x1 - p.x0 + 4, m.text_h)
        y = tt + m.text_h + m.label_h + (p.row - 1) * m.bar_h + 1
        return QRectF(p.x0 - 2, y, p.x1 - p.x0 + 4, m.bar_h - 2)

    def label_rect(self, ln: Line, p: Piece) -> QRectF:
        """Where a row-0 piece's label goes: under its box, at least as wide as the label."""
        m = self.m
        box = self.piece_rect(ln, p)
        w = max(box.width(), self._label_width(p.label, m.lfm) + 6)
        return QRectF(box.center().x() - w / 2, box.bottom(), w, m.label_h)

    def hit_rect(self, ln: Line, p: Piece) -> QRectF:
        box = self.piece_rect(ln, p)
        if p.row == 0:
            return box.united(QRectF(box.left(), box.bottom(), box.width(), self.m.label_h))
        return box

    def arc_y(self, ln: Line, level: int) -> float:
        return self.text_top(ln) - self.m.arc_pad - (level - 0.5) * self.m.arc_step

    def arc_label_rect(self, ln: Line, arc: Arc) -> QRectF:
        m = self.m
        w = self._label_width(arc.label, m.rfm) + 8
        y = self.arc_y(ln, arc.level)
        cx = (arc.xh + arc.xc) / 2
        return QRectF(cx - w / 2, y - m.rfm.height() / 2, w, m.rfm.height())

    def line_at_y(self, y: float) -> int:
        return max(bisect_right(self.tops, y) - 1, 0)

    def visible_lines(self, y0: float, y1: float) -> range:
        if not self.lines:
            return range(0)
        first = self.line_at_y(y0)
        last = self.line_at_y(y1)
        return range(first, min(last + 1, len(self.lines)))

    def span_pieces(self, sid: int) -> list[tuple[Line, Piece]]:
        out = []
        for li in self.span_lines.get(sid, ()):
            ln = self.realise(self.lines[li])
            out.extend((ln, p) for p in ln.pieces if p.span_id == sid)
        return out

    def relation_arcs(self, rid: int) -> list[tuple[Line, Arc]]:
        out = []
        for li in self.rel_lines.get(rid, ()):
            ln = self.realise(self.lines[li])
            out.extend((ln, a) for a in ln.arcs if a.rel_id == rid)
        return out


def _span_sig(s: Span | None) -> tuple[object, ...] | None:
    return None if s is None else (s.start, s.end, s.label, s.origin)


def _span_pos(s: Span | None) -> tuple[int, int] | None:
    return None if s is None else (s.start, s.end)


def _rel_sig(r: Relation | None) -> tuple[object, ...] | None:
    return None if r is None else (r.head, r.child, r.label, r.origin)


__all__ = ["FULL", "IN", "OUT", "Arc", "EditorLayout", "Line", "Metrics", "Origin", "Piece"]
