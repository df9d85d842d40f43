"""Two versions of one annotator's annotation of a document: which is further along, are they the
same, and joining them into one. Used by imports (records repeated for one text, and texts the
project already has) and by merges."""

from __future__ import annotations

from typing import Any

from desktop.model.types import Annotation, Relation, Span, Status

FINISHED = frozenset({Status.ACCEPTED, Status.REJECTED, Status.SKIPPED})
"""Statuses a person gives on purpose when done with a document."""

_RANK = {Status.TODO: 0, Status.IN_PROGRESS: 1, Status.SKIPPED: 2, Status.REJECTED: 3, Status.ACCEPTED: 4}


def further(a: Status, b: Status) -> Status:
    """The status further along: accepted, then rejected, skipped, in progress, to do."""
    return a if _RANK[a] >= _RANK[b] else b


def content_key(ann: Annotation) -> tuple[Any, ...]:
    """What two versions must share to be the same work: status, spans and relations (by their
    spans' offsets and labels), whatever their ids, origins and timestamps."""
    by_id = {s.id: s.key for s in ann.spans}
    spans = tuple(sorted({s.key for s in ann.spans}))
    relations = tuple(
        sorted({(by_id.get(r.head), by_id.get(r.child), r.label) for r in ann.relations}, key=repr)
    )
    return (str(ann.status), spans, relations)


def join(first: Annotation, second: Annotation, status: Status) -> Annotation:
    """One annotation holding the spans and relations of both (each span once), under `status`.

    The result's spans carry local ids (0, 1, ...) that its relations refer to, as an annotation
    on its way into the store does; the first version's document, reviewer and time are kept.
    """
    spans: list[Span] = []
    ids: dict[tuple[int, int, str], int] = {}
    relations: list[Relation] = []
    seen: set[tuple[int, int, str]] = set()
    for ann in (first, second):
        local: dict[int | None, int] = {}
        for i, s in enumerate(ann.spans):
            if s.key not in ids:
                ids[s.key] = len(spans)
                spans.append(Span(s.start, s.end, s.label, s.token_start, s.token_end, s.origin, len(spans)))
            local[s.id if s.id is not None else i] = ids[s.key]
        for r in ann.relations:
            if r.head not in local or r.child not in local:
                continue
            key = (local[r.head], local[r.child], r.label)
            if key not in seen:
                seen.add(key)
                relations.append(Relation(key[0], key[1], r.label, r.origin))
    return Annotation(
        first.document_id, first.annotator, status, spans, relations, first.updated_at, first.reviewer
    )
