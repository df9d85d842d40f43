"""Reading a whole project file in a handful of queries, for merging.

`Project.annotation()` costs three queries per annotation; a merge of ten thousand documents by four
annotators would spend most of its time there. These readers fetch every document, annotation, span
and relation at once and build the same domain objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from desktop.model import Annotation, Origin, Relation, Span, Status

_ORIGINS = {str(o): o for o in Origin}
_STATUSES = {str(s): s for s in Status}


@dataclass(slots=True)
class StoredDocument:
    id: int
    hash: str
    text: str
    tokens: str
    """The tokens as stored (JSON of flat start/end offsets): compared as they are."""
    meta: dict[str, Any]


def read_documents(db: Database, with_text: bool = True) -> list[StoredDocument]:
    text = "text" if with_text else "''"
    meta = "meta" if with_text else "'{}'"
    return [
        StoredDocument(r[0], r[1], r[2], r[3], json.loads(r[4]))
        for r in db.execute(f"SELECT id, hash, {text}, tokens, {meta} FROM documents ORDER BY id").fetchall()
    ]


SpanRow = tuple[int, int, int, int, int, str, str]
"""(id, start, end, token_start, token_end, label, origin)"""
RelationRow = tuple[int, int, str, str, int, int, str, int, int, str]
"""(head id, child id, label, origin, head start, head end, head label, child start, ...)"""


@dataclass(slots=True)
class StoredAnnotation:
    """One annotation as rows, cheap to compare; `to_annotation()` builds the domain object."""

    id: int
    document_id: int
    annotator: str
    status: str
    updated_at: str
    reviewer: str | None
    spans: list[SpanRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)

    def signature(self) -> tuple[Any, ...]:
        spans = tuple((s[1], s[2], s[5], s[6]) for s in self.spans)
        relations = tuple(
            sorted(((r[4], r[5], r[6]), (r[7], r[8], r[9]), r[2], r[3]) for r in self.relations)
        )
        return (self.status, self.reviewer, spans, relations)

    def to_annotation(self) -> Annotation:
        return Annotation(
            self.document_id,
            self.annotator,
            _STATUSES[self.status],
            [Span(s[1], s[2], s[5], s[3], s[4], _ORIGINS[s[6]], s[0]) for s in self.spans],
            [Relation(r[0], r[1], r[2], _ORIGINS[r[3]]) for r in self.relations],
            self.updated_at,
            self.reviewer,
            self.id,
        )


def signature(ann: Annotation) -> tuple[Any, ...]:
    """What makes two versions of an annotation the same, independent of ids and timestamps:
    status, reviewer, spans (offsets, label, origin) and relations (their spans, label, origin)."""
    by_id = {s.id: (s.start, s.end, s.label) for s in ann.spans}
    spans = tuple(sorted((s.start, s.end, s.label, str(s.origin)) for s in ann.spans))
    relations = tuple(sorted((by_id[r.head], by_id[r.child], r.label, str(r.origin)) for r in ann.relations))
    return (str(ann.status), ann.reviewer, spans, relations)


def read_annotations(db: Database) -> dict[tuple[int, str], StoredAnnotation]:
    """Every annotation of the file by (document id, annotator name), with its spans and
    relations, in three queries."""
    anns: dict[int, StoredAnnotation] = {}
    for aid, doc_id, name, status, updated, reviewer in db.execute(
        "SELECT a.id, a.document_id, n.name, a.status, a.updated_at, a.reviewer "
        "FROM annotations a JOIN annotators n ON n.id = a.annotator_id"
    ).fetchall():
        anns[aid] = StoredAnnotation(aid, doc_id, name, status, updated, reviewer)
    rows = db.execute(
        'SELECT annotation_id, id, start, "end", token_start, token_end, label, origin FROM spans '
        'ORDER BY annotation_id, start, "end", label, origin, id'
    ).fetchall()
    for aid, group in groupby(rows, key=itemgetter(0)):
        anns[aid].spans = [r[1:] for r in group]
    for row in db.execute(
        'SELECT r.annotation_id, r.head, r.child, r.label, r.origin, h.start, h."end", h.label, '
        'c.start, c."end", c.label FROM relations r JOIN spans h ON h.id = r.head '
        "JOIN spans c ON c.id = r.child ORDER BY r.annotation_id, r.id"
    ).fetchall():
        anns[row[0]].relations.append(row[1:])
    return {(a.document_id, a.annotator): a for a in anns.values()}


def decode_pairs(raw: str) -> list[tuple[int, int]]:
    flat = json.loads(raw)
    return list(zip(flat[::2], flat[1::2], strict=True))
