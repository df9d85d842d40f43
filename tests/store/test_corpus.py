"""The store's whole-corpus reads: what agreement and merging get, checked against single reads."""

from __future__ import annotations

from desktop.model import Annotation, Relation, Span, Status
from desktop.store import Project
from tests.store.test_project import add


def _annotate(project: Project, doc_id: int, annotator: str, status: Status) -> Annotation:
    doc = project.document(doc_id)
    spans = [
        Span(0, len(doc.text.split()[0]), "PER", 0, 1, id=0),
        Span(len(doc.text) - 5, len(doc.text), "LOC", id=1),
    ]
    return project.save_annotation(Annotation(doc_id, annotator, status, spans, [Relation(0, 1, "lieu")]))


def test_corpus_reads_agree_with_single_reads(project: Project) -> None:
    ids = add(project, "Emmanuel Macron est à Berlin", "Olaf Scholz reçoit   à Bonn", "Personne")
    project.scheme.ensure_relation("lieu")
    _annotate(project, ids[0], "alice", Status.ACCEPTED)
    _annotate(project, ids[1], "alice", Status.IN_PROGRESS)
    _annotate(project, ids[1], "bruno", Status.ACCEPTED)
    who = project.annotator_ids(["alice", "bruno", "nobody"])
    assert set(who) == {"alice", "bruno"}

    # Characters and tokens of each document someone annotated (the third one: nobody did).
    docs = project.corpus_documents(list(who.values()))
    assert docs == [(d, len(project.document(d).text), len(project.document(d).tokens)) for d in ids[:2]]
    finished = {
        (d, a): bool(f) for _, d, a, f in project.corpus_annotations(list(who.values()), [Status.ACCEPTED])
    }
    assert finished == {
        (ids[0], who["alice"]): True,
        (ids[1], who["alice"]): False,
        (ids[1], who["bruno"]): True,
    }
    assert project.span_labels_in_use([who["bruno"]]) == ["LOC", "PER"]
    relations = sorted(project.corpus_relations([who["alice"]]))
    assert [(r[0], r[1], r[-1]) for r in relations] == [
        (who["alice"], ids[0], "lieu"),
        (who["alice"], ids[1], "lieu"),
    ]

    # Merging reads the same annotations as rows, and builds the same domain objects from them.
    stored = project.stored_annotations()
    for (doc_id, name), row in stored.items():
        single = project.annotation(doc_id, name)
        assert single is not None
        rebuilt = row.to_annotation()
        assert [(s.start, s.end, s.label, s.origin, s.id) for s in rebuilt.spans] == [
            (s.start, s.end, s.label, s.origin, s.id) for s in single.spans
        ]
        assert [(r.head, r.child, r.label, r.origin) for r in rebuilt.relations] == [
            (r.head, r.child, r.label, r.origin) for r in single.relations
        ]
        assert rebuilt.status == single.status
    assert [d.id for d in project.stored_documents(with_text=False)] == ids
