"""Domain types of Etiquette: documents, spans, relations and annotations.

Plain dataclasses with no Qt and no SQLite. Offsets are Python string indices (code points), as in
spaCy and Prodigy; `token_end` is exclusive, as in spaCy's `Doc[start:end]` (Prodigy writes it inclusive,
and the Prodigy format module converts).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where one annotator stands with one document."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SKIPPED = "skipped"

    @property
    def text(self) -> str:
        """How it reads to a person, in the window and in reports: "to do", "in progress", …"""
        return "to do" if self is Status.TODO else self.value.replace("_", " ")


class Origin(StrEnum):
    """Who put a span or relation there: a model's suggestion, or a person."""

    MODEL = "model"
    PERSON = "person"


class AnnotatorKind(StrEnum):
    PERSON = "person"
    MODEL = "model"
    GOLD = "gold"


GOLD = "gold"
"""Name of the annotator that holds the reviewed, adjudicated annotation of each document."""


def content_hash(text: str) -> str:
    """Stable identity of a document's text: re-importing the same text is a no-op."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int


@dataclass(slots=True)
class Document:
    id: int
    text: str
    tokens: list[Token]
    meta: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    sent_starts: list[int] | None = None
    """Indices of the tokens that start a sentence, as the imported file gave them; None when the
    file said nothing about sentences."""
    token_attrs: dict[str, list[Any]] | None = None
    """Token attributes a file carried that Etiquette keeps but does not edit (a DocBin's TAG, POS,
    MORPH, LEMMA, DEP, HEAD), one value per token; None when there were none."""
    extras: dict[str, Any] = field(default_factory=dict)
    """What a format's record carried beyond text, tokens and annotations, by format name, so that
    the format writes it back (e.g. Prodigy's own fields, CoNLL's `-DOCSTART-`)."""

    def token_starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    def token_ends(self) -> list[int]:
        return [t.end for t in self.tokens]


@dataclass(slots=True)
class Span:
    start: int
    end: int
    label: str
    token_start: int = -1
    token_end: int = -1
    origin: Origin = Origin.PERSON
    id: int | None = None
    confidence: float | None = None
    """The model's probability for a suggestion (0-1); None for a person's span or an unscored model."""

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(slots=True)
class Relation:
    head: int
    """Id of the head span."""
    child: int
    """Id of the child span."""
    label: str
    origin: Origin = Origin.PERSON
    id: int | None = None


@dataclass(slots=True)
class Annotation:
    """One document as labelled by one annotator."""

    document_id: int
    annotator: str
    status: Status = Status.TODO
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    updated_at: str | None = None
    reviewer: str | None = None
    id: int | None = None

    def span_by_id(self, span_id: int) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None)
