"""Span-level comparison of two annotators: exact and overlapping matches, per label and per
document, and the labels of spans that overlap with a different label.

The first annotator of a pair is the reference: precision is the share of the second one's spans
that the first one has, recall the share of the first one's spans that the second one found (so for
a (person, model) pair, precision says how many of the model's suggestions were right). F1 is
symmetric.

- exact match: same document, same start, same end, same label;
- overlapping match: same document and label, at least one character in common (a span counts as
  matched when it overlaps any span of the other annotator with its label).

Behind each label confusion are the pairs of spans themselves (`ConfusedSpans`), so a reviewer can
open them: up to `EXAMPLES_PER_CONFUSION` of each, in text order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from desktop.agreement.data import Corpus, SpanTable
from desktop.agreement.intervals import IntArray, overlap_pairs


@dataclass(slots=True)
class Counts:
    """Spans of the reference (a), spans of the other (b), and how many of each were matched."""

    a: int = 0
    b: int = 0
    matched_a: int = 0
    matched_b: int = 0

    @property
    def precision(self) -> float:
        return self.matched_b / self.b if self.b else float("nan")

    @property
    def recall(self) -> float:
        return self.matched_a / self.a if self.a else float("nan")

    @property
    def f1(self) -> float:
        if self.a + self.b == 0:
            return float("nan")
        p = self.matched_b / self.b if self.b else 0.0
        r = self.matched_a / self.a if self.a else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.a += other.a
        self.b += other.b
        self.matched_a += other.matched_a
        self.matched_b += other.matched_b

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "spans_a": self.a,
            "spans_b": self.b,
            "matched_a": self.matched_a,
            "matched_b": self.matched_b,
        }


EXAMPLES_PER_CONFUSION = 200
"""Pairs of spans kept behind one label confusion of one pair of annotators (the count is exact)."""


@dataclass(slots=True)
class ConfusedSpans:
    """Two annotators' overlapping spans with different labels: one case behind a label confusion.

    Offsets are characters of the document; `text` and `other_text` are filled from the project by
    `compute_agreement` (empty when the report was computed from a corpus alone).
    """

    document: int
    """The document's id in the project."""
    annotator: str
    start: int
    end: int
    label: str
    other: str
    """The second annotator of the pair."""
    other_start: int
    other_end: int
    other_label: str
    text: str = ""
    other_text: str = ""


@dataclass(slots=True)
class SpanComparison:
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    exact_by_label: dict[str, Counts] = field(default_factory=dict)
    overlap_by_label: dict[str, Counts] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    """(label of a, label of b) → overlapping pairs of spans whose labels differ."""
    confusion_examples: dict[tuple[str, str], list[ConfusedSpans]] = field(default_factory=dict)
    """(label of a, label of b) → those pairs of spans (the first `EXAMPLES_PER_CONFUSION`)."""
    unmatched: dict[str, int] = field(default_factory=dict)
    """Label → spans of either annotator that overlap no span of the other at all."""
    per_document: tuple[IntArray, IntArray, IntArray] | None = None
    """Per document index: spans of a, spans of b, exact matches (zero outside compared ones)."""


def _sorted_unique(keys: IntArray) -> IntArray:
    keys = np.sort(keys)
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    return keys


def _exact_matches(sa: SpanTable, sb: SpanTable, k: int) -> tuple[IntArray, IntArray]:
    """(start, label) of each span both annotators have, exactly."""
    width = int(max((sa.end - sa.start).max(initial=0), (sb.end - sb.start).max(initial=0))) + 1
    limit = int(max(sa.start.max(initial=0), sb.start.max(initial=0))) + 1
    if limit * width * k < 2**62:
        ka = _sorted_unique((sa.start * width + (sa.end - sa.start)) * k + sa.label)
        kb = _sorted_unique((sb.start * width + (sb.end - sb.start)) * k + sb.label)
        at = np.minimum(np.searchsorted(kb, ka), max(len(kb) - 1, 0))
        common = ka[kb[at] == ka] if len(kb) else ka[:0]
        return common // k // width, common % k
    # A continuum too long for one int64 key: Python sets.
    common_set = sorted(
        set(zip(sa.start.tolist(), sa.end.tolist(), sa.label.tolist(), strict=True))
        & set(zip(sb.start.tolist(), sb.end.tolist(), sb.label.tolist(), strict=True))
    )
    return (
        np.array([x[0] for x in common_set], dtype=np.int64),
        np.array([x[2] for x in common_set], dtype=np.int64),
    )


def compare_spans(corpus: Corpus, a: int, b: int, docs: np.ndarray) -> SpanComparison:
    """Compare annotators a and b over the documents where `docs` is True."""
    sa = corpus.spans[a].where(docs[corpus.spans[a].doc])
    sb = corpus.spans[b].where(docs[corpus.spans[b].doc])
    labels = corpus.labels
    k = max(len(labels), 1)
    out = SpanComparison()
    matched_starts, matched_labels = _exact_matches(sa, sb, k)

    ia, ib = overlap_pairs(sa.start, sa.end, sb.start, sb.end)
    same = sa.label[ia] == sb.label[ib]
    hit_a = np.zeros(len(sa), dtype=bool)
    hit_a[ia[same]] = True
    hit_b = np.zeros(len(sb), dtype=bool)
    hit_b[ib[same]] = True
    lone_a = np.ones(len(sa), dtype=bool)
    lone_a[ia] = False
    lone_b = np.ones(len(sb), dtype=bool)
    lone_b[ib] = False

    def per_label(values: IntArray) -> IntArray:
        return np.bincount(values, minlength=k)

    n_a, n_b = per_label(sa.label), per_label(sb.label)
    exact = per_label(matched_labels)
    over_a, over_b = per_label(sa.label[hit_a]), per_label(sb.label[hit_b])
    missed_a, missed_b = per_label(sa.label[lone_a]), per_label(sb.label[lone_b])
    for c, name in enumerate(labels):
        e = Counts(int(n_a[c]), int(n_b[c]), int(exact[c]), int(exact[c]))
        o = Counts(int(n_a[c]), int(n_b[c]), int(over_a[c]), int(over_b[c]))
        out.exact_by_label[name], out.overlap_by_label[name] = e, o
        out.exact.add(e)
        out.overlap.add(o)
        if missed_a[c] + missed_b[c]:
            out.unmatched[name] = int(missed_a[c] + missed_b[c])

    differ = ~same
    pair_codes = sa.label[ia][differ] * k + sb.label[ib][differ]
    for code, n in zip(*np.unique(pair_codes, return_counts=True), strict=True):
        out.confusion[(labels[int(code) // k], labels[int(code) % k])] = int(n)
    out.confusion_examples = _confused(corpus, (a, sa), (b, sb), ia[differ], ib[differ], pair_codes)

    n_docs = len(corpus.doc_ids)
    per_a = np.bincount(sa.doc, minlength=n_docs)
    per_b = np.bincount(sb.doc, minlength=n_docs)
    matched_docs = np.searchsorted(corpus.char_start, matched_starts, side="right") - 1
    out.per_document = (per_a, per_b, np.bincount(matched_docs, minlength=n_docs))
    return out


def _confused(
    corpus: Corpus,
    first: tuple[int, SpanTable],
    second: tuple[int, SpanTable],
    ia: IntArray,
    ib: IntArray,
    codes: IntArray,
) -> dict[tuple[str, str], list[ConfusedSpans]]:
    """The pairs of spans (ia[i] of a, ib[i] of b) behind each confusion code, in text order."""
    (a, sa), (b, sb) = first, second
    labels = corpus.labels
    order = np.lexsort((sb.start[ib], sa.start[ia], codes))
    codes = codes[order]
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    out: dict[tuple[str, str], list[ConfusedSpans]] = {}
    for group in np.split(order, cuts) if len(order) else []:
        kept = group[:EXAMPLES_PER_CONFUSION]
        la, lb = labels[int(sa.label[ia[kept[0]]])], labels[int(sb.label[ib[kept[0]]])]
        cases = []
        for i, j in zip(ia[kept].tolist(), ib[kept].tolist(), strict=True):
            d = int(sa.doc[i])
            base = int(corpus.char_start[d])
            cases.append(
                ConfusedSpans(
                    int(corpus.doc_ids[d]),
                    corpus.annotators[a],
                    int(sa.start[i]) - base,
                    int(sa.end[i]) - base,
                    la,
                    corpus.annotators[b],
                    int(sb.start[j]) - base,
                    int(sb.end[j]) - base,
                    lb,
                )
            )
        out[(la, lb)] = cases
    return out
