"""Merging annotators' work into one project, without a server.

Each annotator works in a copy of the project file; `merge_paths(project, [copy.db, ...])` brings
their work back. Annotated JSONL in Prodigy's task shape (with `_annotator_id`) merges the same way.

- Documents are matched by content hash; a document the project lacks is added with its tokens and
  metadata.
- Annotators are matched by name (people, models, and `gold` with its reviewer names); an annotator
  the project lacks is added with its kind.
- Each (document, annotator) annotation: absent from the project → added; identical content
  (spans, relations, status, reviewer) → nothing happens, whatever its `updated_at`; different
  content → a conflict, reported with both versions. A finished version (accepted, rejected,
  skipped) is never replaced by an unfinished one (to do, in progress), however new: a copy
  where the person only looked at a document does not undo their work. Between two finished,
  or two unfinished, versions the newest `updated_at` wins (the project's version wins a tie).
  So merging the same file twice changes nothing.
- Labels the project's scheme lacks are added to it.
- Everything given is merged in one transaction: on bad input nothing is written.

The other file's edit log stays in that file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.formats.base import FileReport, FormatError
from desktop.model import Annotation, AnnotatorKind, Relation, Span, Status, content_hash
from desktop.model.combine import FINISHED
from desktop.model.tokens import token_range
from desktop.store import NewDocument, NotAProjectError, Project
from desktop.store.base import decode_tokens
from desktop.store.project import is_sqlite_file
from desktop.team.bulk import (
    StoredAnnotation,
    StoredDocument,
    decode_pairs,
    signature,
)
from desktop.team.tasks import IncomingDocument, read_tasks


@dataclass(slots=True)
class Conflict:
    document_id: int
    """The document's id in the project merged into."""
    annotator: str
    kept: str
    """`incoming` or `project`: the version that stays."""
    project_updated_at: str
    incoming_updated_at: str
    project_status: str = ""
    incoming_status: str = ""
    reason: str = "newer"
    """`newer` (or as new, for the project's), or `finished` (the other version was unfinished)."""


@dataclass(slots=True)
class MergeFileReport:
    path: str
    documents: int = 0
    documents_added: int = 0
    annotations: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    """Conflicts resolved in favour of the incoming (newer) version."""
    conflicts: list[Conflict] = field(default_factory=list)
    annotators_added: list[str] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    not_imported: dict[str, int] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return sum(1 for c in self.conflicts if c.kept == "project")


@dataclass(slots=True)
class MergeReport:
    files: list[MergeFileReport] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            f.documents_added or f.added or f.replaced or f.annotators_added or f.labels_added
            for f in self.files
        )


@dataclass(slots=True)
class Source:
    """What one file brings: documents with their annotations, and the labels its scheme names."""

    path: Path
    documents: list[IncomingDocument]
    entity_labels: list[str] = field(default_factory=list)
    relation_labels: list[str] = field(default_factory=list)
    not_imported: dict[str, int] = field(default_factory=dict)
    """What the file had that Etiquette does not take in, e.g. relations to unknown spans."""


def read_source(path: Path, annotator: str | None = None) -> Source:
    """The documents of another project file, or of annotated JSONL, with their annotations."""
    if not path.is_file():
        raise FormatError(path, "no such file")
    if is_sqlite_file(path) or path.suffix.lower() in {".db", ".etiquette", ".sqlite"}:
        return read_project(path)
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        report = FileReport(str(path), "prodigy")
        docs = read_tasks(path, annotator, report)
        return Source(path, docs, not_imported=report.not_imported)
    raise FormatError(path, "neither a project file (.db) nor annotated JSONL (.jsonl)")


def read_project(path: Path) -> Source:
    try:
        other = Project.open(path)
    except NotAProjectError as e:
        raise FormatError(path, str(e).removeprefix(f"{path}: ")) from e
    with other:
        kinds = {a.name: a.kind for a in other.annotators()}
        by_doc: dict[int, list[StoredAnnotation]] = {}
        for (doc_id, _), ann in other.stored_annotations().items():
            by_doc.setdefault(doc_id, []).append(ann)
        docs: list[IncomingDocument] = []
        for d in other.stored_documents():
            anns = sorted(by_doc.get(d.id, []), key=lambda a: a.annotator)
            docs.append(
                IncomingDocument(
                    d.text,
                    d.tokens,
                    d.meta,
                    list(anns),
                    {a.annotator: kinds[a.annotator] for a in anns},
                    str(path),
                    d.layers,
                )
            )
        return Source(path, docs, other.scheme.entity_names, other.scheme.relation_names)


def merge_paths(project: Project, paths: Sequence[str | Path], annotator: str | None = None) -> MergeReport:
    """Merge other project files and annotated JSONL into `project`, in one transaction."""
    sources = []
    for raw in paths:
        path = Path(raw)
        if path.exists() and path.resolve() == project.path.resolve():
            raise FormatError(path, "is the project itself; merge another copy into it")
        sources.append(read_source(path, annotator))
    report = MergeReport()
    with project.transaction():
        for source in sources:
            report.files.append(_merge_one(project, source))
    return report


def _merge_one(project: Project, source: Source) -> MergeFileReport:
    path, docs = source.path, source.documents
    report = MergeFileReport(str(path), documents=len(docs), not_imported=source.not_imported)
    _merge_scheme(project, source, report)
    _merge_annotators(project, source, report)
    stored = _merge_documents(project, docs, report)
    existing = project.stored_annotations()
    pending: list[Annotation] = []
    for doc in docs:
        target = stored[content_hash(doc.text)]
        same_tokens = doc.tokens is not None and doc.tokens == target.tokens
        tokens = [] if same_tokens or not doc.annotations else decode_tokens(target.tokens)
        for incoming in doc.annotations:
            report.annotations += 1
            if _decide(existing.get((target.id, incoming.annotator)), incoming, target.id, report):
                ann = incoming.to_annotation() if isinstance(incoming, StoredAnnotation) else incoming
                pending.append(_retarget(ann, target.id, tokens, same_tokens))
    if pending:
        project.save_annotations(pending, log=f"merge {path.name}")
    return report


def _merge_annotators(project: Project, source: Source, report: MergeFileReport) -> None:
    kinds: dict[str, AnnotatorKind] = {}
    for doc in source.documents:
        kinds.update(doc.kinds)
    for name, kind in kinds.items():
        known = project.annotator_kind(name)
        if known is None:
            project.ensure_annotator(name, kind)
            report.annotators_added.append(name)
        elif known != kind:
            raise FormatError(
                source.path, f"annotator {name!r} is a {kind} there but a {known} in {project.path}"
            )


def _merge_scheme(project: Project, source: Source, report: MergeFileReport) -> None:
    entities = list(source.entity_labels)
    relations = list(source.relation_labels)
    for doc in source.documents:
        for ann in doc.annotations:
            if isinstance(ann, StoredAnnotation):
                entities += [s[5] for s in ann.spans]
                relations += [r[3] for r in ann.relations]
            else:
                entities += [s.label for s in ann.spans]
                relations += [r.label for r in ann.relations]
    scheme = project.scheme
    new_entities = [x for x in dict.fromkeys(entities) if scheme.entity(x) is None]
    new_relations = [x for x in dict.fromkeys(relations) if scheme.relation(x) is None]
    if new_entities or new_relations:
        for name in new_entities:
            scheme.ensure_entity(name)
        for name in new_relations:
            scheme.ensure_relation(name)
        project.set_scheme(scheme)
        report.labels_added = new_entities + new_relations


def _merge_documents(
    project: Project, docs: list[IncomingDocument], report: MergeFileReport
) -> dict[str, StoredDocument]:
    """Add the documents the project lacks; returns every document of the project by hash."""
    known = {d.hash for d in project.stored_documents(with_text=False)}
    missing = [d for d in docs if content_hash(d.text) not in known]
    tokens_by_text = {d.text: d.tokens for d in missing}
    own = None

    def tokenize(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
        nonlocal own
        for text in texts:
            given = tokens_by_text.get(text)
            if given is not None:
                yield decode_pairs(given)
                continue
            if own is None:
                from desktop.nlp.pipeline import tokenize_texts

                own = tokenize_texts(project.lang)
            yield next(iter(own([text])))

    if missing:
        result = project.add_documents(
            (NewDocument(d.text, d.meta, d.where, None, *d.layers) for d in missing), tokenize
        )
        report.documents_added = result.added
    return {d.hash: d for d in project.stored_documents(with_text=False)}


def _retarget(ann: Annotation, doc_id: int, tokens: list[Any], same_tokens: bool) -> Annotation:
    """The incoming annotation on the project's document, token indices on the project's tokens."""
    spans = []
    for s in ann.spans:
        first, last = (s.token_start, s.token_end) if same_tokens else token_range(tokens, s.start, s.end)
        spans.append(Span(s.start, s.end, s.label, first, last, s.origin, s.id))
    relations = [Relation(r.head, r.child, r.label, r.origin) for r in ann.relations]
    return Annotation(doc_id, ann.annotator, ann.status, spans, relations, ann.updated_at, ann.reviewer)


def _decide(
    existing: StoredAnnotation | None,
    incoming: Annotation | StoredAnnotation,
    doc_id: int,
    report: MergeFileReport,
) -> bool:
    """Whether to write the incoming version; counts what happened."""
    if existing is None:
        report.added += 1
        return True
    theirs = incoming.signature() if isinstance(incoming, StoredAnnotation) else signature(incoming)
    if existing.signature() == theirs:
        report.unchanged += 1
        return False
    ours, stamp = existing.updated_at or "", incoming.updated_at or ""
    our_status, their_status = Status(str(existing.status)), Status(str(incoming.status))
    if (our_status in FINISHED) != (their_status in FINISHED):
        take, reason = their_status in FINISHED, "finished"
    else:
        take, reason = stamp > ours, "newer"
    report.conflicts.append(
        Conflict(
            doc_id,
            incoming.annotator,
            "incoming" if take else "project",
            ours,
            stamp,
            str(our_status),
            str(their_status),
            reason,
        )
    )
    if take:
        report.replaced += 1
    return take
