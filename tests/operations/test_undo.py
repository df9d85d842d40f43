"""Edits as operations: each undoes and redoes without Qt, and the history outlives the process."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import operations as ops
from desktop.model import GOLD, AnnotatorKind, LabelScheme, Origin, Relation, Span, Status
from desktop.store import Project, ProjectError
from desktop.store import history as store_history
from tests.annotated import add_document, annotate

TEXT = "Dmitry Peskov a parlé au Kremlin de Moscou."
MODEL = "fr_core_news_sm-3.8.0"


def at(text: str, label: str) -> tuple[int, int, str]:
    return (TEXT.index(text), TEXT.index(text) + len(text), label)


@pytest.fixture
def path(tmp_path: Path, scheme: LabelScheme) -> Path:
    """A project with one document and a model's suggestions on it."""
    with Project.create(tmp_path / "p.db", scheme=scheme) as project:
        doc = add_document(project, TEXT)
        spans = [at("Dmitry Peskov", "PER"), at("Kremlin", "LOC"), at("Moscou", "LOC")]
        annotate(project, doc, MODEL, spans, kind=AnnotatorKind.MODEL)
    return tmp_path / "p.db"


def suggestion(project: Project, text: str, annotator: str = "alice") -> int:
    """The id of the span on `text` that the annotator sees (their own, else the suggestion's)."""
    ann = project.annotation_or_suggestions(1, annotator)
    return next(int(s.id or 0) for s in ann.spans if TEXT[s.start : s.end] == text)


def spans(project: Project, annotator: str = "alice") -> list[tuple[str, str, str]] | None:
    ann = project.annotation(1, annotator)
    return None if ann is None else [(TEXT[s.start : s.end], s.label, str(s.origin)) for s in ann.spans]


def test_undo_after_reopening_walks_back_to_the_suggestions(path: Path) -> None:
    with Project.open(path) as project:
        assert spans(project) is None  # reading writes nothing
        ops.perform(project, ops.UpdateSpan(1, "alice", suggestion(project, "Kremlin"), label="ORG"))
        ops.perform(project, ops.RemoveSpan(1, "alice", suggestion(project, "Moscou")))
        assert spans(project) == [("Dmitry Peskov", "PER", "model"), ("Kremlin", "ORG", "model")]
        assert [s.text for s in project.history("alice")] == [
            "Relabel « Kremlin » LOC → ORG",
            "Delete « Moscou » LOC",
        ]
    with Project.open(path) as project:
        step = ops.undo(project, "alice")
        assert step.text == "Delete « Moscou » LOC" and step.doc_id == 1
        assert spans(project) == [
            ("Dmitry Peskov", "PER", "model"),
            ("Kremlin", "ORG", "model"),
            ("Moscou", "LOC", "model"),
        ]
    with Project.open(path) as project:
        assert ops.undo(project, "alice").text == "Relabel « Kremlin » LOC → ORG"
        assert spans(project) is None  # back to the suggestions: no annotation at all
        with pytest.raises(ops.NothingToUndo):
            ops.undo(project, "alice")
        ops.redo(project, "alice")
        ops.redo(project, "alice")
        assert spans(project) == [("Dmitry Peskov", "PER", "model"), ("Kremlin", "ORG", "model")]
        with pytest.raises(ops.NothingToUndo):
            ops.redo(project, "alice")


def test_a_new_edit_drops_what_was_undone_and_each_annotator_has_a_history(path: Path) -> None:
    with Project.open(path) as project:
        ops.perform(project, ops.UpdateSpan(1, "alice", suggestion(project, "Kremlin"), label="ORG"))
        ops.perform(project, ops.UpdateSpan(1, "bob", suggestion(project, "Moscou", "bob"), label="MISC"))
        ops.undo(project, "alice")
        assert spans(project) is None
        assert ("Moscou", "MISC", "model") in (spans(project, "bob") or [])
        ops.perform(project, ops.SetStatus(1, "alice", Status.REJECTED))
        with pytest.raises(ops.NothingToUndo):
            ops.redo(project, "alice")
        assert project.annotation(1, "alice").status == Status.REJECTED  # type: ignore[union-attr]
        assert ops.Undo("alice").apply(project) == ops.Redo("alice")
        assert spans(project) is None


def test_spans_and_relations_come_back_under_their_ids(path: Path) -> None:
    with Project.open(path) as project:
        head, child = suggestion(project, "Dmitry Peskov"), suggestion(project, "Kremlin")
        first = ops.perform(project, ops.AddRelation(1, "alice", Relation(head, child, "porte_parole")))
        head, child = first.span_id(head), first.span_id(child)
        ann = project.annotation(1, "alice")
        assert ann is not None and len(ann.relations) == 1
        ops.perform(project, ops.RemoveSpan(1, "alice", child))  # takes its relation along
        assert project.annotation(1, "alice").relations == []  # type: ignore[union-attr]
        ops.undo(project, "alice")
        back = project.annotation(1, "alice")
        assert back is not None and back.relations == ann.relations and back.spans == ann.spans
        rel_id = int(ann.relations[0].id or 0)
        ops.perform(project, ops.RelabelRelation(1, "alice", rel_id, "situe_dans", check=False))
        ops.perform(project, ops.RemoveRelation(1, "alice", rel_id))
        ops.undo(project, "alice")
        ops.undo(project, "alice")
        assert project.annotation(1, "alice").relations == ann.relations  # type: ignore[union-attr]
        s, e, _ = at("parlé", "")
        added = ops.perform(project, ops.AddSpan(1, "alice", Span(s, e, "MISC")))
        assert isinstance(added.op, ops.AddSpan) and added.op.span.id is not None
        assert added.text == "Add « parlé » MISC"
        ops.undo(project, "alice")
        ops.redo(project, "alice")
        assert project.span_of(1, "alice", added.op.span.id) == added.op.span


def test_taking_into_gold_is_one_step(path: Path) -> None:
    with Project.open(path) as project:
        annotate(
            project, 1, "bob", [at("Dmitry Peskov", "PER"), at("Kremlin", "ORG")], [(0, 1, "porte_parole")]
        )
        bob = project.annotation(1, "bob")
        assert bob is not None
        annotate(
            project, 1, GOLD, [at("Dmitry Peskov", "PER"), at("Kremlin", "LOC")], kind=AnnotatorKind.GOLD
        )
        gold = project.annotation(1, GOLD)
        assert gold is not None
        peskov, kremlin = (int(s.id or 0) for s in gold.spans)
        span = Span(*at("Kremlin", "ORG"), origin=Origin.PERSON)
        step = ops.perform(
            project,
            ops.TakeIntoGold(
                1, GOLD, span, "bob", replace=[kremlin], relations=[[peskov, None, "porte_parole"]]
            ),
        )
        assert step.text == "Take « Kremlin » ORG from bob"
        assert spans(project, GOLD) == [("Dmitry Peskov", "PER", "person"), ("Kremlin", "ORG", "person")]
        assert [r.label for r in project.annotation(1, GOLD).relations] == ["porte_parole"]  # type: ignore[union-attr]
        ops.undo(project, GOLD)
        back = project.annotation(1, GOLD)
        assert back is not None and (back.spans, back.relations) == (gold.spans, gold.relations)


def test_the_history_keeps_the_last_steps_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_history, "HISTORY_LIMIT", 3)
    with Project.open(path) as project:
        for status in [Status.ACCEPTED, Status.REJECTED, Status.SKIPPED, Status.ACCEPTED, Status.REJECTED]:
            ops.perform(project, ops.SetStatus(1, "alice", status))
        assert len(project.history("alice")) == 3
        for _ in range(3):
            ops.undo(project, "alice")
        assert project.annotation(1, "alice").status == Status.REJECTED  # type: ignore[union-attr]
        with pytest.raises(ops.NothingToUndo):
            ops.undo(project, "alice")


def test_a_step_changed_by_other_means_is_refused_and_dropped(path: Path) -> None:
    with Project.open(path) as project:
        ops.perform(project, ops.RemoveSpan(1, "alice", suggestion(project, "Moscou")))
        ops.perform(project, ops.UpdateSpan(1, "alice", suggestion(project, "Kremlin"), label="ORG"))
        annotate(project, 1, "alice", [at("Moscou", "LOC")])  # an import replaced alice's annotation
        with pytest.raises(ProjectError, match="Could not undo “Relabel « Kremlin » LOC → ORG”"):
            ops.undo(project, "alice")
        assert [s.text for s in project.history("alice")] == ["Delete « Moscou » LOC"]


def test_every_operation_survives_json() -> None:
    rel = Relation(1, 2, "lien", Origin.MODEL, 7)
    span = Span(0, 5, "PER", 0, 1, Origin.MODEL, 3)
    examples: list[ops.Operation] = [
        ops.AddSpan(1, "a", span),
        ops.RemoveSpan(1, "a", 3),
        ops.RestoreSpan(1, "a", span, [rel]),
        ops.UpdateSpan(1, "a", 3, "LOC", Origin.PERSON, [0, 5, 0, 1]),
        ops.AddRelation(1, "a", rel, check=False),
        ops.RemoveRelation(1, "a", 7),
        ops.RelabelRelation(1, "a", 7, "x"),
        ops.SetStatus(1, "a", Status.ACCEPTED, "rev"),
        ops.Compound(1, "a", [ops.RemoveSpan(1, "a", 3), ops.DiscardAnnotation(1, "a")], "t"),
        ops.TakeIntoGold(1, GOLD, span, "bob", [4], [[None, 4, "lien"]]),
        ops.Undo("a"),
    ]
    for op in examples:
        assert ops.decode(ops.encode(op)) == op
