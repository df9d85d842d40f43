"""Label schemes: the entity and relation labels a project uses, with colours and keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PALETTE = [
    "#7aecec",
    "#feca74",
    "#c887fb",
    "#bfeeb7",
    "#ff9561",
    "#aa9cfc",
    "#e4e7d2",
    "#9cc9cc",
    "#ffeb80",
    "#ff8197",
    "#f0d0ff",
    "#bfe1d9",
]
KEYS = "1234567890"


class SchemeError(ValueError):
    """A label scheme, or an edit that the scheme forbids."""


@dataclass(slots=True)
class EntityLabel:
    name: str
    color: str
    key: str = ""


@dataclass(slots=True)
class RelationLabel:
    name: str
    color: str
    key: str = ""
    allowed: list[tuple[str, str]] = field(default_factory=list)
    """(head label, child label) pairs this relation may join; empty means any pair."""

    def allows(self, head_label: str, child_label: str) -> bool:
        return not self.allowed or (head_label, child_label) in self.allowed


@dataclass(slots=True)
class LabelScheme:
    entities: list[EntityLabel] = field(default_factory=list)
    relations: list[RelationLabel] = field(default_factory=list)
    allow_overlap: bool = False

    @classmethod
    def from_names(
        cls, entities: list[str], relations: list[str] | None = None, allow_overlap: bool = False
    ) -> LabelScheme:
        """A scheme with default colours and number keys, in the order given.

        A relation may be written `NAME` or `NAME:HEAD>CHILD` (repeatable with `|`, e.g.
        `porte_parole:PER>ORG|PER>LOC`).
        """
        ents = [
            EntityLabel(n, PALETTE[i % len(PALETTE)], KEYS[i] if i < len(KEYS) else "")
            for i, n in enumerate(_unique(entities))
        ]
        rels = []
        rel_keys = "qwertyuiop"
        for i, spec in enumerate(relations or []):
            name, _, pairs = spec.partition(":")
            allowed = []
            for pair in filter(None, pairs.split("|")):
                head, sep, child = pair.partition(">")
                if not sep or not head or not child:
                    raise SchemeError(f"relation {spec!r}: pairs are written HEAD>CHILD")
                allowed.append((head.strip(), child.strip()))
            key = rel_keys[i] if i < len(rel_keys) else ""
            rels.append(RelationLabel(name.strip(), PALETTE[(i + 6) % len(PALETTE)], key, allowed))
        return cls(ents, rels, allow_overlap)

    @property
    def entity_names(self) -> list[str]:
        return [e.name for e in self.entities]

    @property
    def relation_names(self) -> list[str]:
        return [r.name for r in self.relations]

    def entity(self, name: str) -> EntityLabel | None:
        return next((e for e in self.entities if e.name == name), None)

    def relation(self, name: str) -> RelationLabel | None:
        return next((r for r in self.relations if r.name == name), None)

    def color(self, label: str) -> str:
        found = self.entity(label) or self.relation(label)
        return found.color if found else "#dddddd"

    def ensure_entity(self, name: str) -> EntityLabel:
        """The label, added with the next colour when the scheme does not have it yet."""
        found = self.entity(name)
        if found is None:
            i = len(self.entities)
            found = EntityLabel(name, PALETTE[i % len(PALETTE)], KEYS[i] if i < len(KEYS) else "")
            self.entities.append(found)
        return found

    def ensure_relation(self, name: str) -> RelationLabel:
        found = self.relation(name)
        if found is None:
            i = len(self.relations)
            found = RelationLabel(name, PALETTE[(i + 6) % len(PALETTE)])
            self.relations.append(found)
        return found

    def check_relation(self, label: str, head_label: str, child_label: str) -> None:
        """Raise SchemeError when the scheme forbids this relation between these span labels."""
        rel = self.relation(label)
        if rel is None:
            raise SchemeError(f"unknown relation label {label!r}")
        if not rel.allows(head_label, child_label):
            pairs = ", ".join(f"{h}→{c}" for h, c in rel.allowed)
            raise SchemeError(f"{label} cannot join {head_label} → {child_label} (allowed: {pairs})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelScheme:
        return cls(
            entities=[EntityLabel(**e) for e in data.get("entities", [])],
            relations=[
                RelationLabel(
                    name=r["name"],
                    color=r["color"],
                    key=r.get("key", ""),
                    allowed=[tuple(p) for p in r.get("allowed", [])],
                )
                for r in data.get("relations", [])
            ],
            allow_overlap=bool(data.get("allow_overlap", False)),
        )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        n = n.strip()
        if n:
            seen.setdefault(n, None)
    return list(seen)
