"""Small annotated projects for the agreement and merge tests, written by the tests themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from desktop.model import Annotation, AnnotatorKind, Relation, Span, Status
from desktop.model.tokens import token_range
from desktop.store import NewDocument, Project


def tokenize(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    for text in texts:
        yield [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]


def add_document(project: Project, text: str) -> int:
    return project.add_documents([NewDocument(text, {"source": "test"})], tokenize).ids[0]


def annotate(
    project: Project,
    doc_id: int,
    annotator: str,
    spans: list[tuple[int, int, str]],
    relations: list[tuple[int, int, str]] | None = None,
    status: Status = Status.ACCEPTED,
    kind: AnnotatorKind | None = None,
    updated_at: str | None = None,
    reviewer: str | None = None,
) -> Annotation:
    """Store an annotation: spans as (start, end, label), relations as (head index, child index,
    label) into the span list."""
    tokens = project.document(doc_id).tokens
    stored = [Span(s, e, label, *token_range(tokens, s, e), id=i) for i, (s, e, label) in enumerate(spans)]
    rels = [Relation(h, c, label) for h, c, label in relations or []]
    return project.save_annotation(
        Annotation(doc_id, annotator, status, stored, rels, updated_at, reviewer), kind
    )
