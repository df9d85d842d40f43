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

from collections.abc import Iterator
from contextlib import contextmanager
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
    NOT_ON_TOKENS,
    AnnotationBuilder,
    Cancelled,
    ExportRun,
    annotator_name,
    count,
    finish_cancelled,
    start_export,
)
from desktop.formats.registry import Format, register
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
        r.get_all = lambda plugins=plugins: dict(plugins)  # type: ignore[method-assign]
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

    try:
        docbin = DocBin().from_disk(path)
    except Exception as e:  # zlib, msgpack or a missing key: all mean "not a DocBin"
        raise FormatError(path, f"not a spaCy DocBin ({e})") from e
    docs = docbin.get_docs(Vocab())
    i = 0
    while True:
        with fast_msgpack():  # not held across the yield: the importer runs in between
            sdoc = next(docs, None)
        if sdoc is None:
            return
        i += 1
        yield doc_record(path, i, sdoc, options, report)


def doc_record(path: Path, index: int, sdoc: Any, options: ImportOptions, report: FileReport) -> Record:
    text = sdoc.text
    if not text.strip():
        raise FormatError(path, "empty text", index)
    meta = sdoc.user_data.get("meta") or {}
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
    raw_status = sdoc.user_data.get("status")
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
    rels = sdoc.user_data.get(REL_KEY) or {}
    for pair, labels in rels.items():
        for label, score in labels.items():
            if score < 0.5:
                continue
            head, child = by_start.get(pair[0]), by_start.get(pair[1])
            if head is None or child is None:
                count(report, "relations with no span at their token")
                continue
            builder.relation(head, child, label)
    # Entities set to all `O` (as `spacy convert` writes a sentence without entities) are an
    # annotation too: a negative example.
    if builder.spans or sdoc.user_data.get("status") is not None or sdoc.has_annotation("ENT_IOB"):
        record.annotations.append(builder.build())
    return record


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
