"""Prodigy JSONL: tasks of `ner_manual`, `spans_manual` and `relations`, in and out.

A task holds `text`, `tokens` ({text, start, end, id, ws}), `spans` (character offsets, and token
indices with an INCLUSIVE `token_end`, as Prodigy writes them), `relations` ({head, child,
head_span, child_span, label}, where `head`/`child` are the index of the LAST token of each span,
as Prodigy writes them), `answer`, `_input_hash`/`_task_hash`, `_annotator_id`/`_session_id` and
`meta`. Prodigy's session ids look like `dataset-name`; the part after the dataset is the
annotator. Top-level fields starting with `_` (hashes, `_view_id`, ...) are kept in the document's
metadata and written back at the top level.

Every other field a task carries comes back as it was: the document keeps the task's `tokens`, and
the fields Etiquette does not model (other top-level fields, `_annotator_id`/`_session_id` as given,
a null included, and per-token, per-span and per-relation fields such as `disabled`, `source`,
`type` or `color`) are kept with it and written back. Etiquette adds its own fields only where the
task had none. Token indices always match their span: a span that does not start and end on tokens
is written without them, and reported.
"""

from __future__ import annotations

import hashlib
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
from desktop.formats.common import (
    AnnotationBuilder,
    annotator_name,
    check_span,
    count,
    reading,
    record_text,
    short,
)
from desktop.formats.files import first_json_object, iter_json_lines, line_limit
from desktop.formats.registry import Format, register
from desktop.formats.writing import ExportRun, dataset_name, write_lines
from desktop.model import Annotation, Document, Span, Status
from desktop.model.tokens import TokenIndex

ANSWERS = {"accept": Status.ACCEPTED, "reject": Status.REJECTED, "ignore": Status.SKIPPED}
STATUS_ANSWERS = {Status.ACCEPTED: "accept", Status.REJECTED: "reject", Status.SKIPPED: "ignore"}
PER_ANNOTATION = {"_annotator_id", "_session_id"}
KNOWN = {"text", "tokens", "spans", "relations", "answer", "meta"} | PER_ANNOTATION
PRODIGY_KEYS = {"spans", "tokens", "answer", "_input_hash", "_task_hash", "relations", "_view_id"}
TOKEN_KEYS = {"text", "start", "end"}
SPAN_KEYS = {"start", "end", "text", "label", "token_start", "token_end"}
"""What Etiquette writes of a span; a task's span with these keys and no others needs nothing kept."""
RELATION_KEYS = {"head", "child", "head_span", "child_span", "label"}


# --- reading -------------------------------------------------------------------------------------


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    for lineno, task in iter_json_lines(path, line_limit(options)):
        with reading(path, lineno):
            record = task_record(path, lineno, task, options, report)
        yield record


def annotator_from_session(session: Any) -> str | None:
    """`ner_news-alex` -> `alex`: Prodigy prefixes session names with the dataset name."""
    if not isinstance(session, str) or not session.strip():
        return None
    _, sep, name = session.partition("-")
    return name if sep and name else session


def task_record(
    path: Path, lineno: int, task: dict[str, Any], options: ImportOptions, report: FileReport
) -> Record:
    """One Prodigy task as a record; spans that do not fit the text are FormatErrors."""
    text = record_text(path, lineno, task)
    meta = task.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FormatError(path, "`meta` must be an object", lineno)
    meta = dict(meta)
    extras: dict[str, Any] = {"keys": list(task)}
    for key, value in task.items():
        if key.startswith("_") and key not in PER_ANNOTATION:
            meta[key] = value
        elif key not in KNOWN:
            extras.setdefault("fields", {})[key] = value
    record = Record(text, meta, source=f"{path}:{lineno}", extras={"prodigy": extras})
    tokens = _tokens(path, lineno, task.get("tokens"))
    if tokens:
        record.tokens = tokens
        more = [{k: v for k, v in t.items() if k not in TOKEN_KEYS} for t in task["tokens"]]
        if more != _token_fields(text, tokens):
            extras["tokens"] = more
    spans = task.get("spans")
    relations = task.get("relations")
    if not spans and not relations and "answer" not in task:
        return record
    from desktop.formats.importer import check_span

    answer = task.get("answer")
    if answer is None:
        status = options.default_status
    elif isinstance(answer, str) and answer in ANSWERS:
        status = ANSWERS[answer]
    else:
        raise FormatError(path, f"unknown answer {short(answer)} (accept, reject or ignore)", lineno)
    who = annotator_from_session(task.get("_annotator_id")) or annotator_from_session(task.get("_session_id"))
    builder = AnnotationBuilder(annotator_name(options, who), status, report)
    sessions = {k: task[k] for k in PER_ANNOTATION if k in task}
    if sessions:
        extras["sessions"] = {builder.annotator: sessions}
    by_last_token: dict[int, int] = {}
    spans = _list(path, lineno, spans, "spans")
    # A binary task (ner.teach) asks about suggestions: only the accepted ones are spans. Each
    # span may carry its own answer (tasks merged by Prodigy); otherwise the task's answer holds.
    binary = task.get("_view_id") == "ner" or any("answer" in span for span in spans)
    for span in spans:
        said = span.get("answer", answer or "accept") if binary else "accept"
        if said != "accept":
            start, end = _offsets(path, lineno, span, tokens)
            check_span(record, start, end)
            kind = "rejected" if said == "reject" else "ignored"
            count(report, f"{kind} suggestions, not stored")
            continue
        local = _span(path, lineno, record, span, tokens, builder)
        if isinstance(span.get("token_end"), int):
            by_last_token.setdefault(span["token_end"], local)
        if span.keys() != SPAN_KEYS:
            kept = {k: v for k, v in span.items() if k not in SPAN_KEYS}
            extras.setdefault("spans", {})[span_key(builder.spans[local].key)] = {"keys": list(span), **kept}
    for rel in _list(path, lineno, relations, "relations"):
        before = len(builder.relations)
        _relation(path, lineno, record, rel, tokens, builder, by_last_token, report)
        own = {k: v for k, v in rel.items() if k not in RELATION_KEYS}
        if own and len(builder.relations) > before:
            r = builder.relations[-1]
            key = relation_key(builder.spans[r.head].key, builder.spans[r.child].key, r.label)
            extras.setdefault("relations", {})[key] = own
    record.annotations.append(builder.build())
    return record


def span_key(key: tuple[int, int, str]) -> str:
    """How a span's own fields are found again at export: `start:end:label`."""
    return f"{key[0]}:{key[1]}:{key[2]}"


def relation_key(head: tuple[int, int, str], child: tuple[int, int, str], label: str) -> str:
    return f"{span_key(head)}>{span_key(child)}>{label}"


def _list(path: Path, lineno: int, value: Any, name: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise FormatError(path, f"`{name}` must be a list of objects", lineno)
    return value


def _tokens(path: Path, lineno: int, value: Any) -> list[tuple[int, int]]:
    out = []
    for tok in _list(path, lineno, value, "tokens"):
        start, end = tok.get("start"), tok.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            raise FormatError(path, "each token needs integer `start` and `end`", lineno)
        out.append((start, end))
    return out


def _offsets(path: Path, lineno: int, span: dict[str, Any], tokens: list[tuple[int, int]]) -> tuple[int, int]:
    start, end = span.get("start"), span.get("end")
    if start is None and end is None:
        ts, te = span.get("token_start"), span.get("token_end")
        if not (isinstance(ts, int) and isinstance(te, int) and 0 <= ts <= te < len(tokens)):
            raise FormatError(path, "a span needs `start`/`end` or token indices in range", lineno)
        return tokens[ts][0], tokens[te][1]
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        raise FormatError(path, f"span offsets must be integers, got {start!r}-{end!r}", lineno)
    return start, end


def _span(
    path: Path,
    lineno: int,
    record: Record,
    span: dict[str, Any],
    tokens: list[tuple[int, int]],
    builder: AnnotationBuilder,
) -> int:
    start, end = _offsets(path, lineno, span, tokens)
    label = span.get("label")
    if not isinstance(label, str) or not label:
        raise FormatError(path, f"span {start}-{end} has no label", lineno)
    text = span.get("text")
    check_span(record, start, end, text if isinstance(text, str) else None)
    return builder.span(start, end, label)


def _relation(
    path: Path,
    lineno: int,
    record: Record,
    rel: dict[str, Any],
    tokens: list[tuple[int, int]],
    builder: AnnotationBuilder,
    by_last_token: dict[int, int],
    report: FileReport,
) -> None:
    label = rel.get("label")
    if not isinstance(label, str) or not label:
        raise FormatError(path, "a relation has no label", lineno)
    ends = []
    for side in ("head", "child"):
        span = rel.get(f"{side}_span")
        local = None
        if isinstance(span, dict):
            start, end = _offsets(path, lineno, span, tokens)
            local = builder.find(start, end, span.get("label"))
            if local is None and isinstance(span.get("label"), str) and span["label"]:
                local = _span(path, lineno, record, span, tokens, builder)
        elif isinstance(rel.get(side), int):
            local = by_last_token.get(rel[side])
        if local is None:
            count(report, "relations whose head or child is not a labelled span")
            return
        ends.append(local)
    builder.relation(ends[0], ends[1], label)


def sniff(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
        return False
    obj = first_json_object(path)
    return obj is not None and "text" in obj and bool(PRODIGY_KEYS & obj.keys())


# --- writing -------------------------------------------------------------------------------------


def signed_hash(*parts: Any) -> int:
    """A stable signed 32-bit hash, the shape of Prodigy's `_input_hash`/`_task_hash`."""
    raw = json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return int.from_bytes(hashlib.sha1(raw).digest()[:4], "big", signed=True)


def _span_json(
    doc: Document, span: Span, index: TokenIndex, off: set[int | None], with_text: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {"start": span.start, "end": span.end}
    if with_text:
        out["text"] = doc.text[span.start : span.end]
    if span.id not in off:
        first, last = index.range(span.start, span.end)
        if first >= 0:
            out["token_start"] = first
            out["token_end"] = last - 1
    out["label"] = span.label
    return out


def task(doc: Document, ann: Annotation, dataset: str, off: set[int | None] | None = None) -> dict[str, Any]:
    """The Prodigy task for one document as annotated by one annotator.

    `off` holds the ids of spans that are not on token boundaries: they get no token indices.
    """
    off = off or set()
    text = doc.text
    kept = doc.extras.get("prodigy") or {}
    plain = {k: v for k, v in doc.meta.items() if not k.startswith("_")}
    lifted = {k: v for k, v in doc.meta.items() if k.startswith("_")}
    index = TokenIndex(doc.tokens)
    span_fields = kept.get("spans") or {}
    spans = []
    for s in ann.spans:
        span = _span_json(doc, s, index, off)
        given = span_fields.get(span_key(s.key))
        if given is not None:  # as the task had it: its keys only, and its own fields
            span = {
                k: given[k] if k not in span else span[k] for k in given["keys"] if k in span or k in given
            }
        spans.append(span)
    by_id = {s.id: s for s in ann.spans}
    relation_fields = kept.get("relations") or {}
    relations = []
    for r in ann.relations:
        head, child = by_id[r.head], by_id[r.child]
        head_json = _span_json(doc, head, index, off, False)
        child_json = _span_json(doc, child, index, off, False)
        relations.append(
            {
                "head": head_json.get("token_end"),
                "child": child_json.get("token_end"),
                "head_span": head_json,
                "child_span": child_json,
                "label": r.label,
                **relation_fields.get(relation_key(head.key, child.key, r.label), {}),
            }
        )
    input_hash = lifted.pop("_input_hash", None)
    if input_hash is None:
        input_hash = signed_hash(text)
    task_hash = lifted.pop("_task_hash", None)
    if task_hash is None:
        task_hash = signed_hash(
            input_hash,
            [s.key for s in ann.spans],
            [(by_id[r.head].key, by_id[r.child].key, r.label) for r in ann.relations],
        )
    out: dict[str, Any] = {"text": text}
    if plain:
        out["meta"] = plain
    out["_input_hash"] = input_hash
    out["_task_hash"] = task_hash
    out["tokens"] = _tokens_json(doc, kept.get("tokens"))
    if spans or "spans" in kept.get("keys", ["spans"]):
        out["spans"] = spans
    if relations:
        out["relations"] = relations
    if ann.status in STATUS_ANSWERS:  # a document still being annotated has no answer yet
        out["answer"] = STATUS_ANSWERS[ann.status]
    out["_view_id"] = lifted.pop("_view_id", "relations" if relations else "ner_manual")
    session = f"{dataset}-{ann.annotator}"
    out["_annotator_id"] = session
    out["_session_id"] = session
    out.update((kept.get("sessions") or {}).get(ann.annotator, {}))
    for key in sorted(lifted):
        out[key] = lifted[key]
    out.update(kept.get("fields") or {})
    order = [k for k in kept.get("keys") or [] if k in out]
    return {**{k: out[k] for k in order}, **out} if order else out


def _tokens_json(doc: Document, fields: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Prodigy's tokens; with the task's own fields for each token when it came with them."""
    text, tokens = doc.text, doc.tokens
    if fields is None or len(fields) != len(tokens):
        fields = _token_fields(text, [(t.start, t.end) for t in tokens])
    return [
        {"text": text[t.start : t.end], "start": t.start, "end": t.end, **more}
        for t, more in zip(tokens, fields, strict=True)
    ]


def _token_fields(text: str, tokens: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """The fields Etiquette writes for each token beside its text and offsets: `id` and `ws`."""
    n = len(tokens)
    return [
        {
            "id": i,
            "ws": end < len(text) and text[end] == " " and (i + 1 == n or tokens[i + 1][0] > end),
        }
        for i, (_, end) in enumerate(tokens)
    ]


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write(project: Any, out: Path, options: ExportOptions, progress: Progress | None) -> ExportReport:
    dataset = dataset_name(out)

    def render(run: ExportRun, doc: Document, ann: Annotation) -> str:
        run.count(ann)
        off = run.off_tokens(doc, ann, "written without token indices")
        if off:
            n = sum(1 for r in ann.relations if r.head in off or r.child in off)
            run.loss(doc.id, "relations of spans not aligned to tokens (written without token indices)", n)
        return dumps(task(doc, ann, dataset, off)) + "\n"

    return write_lines(project, out, "jsonl", options, progress, render)


FORMAT = register(
    Format(
        "prodigy",
        "Prodigy JSONL tasks (ner_manual, spans_manual, relations)",
        reader=read,
        writer=write,
        sniff=sniff,
    )
)
