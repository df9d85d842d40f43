"""spaCy's binary training format (`.spacy`, a DocBin), in and out.

Each document becomes a `Doc` built from its stored tokens, with:
- `doc.ents`: the spans that do not overlap (longest first, as `spacy.util.filter_spans` picks);
- `doc.spans[KEY]`: every span (KEY is `--spans-key`, default `sc`);
- `doc._.rel`: relations in the layout of spaCy's relation-extraction tutorial, a dict keyed by
  (head span's first token, child span's first token) -> {label: 1.0, other labels: 0.0}, with
  every pair of span starts present (the tutorial's component looks every pair up);
- `doc.user_data["meta"]` and `doc.user_data["status"]`: the document's metadata and status;
- sentence starts and the token attributes a DocBin brought in (TAG, POS, MORPH, LEMMA, DEP, HEAD),
  given back as they came.

Reading keeps the DocBin's own tokens (words and spaces), its sentence starts and those token
attributes; vectors are not kept. A Doc whose entities are set, all `O`, is an accepted document
with no spans (a negative example); a Doc with no entity annotation at all is a document to do.

Spans that do not start and end on token boundaries, or relations whose spans share a first token,
cannot be written; they are counted as losses, never dropped silently.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.formats.base import (
    Cancelled,
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Progress,
    Record,
)
from desktop.formats.common import AnnotationBuilder, annotator_name, count, describe, reading, short
from desktop.formats.registry import Format, register
from desktop.formats.writing import NOT_ON_TOKENS, ExportRun, finish_cancelled, start_export
from desktop.model import Annotation, Document, Status
from desktop.nlp.docs import doc_with_layers, layers

REL_KEY = ("._.", "rel", None, None)
"""Where `doc._.rel` lives in `doc.user_data` (and so in a DocBin with user data)."""

ATTRS = ["ORTH", "ENT_IOB", "ENT_TYPE", "ENT_ID", "ENT_KB_ID"]
"""The token attributes always stored: words (spaces always are) and entities. Sentence starts,
tags, lemmas and parses are stored only when some document of the project has them: leaving their
columns out makes the DocBin less than half the size."""

NOT_ALIGNED = NOT_ON_TOKENS
OVERLAPPING = "overlapping spans not in doc.ents"
SAME_START = "relations between spans that start at the same token"
ATTRS_LOST = "token attributes of documents whose tokens changed"
REL_UNALIGNED = "relations of spans not aligned to tokens"


def ensure_rel_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})


@contextmanager
def fast_msgpack() -> Iterator[None]:
    """Look srsly's msgpack plugins up once, not once per packed object.

    DocBin packs each Doc's user data and span groups separately, and on every call srsly asks
    catalogue for plugin encoders, which scans every installed package's entry points and the whole
    function registry: milliseconds per Doc, most of an export's time. The plugins cannot change
    during an export, so they are looked up once on entry.
    """
    from srsly import msgpack

    registries = [
        r for r in (msgpack.msgpack_encoders, msgpack.msgpack_decoders) if "get_all" not in vars(r)
    ]  # not already inside another fast_msgpack()
    for r in registries:
        plugins = r.get_all()
        r.get_all = lambda plugins=plugins: dict(plugins)
    try:
        yield
    finally:
        for r in registries:
            del r.get_all


# --- writing -------------------------------------------------------------------------------------


def relation_labels(project: Any, source: str) -> list[str]:
    """Every relation label the export may hold: the scheme's and those the source used."""
    labels = list(project.scheme.relation_names)
    used = project.stats()["annotators"].get(source, {}).get("relations", {})
    return labels + sorted(x for x in used if x not in labels)


def make_doc(
    vocab: Any, doc: Document, ann: Annotation, key: str, rel_labels: list[str], run: ExportRun
) -> Any:
    """The spaCy Doc of one annotated document; what cannot be held is counted in `run`."""
    from spacy.util import filter_spans

    sdoc, kept = doc_with_layers(vocab, doc)
    if not kept:
        run.loss(doc.id, ATTRS_LOST)
    aligned = {}
    for span in ann.spans:
        sspan = sdoc.char_span(span.start, span.end, label=span.label)
        if sspan is None:
            run.loss(doc.id, NOT_ALIGNED)
        else:
            aligned[span.id] = sspan
    group = list(aligned.values())
    ents = filter_spans(group)
    run.loss(doc.id, OVERLAPPING, len(group) - len(ents))
    sdoc.set_ents(ents)
    sdoc.spans[key] = group
    if rel_labels:
        _set_relations(sdoc, doc, ann, aligned, rel_labels, run)
    sdoc.user_data["meta"] = doc.meta
    sdoc.user_data["status"] = str(ann.status)
    run.report.spans += len(group)
    return sdoc


def _set_relations(
    sdoc: Any, doc: Document, ann: Annotation, aligned: dict[Any, Any], labels: list[str], run: ExportRun
) -> None:
    starts: dict[int, int] = {}
    for sspan in aligned.values():
        starts[sspan.start] = starts.get(sspan.start, 0) + 1
    rels: dict[tuple[int, int], dict[str, float]] = {
        (a, b): dict.fromkeys(labels, 0.0) for a in starts for b in starts if a != b
    }
    for rel in ann.relations:
        head, child = aligned.get(rel.head), aligned.get(rel.child)
        if head is None or child is None:
            run.loss(doc.id, REL_UNALIGNED)
            continue
        if starts[head.start] > 1 or starts[child.start] > 1 or head.start == child.start:
            run.loss(doc.id, SAME_START)
            continue
        rels[(head.start, child.start)][rel.label] = 1.0
        run.report.relations += 1
    if rels:
        sdoc._.rel = rels


def write(project: Any, out: Path, options: ExportOptions, progress: Progress | None) -> ExportReport:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    ensure_rel_extension()
    run, train_path, dev_path = start_export(project, out, "spacy", options, progress)
    rel_labels = relation_labels(project, options.source)
    vocab = Vocab()
    attrs = ATTRS + sorted(project.token_layers())
    bins = [DocBin(attrs, store_user_data=True), DocBin(attrs, store_user_data=True)]
    try:
        with fast_msgpack():
            for doc, ann in project.iter_annotations(options.source, options.statuses):
                sdoc = make_doc(vocab, doc, ann, options.spans_key, rel_labels, run)
                bins[1 if doc.id in run.dev else 0].add(sdoc)
                run.report.documents += 1
                run.tick()
    except Cancelled:
        return finish_cancelled(run)
    train_path.parent.mkdir(parents=True, exist_ok=True)
    bins[0].to_disk(train_path)
    run.report.paths.append(str(train_path))
    if dev_path is not None:
        bins[1].to_disk(dev_path)
        run.report.paths.append(str(dev_path))
    return run.report


# --- reading -------------------------------------------------------------------------------------


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    data = _bounded_read(path, options.max_spacy_bytes)
    try:
        docbin = DocBin().from_bytes(data)
    except Exception as e:  # zlib, msgpack, numpy or a missing key: all mean "not a DocBin"
        raise FormatError(path, f"not a spaCy DocBin ({describe(e)})") from e
    del data
    docs = docbin.get_docs(Vocab())
    i = 0
    while True:
        i += 1
        with reading(path, i, f"document {i} cannot be decoded: "):
            with fast_msgpack():  # not held across the yield: the importer runs in between
                sdoc = next(docs, None)
        if sdoc is None:
            return
        with reading(path, i, f"document {i}: "):
            record = doc_record(path, i, sdoc, options, report)
        yield record


def _bounded_read(path: Path, limit: int) -> bytes:
    """The file's bytes, once its zlib stream is known to expand to at most `limit` bytes.

    spaCy decompresses a DocBin whole, in memory: a small file crafted to expand to gigabytes
    would take them all. The stream is decompressed here a megabyte at a time, keeping nothing.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise FormatError(path, _too_large(size, limit))
        data = path.read_bytes()
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    stream = zlib.decompressobj()
    total, rest = 0, data
    try:
        while rest and not stream.eof:
            total += len(stream.decompress(rest, 2**20))
            rest = stream.unconsumed_tail
            if total > limit:
                raise FormatError(path, _too_large(total, limit, more=True))
    except zlib.error as e:
        raise FormatError(path, f"not a spaCy DocBin (not zlib data: {e})") from e
    if not stream.eof:
        raise FormatError(path, "not a spaCy DocBin (its compressed data is cut short)")
    return data


def _too_large(size: int, limit: int, more: bool = False) -> str:
    what = "decompresses to more than" if more else "is"
    return (
        f"{what} {_mb(size)}, over the limit of {_mb(limit)} for .spacy files (raise it with --max-spacy-mb)"
    )


def _mb(n: int) -> str:
    mb = n / 2**20
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def doc_record(path: Path, index: int, sdoc: Any, options: ImportOptions, report: FileReport) -> Record:
    text = sdoc.text
    if not text.strip():
        raise FormatError(path, "empty text", index)
    user = sdoc.user_data
    meta = user.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {"meta": meta}
    sent_starts, token_attrs = layers(sdoc)
    record = Record(
        text,
        dict(meta),
        source=f"{path}:{index}",
        tokens=[(t.idx, t.idx + len(t.text)) for t in sdoc],
        sent_starts=sent_starts,
        token_attrs=token_attrs,
    )
    raw_status = user.get("status")
    if raw_status is not None and not isinstance(raw_status, str):
        raise record.error(f"user_data status must be a string, got {short(raw_status)}")
    status = Status(raw_status) if raw_status in set(Status) else options.default_status
    builder = AnnotationBuilder(annotator_name(options), status, report)
    by_start: dict[int, int] = {}
    for span in list(sdoc.ents) + list(sdoc.spans.get(options.spans_key, [])):
        local = builder.find(span.start_char, span.end_char, span.label_)
        if local is None:
            local = builder.span(span.start_char, span.end_char, span.label_)
        by_start.setdefault(span.start, local)
    for key in sdoc.spans:
        if key != options.spans_key:
            count(report, f"spans under doc.spans[{key!r}]", len(sdoc.spans[key]))
    for (head_token, child_token), label, score in _relations(record, user.get(REL_KEY)):
        if score < 0.5:
            continue
        head, child = by_start.get(head_token), by_start.get(child_token)
        if head is None or child is None:
            count(report, "relations with no span at their token")
            continue
        builder.relation(head, child, label)
    # Entities set to all `O` (as `spacy convert` writes a sentence without entities) are an
    # annotation too: a negative example.
    if builder.spans or raw_status is not None or sdoc.has_annotation("ENT_IOB"):
        record.annotations.append(builder.build())
    return record


def _relations(record: Record, rels: Any) -> Iterator[tuple[tuple[int, int], str, float]]:
    """((head token, child token), label, score) of `doc._.rel`, checked."""
    if not rels:
        return
    if not isinstance(rels, dict):
        raise record.error(f"doc._.rel must be a dict, not {type(rels).__name__}")
    for pair, labels in rels.items():
        if not (isinstance(pair, tuple | list) and len(pair) == 2 and all(type(t) is int for t in pair)):
            raise record.error(f"doc._.rel keys are (head token, child token) pairs, got {short(pair)}")
        if not isinstance(labels, dict):
            raise record.error(f"doc._.rel values are {{label: score}} dicts, got {short(labels)}")
        for label, score in labels.items():
            if not isinstance(label, str) or isinstance(score, bool) or not isinstance(score, int | float):
                raise record.error(f"doc._.rel scores are {{label: number}}, got {short({label: score})}")
            yield (pair[0], pair[1]), label, score


def sniff(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".spacy"


FORMAT = register(
    Format(
        "spacy",
        "spaCy DocBin (.spacy): doc.ents, doc.spans, doc._.rel and metadata",
        reader=read,
        writer=write,
        sniff=sniff,
    )
)
