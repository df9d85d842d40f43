"""Pre-annotation: run a spaCy pipeline over the project's documents and store its suggestions.

The suggestions of a pipeline are stored as their own annotator, named after the pipeline and its
version; documents that annotator already has are skipped, so an interrupted run resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status
from desktop.model.tokens import TokenIndex
from desktop.nlp.docs import doc_from_tokens
from desktop.nlp.pipeline import PipelineError, ner_components, pipeline_id
from desktop.store import Project

if TYPE_CHECKING:
    from spacy.language import Language

Progress = Callable[[int, int], bool | None]
"""Called with (documents done, documents to do); returning False cancels after the batch."""


@dataclass(slots=True)
class PreannotateResult:
    annotator: str
    components: list[str]
    done: int = 0
    skipped: int = 0
    spans: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False


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
        patterns.append(
            {
                "label": record["label"],
                "pattern": record["pattern"],
                **({"id": record["id"]} if "id" in record else {}),
            }
        )
    return patterns


def prepare(nlp: Language, patterns: list[dict[str, Any]] | None = None) -> list[str]:
    """Add the pattern ruler if asked, and return the components to run: only what NER needs."""
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
    return components


def preannotate(
    project: Project,
    nlp: Language,
    *,
    patterns: list[dict[str, Any]] | None = None,
    label_map: dict[str, str] | None = None,
    batch_size: int = 64,
    n_process: int = 1,
    progress: Progress | None = None,
    annotator: str | None = None,
) -> PreannotateResult:
    """Suggest entities for every document the pipeline has not seen yet; commits batch by batch."""
    components = prepare(nlp, patterns)
    name = annotator or pipeline_id(nlp)
    project.ensure_annotator(name, AnnotatorKind.MODEL)
    result = PreannotateResult(name, components)
    done_before = project.documents_annotated_by(name)
    todo = [i for i in project.document_ids() if i not in done_before]
    result.skipped = len(done_before)
    label_map = label_map or {}

    def inputs() -> Any:
        # Each document keeps its own tokens (a file's, or the project tokenizer's): the pipeline
        # gets Docs built from them, and never tokenises the text again.
        for doc in project.iter_documents(todo):
            yield doc_from_tokens(nlp.vocab, doc), doc

    pending: list[Annotation] = []
    with nlp.select_pipes(enable=components):
        stream = nlp.pipe(inputs(), as_tuples=True, batch_size=batch_size, n_process=n_process)
        for sdoc, doc in stream:
            spans = []
            index = TokenIndex(doc.tokens)
            for ent in sdoc.ents:
                label = label_map.get(ent.label_, ent.label_)
                if not label:
                    continue
                first, last = index.range(ent.start_char, ent.end_char)
                spans.append(Span(ent.start_char, ent.end_char, label, first, last, Origin.MODEL))
                result.labels[label] = result.labels.get(label, 0) + 1
            result.spans += len(spans)
            pending.append(Annotation(doc.id, name, Status.ACCEPTED, spans))
            if len(pending) >= batch_size:
                keep_going = _flush(project, pending, result, len(todo), progress)
                if not keep_going:
                    result.cancelled = True
                    break
        else:
            _flush(project, pending, result, len(todo), progress)
    return result


def _flush(
    project: Project,
    pending: list[Annotation],
    result: PreannotateResult,
    total: int,
    progress: Progress | None,
) -> bool:
    with project.transaction():  # labels new to the scheme land with the batch that found them
        scheme = project.scheme
        found = dict.fromkeys(s.label for ann in pending for s in ann.spans)
        new_labels = [label for label in found if scheme.entity(label) is None]
        if new_labels:
            for label in new_labels:
                scheme.ensure_entity(label)
            project.set_scheme(scheme)
        project.save_annotations(pending, AnnotatorKind.MODEL, log="preannotate")
    result.done += len(pending)
    pending.clear()
    if progress is not None:
        return progress(result.done, total) is not False
    return True
