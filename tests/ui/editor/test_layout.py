"""The layout engine: incremental updates give the same picture as laying out from scratch."""

from __future__ import annotations

import random
from dataclasses import replace

from PySide6.QtGui import QFont

from desktop.model import LabelScheme, Relation, Span
from desktop.ui.editor.layout import EditorLayout

from .helpers import Loader, tokenize

TEXT = "\n".join(
    f"Ligne {i} : Moscou, Washington et le Kremlin parlent de terres rares avec Rosatom." for i in range(30)
)


def picture(lay: EditorLayout) -> list[tuple[object, ...]]:
    out = []
    for ln in lay.lines:
        lay.realise(ln)
        pieces = sorted((p.span_id, p.start, p.end, p.row, p.label, round(p.x0)) for p in ln.pieces)
        arcs = sorted((a.rel_id, a.kind, a.level, a.label, round(a.xh), round(a.xc)) for a in ln.arcs)
        out.append((ln.start, round(ln.top, 3), round(ln.height, 3), tuple(pieces), tuple(arcs)))
    return out


def fresh(spans: list[Span], rels: list[Relation], scheme: LabelScheme) -> EditorLayout:
    lay = EditorLayout(QFont(), 1.0)
    lay.set_text(TEXT, 500)
    lay.set_annotations(spans, rels, scheme)
    return lay


def test_incremental_updates_match_a_full_layout(qtbot, editor_scheme: LabelScheme) -> None:
    rng = random.Random(4)
    tokens = tokenize(TEXT)
    labels = editor_scheme.entity_names
    spans: list[Span] = []
    next_id = 1

    def new_span() -> Span:
        nonlocal next_id
        a = rng.randrange(len(tokens) - 3)
        b = a + rng.randint(1, 3)
        next_id += 1
        return Span(tokens[a].start, tokens[b - 1].end, rng.choice(labels), id=next_id)

    spans = [new_span() for _ in range(40)]
    rels: list[Relation] = []
    lay = fresh(spans, rels, editor_scheme)
    for step in range(60):
        move = rng.random()
        if move < 0.25 or len(spans) < 5:
            spans.append(new_span())
        elif move < 0.4:
            spans.pop(rng.randrange(len(spans)))
        elif move < 0.55:
            i = rng.randrange(len(spans))
            spans[i] = replace(spans[i], label=rng.choice(labels))
        elif move < 0.7:
            i = rng.randrange(len(spans))
            moved = new_span()
            spans[i] = replace(spans[i], start=moved.start, end=moved.end)
        elif move < 0.9:
            a, b = rng.sample(spans, 2)
            rels.append(Relation(a.id or 0, b.id or 0, "porte_parole", id=1000 + step))
        elif rels:
            rels.pop(rng.randrange(len(rels)))
        ids = {s.id for s in spans}
        rels = [r for r in rels if r.head in ids and r.child in ids]
        lay.update_annotations(list(spans), list(rels))
        assert picture(lay) == picture(fresh(spans, rels, editor_scheme)), f"step {step}"


def test_long_word_is_broken_to_fit(qtbot) -> None:
    lay = EditorLayout(QFont(), 1.0)
    lay.set_text("court " + "x" * 400 + " fin", 300)
    assert len(lay.lines) > 2
    assert all(lay.measure.width(ln.text.rstrip()) <= 300 for ln in lay.lines)
    assert "".join(ln.text for ln in lay.lines) == "court " + "x" * 400 + " fin"


def test_first_screen_then_the_rest_matches_a_full_layout(qtbot, editor_scheme: LabelScheme) -> None:
    rng = random.Random(9)
    tokens = tokenize(TEXT)
    spans = []
    for sid in range(1, 60):
        a = rng.randrange(len(tokens) - 12)
        b = a + (rng.randint(8, 12) if sid % 10 == 0 else rng.randint(1, 3))  # some cross lines
        spans.append(Span(tokens[a].start, tokens[b - 1].end, rng.choice(editor_scheme.entity_names), id=sid))
    rels = [Relation(rng.randrange(1, 60), rng.randrange(1, 60), "situe_dans", id=100 + i) for i in range(40)]
    full = fresh(spans, rels, editor_scheme)
    lay = EditorLayout(QFont(), 1.0)
    lay.set_text(TEXT, 500, first_lines=6)
    lay.set_annotations(spans, rels, editor_scheme)
    assert lay.pending is not None and len(lay.lines) < len(full.lines)
    shown = [(ln.top, ln.height) for ln in lay.lines[:4]]
    assert lay.complete()
    assert lay.pending is None and not lay.complete()
    assert picture(lay) == picture(full)
    assert [(ln.top, ln.height) for ln in lay.lines[:4]] == shown  # the first screen did not move

    stepped = EditorLayout(QFont(), 1.0)  # the same, a few lines per step
    stepped.set_text(TEXT, 500, first_lines=6)
    stepped.set_annotations(spans, rels, editor_scheme)
    steps = 0
    while stepped.complete(max_lines=5):
        steps += 1
    assert steps > 3
    assert picture(stepped) == picture(full)


def test_editor_finishes_layout_after_the_first_paint(qtbot, load: Loader) -> None:
    text = "\n".join(f"Ligne {i} : le Kremlin." for i in range(2000))
    view = load(text)
    lay = view._layout  # the private handle: the public one would finish the layout
    assert lay.pending is not None
    qtbot.waitUntil(lambda: lay.pending is None, timeout=3000)
    assert view.verticalScrollBar().maximum() > 20 * 2000


def test_one_huge_paragraph_is_laid_out_in_two_steps_like_a_full_layout(qtbot) -> None:
    text = " ".join(f"mot{i % 97} et Moscou" for i in range(3000))  # no line break at all
    spans = [Span(m, m + 6, "LOC", id=i + 1) for i, m in enumerate(range(text.index("Moscou"), 20000, 700))]
    full = EditorLayout(QFont(), 1.0)
    full.set_text(text, 600)
    full.set_annotations(spans, [], LabelScheme.from_names(["LOC"]))
    lay = EditorLayout(QFont(), 1.0)
    lay.set_text(text, 600, first_lines=10)
    lay.set_annotations(spans, [], LabelScheme.from_names(["LOC"]))
    assert lay.pending is not None and len(lay.lines) < 60
    while lay.complete(max_lines=25):  # in steps, each resuming in the middle of the paragraph
        pass
    assert [ln.text for ln in lay.lines] == [ln.text for ln in full.lines]
    assert picture(lay) == picture(full)


def test_spans_across_empty_lines_laid_out_in_steps_like_a_full_layout(qtbot, editor_scheme) -> None:  # type: ignore[no-untyped-def]
    text = "\n\n".join(f"Paragraphe {i} : Moscou et Washington." for i in range(30))
    tokens = tokenize(text)
    spans = [  # each runs from a paragraph's last word over the empty line into the next paragraph
        Span(tokens[i].start, tokens[i + 2].end, "ORG", id=i) for i in range(5, len(tokens) - 3, 7)
    ]
    full = EditorLayout(QFont(), 1.0)
    full.set_text(text, 500)
    full.set_annotations(spans, [], editor_scheme)
    stepped = EditorLayout(QFont(), 1.0)
    stepped.set_text(text, 500, first_lines=5)
    stepped.set_annotations(spans, [], editor_scheme)
    while stepped.complete(max_lines=3):
        pass
    assert picture(stepped) == picture(full)
    for lay in (full, stepped):
        assert not any(ln.pieces for ln in lay.lines if not ln.text.strip())
        assert all(len(lay.span_pieces(s.id)) == 2 for s in spans)  # type: ignore[arg-type]
