"""The edits of an annotation: spans, relations, status, the annotation itself, taking into gold.

Each `apply` makes one store call (or a few in one transaction) and returns its inverse; a span
or relation that comes back after an undo keeps its old id, so later steps still find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.model import GOLD, Annotation, Origin, Relation, Span, Status
from desktop.operations.base import Compound, Edit
from desktop.store import Project


def quoted(project: Project, doc_id: int, span: Span | None) -> str:
    if span is None:
        return "« ? »"
    return f"« {project.document_text(doc_id)[span.start : span.end]} »"


def _remapped(ids: dict[int, int], value: int) -> int:
    return ids.get(value, value)


@dataclass
class AddSpan(Edit):
    span: Span = field(default_factory=lambda: Span(0, 0, ""))

    def apply(self, project: Project) -> Edit:
        # The first run gives the span its id; a redo brings it back under that same id.
        self.span = project.add_span(self.doc_id, self.annotator, self.span)
        assert self.span.id is not None
        return RemoveSpan(self.doc_id, self.annotator, self.span.id)

    def describe(self, project: Project) -> str:
        return f"Add {quoted(project, self.doc_id, self.span)} {self.span.label}"


@dataclass
class RemoveSpan(Edit):
    """Remove a span and the relations that use it."""

    span_id: int = 0

    def apply(self, project: Project) -> Edit:
        span, relations = project.remove_span(self.doc_id, self.annotator, self.span_id)
        return RestoreSpan(self.doc_id, self.annotator, span, relations)

    def describe(self, project: Project) -> str:
        span = project.span_of(self.doc_id, self.annotator, self.span_id)
        return f"Delete {quoted(project, self.doc_id, span)} {span.label if span else ''}".rstrip()

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        return RemoveSpan(self.doc_id, self.annotator, _remapped(spans, self.span_id))


@dataclass
class RestoreSpan(Edit):
    """Bring back a removed span and its relations, under their old ids."""

    span: Span = field(default_factory=lambda: Span(0, 0, ""))
    relations: list[Relation] = field(default_factory=list)

    def apply(self, project: Project) -> Edit:
        project.restore_span(self.doc_id, self.annotator, self.span, self.relations)
        assert self.span.id is not None
        return RemoveSpan(self.doc_id, self.annotator, self.span.id)

    def describe(self, project: Project) -> str:
        return f"Restore {quoted(project, self.doc_id, self.span)} {self.span.label}"


@dataclass
class UpdateSpan(Edit):
    """Relabel, confirm (make the person's) or move a span."""

    span_id: int = 0
    label: str | None = None
    origin: Origin | None = None
    bounds: list[int] | None = None
    """start, end, token_start, token_end"""

    def apply(self, project: Project) -> Edit:
        old = project.update_span(
            self.doc_id,
            self.annotator,
            self.span_id,
            label=self.label,
            origin=Origin(self.origin) if self.origin else None,
            bounds=(self.bounds[0], self.bounds[1], self.bounds[2], self.bounds[3]) if self.bounds else None,
        )
        return UpdateSpan(
            self.doc_id,
            self.annotator,
            self.span_id,
            old.label,
            old.origin,
            [old.start, old.end, old.token_start, old.token_end] if self.bounds else None,
        )

    def describe(self, project: Project) -> str:
        span = project.span_of(self.doc_id, self.annotator, self.span_id)
        what = quoted(project, self.doc_id, span)
        old = span.label if span else "?"
        if self.label and self.label != old:
            return f"Relabel {what} {old} → {self.label}"
        if self.bounds:
            return f"Resize {what} {old}"
        if self.origin == Origin.MODEL:
            return f"Back to suggestion {what} {old}"
        return f"Confirm {what} {old}"

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        return UpdateSpan(
            self.doc_id, self.annotator, _remapped(spans, self.span_id), self.label, self.origin, self.bounds
        )


@dataclass
class AddRelation(Edit):
    relation: Relation = field(default_factory=lambda: Relation(0, 0, ""))
    check: bool = True
    """Whether the label scheme must allow the pair (an undo brings back what was there)."""

    def apply(self, project: Project) -> Edit:
        self.relation = project.add_relation(self.doc_id, self.annotator, self.relation, check=self.check)
        assert self.relation.id is not None
        return RemoveRelation(self.doc_id, self.annotator, self.relation.id)

    def describe(self, project: Project) -> str:
        head = quoted(project, self.doc_id, project.span_of(self.doc_id, self.annotator, self.relation.head))
        child = quoted(
            project, self.doc_id, project.span_of(self.doc_id, self.annotator, self.relation.child)
        )
        return f"Link {head} → {child} as {self.relation.label}"

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        r = self.relation
        moved = Relation(_remapped(spans, r.head), _remapped(spans, r.child), r.label, r.origin, r.id)
        return AddRelation(self.doc_id, self.annotator, moved, self.check)


@dataclass
class RemoveRelation(Edit):
    relation_id: int = 0

    def apply(self, project: Project) -> Edit:
        removed = project.remove_relation(self.doc_id, self.annotator, self.relation_id)
        return AddRelation(self.doc_id, self.annotator, removed, check=False)

    def describe(self, project: Project) -> str:
        ann = project.annotation(self.doc_id, self.annotator)
        rel = next((r for r in ann.relations if r.id == self.relation_id), None) if ann else None
        return f"Delete relation {rel.label}" if rel else "Delete relation"

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        return RemoveRelation(self.doc_id, self.annotator, _remapped(relations, self.relation_id))


@dataclass
class RelabelRelation(Edit):
    relation_id: int = 0
    label: str = ""
    check: bool = True

    def apply(self, project: Project) -> Edit:
        old = project.update_relation(
            self.doc_id, self.annotator, self.relation_id, self.label, check=self.check
        )
        return RelabelRelation(self.doc_id, self.annotator, self.relation_id, old.label, check=False)

    def describe(self, project: Project) -> str:
        ann = project.annotation(self.doc_id, self.annotator)
        rel = next((r for r in ann.relations if r.id == self.relation_id), None) if ann else None
        return f"Relabel relation {rel.label if rel else '?'} → {self.label}"

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        return RelabelRelation(
            self.doc_id, self.annotator, _remapped(relations, self.relation_id), self.label, self.check
        )


@dataclass
class SetStatus(Edit):
    status: Status = Status.TODO
    reviewer: str | None = None
    """Who reviewed it (gold's status in review mode)."""

    def apply(self, project: Project) -> Edit:
        old = project.set_status(self.doc_id, self.annotator, Status(self.status), reviewer=self.reviewer)
        return SetStatus(self.doc_id, self.annotator, old)

    def describe(self, project: Project) -> str:
        return f"Mark document {self.doc_id} {str(self.status).replace('_', ' ')}"


@dataclass
class StartAnnotation(Edit):
    """Store the annotator's annotation made of the suggestions (before their first change)."""

    needs_annotation = False

    def __post_init__(self) -> None:
        self.span_ids: dict[int, int] = {}
        self.relation_ids: dict[int, int] = {}
        """After `apply`: the new id of each suggested span and relation, by the model's id."""

    def apply(self, project: Project) -> Edit:
        _, self.span_ids, self.relation_ids = project.create_from_suggestions(self.doc_id, self.annotator)
        return DiscardAnnotation(self.doc_id, self.annotator)

    def describe(self, project: Project) -> str:
        return f"Start document {self.doc_id}"


@dataclass
class DiscardAnnotation(Edit):
    """Remove the annotation whole: the annotator sees the suggestions again."""

    def apply(self, project: Project) -> Edit:
        return RestoreAnnotation(
            self.doc_id, self.annotator, project.discard_annotation(self.doc_id, self.annotator)
        )

    def describe(self, project: Project) -> str:
        return f"Back to the suggestions of document {self.doc_id}"


@dataclass
class RestoreAnnotation(Edit):
    annotation: Annotation | None = None
    needs_annotation = False

    def apply(self, project: Project) -> Edit:
        assert self.annotation is not None
        project.restore_annotation(self.annotation)
        return DiscardAnnotation(self.doc_id, self.annotator)


@dataclass
class TakeIntoGold(Edit):
    """Copy an annotator's span into gold, replacing the gold spans it clashes with, and with the
    relations whose other end gold has: `relations` holds (head, child, label), None standing for
    the span taken."""

    annotator: str = GOLD
    span: Span = field(default_factory=lambda: Span(0, 0, ""))
    source: str = ""
    """Whose span it is."""
    replace: list[int] = field(default_factory=list)
    relations: list[list[int | str | None]] = field(default_factory=list)

    def apply(self, project: Project) -> Edit:
        with project.transaction():
            undo: list[Edit] = [
                RemoveSpan(self.doc_id, self.annotator, s).apply(project) for s in self.replace
            ]
            add = AddSpan(self.doc_id, self.annotator, self.span)
            undo.append(add.apply(project))
            self.span = add.span
            for head, child, label in self.relations:
                rel = Relation(
                    int(head) if head is not None else int(add.span.id or 0),
                    int(child) if child is not None else int(add.span.id or 0),
                    str(label),
                    Origin.PERSON,
                )
                undo.append(AddRelation(self.doc_id, self.annotator, rel, check=False).apply(project))
        return Compound(self.doc_id, self.annotator, list(reversed(undo)), f"Take {self.span.label}")

    def describe(self, project: Project) -> str:
        return f"Take {quoted(project, self.doc_id, self.span)} {self.span.label} from {self.source}"

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        return TakeIntoGold(
            self.doc_id,
            self.annotator,
            self.span,
            self.source,
            [_remapped(spans, s) for s in self.replace],
            [
                [
                    _remapped(spans, h) if isinstance(h, int) else h,
                    _remapped(spans, c) if isinstance(c, int) else c,
                    lab,
                ]
                for h, c, lab in self.relations
            ],
        )
