"""Label schemes: the entity and relation labels a project uses, with colours and keys."""

from __future__ import annotations

import unicodedata
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
MAX_LABEL = 100
"""The longest label, in characters."""


class SchemeError(ValueError):
    """A label scheme, or an edit that the scheme forbids."""


def label_problem(name: Any) -> str | None:
    """What makes `name` unusable as a label, or None when it is fine.

    A label is a non-blank string of at most MAX_LABEL characters with no control characters
    (tabs and line breaks included: brat's annotation.conf and CoNLL's columns break on them),
    no line or paragraph separators and no lone surrogates (not valid Unicode).
    """
    if not isinstance(name, str):
        return f"a label must be a string, not {type(name).__name__}"
    if not name.strip():
        return "a label cannot be blank"
    if len(name) > MAX_LABEL:
        return f"label {name[:20]!r}… is longer than {MAX_LABEL} characters"
    for c in name:
        category = unicodedata.category(c)
        if category == "Cs":
            return f"label {name!r} holds a lone surrogate U+{ord(c):04X}, which is not valid Unicode"
        if category in {"Cc", "Zl", "Zp"}:
            return f"label {name!r} holds a control character ({_char_name(c)})"
    return None


def check_label(name: Any) -> str:
    """`name` if it is a usable label, else SchemeError."""
    problem = label_problem(name)
    if problem is not None:
        raise SchemeError(problem)
    return str(name)


def _char_name(c: str) -> str:
    names = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return", "\x00": "NUL"}
    return names.get(c, f"U+{ord(c):04X}")


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
            rels.append(
                RelationLabel(check_label(name.strip()), PALETTE[(i + 6) % len(PALETTE)], key, allowed)
            )
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
            check_label(name)
            i = len(self.entities)
            found = EntityLabel(name, PALETTE[i % len(PALETTE)], KEYS[i] if i < len(KEYS) else "")
            self.entities.append(found)
        return found

    def ensure_relation(self, name: str) -> RelationLabel:
        found = self.relation(name)
        if found is None:
            check_label(name)
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
        seen.setdefault(check_label(n.strip() if isinstance(n, str) else n), None)
    return list(seen)
