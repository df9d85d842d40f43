"""A suggestion's confidence: stored with the span, copied to the person's version, kept by undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status
from desktop.store import NewDocument, Project
from tests.store.test_project import whitespace_tokens

MODEL = "fr_core_news_sm-3.8.0"


def suggested(project: Project) -> int:
    doc_id = project.add_documents([NewDocument("Marie Curie quitte Varsovie")], whitespace_tokens).ids[0]
    spans = [
        Span(0, 11, "PER", 0, 2, Origin.MODEL, confidence=0.97),
        Span(19, 27, "LOC", 3, 4, Origin.MODEL, confidence=0.41),
    ]
    project.save_annotations([Annotation(doc_id, MODEL, Status.ACCEPTED, spans)], AnnotatorKind.MODEL)
    return doc_id


def test_suggestions_keep_their_confidence_on_disk(project: Project) -> None:
    doc_id = suggested(project)
    con = sqlite3.connect(project.path)
    stored = con.execute("SELECT label, confidence FROM spans ORDER BY start").fetchall()
    con.close()
    assert stored == [("PER", 0.97), ("LOC", 0.41)]
    ann = project.annotation(doc_id, MODEL)
    assert ann is not None and [s.confidence for s in ann.spans] == [0.97, 0.41]


def test_the_persons_copy_shows_the_models_confidence_and_their_own_spans_have_none(project: Project) -> None:
    doc_id = suggested(project)
    ann = project.start_annotation(doc_id, "alice")
    assert [(s.label, s.confidence) for s in ann.spans] == [("PER", 0.97), ("LOC", 0.41)]
    mine = project.add_span(doc_id, "alice", Span(12, 18, "MISC", origin=Origin.PERSON))
    again = project.annotation(doc_id, "alice")
    assert again is not None
    assert {s.label: s.confidence for s in again.spans} == {"PER": 0.97, "LOC": 0.41, "MISC": None}
    assert mine.confidence is None


def test_undoing_a_removal_brings_the_confidence_back(project: Project) -> None:
    doc_id = suggested(project)
    ann = project.start_annotation(doc_id, "alice")
    loc = next(s for s in ann.spans if s.label == "LOC")
    span, relations = project.remove_span(doc_id, "alice", loc.id or 0)
    assert span.confidence == 0.41
    project.restore_span(doc_id, "alice", span, relations)
    back = project.annotation(doc_id, "alice")
    assert back is not None and back.span_by_id(loc.id or 0) is not None
    assert back.span_by_id(loc.id or 0).confidence == 0.41  # type: ignore[union-attr]


def test_a_project_from_before_confidence_opens_with_its_suggestions_unscored(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Project.create(path) as p:
        doc_id = suggested(p)
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE spans DROP COLUMN confidence")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_span_confidence'")
    con.commit()
    con.close()
    with Project.open(path) as p:
        ann = p.annotation(doc_id, MODEL)
        assert ann is not None and [s.confidence for s in ann.spans] == [None, None]
