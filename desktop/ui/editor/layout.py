"""Layout engine of the annotation editor: where every span box and relation arc goes.

Pure geometry, no painting. `lines.TextMeasure` wraps the text into `Line`s; this module places
the annotations on them, sizes each line and stacks the lines.

Coordinates: x in content pixels from the widget's left edge; each `Line` knows its `top` in
document pixels and everything inside it is placed relative to that, so a change of one line's
height only shifts the `top` of the lines below (a prefix sum) without touching their contents.

Vertical anatomy of a line, top to bottom: padding, the arc band (one `arc_step` per arc level),
the text row (row-0 span boxes sit behind the text), the row-0 label strip, one bar per extra
stacked span row, padding (plus a paragraph gap after a paragraph's last line).

Two passes keep long documents fast: placing (which spans and arcs sit on which line, stacking
rows, arc levels from estimated x) is done for every line, exact x positions only for lines that
get painted or hit-tested (`realise`). Rectangles and hit testing live in `geometry`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from PySide6.QtGui import QFont

from desktop.model import LabelScheme, Relation, Span
from desktop.ui.editor.geometry import LayoutGeometry
from desktop.ui.editor.lines import FULL, IN, OUT, Arc, Line, Metrics, Piece, TextMeasure

__all__ = ["FULL", "IN", "OUT", "Arc", "EditorLayout", "Line", "Metrics", "Piece"]


class EditorLayout(LayoutGeometry):
    """Lines, span pieces and arcs of one document at one width and zoom (placing them here;
    their rectangles and hit testing in `geometry.LayoutGeometry`)."""

    def __init__(self, base_font: QFont, zoom: float = 1.0) -> None:
        self.m = Metrics(base_font, zoom)
        self.measure = TextMeasure(self.m)
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
        self.line_spans: dict[int, set[int]] = {}  # only lines that have some
        self.line_rels: dict[int, set[int]] = {}
        self.rel_lines: dict[int, tuple[int, ...]] = {}
        self._label_widths: dict[tuple[str, int], float] = {}
        self._span_sigs: dict[int, tuple[object, ...]] = {}
        self.pending: int | None = None
        """Where the text not wrapped yet starts (None: all of it is wrapped)."""
        self._provisional: set[int] = set()
        self._unplaced: list[Span] = []  # spans waiting for `complete`, by start
        self._unplaced_starts: list[int] = []
        self._span_rels: dict[int, list[int]] = {}  # relations by span, while some spans wait
        """Relations placed while one of their spans lies in the part not wrapped yet."""
        self._rel_sigs: dict[int, tuple[object, ...]] = {}

    # -- text ----------------------------------------------------------------------------------

    def set_zoom(self, base_font: QFont, zoom: float) -> None:
        self.m = Metrics(base_font, zoom)
        self.measure = TextMeasure(self.m)
        self._label_widths = {}

    def set_text(self, text: str, width: float, first_lines: int | None = None) -> None:
        """Wrap a new text; annotations follow with `set_annotations`.

        With `first_lines`, only the paragraphs that make that many lines are wrapped: enough to
        paint the first screen at once; `complete` does the rest.
        """
        self.text = text
        self.width = max(width, 80.0)
        self._wrap_text(first_lines)
        self.spans, self.relations = {}, {}
        self._span_sigs, self._rel_sigs = {}, {}
        self.span_lines.clear()
        self.rel_lines.clear()

    def wrap(self) -> None:
        """Re-wrap the whole text to `self.width` (after a resize or zoom) and re-place everything."""
        self._wrap_text(None)
        self.span_lines.clear()
        self.rel_lines.clear()
        self._provisional.clear()
        self.place(list(self.spans.values()), list(self.relations.values()), full=True)

    def _wrap_text(self, max_lines: int | None) -> None:
        self.lines, self.pending = self.measure.wrap(self.text, self.width, 0, max_lines)
        for i, ln in enumerate(self.lines):
            ln.index = i
        self.starts = [ln.start for ln in self.lines]
        self.line_spans = {}
        self.line_rels = {}

    def complete(self, max_lines: int | None = None) -> bool:
        """Wrap and place what `set_text(first_lines=...)` left for later (about `max_lines` more
        lines of it, or all); False if nothing was left.

        Lines already made keep their place: new lines are appended, and only lines holding a span
        that runs on into the new part (or an arc to such a span) are rebuilt.
        """
        if self.pending is None:
            return False
        boundary, first_new = self.pending, len(self.lines)
        new, self.pending = self.measure.wrap(self.text, self.width, boundary, max_lines)
        limit = len(self.text) + 1 if self.pending is None else self.pending
        for i, ln in enumerate(new, first_new):
            ln.index = i
        self.lines.extend(new)
        self.starts.extend(ln.start for ln in new)
        dirty = set(range(first_new, len(self.lines)))
        k = bisect_left(self._unplaced_starts, limit)
        redo: set[int] = {s.id for s in self._unplaced[:k] if s.id is not None}  # starting in the new part
        del self._unplaced[:k], self._unplaced_starts[:k]
        if first_new:  # and running on into it from the last line made before
            redo.update(
                sid for sid in self.line_spans.get(first_new - 1, ()) if self.spans[sid].end > boundary
            )
        for sid in redo:
            for li in self.span_lines.pop(sid, ()):
                self.line_spans[li].discard(sid)
                dirty.add(li)
        redo_rels = self._provisional | {rid for sid in redo for rid in self._span_rels.get(sid, ())}
        for rid in redo_rels:
            for li in self.rel_lines.pop(rid, ()):
                self.line_rels[li].discard(rid)
                dirty.add(li)
        self._provisional.clear()
        self.place(
            [self.spans[s] for s in redo], [self.relations[r] for r in redo_rels], full=False, dirty=dirty
        )
        return True

    def line_index(self, offset: int) -> int:
        """Index of the line holding `offset` (the previous line when it falls on a line break)."""
        return max(bisect_right(self.starts, offset) - 1, 0)

    # -- annotations -----------------------------------------------------------------------------

    def set_annotations(self, spans: list[Span], relations: list[Relation], scheme: LabelScheme) -> None:
        self.scheme = scheme
        self.spans = {s.id: s for s in spans if s.id is not None}
        self.relations = {r.id: r for r in relations if r.id is not None}
        self._span_sigs = {sid: (s.start, s.end, s.label, s.origin) for sid, s in self.spans.items()}
        self._rel_sigs = {rid: (r.head, r.child, r.label, r.origin) for rid, r in self.relations.items()}
        self.line_spans = {}
        self.line_rels = {}
        self.span_lines.clear()
        self.rel_lines.clear()
        self._provisional.clear()
        spans_now = list(self.spans.values())
        self._unplaced, self._unplaced_starts, self._span_rels = [], [], {}
        if self.pending is not None:  # spans in the part not wrapped yet wait for `complete`
            later = sorted((s for s in spans_now if s.start >= self.pending), key=lambda s: s.start)
            spans_now = [s for s in spans_now if s.start < self.pending]
            self._unplaced, self._unplaced_starts = later, [s.start for s in later]
            for rid, r in self.relations.items():
                self._span_rels.setdefault(r.head, []).append(rid)
                self._span_rels.setdefault(r.child, []).append(rid)
        self.place(spans_now, list(self.relations.values()), full=True)

    def update_annotations(self, spans: list[Span], relations: list[Relation]) -> set[int]:
        """Apply new spans and relations; re-place only what changed. Returns the dirty lines."""
        self.complete()
        new_spans = {s.id: s for s in spans if s.id is not None}
        new_rels = {r.id: r for r in relations if r.id is not None}
        old_rels = self.relations
        # Compare with what was laid out (saved signatures), so spans edited in place are seen too.
        span_sigs: dict[int, tuple[object, ...]] = {
            sid: (s.start, s.end, s.label, s.origin) for sid, s in new_spans.items()
        }
        rel_sigs: dict[int, tuple[object, ...]] = {
            rid: (r.head, r.child, r.label, r.origin) for rid, r in new_rels.items()
        }
        old_sigs = self._span_sigs
        changed_spans = {
            sid for sid in old_sigs.keys() | span_sigs.keys() if old_sigs.get(sid) != span_sigs.get(sid)
        }
        moved = {sid for sid in changed_spans if _pos(old_sigs.get(sid)) != _pos(span_sigs.get(sid))}
        old_rsigs = self._rel_sigs
        changed_rels = {
            rid for rid in old_rsigs.keys() | rel_sigs.keys() if old_rsigs.get(rid) != rel_sigs.get(rid)
        }
        self._span_sigs, self._rel_sigs = span_sigs, rel_sigs
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
                self.line_spans.setdefault(li, set()).add(span.id)  # type: ignore[arg-type]
            dirty.update(lines)
        for rel in relations:
            ends = self._rel_lines(rel)
            if ends is None:
                continue
            self.rel_lines[rel.id] = ends  # type: ignore[index]
            for li in ends:
                self.line_rels.setdefault(li, set()).add(rel.id)  # type: ignore[arg-type]
            dirty.update(ends)
        if full:
            for li in range(len(self.lines)):
                self._build_line(li)
            self._stack(0)
            return dirty
        first_moved = None  # lines below a line whose height changed move down or up
        for li in sorted(dirty):
            before = self.lines[li].height
            self._build_line(li)
            if first_moved is None and self.lines[li].height != before:
                first_moved = li
        if first_moved is not None:
            self._stack(first_moved)
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
        if len(out) > 1:  # no box on lines where the span covers only blanks (an empty line...)
            shown = [li for li in out if self._shows(li, start, end)]
            if self.pending is not None and end > self.pending and shown[-1:] != out[-1:]:
                shown.append(out[-1])  # so that `complete` finds the span running on; not drawn
            out = shown or out[:1]
        return out or [first]

    def _shows(self, li: int, start: int, end: int) -> bool:
        """Whether [start, end) covers a visible character of line `li`."""
        ln = self.lines[li]
        s, e = max(start, ln.start), min(end, ln.content_end)
        return e > s and not self.text[s:e].isspace()

    def _rel_lines(self, rel: Relation) -> tuple[int, ...] | None:
        head, child = self.span_lines.get(rel.head), self.span_lines.get(rel.child)
        if head and child:
            return (head[0],) if head[0] == child[0] else (head[0], child[0])
        if (
            self.pending is not None
            and (head or child)
            and (rel.head in self.spans and rel.child in self.spans)
        ):
            self._provisional.add(rel.id)  # type: ignore[arg-type]
            return ((head or child)[0],)  # type: ignore[index]
        return None

    def _first_line(self, sid: int) -> int:
        """The line a span starts on; past the last line while it lies in the part not wrapped yet."""
        lines = self.span_lines.get(sid)
        return lines[0] if lines else len(self.lines)

    def _build_line(self, li: int) -> None:
        ln = self.lines[li]
        m = self.m
        if not self.line_spans.get(li) and not self.line_rels.get(li):
            ln.pieces, ln.arcs, ln.rows, ln.levels, ln.real = (), (), 1, 0, True
            plain = m.pad_top + m.text_h + m.label_h + m.pad_bottom
            ln.height = (plain if ln.text.strip() else m.text_h * 0.6) + (m.para_gap if ln.last else 0)
            return
        pieces = []
        content_end = ln.content_end
        for sid in self.line_spans.get(li, ()):
            span = self.spans[sid]
            lines = self.span_lines[sid]
            if li != lines[0] and not self._shows(li, span.start, span.end):
                continue  # kept only for `complete`, see _lines_of
            s, e = max(span.start, ln.start), min(span.end, content_end)
            if e <= s:
                s = e = min(max(span.start, ln.start), ln.end)
            piece = Piece(span, s, e)
            # The label goes under the first piece drawn, the box's round ends on the outer pieces.
            piece.first = li == lines[0]
            piece.last = li == lines[-1] and (self.pending is None or span.end <= self.pending)
            pieces.append(piece)
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
        if not self.line_rels.get(li):
            ln.arcs, ln.levels = (), 0
            return
        m = self.m
        per_char = self.measure.line_width(ln) / len(ln.text) if ln.text else 1.0
        by_span = {p.span_id: p for p in ln.pieces}

        def est(sid: int) -> float:  # estimated centre x of a span's piece on this line
            p = by_span.get(sid)
            return m.margin + ((p.start + p.end) / 2 - ln.start) * per_char if p else m.margin

        arcs: list[Arc] = []
        ends: dict[int, list[tuple[float, Arc, bool]]] = {}
        right, left = self.width - m.margin / 2, m.margin / 2
        for rid in self.line_rels[li]:
            rel = self.relations[rid]
            hl, cl = self._first_line(rel.head), self._first_line(rel.child)
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
                # the same margin as the head's half (right when the head is above), so the two
                # halves join into one arc down that margin
                arc.xh, arc.xc = (right if hl < li else left), est(rel.child)
                ends.setdefault(rel.child, []).append((arc.xh, arc, False))
            arcs.append(arc)
        if len(arcs) == 1 and arcs[0].head != arcs[0].child:  # the common case: one arc
            ln.arcs, ln.levels = arcs, 1
            return
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

    def _stack(self, first: int) -> None:
        """Recompute the tops of lines `first` onward from their heights."""
        lines = self.lines
        if not lines:
            self.tops, self.total_height = [], self.m.margin
            return
        start = lines[first - 1].top + lines[first - 1].height if first else self.m.margin / 2
        tops = list(accumulate((ln.height for ln in lines[first:]), initial=start))
        for ln, top in zip(lines[first:], tops, strict=False):
            ln.top = top
        self.tops[first:] = tops[:-1]
        self.total_height = tops[-1] + self.m.margin


def _pos(sig: tuple[object, ...] | None) -> tuple[object, ...] | None:
    return None if sig is None else sig[:2]
