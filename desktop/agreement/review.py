"""What the review window needs to adjudicate into gold, without Qt.

- `disagreements(project, annotators)`: the documents where the annotators' annotations differ, worst
  first, so a reviewer can go through them in order;
- `consensus(annotations)`: the spans and relations everyone agrees on, and one lane per annotator
  that marks each of their spans agreed or disputed (for drawing the annotators' annotations stacked);
- `seed_gold(project, doc_id, annotators, reviewer)`: create the gold annotation of a document
  with what everyone agrees on (one `save_annotation`), and return what it holds.

Two spans agree when they have the same offsets and label; two relations agree when their head
spans, child spans and labels agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from desktop.agreement.data import load_corpus
from desktop.agreement.spans import compare_spans
from desktop.model import GOLD, Annotation, AnnotatorKind, Origin, Relation, Span, Status
from desktop.store import Project, ProjectError

SpanKey = tuple[int, int, str]
RelationKey = tuple[SpanKey, SpanKey, str]


@dataclass(slots=True)
class LaneSpan:
    span: Span
    agreed: bool
    """Whether every compared annotator has this span (same offsets and label)."""
    others: list[str] = field(default_factory=list)
    """The other annotators who have it too."""


@dataclass(slots=True)
class Consensus:
    spans: list[Span]
    """Spans every annotator has, in text order (taken from the first annotation)."""
    relations: list[tuple[SpanKey, SpanKey, str]]
    """Relations every annotator has, as (head span key, child span key, label)."""
    lanes: dict[str, list[LaneSpan]]
    """Per annotator, each of their spans marked agreed or disputed."""

    @property
    def disputed(self) -> int:
        return sum(1 for lane in self.lanes.values() for s in lane if not s.agreed)


def _relation_keys(ann: Annotation) -> set[RelationKey]:
    by_id = {s.id: s.key for s in ann.spans}
    return {
        (by_id[r.head], by_id[r.child], r.label)
        for r in ann.relations
        if r.head in by_id and r.child in by_id
    }


def consensus(annotations: Sequence[Annotation]) -> Consensus:
    """What all the given annotations agree on, and each annotator's lane."""
    if not annotations:
        return Consensus([], [], {})
    keys = [{s.key for s in a.spans} for a in annotations]
    agreed = set.intersection(*keys)
    relations = set.intersection(*(_relation_keys(a) for a in annotations))
    lanes = {}
    for ann in annotations:
        lanes[ann.annotator] = [
            LaneSpan(
                s,
                s.key in agreed,
                [o.annotator for o, k in zip(annotations, keys, strict=True) if o is not ann and s.key in k],
            )
            for s in sorted(ann.spans, key=lambda s: (s.start, -s.end))
        ]
    first = annotations[0]
    spans = sorted((s for s in first.spans if s.key in agreed), key=lambda s: (s.start, -s.end))
    unique = list({s.key: s for s in spans}.values())
    return Consensus(unique, sorted(relations), lanes)


def disagreements(
    project: Project,
    annotators: Sequence[str],
    statuses: Sequence[Status] = (Status.ACCEPTED,),
) -> list[int]:
    """Ids of the documents where any two of the annotators who finished it differ (spans or
    relations), most disputed spans first."""
    corpus = load_corpus(project, annotators, None, None, statuses)
    disputed = np.zeros(len(corpus.doc_ids), dtype=np.int64)
    for a, b in combinations(range(len(corpus.annotators)), 2):
        docs = corpus.finished[a] & corpus.finished[b]
        per = compare_spans(corpus, a, b, docs).per_document
        assert per is not None
        na, nb, matched = per
        disputed += np.where(docs, na + nb - 2 * matched, 0)
        ra = {r for r in corpus.relations[a] if docs[r[0]]}
        rb = {r for r in corpus.relations[b] if docs[r[0]]}
        for r in ra ^ rb:
            disputed[r[0]] += 1
    order = np.lexsort((corpus.doc_ids, -disputed))
    return [int(corpus.doc_ids[i]) for i in order if disputed[i] > 0]


@dataclass(slots=True)
class Seeded:
    created: bool
    """The gold annotation did not exist and was created (with the spans and relations below)."""
    spans: list[Span] = field(default_factory=list)
    """Spans added to gold, with their stored ids."""
    relations: list[Relation] = field(default_factory=list)


def seed_gold(project: Project, doc_id: int, annotators: Sequence[str], reviewer: str) -> Seeded:
    """Create the document's gold annotation with every span and relation the annotators agree on.

    A document that has gold already keeps it as it is (nothing is added: `created` is False).
    """
    if not reviewer.strip():
        raise ProjectError("seeding gold needs the reviewer's name")
    found = [a for name in annotators if (a := project.annotation(doc_id, name)) is not None]
    if len(found) < 2:
        raise ProjectError(f"document {doc_id}: fewer than two of {', '.join(annotators)} annotated it")
    if project.annotation(doc_id, GOLD) is not None:
        return Seeded(False)
    return _create_gold(project, doc_id, consensus(found), reviewer)


def _create_gold(project: Project, doc_id: int, agreed: Consensus, reviewer: str) -> Seeded:
    spans = [
        Span(s.start, s.end, s.label, s.token_start, s.token_end, Origin.PERSON, i)
        for i, s in enumerate(agreed.spans)
    ]
    index = {s.key: i for i, s in enumerate(spans)}
    relations = [
        Relation(index[h], index[c], label, Origin.PERSON)
        for h, c, label in agreed.relations
        if h in index and c in index
    ]
    stored = project.save_annotation(
        Annotation(doc_id, GOLD, Status.IN_PROGRESS, spans, relations, reviewer=reviewer),
        AnnotatorKind.GOLD,
    )
    return Seeded(True, stored.spans, stored.relations)
