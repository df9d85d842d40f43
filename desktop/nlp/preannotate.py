"""Pre-annotation: run a spaCy pipeline over the project's documents and store its suggestions.

The suggestions of a pipeline are stored as their own annotator, named after the pipeline and its
version; documents that annotator already has are skipped, so an interrupted run resumes.

Three parts: a document source that reads the documents still to do in batches of (id, words,
spaces); an engine that turns batches into spans (this process, worker processes on every core, or
a Ray cluster); and one writer, here, that stores each batch's suggestions in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status, label_problem
from desktop.model.tokens import TokenIndex, words_and_spaces
from desktop.nlp import confidence as scoring
from desktop.nlp.engines import Batch, Engine, Found, LocalEngine, ProcessEngine, default_workers
from desktop.nlp.pipeline import PipelineError, ner_components, pipeline_id
from desktop.nlp.regex_check import regex_problem, regexes
from desktop.store import Project

if TYPE_CHECKING:
    from spacy.language import Language

Progress = Callable[[int, int], bool | None]
"""Called with (documents done, documents to do); returning False cancels after the batch."""


@dataclass(slots=True)
class PreannotateResult:
    annotator: str
    components: list[str]
    """What ran, by name; the recogniser inside the scorer reads "ner (with confidence)"."""
    done: int = 0
    skipped: int = 0
    spans: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    workers: int = 1
    """Processes (or Ray actors) that ran the pipeline; 1 is this process."""


def read_patterns(path: str | Path) -> list[dict[str, Any]]:
    """Read an EntityRuler / Prodigy pattern file (JSONL with `label` and `pattern`)."""
    path = Path(path)
    patterns = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PipelineError(f"{path}: cannot read pattern file ({e})") from e
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = srsly.json_loads(line)
        except ValueError as e:
            raise PipelineError(f"{path}:{lineno}: not valid JSON ({e})") from e
        if not isinstance(record, dict) or "label" not in record or "pattern" not in record:
            raise PipelineError(f"{path}:{lineno}: a pattern needs `label` and `pattern`")
        if not isinstance(record["pattern"], str | list):
            raise PipelineError(f"{path}:{lineno}: `pattern` is a string or a list of token patterns")
        problem = label_problem(record["label"]) or next(
            (p for p in map(regex_problem, regexes(record["pattern"])) if p), None
        )
        if problem is not None:
            raise PipelineError(f"{path}:{lineno}: pattern {repr(record['label'])[:40]}: {problem}")
        patterns.append(
            {
                "label": record["label"],
                "pattern": record["pattern"],
                **({"id": record["id"]} if "id" in record else {}),
            }
        )
    return patterns


def prepare(
    nlp: Language, patterns: list[dict[str, Any]] | None = None, confidence: bool = True
) -> list[str]:
    """Add the pattern ruler if asked, and return the components to run: only what NER needs.

    With `confidence`, the recogniser runs inside a scorer that also says how sure it is of each
    entity (`desktop.nlp.confidence`).
    """
    if patterns:
        config = {"overwrite_ents": True, "phrase_matcher_attr": "LOWER"}
        if "ner" in nlp.pipe_names:
            ruler = nlp.add_pipe("entity_ruler", name="etiquette_patterns", after="ner", config=config)
        else:
            ruler = nlp.add_pipe("entity_ruler", name="etiquette_patterns", config=config)
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    components = ner_components(nlp)
    if not components:
        raise PipelineError(
            f"pipeline {pipeline_id(nlp)} has no entity recogniser (components: "
            f"{', '.join(nlp.pipe_names)}); add patterns with --patterns, or choose another"
        )
    return scoring.add_scorer(nlp, components) if confidence else components


def preannotate(
    project: Project,
    nlp: Language,
    *,
    patterns: list[dict[str, Any]] | None = None,
    label_map: dict[str, str] | None = None,
    batch_size: int = 64,
    n_process: int | None = None,
    engine: str = "local",
    address: str | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    annotator: str | None = None,
    documents: list[int] | None = None,
    confidence: bool = True,
) -> PreannotateResult:
    """Suggest entities for every document the pipeline has not seen yet; commits batch by batch.

    `n_process` workers (default: every core that memory has room for; 1 runs in this process) on
    this machine, or, with `engine="ray"`, actors on the Ray cluster at `address` (default: a local
    one). `model` is the name or path the pipeline was loaded from, for workers that load it
    themselves; without it the pipeline travels to them whole. `documents` limits the run to those
    ids; with `confidence`, each suggestion keeps how sure the model is of it.
    """
    components = prepare(nlp, patterns, confidence)
    name = annotator or pipeline_id(nlp)
    result = PreannotateResult(name, scoring.described(nlp, components))
    done_before = project.documents_annotated_by(name)
    wanted = project.document_ids() if documents is None else documents
    todo = [i for i in wanted if i not in done_before]
    result.skipped = len(done_before)
    if not todo:
        return result
    chosen = _engine(engine, nlp, components, n_process, len(todo), batch_size, address, model, patterns)
    # Added once the run can start (Ray installed, the cluster answering): else nothing changes.
    project.ensure_annotator(name, AnnotatorKind.MODEL)
    writer = _Writer(project, name, label_map or {}, result, len(todo), progress)
    try:
        for batch, found in chosen.run(document_batches(project, todo, batch_size)):
            if not writer.store(batch, found):
                result.cancelled = True
                break
    finally:
        result.workers = chosen.workers  # a cluster's, once connected
        chosen.close()
    return result


def _engine(
    kind: str,
    nlp: Language,
    components: list[str],
    n_process: int | None,
    todo: int,
    batch_size: int,
    address: str | None,
    model: str | None,
    patterns: list[dict[str, Any]] | None,
) -> Engine:
    if kind == "ray":
        from desktop.nlp.ray_engine import RayEngine

        return RayEngine(nlp, components, n_process, address=address, model=model, patterns=patterns)
    if kind != "local":
        raise PipelineError(f"unknown engine {kind!r} (local or ray)")
    workers = default_workers() if n_process is None else max(1, n_process)
    # A worker only pays for itself with a few batches to do.
    workers = min(workers, -(-todo // batch_size))
    if workers <= 1:
        return LocalEngine(nlp, components)
    return ProcessEngine(nlp, components, workers)


def document_batches(project: Project, ids: list[int], batch_size: int) -> Iterator[Batch]:
    """The documents to do, in order, as batches of (id, words, spaces) from their stored tokens."""
    batch = Batch([])
    for doc in project.iter_documents(ids):
        words, spaces = words_and_spaces(doc.text, doc.tokens)
        batch.items.append((doc.id, words, spaces))
        batch.docs.append(doc)
        if len(batch.items) >= batch_size:
            yield batch
            batch = Batch([])
    if batch.items:
        yield batch


class _Writer:
    """Stores each batch's suggestions, and the labels it brings, in one transaction."""

    def __init__(
        self,
        project: Project,
        annotator: str,
        label_map: dict[str, str],
        result: PreannotateResult,
        total: int,
        progress: Progress | None,
    ) -> None:
        self.project = project
        self.annotator = annotator
        self.label_map = label_map
        self.result = result
        self.total = total
        self.progress = progress

    def store(self, batch: Batch, found: list[Found]) -> bool:
        """Write one batch; False when the progress callback asks to stop."""
        docs = batch.docs or list(self.project.iter_documents(batch.ids))
        by_id = dict(found)
        anns = []
        found_labels: dict[str, None] = {}  # in the order found: new labels get colours and keys so
        for doc in docs:
            index = TokenIndex(doc.tokens)
            spans = []
            for start, end, model_label, p in by_id.get(doc.id, []):
                label = self.label_map.get(model_label, model_label)
                if not label:
                    continue
                first, last = index.range(start, end)
                spans.append(Span(start, end, label, first, last, Origin.MODEL, confidence=p))
                self.result.labels[label] = self.result.labels.get(label, 0) + 1
                found_labels[label] = None
            self.result.spans += len(spans)
            anns.append(Annotation(doc.id, self.annotator, Status.ACCEPTED, spans))
        with self.project.transaction():  # labels new to the scheme land with the batch that found them
            scheme = self.project.scheme
            missing = [label for label in found_labels if scheme.entity(label) is None]
            if missing:
                for label in missing:
                    scheme.ensure_entity(label)
                self.project.set_scheme(scheme)
            self.project.save_annotations(anns, AnnotatorKind.MODEL, log="preannotate")
        self.result.done += len(anns)
        if self.progress is not None:
            return self.progress(self.result.done, self.total) is not False
        return True
