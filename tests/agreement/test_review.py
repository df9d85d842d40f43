"""The Qt-free adjudication helpers: which documents to review, what everyone agrees on, seeding
gold with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.agreement.review import consensus, disagreements, seed_gold
from desktop.formats.exporter import resolve_source
from desktop.model import GOLD, Span, Status
from desktop.store import Project, ProjectError

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou ."


@pytest.fixture
def team(project: Project, doc: Callable[[Project, str], int], ann) -> tuple[Project, list[int]]:
    agreed = doc(project, TEXT)
    disputed = doc(project, "Vladimir Poutine est à Moscou .")
    untouched = doc(project, "Le Kremlin a répondu .")
    spans = [(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")]
    ann(project, agreed, "alice", spans, [(1, 2, "situe_dans")])
    ann(project, agreed, "bruno", spans, [(1, 2, "situe_dans")])
    ann(project, disputed, "alice", [(0, 16, "PER"), (24, 30, "LOC")])
    ann(project, disputed, "bruno", [(0, 16, "PER"), (24, 30, "ORG"), (21, 22, "MISC")])
    ann(project, untouched, "alice", [(3, 10, "ORG")])
    ann(project, untouched, "bruno", [(3, 10, "LOC")], status=Status.IN_PROGRESS)
    return project, [agreed, disputed, untouched]


def test_disagreements_lists_disputed_finished_documents(team) -> None:
    project, (agreed, disputed, untouched) = team
    assert disagreements(project, ["alice", "bruno"]) == [disputed]
    both = [Status.ACCEPTED, Status.IN_PROGRESS]
    assert disagreements(project, ["alice", "bruno"], both) == [disputed, untouched]


def test_consensus_marks_each_lane(team) -> None:
    project, (_, disputed, _) = team
    anns = [project.annotation(disputed, "alice"), project.annotation(disputed, "bruno")]
    c = consensus([a for a in anns if a is not None])
    assert [s.key for s in c.spans] == [(0, 16, "PER")]
    alice = [(s.span.label, s.agreed) for s in c.lanes["alice"]]
    assert alice == [("PER", True), ("LOC", False)]
    bruno = {s.span.label: (s.agreed, s.others) for s in c.lanes["bruno"]}
    assert bruno["PER"] == (True, ["alice"]) and bruno["MISC"] == (False, [])
    assert c.disputed == 3


def test_seed_gold_creates_gold_with_the_agreed_spans_and_relations(team) -> None:
    project, (agreed, disputed, _) = team
    seeded = seed_gold(project, agreed, ["alice", "bruno"], reviewer="rémi")
    assert seeded.created and len(seeded.spans) == 3 and len(seeded.relations) == 1
    gold = project.annotation(agreed, GOLD)
    assert gold is not None and gold.reviewer == "rémi"
    assert {s.key for s in gold.spans} == {(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")}
    assert len(gold.relations) == 1
    assert resolve_source(project, "gold") == GOLD  # `etiquette export --source gold` finds it

    seed_gold(project, disputed, ["alice", "bruno"], reviewer="rémi")
    assert {s.key for s in project.annotation(disputed, GOLD).spans} == {(0, 16, "PER")}


def test_seed_gold_leaves_an_existing_gold_annotation_as_it_is(team) -> None:
    project, (agreed, _, _) = team
    project.start_annotation(agreed, GOLD)
    project.add_span(agreed, GOLD, Span(0, 15, "PER"))
    before = len(project.edit_log(agreed))
    seeded = seed_gold(project, agreed, ["alice", "bruno"], reviewer="rémi")
    assert not seeded.created and seeded.spans == [] and seeded.relations == []
    assert len(project.edit_log(agreed)) == before
    assert {s.key for s in project.annotation(agreed, GOLD).spans} == {(0, 15, "PER")}


def test_seed_gold_needs_two_annotators_and_a_reviewer(team) -> None:
    project, (agreed, _, _) = team
    with pytest.raises(ProjectError):
        seed_gold(project, agreed, ["alice", "nobody"], reviewer="rémi")
    with pytest.raises(ProjectError):
        seed_gold(project, agreed, ["alice", "bruno"], reviewer=" ")
