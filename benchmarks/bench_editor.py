"""Benchmark of the annotation editor on a long article (run offscreen; prints figures).

A 20,000-word French-like article with 2,000 spans (some nested) and 500 relations (some reaching
across the whole article) is shown in an `EditorView`. We measure:

- open: `set_content` + the first paint of the viewport (target <= 100 ms);
- relabel: `update_annotations` with one span relabelled + a forced repaint of the viewport, the
  work between a label key press and the new frame (target <= 16 ms), median and p95 over 50 runs.

Usage: `PYTHONPATH=. python benchmarks/bench_editor.py [--words N] [--runs N]`
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from dataclasses import replace

FUNCTION_WORDS = (
    "le la les un une des du de et à en dans pour sur avec par que qui ne pas plus comme mais "
    "au aux ce cette ces son sa ses leur leurs est sont a ont été être il elle ils on l’ d’ qu’"
).split()
SYLLABLES = (
    "ca co pé ra ti on mi nis tè re dé ve lop pe ment é ner gie sou ve rain gou ver ne "
    "mar ché ex por ta tions ré ser ves gi se ments par te nai res é tran gers in ves tis "
    "se ment ter res ra res ac cord po li ti que é co no mie sé cu ri té mé taux es sen tiels"
).split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Made-up French-looking words: a realistic number of distinct words to measure."""
    words = set()
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5)))
        words.add(w.capitalize() if rng.random() < 0.05 else w)
    out = sorted(words)
    rng.shuffle(out)
    return out


def pick_word(rng: random.Random, vocab: list[str]) -> str:
    """Half function words; the rest skewed toward a few frequent words, as in real prose."""
    if rng.random() < 0.5:
        return rng.choice(FUNCTION_WORDS)
    return vocab[int(len(vocab) * rng.random() ** 2)]


NAMES = [
    ("Vladimir Poutine", "PER"), ("Kirill Dmitriev", "PER"), ("Dmitri Peskov", "PER"),
    ("Moscou", "LOC"), ("Washington", "LOC"), ("Arabie saoudite", "LOC"), ("Sibérie", "LOC"),
    ("Kremlin", "ORG"), ("Bloomberg", "ORG"), ("Rosatom", "ORG"), ("Union européenne", "ORG"),
    ("Extrême-Orient", "LOC"), ("États-Unis", "LOC"), ("Donald Trump", "PER"),
]  # fmt: skip


def make_article(n_words: int, n_spans: int, n_rels: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Text, tokens, spans and relations of a synthetic article."""
    from desktop.model import Origin, Relation, Span, Token

    rng = random.Random(seed)
    vocab = vocabulary(rng)
    parts: list[str] = []
    name_at: list[tuple[int, int, str]] = []
    pos, words, since_para = 0, 0, 0
    every = max(n_words // n_spans, 2)
    while words < n_words:
        if words % every == 0:
            name, label = rng.choice(NAMES)
            piece = name
            name_at.append((pos, pos + len(name), label))
            words += name.count(" ") + 1
        else:
            piece = pick_word(rng, vocab)
            words += 1
        since_para += 1
        end_sentence = rng.random() < 0.06
        piece += "." if end_sentence else ("," if rng.random() < 0.05 else "")
        sep = " "
        if end_sentence and since_para > rng.randint(60, 160):
            sep = "\n\n" if rng.random() < 0.8 else "\r\n"
            since_para = 0
        parts.append(piece + sep)
        pos += len(piece) + len(sep)
    text = "".join(parts)
    tokens = [Token(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    spans: list[Span] = []
    for i, (s, e, label) in enumerate(name_at[:n_spans]):
        origin = Origin.MODEL if i % 3 == 0 else Origin.PERSON
        spans.append(Span(s, e, label, origin=origin, id=i + 1))
        if i % 25 == 0 and " " in text[s:e]:  # a nested span on part of a longer name
            cut = text.index(" ", s)
            spans.append(Span(s, cut, "MISC", id=100_000 + i))
    ids = [s.id for s in spans if s.id is not None and s.id < 100_000]
    rels: list[Relation] = []
    for k in range(n_rels):
        a = rng.randrange(len(ids))
        if k % 10 == 0:
            b = rng.randrange(len(ids))  # far-reaching
        else:
            b = min(max(a + rng.choice([-3, -2, -1, 1, 2, 3]), 0), len(ids) - 1)
        if a == b:
            b = (a + 1) % len(ids)
        label = rng.choice(["porte_parole", "dirige", "situe_dans", "partenaire"])
        rels.append(Relation(ids[a], ids[b], label, id=k + 1))
    return text, tokens, spans, rels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--spans", type=int, default=2_000)
    parser.add_argument("--relations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--opens", type=int, default=6)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from desktop.model import LabelScheme
    from desktop.ui.editor import EditorView

    app = QApplication.instance() or QApplication([])
    scheme = LabelScheme.from_names(
        ["PER", "LOC", "ORG", "MISC"],
        ["porte_parole", "dirige", "situe_dans", "partenaire"],
        allow_overlap=True,
    )
    text, tokens, spans, rels = make_article(args.words, args.spans, args.relations)
    view = EditorView()
    view.resize(1000, 800)
    view.show()
    app.processEvents()
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)

    def paint() -> None:
        view.viewport().render(image)

    # Warm-up on a small text so font loading is not counted as layout.
    view.set_content("Préchauffage du moteur de rendu.", tokens[:0], [], [], scheme)
    paint()

    def timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """Wall-clock and CPU milliseconds of `work()` (CPU time is what a busy machine cannot inflate)."""
        w0, c0 = time.perf_counter(), time.process_time()
        work()
        return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000

    def open_article() -> None:
        view.set_content(text, tokens, spans, rels, scheme)
        paint()

    def finish() -> list[tuple[float, float]]:
        """What the event loop does after the first paint: the rest of the layout, a part a turn."""
        steps = []
        while view._layout.pending is not None:
            steps.append(timed(view._complete_some))
        return steps

    opens, rests = [], []
    for _ in range(args.opens):
        opens.append(timed(open_article))
        rests.append(finish())
    lay = view.editor_layout()
    print(
        f"article: {len(text.split()):,} words ({len(set(text.split())):,} distinct), {len(text):,} chars, "
        f"{len(spans):,} spans, {len(rels)} relations, {len(lay.lines):,} lines, "
        f"{lay.total_height:,.0f} px tall; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"open (set_content + first paint), target <= 100 ms:\n"
        f"  first document (cold caches): {opens[0][0]:.1f} ms wall, {opens[0][1]:.1f} ms CPU\n"
        f"  again, median of {len(opens) - 1}: {statistics.median(o[0] for o in opens[1:]):.1f} ms wall, "
        f"{statistics.median(o[1] for o in opens[1:]):.1f} ms CPU\n"
        f"then the rest of the layout, a part per event-loop turn after that first paint:\n"
        f"  first document: {len(rests[0])} turns, longest {max(r[0] for r in rests[0]):.1f} ms wall "
        f"({max(r[1] for r in rests[0]):.1f} CPU), all {sum(r[0] for r in rests[0]):.1f} ms wall "
        f"({sum(r[1] for r in rests[0]):.1f} CPU)\n"
        f"  again: longest turn {statistics.median(max(x[0] for x in r) for r in rests[1:]):.1f} ms wall, "
        f"all {statistics.median(sum(x[0] for x in r) for r in rests[1:]):.1f} ms wall (medians)"
    )

    view.scroll_to_offset(len(text) // 2)
    paint()
    visible = [s for s in spans if lay.line_index(s.start) in view._visible()]
    target = visible[0] if visible else spans[len(spans) // 2]
    labels = ["PER", "LOC", "ORG", "MISC"]
    current = list(spans)
    at = current.index(target)
    walls, cpus = [], []
    for k in range(args.runs):
        current[at] = replace(current[at], label=labels[k % 4])

        def relabel() -> None:
            view.update_annotations(current, rels)
            paint()

        wall, cpu = timed(relabel)
        walls.append(wall)
        cpus.append(cpu)

    def p95(xs: list[float]) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, round(0.95 * len(xs)) - 1)]

    print(
        f"relabel (update_annotations + repaint) over {args.runs} runs, target <= 16 ms:\n"
        f"  median {statistics.median(walls):.2f} ms wall ({statistics.median(cpus):.2f} CPU), "
        f"p95 {p95(walls):.2f} ms wall ({p95(cpus):.2f} CPU)"
    )
    wall, cpu = timed(lambda: [paint() for _ in range(20)])
    print(f"repaint of the viewport alone: {wall / 20:.2f} ms wall, {cpu / 20:.2f} ms CPU")
    view.close()


if __name__ == "__main__":
    main()
