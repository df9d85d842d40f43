"""Token labels: each token's label is the label of the span covering it, or O.

Tokens of documents an annotator has not finished are MISSING for that annotator. Where one
annotator's spans overlap (schemes that allow it), the span that starts later gives the label.

Most tokens are outside every span: O for everyone who finished the document. Only the tokens that
some span covers get a column in the label array; the others are counted per document and added to
the O/O cells in bulk, which gives the same coefficients as a full array at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.agreement import coefficients as co
from desktop.agreement.coefficients import MISSING
from desktop.agreement.data import Corpus
from desktop.agreement.intervals import IntArray

OUTSIDE = 0
"""Code of O (no span); label i of Corpus.labels has code i + 1."""


@dataclass(slots=True)
class TokenLabels:
    labels: IntArray
    """annotators × covered tokens: label codes, MISSING where the annotator has not finished."""
    columns: IntArray
    """Position of each covered token in the token continuum."""
    doc: IntArray
    """Document index of each covered token."""
    plain: IntArray
    """Per document: tokens no span of any annotator covers (O for everyone who finished)."""
    n_categories: int
    finished: np.ndarray


def token_labels(corpus: Corpus) -> TokenLabels:
    total = int(corpus.token_len.sum())
    k = len(corpus.labels) + 1
    positions = []
    for spans in corpus.spans:
        lengths = np.maximum(spans.token_end - spans.token_start, 0)
        n = int(lengths.sum())
        offsets = np.cumsum(lengths) - lengths
        positions.append(np.repeat(spans.token_start, lengths) + (np.arange(n) - np.repeat(offsets, lengths)))
    covered = np.zeros(total, dtype=bool)
    for p in positions:
        covered[p] = True
    columns = np.flatnonzero(covered)
    doc = np.searchsorted(corpus.token_start, columns, side="right") - 1
    column_of = np.full(total, -1, dtype=np.int64)
    column_of[columns] = np.arange(len(columns))
    labels = np.zeros((len(corpus.spans), len(columns)), dtype=np.int64)
    for row, (spans, p) in enumerate(zip(corpus.spans, positions, strict=True)):
        lengths = np.maximum(spans.token_end - spans.token_start, 0)
        labels[row, column_of[p]] = np.repeat(spans.label + 1, lengths)
        labels[row, ~corpus.finished[row][doc]] = MISSING
    plain = corpus.token_len - np.bincount(doc, minlength=len(corpus.doc_ids))
    return TokenLabels(labels, columns, doc, plain, k, corpus.finished)


def cohen_kappa(t: TokenLabels, a: int, b: int, docs: np.ndarray) -> float:
    keep = docs[t.doc]
    table = co.confusion(t.labels[a][keep], t.labels[b][keep], t.n_categories)
    table[OUTSIDE, OUTSIDE] += int(t.plain[docs].sum())
    return co.cohen_kappa(table)


def fleiss_kappa(t: TokenLabels, docs: np.ndarray) -> float:
    """Fleiss' κ over the tokens of `docs`, which every annotator must have finished."""
    sub = t.labels[:, docs[t.doc]]
    plain = int(t.plain[docs].sum())
    m = sub.shape[0]
    items = sub.shape[1] + plain
    if m < 2 or items == 0:
        return float("nan")
    pairs = m * (m - 1) / 2
    p_bar = (co.agreeing_pairs(sub).sum() + plain * pairs) / (items * pairs)
    totals = np.bincount(sub.ravel(), minlength=t.n_categories).astype(float)
    totals[OUTSIDE] += plain * m
    p_j = totals / (items * m)
    return co.chance_corrected(float(p_bar), float(p_j @ p_j))


def krippendorff_alpha(t: TokenLabels, docs: np.ndarray) -> float:
    """Nominal α over the tokens of `docs`; who has not finished a document is a missing value."""
    o = co.coincidences(t.labels[:, docs[t.doc]], t.n_categories)
    values_per_doc = t.finished.sum(axis=0)
    pairable = docs & (values_per_doc >= 2)
    # A plain token with m_u values pairs each with the m_u − 1 others, weight 1/(m_u − 1): m_u O/O.
    o[OUTSIDE, OUTSIDE] += float((t.plain[pairable] * values_per_doc[pairable]).sum())
    return co.alpha_from_coincidences(o)


def dense(t: TokenLabels, corpus: Corpus) -> IntArray:
    """The full annotators × tokens array, O filled in (for tests and small corpora)."""
    out = np.repeat(np.where(t.finished, OUTSIDE, MISSING), corpus.token_len, axis=1)
    out[:, t.columns] = t.labels
    return out
