"""doccano JSONL, in and out.

Read: the relation form (`entities` [{id, start_offset, end_offset, label}], `relations`
[{from_id, to_id, type}]), the sequence-labelling form (`label` or `labels`: [[start, end, label]]),
doccano 1.x exports (`annotations` [{label, start_offset, end_offset, user}], one annotator per
user), renamed columns (`data`, `column_data`, `column_label`, ... : the text is the one string
field, the labels the one list of [start, end, label] triples), and pretty-printed objects over
several lines. Other fields become the document's metadata.

Written in the relation form: {id, text, meta, entities, relations}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.formats.base import (
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Progress,
    Record,
)
from desktop.formats.common import AnnotationBuilder, annotator_name, check_span, count, reading, short
from desktop.formats.files import first_json_object, iter_json_objects, line_limit
from desktop.formats.registry import Format, register
from desktop.formats.writing import ExportRun, write_lines
from desktop.model import Annotation, Document

TEXT_FIELDS = ("text", "data", "column_data", "content", "sentence")
LABEL_FIELDS = ("entities", "label", "labels", "column_label", "annotations")
STRUCTURE = {"id", "meta", "relations", "Comments", "comments"}


def _is_triples(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, list | tuple) and len(v) == 3 and isinstance(v[2], str | int) for v in value
    )


def _is_entities(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "start_offset" in v for v in value)
    )


def text_field(obj: dict[str, Any]) -> str | None:
    for name in TEXT_FIELDS:
        if isinstance(obj.get(name), str):
            return name
    strings = [k for k, v in obj.items() if isinstance(v, str) and k not in STRUCTURE]
    return strings[0] if len(strings) == 1 else None


def label_field(obj: dict[str, Any]) -> str | None:
    for name in LABEL_FIELDS:
        if name in obj and (_is_triples(obj[name]) or _is_entities(obj[name]) or obj[name] == []):
            return name
    found = [k for k, v in obj.items() if k not in STRUCTURE and v and (_is_triples(v) or _is_entities(v))]
    return found[0] if len(found) == 1 else None


# --- reading -------------------------------------------------------------------------------------


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    for line, obj in iter_json_objects(path, line_limit(options)):
        with reading(path, line):
            record = _record(path, line, obj, options, report)
        yield record


def _record(path: Path, line: int, obj: dict[str, Any], options: ImportOptions, report: FileReport) -> Record:
    tfield = text_field(obj)
    if tfield is None:
        raise FormatError(path, "no text field (`text`, `data` or one string field)", line)
    text = obj[tfield]
    if not text.strip():
        raise FormatError(path, "empty text", line)
    lfield = label_field(obj)
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    meta = dict(meta or {})
    for key, value in obj.items():
        if key not in {tfield, lfield, "meta", "relations", "id"}:
            meta[key] = value
    record = Record(text, meta, source=f"{path}:{line}")
    builders: dict[str, AnnotationBuilder] = {}
    items = obj.get(lfield, []) if lfield else []
    for item in items:
        start: Any
        end: Any
        if isinstance(item, dict):
            start, end = item.get("start_offset"), item.get("end_offset")
            label, user = item.get("label"), item.get("user")
        else:
            (start, end, label), user = item, None
        if not isinstance(label, str | int) or label == "":
            raise FormatError(path, f"span {start}-{end} has no label", line)
        check_span(record, start, end)
        file_id = item.get("id") if isinstance(item, dict) else None
        if not _is_id(file_id):
            raise FormatError(path, f"entity `id` must be a number or a string, got {short(file_id)}", line)
        _builder(builders, options, report, user).span(start, end, str(label), file_id)
    if obj.get("relations"):
        _relations(path, line, obj["relations"], _builder(builders, options, report), report)
    if lfield or obj.get("relations"):
        record.annotations += [b.build() for b in builders.values()] or [
            _builder(builders, options, report).build()
        ]
    return record


def _is_id(value: Any) -> bool:
    return value is None or (isinstance(value, str | int) and not isinstance(value, bool))


def _builder(
    builders: dict[str, AnnotationBuilder], options: ImportOptions, report: FileReport, user: Any = None
) -> AnnotationBuilder:
    """The builder of one annotator: doccano 1.x names a user per span (`user1`, ...)."""
    name = annotator_name(options, None if user is None else f"user{user}")
    if name not in builders:
        builders[name] = AnnotationBuilder(name, options.default_status, report)
    return builders[name]


def _relations(path: Path, line: int, relations: Any, builder: AnnotationBuilder, report: FileReport) -> None:
    if not relations:
        return
    if not isinstance(relations, list):
        raise FormatError(path, "`relations` must be a list", line)
    for rel in relations:
        if not isinstance(rel, dict) or "from_id" not in rel or "to_id" not in rel:
            raise FormatError(path, "a relation needs `from_id` and `to_id`", line)
        if not (_is_id(rel["from_id"]) and _is_id(rel["to_id"])):
            raise FormatError(
                path, "a relation's `from_id` and `to_id` are entity ids (numbers or strings)", line
            )
        head, child = builder.local_id(rel["from_id"]), builder.local_id(rel["to_id"])
        label = rel.get("type", rel.get("label"))
        if head is None or child is None:
            raise FormatError(
                path,
                f"relation {rel.get('id', '')} refers to an entity id that this record does not have",
                line,
            )
        if not isinstance(label, str) or not label:
            raise FormatError(path, "a relation has no `type`", line)
        if head == child:
            count(report, "relations from a span to itself")
            continue
        builder.relation(head, child, label)


def sniff(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
        return False
    obj = first_json_object(path)
    if obj is None:
        return False
    rels = obj.get("relations")
    if isinstance(rels, list) and rels and isinstance(rels[0], dict) and "from_id" in rels[0]:
        return True
    lfield = label_field(obj)
    return (
        lfield is not None
        and text_field(obj) is not None
        and not ({"spans", "tokens", "_input_hash"} & obj.keys())
    )


# --- writing -------------------------------------------------------------------------------------


def example(doc: Document, ann: Annotation, number: int) -> dict[str, Any]:
    ids = {s.id: i for i, s in enumerate(ann.spans)}
    return {
        "id": number,
        "text": doc.text,
        "meta": doc.meta,
        "entities": [
            {"id": ids[s.id], "label": s.label, "start_offset": s.start, "end_offset": s.end}
            for s in ann.spans
        ],
        "relations": [
            {"id": i, "from_id": ids[r.head], "to_id": ids[r.child], "type": r.label}
            for i, r in enumerate(ann.relations)
        ],
    }


def write(project: Any, out: Path, options: ExportOptions, progress: Progress | None) -> ExportReport:
    def render(run: ExportRun, doc: Document, ann: Annotation) -> str:
        run.count(ann)
        run.off_tokens(doc, ann, "written by characters")
        number = run.report.documents + 1
        return json.dumps(example(doc, ann, number), ensure_ascii=False) + "\n"

    return write_lines(project, out, "doccano", options, progress, render)


FORMAT = register(
    Format(
        "doccano",
        "doccano JSONL (relation form, label triples, renamed columns)",
        reader=read,
        writer=write,
        sniff=sniff,
    )
)
