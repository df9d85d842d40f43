"""What an operation is: a change of a project that applies itself and returns its inverse.

Operations are plain dataclasses, written to the undo history as JSON (`encode` / `decode`), so
an undo works after a restart as it does in the session that made the edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from desktop.model import Annotation, Origin, Relation, Span, Status
from desktop.store import Project

_KINDS: dict[str, type[Operation]] = {}


class Operation:
    """A change of a project. `apply` makes it and returns the operation that reverts it."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__name__
        _KINDS[cls.kind] = cls

    def apply(self, project: Project) -> Operation:
        raise NotImplementedError


@dataclass
class Edit(Operation):
    """A change of one annotator's annotation of one document."""

    doc_id: int
    annotator: str

    needs_annotation: ClassVar[bool] = True
    """Whether the annotation must exist first (made from the suggestions at the first change)."""

    def apply(self, project: Project) -> Edit:
        raise NotImplementedError

    def describe(self, project: Project) -> str:
        """What the edit does, in the annotator's words; called before `apply`."""
        return self.kind

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        """The same edit for ids of suggestions just copied into the annotator's annotation."""
        return self


@dataclass
class Compound(Edit):
    """Several edits of one document as one step."""

    steps: list[Edit] = field(default_factory=list)
    text: str = ""

    @property
    def needs_annotation(self) -> bool:  # type: ignore[override]
        return any(s.needs_annotation for s in self.steps)

    def apply(self, project: Project) -> Edit:
        with project.transaction():
            undo = [s.apply(project) for s in self.steps]
        return Compound(self.doc_id, self.annotator, list(reversed(undo)), self.text)

    def describe(self, project: Project) -> str:
        return self.text or "; ".join(s.describe(project) for s in self.steps)

    def remap(self, spans: dict[int, int], relations: dict[int, int]) -> Edit:
        steps = [s.remap(spans, relations) for s in self.steps]
        return Compound(self.doc_id, self.annotator, steps, self.text)


# --- JSON ---------------------------------------------------------------------------------------


def encode(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"op": op.kind}
    for f in fields(op):  # type: ignore[arg-type]
        out[f.name] = _value(getattr(op, f.name))
    return out


def decode(data: dict[str, Any]) -> Operation:
    cls = _KINDS.get(str(data.get("op")))
    if cls is None:
        raise ValueError(f"not an operation: {data.get('op')!r}")
    args = {k: _back(v) for k, v in data.items() if k != "op"}
    return cls(**args)


def _value(value: Any) -> Any:
    if isinstance(value, Operation):
        return encode(value)
    if isinstance(value, Span):
        bounds = [value.start, value.end, value.label, value.token_start, value.token_end]
        return {"span": bounds, "origin": str(value.origin), "id": value.id}
    if isinstance(value, Relation):
        ends = [value.head, value.child, value.label]
        return {"relation": ends, "origin": str(value.origin), "id": value.id}
    if isinstance(value, Annotation):
        return {
            "annotation": [value.document_id, value.annotator, str(value.status)],
            "spans": [_value(s) for s in value.spans],
            "relations": [_value(r) for r in value.relations],
            "updated_at": value.updated_at,
            "reviewer": value.reviewer,
            "id": value.id,
        }
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, Status | Origin):
        return str(value)
    return value


def _back(value: Any) -> Any:
    if isinstance(value, dict):
        if "op" in value:
            return decode(value)
        if "span" in value:
            start, end, label, ts, te = value["span"]
            return Span(start, end, label, ts, te, Origin(value["origin"]), value["id"])
        if "relation" in value:
            head, child, label = value["relation"]
            return Relation(head, child, label, Origin(value["origin"]), value["id"])
        if "annotation" in value:
            doc_id, annotator, status = value["annotation"]
            return Annotation(
                doc_id,
                annotator,
                Status(status),
                [_back(s) for s in value["spans"]],
                [_back(r) for r in value["relations"]],
                value["updated_at"],
                value["reviewer"],
                value["id"],
            )
    if isinstance(value, list):
        return [_back(v) for v in value]
    return value
