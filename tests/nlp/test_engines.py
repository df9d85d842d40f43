"""Pre-annotation on worker processes: what one process stores, resumable, and a dying worker handled.

The pipeline is a real spaCy pipeline that loads at once: a blank French one with an EntityRuler.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from desktop.nlp import engines
from desktop.nlp.engines import EngineError, PipelineSpec, default_workers
from desktop.nlp.preannotate import preannotate
from desktop.store import Project

PATTERNS = [
    {"label": "PER", "pattern": "Dmitry Peskov"},
    {"label": "PER", "pattern": [{"LOWER": "kirill"}, {"LOWER": "dmitriev"}]},
    {"label": "LOC", "pattern": "Moscou"},
    {"label": "LOC", "pattern": "Riyad"},
    {"label": "ORG", "pattern": "Kremlin"},
]
CITIES = ["Moscou", "Riyad", "Paris", "Kiev"]
POISON = "Empoisonné"


def ruler_pipeline() -> Language:
    nlp = spacy.blank("fr")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)  # type: ignore[attr-defined]
    return nlp


def texts(n: int) -> list[str]:
    return [
        f"Dépêche {i}. Kirill Dmitriev a vu Dmitry Peskov à {CITIES[i % 4]}, "
        f"loin du Kremlin.\n\n{'Rien.' if i % 3 else 'Riyad attend.'}"
        for i in range(n)
    ]


def make_project(path: Path, n: int) -> Project:
    from desktop.nlp.pipeline import tokenize_texts
    from desktop.store.base import NewDocument

    project = Project.create(path)
    project.add_documents([NewDocument(t) for t in texts(n)], tokenize_texts("fr"))
    return project


def suggestions(project: Project, annotator: str) -> list[tuple[int, list[tuple[int, int, str, int, int]]]]:
    return [
        (doc.id, [(s.start, s.end, s.label, s.token_start, s.token_end) for s in ann.spans])
        for doc, ann in project.iter_annotations(annotator)
    ]


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> list:
    project = make_project(tmp_path_factory.mktemp("one") / "one.db", 300)
    result = preannotate(project, ruler_pipeline(), n_process=1, batch_size=16)
    out = suggestions(project, result.annotator)
    project.close()
    return out


def test_two_workers_store_exactly_what_one_process_stores(tmp_path: Path, one_process: list) -> None:
    project = make_project(tmp_path / "two.db", 300)
    result = preannotate(project, ruler_pipeline(), n_process=2, batch_size=16)
    assert (result.done, result.workers, result.cancelled) == (300, 2, False)
    assert suggestions(project, result.annotator) == one_process
    first = project.document(1).text
    assert [(first[a:b], label) for a, b, label, _, _ in one_process[0][1]] == [
        ("Kirill Dmitriev", "PER"),
        ("Dmitry Peskov", "PER"),
        ("Moscou", "LOC"),
        ("Kremlin", "ORG"),
        ("Riyad", "LOC"),
    ]
    project.close()


def test_workers_started_fresh_receive_the_pipeline_whole(
    tmp_path: Path, one_process: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the window does: it runs threads, so its workers are spawned, not forked."""
    monkeypatch.setattr(engines, "can_fork", lambda: False)
    project = make_project(tmp_path / "spawned.db", 64)
    result = preannotate(project, ruler_pipeline(), n_process=2, batch_size=32)
    assert suggestions(project, result.annotator) == one_process[:64]
    project.close()


def test_a_pipeline_travels_by_name_or_whole() -> None:
    nlp = ruler_pipeline()
    whole = pickle.loads(pickle.dumps(PipelineSpec.of(nlp, ["entity_ruler"]))).load()
    doc = whole(texts(1)[0])
    assert [(e.text, e.label_) for e in doc.ents][:2] == [
        ("Kirill Dmitriev", "PER"),
        ("Dmitry Peskov", "PER"),
    ]
    assert PipelineSpec.of(nlp, ["ner"], name="fr_core_news_sm").nlp is None


KILLED_RUN = """
import os, sys
sys.path.insert(0, {tests!r})
from test_engines import ruler_pipeline
from desktop.nlp.preannotate import preannotate
from desktop.store import Project

def progress(done, total):
    if done >= 96:
        os._exit(9)  # killed halfway, no clean-up

preannotate(Project.open(sys.argv[1]), ruler_pipeline(), n_process=2, batch_size=32, progress=progress)
"""


def test_a_run_killed_halfway_keeps_what_it_stored_and_the_next_run_finishes(
    tmp_path: Path, one_process: list
) -> None:
    path = tmp_path / "killed.db"
    make_project(path, 300).close()
    script = KILLED_RUN.format(tests=str(Path(__file__).parent))
    killed = subprocess.run([sys.executable, "-c", script, str(path)], cwd=Path(__file__).parents[2])
    assert killed.returncode == 9
    with Project.open(path) as project:
        annotator = project.latest_model()
        assert annotator is not None
        stored = len(project.documents_annotated_by(annotator))
        assert 96 <= stored < 300
        result = preannotate(project, ruler_pipeline(), n_process=2, batch_size=32)
        assert (result.skipped, result.done) == (stored, 300 - stored)
        assert suggestions(project, annotator) == one_process


@Language.component("etiquette_test_poison")
def poison(doc):  # type: ignore[no-untyped-def]
    """Kills its worker on a poisoned document; with a marker file, only the first time."""
    if POISON in doc.text:
        marker = Path(os.environ["ETIQUETTE_TEST_MARKER"])
        if not marker.exists() or marker.read_text() == "always":
            marker.write_text(marker.read_text() if marker.exists() else "once")
            os._exit(3)
    return doc


def poisoned_project(path: Path) -> Project:
    project = make_project(path, 200)
    from desktop.nlp.pipeline import tokenize_texts
    from desktop.store.base import NewDocument

    project.add_documents([NewDocument(f"{POISON} à Moscou.")], tokenize_texts("fr"))
    return project


@pytest.fixture
def poisoned_pipeline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Language, Path]:
    monkeypatch.setattr(engines, "can_fork", lambda: True)  # the component lives in this module
    marker = tmp_path / "marker"
    monkeypatch.setenv("ETIQUETTE_TEST_MARKER", str(marker))
    nlp = ruler_pipeline()
    nlp.add_pipe("etiquette_test_poison", name="span_ruler")  # a name pre-annotation runs
    return nlp, marker


def test_a_worker_that_dies_once_has_its_batch_sent_again(tmp_path: Path, poisoned_pipeline) -> None:
    nlp, marker = poisoned_pipeline
    project = poisoned_project(tmp_path / "once.db")
    result = preannotate(project, nlp, n_process=2, batch_size=16)
    assert marker.read_text() == "once"
    assert result.done == 201
    last = project.annotation(201, result.annotator)
    assert last is not None and [s.label for s in last.spans] == ["LOC"]
    project.close()


def test_a_worker_that_dies_twice_stops_the_run_with_what_was_stored_kept(
    tmp_path: Path, poisoned_pipeline
) -> None:
    nlp, marker = poisoned_pipeline
    marker.write_text("always")
    project = poisoned_project(tmp_path / "twice.db")
    with pytest.raises(EngineError, match="died twice"):
        preannotate(project, nlp, n_process=2, batch_size=16)
    assert len(project.documents_annotated_by("fr_pipeline-0.0.0")) >= 160
    project.close()


def test_default_workers_are_bounded_by_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "cores", lambda: 8)
    monkeypatch.setattr(engines, "available_memory", lambda: 3 * engines.PIPELINE_MEMORY + 1)
    assert default_workers() == 3
    monkeypatch.setattr(engines, "available_memory", lambda: 10)
    assert default_workers() == 1
    monkeypatch.setattr(engines, "available_memory", lambda: None)
    assert default_workers() == 8


def test_a_handful_of_documents_runs_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object) -> None:
        raise AssertionError("started workers for three documents")

    monkeypatch.setattr(engines.ProcessEngine, "__init__", no_workers)
    project = make_project(tmp_path / "few.db", 3)
    assert preannotate(project, ruler_pipeline(), n_process=4).done == 3
    project.close()


def test_cli_preannotates_on_every_core_by_default(tmp_path: Path, one_process: list) -> None:
    folder = tmp_path / "ruler-pipeline"
    ruler_pipeline().to_disk(folder)
    path = tmp_path / "cli.db"
    make_project(path, 200).close()
    cli = [sys.executable, "-m", "desktop.cli", "preannotate", str(path), "--model", str(folder)]
    out = subprocess.run(cli, capture_output=True, text=True, check=True).stdout
    assert "200 documents annotated" in out and "on 2 worker processes" in out
    with Project.open(path) as project:
        assert suggestions(project, "fr_pipeline-0.0.0") == one_process[:200]
