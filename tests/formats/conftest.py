"""Fixtures for the format tests: projects built from plain data, and what a user sees of them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.model import Annotation, LabelScheme, Relation, Span, Status
from desktop.model.tokens import token_range
from desktop.nlp.pipeline import tokenize_texts
from desktop.store import NewDocument, Project

SpanSpec = tuple[int, int, str]
RelSpec = tuple[int, int, str]
"""(index of head span, index of child span, label)."""
DocSpec = tuple[str, list[SpanSpec], list[RelSpec], Status]

_counter = itertools.count()


@pytest.fixture(scope="session")
def fr_tokenize() -> Callable[[Any], Iterator[list[tuple[int, int]]]]:
    """The project tokenizer (a blank French pipeline), loaded once for the whole session."""
    return tokenize_texts("fr")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """A fresh folder per call, usable inside hypothesis examples."""
    base = tmp_path_factory.mktemp("formats")

    def fresh() -> Path:
        d = base / f"run{next(_counter)}"
        d.mkdir()
        return d

    return fresh


def new_project(path: Path) -> Project:
    scheme = LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"], ["rel", "works_for"], allow_overlap=True)
    return Project.create(path, scheme=scheme)


def build_project(
    path: Path,
    docs: list[DocSpec],
    tokenize: Any,
    annotator: str = "alice",
    meta: list[dict[str, Any]] | None = None,
) -> Project:
    """A project whose documents carry the given spans, relations and statuses for `annotator`."""
    project = new_project(path)
    result = project.add_documents(
        [NewDocument(text, (meta or [{}] * len(docs))[i]) for i, (text, *_) in enumerate(docs)], tokenize
    )
    anns = []
    for doc_id, (_, spans, rels, status) in zip(result.ids, docs, strict=True):
        tokens = project.document(doc_id).tokens
        anns.append(
            Annotation(
                doc_id,
                annotator,
                status,
                [
                    Span(s, e, label, *token_range(tokens, s, e), id=i)
                    for i, (s, e, label) in enumerate(spans)
                ],
                [Relation(h, c, label) for h, c, label in rels],
            )
        )
    project.save_annotations(anns)
    return project


def seen(project: Project, annotator: str) -> list[tuple[str, str, list[Any], list[Any]]]:
    """What a user sees of one annotator's work: text, status, spans and relations by content."""
    out = []
    for doc, ann in project.iter_annotations(annotator):
        keys = {s.id: s.key for s in ann.spans}
        out.append(
            (
                doc.text,
                str(ann.status),
                sorted(keys.values()),
                sorted((keys[r.head], keys[r.child], r.label) for r in ann.relations),
            )
        )
    return sorted(out)
