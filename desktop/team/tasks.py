"""Annotated JSONL in Prodigy's task shape, as several annotators' work to merge.

One record per line: `text`, `spans` [{start, end, label}], optional `relations` (each with
`head_span`/`child_span` {start, end, label}, or Prodigy's `head`/`child` token indices), `answer`
(accept / reject / ignore), `_annotator_id` (who made it), `_timestamp` (seconds since 1970) and
`meta`. Token indices in spans are ignored: Etiquette recomputes them from its own tokens. Only what
merging needs is read here; the full Prodigy format lives with the other formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.formats.base import FormatError
from desktop.formats.jsonl import iter_json_lines, record_text
from desktop.model import GOLD, Annotation, AnnotatorKind, Origin, Relation, Span, Status

ANSWERS = {"accept": Status.ACCEPTED, "reject": Status.REJECTED, "ignore": Status.SKIPPED}


@dataclass(slots=True)
class IncomingDocument:
    """A document from another project or a file, with every annotator's version of it."""

    text: str
    tokens: list[tuple[int, int]] | None = None
    """The source's tokens, or None to tokenize with the project's tokenizer."""
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)
    kinds: dict[str, AnnotatorKind] = field(default_factory=dict)
    where: str = ""
    """`file` or `file:line`, for messages."""


def stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def read_tasks(path: Path, annotator: str | None = None) -> list[IncomingDocument]:
    """Every record of the file, grouped by text; a later record of the same annotator and text
    replaces an earlier one (as when Prodigy saves an answer again)."""
    try:
        default_stamp = stamp(path.stat().st_mtime)
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    docs: dict[str, IncomingDocument] = {}
    for lineno, obj in iter_json_lines(path):
        text = record_text(path, lineno, obj)
        name = obj.get("_annotator_id") or annotator
        if not isinstance(name, str) or not name.strip():
            raise FormatError(path, "no `_annotator_id` in this record; say who made it with "
                              "--annotator", lineno)
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            raise FormatError(path, "`meta` must be an object", lineno)
        answer = obj.get("answer", "accept")
        if answer not in ANSWERS:
            raise FormatError(path, f"`answer` is {answer!r}, not accept, reject or ignore", lineno)
        when = obj.get("_timestamp")
        if when is not None and not isinstance(when, int | float):
            raise FormatError(path, "`_timestamp` must be a number of seconds", lineno)
        spans, relations = _spans_and_relations(path, lineno, obj, len(text))
        doc = docs.setdefault(text, IncomingDocument(text, meta=meta, where=f"{path}:{lineno}"))
        doc.annotations = [a for a in doc.annotations if a.annotator != name]
        doc.annotations.append(Annotation(
            0, name, ANSWERS[answer], spans, relations,
            stamp(when) if when is not None else default_stamp,
        ))
        doc.kinds[name] = AnnotatorKind.GOLD if name == GOLD else AnnotatorKind.PERSON
    return list(docs.values())


def _offsets(path: Path, lineno: int, obj: Any, length: int, what: str) -> tuple[int, int, str]:
    if not isinstance(obj, dict):
        raise FormatError(path, f"each {what} must be an object", lineno)
    start, end, label = obj.get("start"), obj.get("end"), obj.get("label")
    if not (isinstance(start, int) and isinstance(end, int)):
        raise FormatError(path, f"{what} offsets must be integers, got {start!r}-{end!r}", lineno)
    if not 0 <= start < end <= length:
        raise FormatError(path, f"{what} {start}-{end} is out of range for a text of {length} "
                          "characters", lineno)
    if not isinstance(label, str) or not label:
        raise FormatError(path, f"{what} {start}-{end} has no label", lineno)
    return start, end, label


def _spans_and_relations(
    path: Path, lineno: int, obj: dict[str, Any], length: int
) -> tuple[list[Span], list[Relation]]:
    raw_spans = obj.get("spans") or []
    raw_relations = obj.get("relations") or []
    if not isinstance(raw_spans, list) or not isinstance(raw_relations, list):
        raise FormatError(path, "`spans` and `relations` must be lists", lineno)
    spans: list[Span] = []
    by_offsets: dict[tuple[int, int, str], int] = {}

    def add(start: int, end: int, label: str) -> int:
        key = (start, end, label)
        if key not in by_offsets:
            by_offsets[key] = len(spans)
            spans.append(Span(start, end, label, origin=Origin.PERSON, id=len(spans)))
        return by_offsets[key]

    token_spans: list[tuple[int, int, int]] = []
    for raw in raw_spans:
        start, end, label = _offsets(path, lineno, raw, length, "span")
        sid = add(start, end, label)
        if isinstance(raw.get("token_start"), int) and isinstance(raw.get("token_end"), int):
            token_spans.append((raw["token_start"], raw["token_end"], sid))
    relations = []
    for raw in raw_relations:
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), str):
            raise FormatError(path, "each relation must be an object with a `label`", lineno)
        ends = []
        for side in ("head", "child"):
            if isinstance(raw.get(f"{side}_span"), dict):
                ends.append(add(*_offsets(path, lineno, raw[f"{side}_span"], length, "span")))
                continue
            token = raw.get(side)
            found = next((sid for first, last, sid in token_spans
                          if isinstance(token, int) and first <= token <= last), None)
            if found is None:
                raise FormatError(path, f"relation {raw['label']}: its {side} is not a span of "
                                  "this record", lineno)
            ends.append(found)
        relations.append(Relation(ends[0], ends[1], raw["label"], Origin.PERSON))
    return spans, relations
