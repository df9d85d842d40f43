"""The learning loop's rules, Qt-free, with a fake trainer: when a round is due, what is adopted,
and which documents get the new version's suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status
from desktop.nlp import learning
from desktop.nlp.learning import LearningState, due, run_round
from desktop.nlp.pipeline import tokenize_texts
from desktop.nlp.train import Scores, TrainOptions, TrainResult
from desktop.store import NewDocument, Project

BASE_MODEL = "fr_core_news_sm-3.8.0"


class FakeTrainer:
    """Scores what the test says; records the base each round started from."""

    def __init__(self, *results: tuple[float, float]) -> None:
        self.results = list(results)
        self.bases: list[str | None] = []

    def __call__(self, project: Project, out: Path, options: TrainOptions, progress=None) -> TrainResult:
        self.bases.append(options.base)
        base_f, new_f = self.results.pop(0)
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.cfg").write_text("[nlp]\n")
        return TrainResult(
            out,
            options.source or "",
            options.base or "",
            "p",
            [1, 2, 3, 4],
            [5],
            Scores(f=base_f),
            Scores(f=new_f),
        )


class FakeSuggester:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int]]] = []

    def __call__(self, project: Project, path: Path, annotator: str, ids: list[int]) -> int:
        self.calls.append((annotator, ids))
        anns = [
            Annotation(
                i, annotator, Status.ACCEPTED, [Span(0, 4, "LOC", origin=Origin.MODEL, confidence=0.8)]
            )
            for i in ids
        ]
        project.save_annotations(anns, AnnotatorKind.MODEL)
        return len(ids)


@pytest.fixture
def worked(project: Project) -> Project:
    """Ten documents: four finished by alice, one she edited, one she only opened, four never opened."""
    texts = [f"Brest, dépêche numéro {i}." for i in range(10)]
    ids = project.add_documents([NewDocument(t) for t in texts], tokenize_texts("fr")).ids
    suggestions = [
        Annotation(i, BASE_MODEL, Status.ACCEPTED, [Span(0, 5, "PER", origin=Origin.MODEL)]) for i in ids
    ]
    project.save_annotations(suggestions, AnnotatorKind.MODEL)
    for i in ids[:4]:
        project.start_annotation(i, "alice")
        project.set_status(i, "alice", Status.ACCEPTED)
    project.start_annotation(ids[4], "alice")
    project.add_span(ids[4], "alice", Span(7, 14, "MISC", origin=Origin.PERSON))
    project.start_annotation(ids[5], "alice")
    return project


def test_a_round_is_due_every_n_finished_documents_once_there_is_a_model(project: Project) -> None:
    state = LearningState.load(project)
    assert not state.prefs.enabled  # no pipeline has suggested anything yet
    state.prefs.enabled = True
    assert not due(state, 2)  # too few to learn from and evaluate on
    assert due(state, 5)
    state.versions.append(learning.Version(1, "x", "", 5, 0.6, 0.5, True))
    assert not due(state, 9) and due(state, 10)
    state.prefs.every = 2
    assert due(state, 7)


def test_a_better_version_is_adopted_and_suggests_on_untouched_documents_only(worked: Project) -> None:
    ids = worked.document_ids()
    trainer, suggester = FakeTrainer((0.40, 0.55)), FakeSuggester()
    version = run_round(worked, "alice", trainer, suggester)
    assert version.adopted and version.k == 1
    assert version.annotator == "fr_core_news_sm-tuned-1"
    assert trainer.bases == ["fr_core_news_sm"]
    assert suggester.calls == [("fr_core_news_sm-tuned-1", ids[5:])]
    assert Path(version.path).is_dir()
    state = LearningState.load(worked)
    assert state.current == version and state.number == 1


def test_a_version_that_does_not_score_better_is_dropped(worked: Project) -> None:
    trainer, suggester = FakeTrainer((0.40, 0.55), (0.55, 0.55), (0.55, 0.50)), FakeSuggester()
    first = run_round(worked, "alice", trainer, suggester)
    tie = run_round(worked, "alice", trainer, suggester)
    worse = run_round(worked, "alice", trainer, suggester)
    assert not tie.adopted and not worse.adopted
    assert trainer.bases == ["fr_core_news_sm", first.path, first.path]
    assert len(suggester.calls) == 1
    assert not (learning.models_folder(worked) / "v2").exists()
    state = LearningState.load(worked)
    assert state.current == first and len(state.versions) == 3 and state.trained_on == 5


def test_opened_but_untouched_copies_take_the_new_suggestions_and_edited_ones_do_not(worked: Project) -> None:
    ids = worked.document_ids()
    version = run_round(worked, "alice", FakeTrainer((0.4, 0.6)), FakeSuggester())
    changed = worked.refresh_suggestions(worked.untouched_documents(), version.annotator)
    assert changed == [ids[5]]
    opened = worked.annotation(ids[5], "alice")
    assert opened is not None and [(s.label, s.confidence) for s in opened.spans] == [("LOC", 0.8)]
    edited = worked.annotation(ids[4], "alice")
    assert edited is not None and {s.label for s in edited.spans} == {"PER", "MISC"}
    finished = worked.annotation(ids[0], "alice")
    assert finished is not None and [s.label for s in finished.spans] == ["PER"]
    never_opened = worked.start_annotation(ids[7], "bob")
    assert [s.label for s in never_opened.spans] == ["LOC"]


def test_a_document_the_newest_model_has_not_read_gets_the_older_models_suggestions(worked: Project) -> None:
    ids = worked.document_ids()
    worked.save_annotations(
        [Annotation(ids[9], "fr_core_news_sm-tuned-1", Status.ACCEPTED, [])], AnnotatorKind.MODEL
    )
    assert [s.label for s in worked.start_annotation(ids[8], "bob").spans] == ["PER"]
    assert worked.start_annotation(ids[9], "bob").spans == []
