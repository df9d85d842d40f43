"""A project where two annotators, alice and bob, finished three documents and disagree on two."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.model import Annotation, AnnotatorKind, LabelScheme, Relation, Span, Status
from desktop.model.tokens import token_range
from desktop.store import Project
from tests.ui.conftest import SUGGESTIONS, TEXTS, make_project

Version = list[tuple[str, str]]

# Document 1: they agree on three spans, disagree on the Kremlin's label and on États-Unis.
# Document 2: they agree on everything. Document 3: alice has Riyad, bob Arabie saoudite.
ALICE: list[Version] = [
    [
        ("Kirill Dmitriev", "PER"),
        ("Dmitry Peskov", "PER"),
        ("Moscou", "LOC"),
        ("Kremlin", "ORG"),
        ("États-Unis", "LOC"),
    ],
    [("Vladimir Poutine", "PER"), ("Washington", "LOC")],
    [("Riyad", "LOC")],
]
BOB: list[Version] = [
    [("Kirill Dmitriev", "PER"), ("Dmitry Peskov", "PER"), ("Moscou", "LOC"), ("Kremlin", "LOC")],
    [("Vladimir Poutine", "PER"), ("Washington", "LOC")],
    [("Arabie saoudite", "LOC"), ("Riyad", "LOC")],
]
# alice: Dmitry Peskov is the spokesman of the Kremlin (an ORG in her version).
ALICE_RELATIONS = {0: [("Dmitry Peskov", "Kremlin", "porte_parole")]}


def add_version(
    project: Project,
    doc_id: int,
    annotator: str,
    version: Version,
    relations: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    status: Status = Status.ACCEPTED,
    kind: AnnotatorKind = AnnotatorKind.PERSON,
) -> None:
    doc = project.document(doc_id)
    spans = []
    for i, (text, label) in enumerate(version):
        start = doc.text.index(text)
        t0, t1 = token_range(doc.tokens, start, start + len(text))
        spans.append(Span(start, start + len(text), label, t0, t1, id=i))
    index = {text: i for i, (text, _) in enumerate(version)}
    rels = [Relation(index[h], index[c], label) for h, c, label in relations]
    project.save_annotation(Annotation(doc_id, annotator, status, spans, rels), kind)


def make_team_project(path: Path, scheme: LabelScheme) -> Path:
    make_project(path, TEXTS, SUGGESTIONS, scheme)
    with Project.open(path) as project:
        ids = project.document_ids()
        for i, doc_id in enumerate(ids):
            add_version(project, doc_id, "alice", ALICE[i], ALICE_RELATIONS.get(i, []))
            add_version(project, doc_id, "bob", BOB[i])
    return path


@pytest.fixture
def team_project(tmp_path: Path, ui_scheme: LabelScheme) -> Path:
    return make_team_project(tmp_path / "team.db", ui_scheme)
