"""What agreement needs from a project, read in a few set-wise queries (never one per document).

Documents are laid end to end in two continua, one of characters and one of tokens; every span is
stored as positions in those continua, so one sorted NumPy array per annotator covers the corpus.
The queries are the store's (`desktop/store/corpus.py`); this module arranges their rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from desktop.agreement.intervals import IntArray
from desktop.model import AnnotatorKind, Status
from desktop.store import Project, ProjectError


@dataclass(slots=True)
class SpanTable:
    """One annotator's spans, sorted by (start, end), as parallel arrays."""

    doc: IntArray
    """Index of the document (into Corpus.doc_ids)."""
    start: IntArray
    """Character position in the continuum (document offset + start)."""
    end: IntArray
    token_start: IntArray
    """Token position in the token continuum."""
    token_end: IntArray
    label: IntArray
    """Index into Corpus.labels."""

    def __len__(self) -> int:
        return len(self.start)

    def where(self, keep: np.ndarray) -> SpanTable:
        if keep.all():
            return self
        return SpanTable(
            self.doc[keep],
            self.start[keep],
            self.end[keep],
            self.token_start[keep],
            self.token_end[keep],
            self.label[keep],
        )


Relation = tuple[int, int, int, int, int, str]
"""(document index, head start, head end, child start, child end, relation label)."""


@dataclass(slots=True)
class Corpus:
    annotators: list[str]
    model: str | None
    labels: list[str]
    doc_ids: IntArray
    char_start: IntArray
    char_len: IntArray
    token_start: IntArray
    token_len: IntArray
    has: np.ndarray
    """annotators × documents: the annotator has an annotation of the document."""
    finished: np.ndarray
    """annotators × documents: with a status that counts (accepted by default; models always)."""
    spans: list[SpanTable]
    relations: list[set[Relation]] = field(default_factory=list)

    @property
    def char_end(self) -> IntArray:
        return self.char_start + self.char_len

    @property
    def token_end(self) -> IntArray:
        return self.token_start + self.token_len

    def index(self, annotator: str) -> int:
        return self.annotators.index(annotator)


def choose_annotators(
    project: Project, annotators: Sequence[str] | None = None, include_model: bool = True
) -> tuple[list[str], str | None]:
    """The annotators to compare: the named ones, or every person; plus the latest model."""
    known = {a.name: a.kind for a in project.annotators()}
    if annotators:
        missing = [a for a in annotators if a not in known]
        if missing:
            raise ProjectError(
                f"{project.path}: no annotator {', '.join(map(repr, missing))} "
                f"(annotators: {', '.join(known) or 'none'})"
            )
        chosen = list(dict.fromkeys(annotators))
    else:
        chosen = [name for name, kind in known.items() if kind == AnnotatorKind.PERSON]
    model = project.latest_model() if include_model else None
    if model is not None and model not in chosen:
        chosen.append(model)
    models = [name for name in chosen if known[name] == AnnotatorKind.MODEL]
    return chosen, (model if model in chosen else (models[-1] if models else None))


def load_corpus(
    project: Project,
    annotators: Sequence[str],
    model: str | None = None,
    labels: Sequence[str] | None = None,
    statuses: Sequence[Status] = (Status.ACCEPTED,),
    relations: bool = True,
) -> Corpus:
    """Documents, statuses, spans (and relations) of the annotators, in a handful of queries."""
    ids = project.annotator_ids(annotators)
    names = [n for n in annotators if n in ids]
    by_id = {ids[n]: i for i, n in enumerate(names)}
    params = [ids[n] for n in names]

    docs = np.array(project.corpus_documents(params) or np.zeros((0, 3)), dtype=np.int64).reshape(-1, 3)
    doc_ids, char_len, token_len = docs[:, 0], docs[:, 1], docs[:, 2]
    char_start = np.concatenate([[0], np.cumsum(char_len)[:-1]]).astype(np.int64)
    token_start = np.concatenate([[0], np.cumsum(token_len)[:-1]]).astype(np.int64)

    rows = np.array(project.corpus_annotations(params, statuses) or np.zeros((0, 4)), dtype=np.int64).reshape(
        -1, 4
    )
    ann_ids = rows[:, 0]
    ann_doc = np.searchsorted(doc_ids, rows[:, 1])
    ann_row = np.array([by_id[int(a)] for a in rows[:, 2]], dtype=np.int64)
    has = np.zeros((len(names), len(doc_ids)), dtype=bool)
    finished = np.zeros_like(has)
    has[ann_row, ann_doc] = True
    finished[ann_row, ann_doc] = rows[:, 3].astype(bool)
    if model in names:
        finished[names.index(model)] = has[names.index(model)]

    label_names = list(labels) if labels else list(project.scheme.entity_names)
    widths = _Widths(int(char_len.max(initial=0)), int(token_len.max(initial=0)), len(label_names))
    raw = _fetch_spans(project, params, label_names, widths, ann_ids)
    if not labels and np.any(raw[4] == len(label_names)):
        # Labels the scheme does not list (imported, or merged from another project).
        label_names += [x for x in project.span_labels_in_use(params) if x not in label_names]
        widths = _Widths(widths.chars, widths.tokens, len(label_names))
        raw = _fetch_spans(project, params, label_names, widths, ann_ids)
    spans = _span_tables(
        raw, len(names), (ann_ids, ann_doc, ann_row), char_start, token_start, len(label_names)
    )
    corpus = Corpus(
        names,
        model if model in names else None,
        label_names,
        doc_ids,
        char_start,
        char_len,
        token_start,
        token_len,
        has,
        finished,
        spans,
    )
    if relations:
        corpus.relations = _load_relations(project, params, by_id, doc_ids, len(names), labels)
    return corpus


@dataclass(frozen=True, slots=True)
class _Widths:
    """Largest document (characters, tokens) and label count: how many bits a packed span needs."""

    chars: int
    tokens: int
    labels: int

    @property
    def bits(self) -> tuple[int, int, int]:
        return ((self.chars + 1).bit_length(), (self.tokens + 2).bit_length(), (self.labels + 1).bit_length())

    @property
    def fits_one(self) -> bool:
        c, t, lab = self.bits
        return 2 * c + 2 * t + lab <= 62


def _fetch_spans(
    project: Project,
    params: list[int],
    labels: list[str],
    widths: _Widths,
    annotation_ids: IntArray,
) -> tuple[IntArray, ...]:
    """(annotation id, span count) per annotation, then start, end, label code, first token and
    end token of every span; a label outside `labels` gets code len(labels).

    The store sends each span as integers packed in SQL (`Project.packed_spans`), which NumPy
    parses in one call.
    """
    c, t, lab = (1 << b for b in widths.bits)
    rows = project.packed_spans(params, labels, (c, t, lab), widths.fits_one, annotation_ids.tolist())
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    counts = np.array([r[1] for r in rows], dtype=np.int64)
    first = _parse(" ".join(r[2] for r in rows))
    if widths.fits_one:
        token_part, char_part = first % (t * t * lab), first // (t * t * lab)
    else:
        token_part, char_part = _parse(" ".join(r[3] for r in rows)), first
    label_code = token_part % lab
    token_part //= lab
    token_len, token_first = token_part % t, token_part // t - 1
    start = char_part // c
    return (ids, counts, start, start + char_part % c, label_code, token_first, token_first + token_len)


def _parse(text: str) -> IntArray:
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=" ")


def _span_tables(
    raw: tuple[IntArray, ...],
    n: int,
    annotations: tuple[IntArray, IntArray, IntArray],
    char_start: IntArray,
    token_start: IntArray,
    n_labels: int,
) -> list[SpanTable]:
    ids, counts, start, end, label, t_first, t_last = raw
    ann_ids, ann_doc, ann_row = annotations
    which = np.searchsorted(ann_ids, ids)
    doc = np.repeat(ann_doc[which], counts)
    row = np.repeat(ann_row[which], counts)
    # A span that covers no token (token_start -1) has no token labels.
    no_token = t_first < 0
    t_first = np.where(no_token, 0, t_first) + token_start[doc]
    t_last = np.where(no_token, t_first, t_last + token_start[doc])
    start = start + char_start[doc]
    end = end + char_start[doc]
    keep = label < n_labels
    # By annotator, then start; one int64 key sorts faster than a three-key lexsort.
    order = np.argsort(row * (int(start.max(initial=0)) + 1) + start, kind="stable")
    order = order[keep[order]]
    bounds = np.searchsorted(row[order], np.arange(n + 1))
    out = []
    for r in range(n):
        i = order[bounds[r] : bounds[r + 1]]
        out.append(SpanTable(doc[i], start[i], end[i], t_first[i], t_last[i], label[i]))
    return out


def _load_relations(
    project: Project,
    params: list[int],
    by_id: dict[int, int],
    doc_ids: IntArray,
    n: int,
    only: Sequence[str] | None,
) -> list[set[Relation]]:
    out: list[set[Relation]] = [set() for _ in range(n)]
    for annotator_id, doc_id, hs, he, cs, ce, label in project.corpus_relations(params, only):
        out[by_id[annotator_id]].add((int(np.searchsorted(doc_ids, doc_id)), hs, he, cs, ce, label))
    return out
