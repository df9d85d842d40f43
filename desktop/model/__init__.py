"""Domain types: documents, spans, relations, annotations and label schemes. No Qt, no SQLite."""

from desktop.model.scheme import (
    EntityLabel,
    LabelScheme,
    RelationLabel,
    SchemeError,
    check_label,
    label_problem,
)
from desktop.model.types import (
    GOLD,
    Annotation,
    AnnotatorKind,
    Document,
    Origin,
    Relation,
    Span,
    Status,
    Token,
    content_hash,
)

__all__ = [
    "GOLD",
    "Annotation",
    "AnnotatorKind",
    "Document",
    "EntityLabel",
    "LabelScheme",
    "Origin",
    "Relation",
    "RelationLabel",
    "SchemeError",
    "check_label",
    "label_problem",
    "Span",
    "Status",
    "Token",
    "content_hash",
]
