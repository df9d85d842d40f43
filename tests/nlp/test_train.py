"""`etiquette train`: fine-tuning on finished documents, its messages, and the whole-or-nothing folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.model import Annotation, Origin, Span, Status
from desktop.nlp.pipeline import tokenize_texts
from desktop.nlp.train import TrainingError, TrainOptions, held_out, split_documents, train
from desktop.store import NewDocument, Project

ROOT = Path(__file__).resolve().parents[2]

# Short French dispatches, each with what a person marked in it once finished.
DISPATCHES = [
    (
        "Marie Curie a quitté Varsovie pour Paris.",
        [("Marie Curie", "PER"), ("Varsovie", "LOC"), ("Paris", "LOC")],
    ),
    (
        "Le lithium extrait à Rennes intéresse Renault.",
        [("lithium", "RESSOURCE"), ("Rennes", "LOC"), ("Renault", "ORG")],
    ),
    ("Jean Jaurès parle à Brest devant la CGT.", [("Jean Jaurès", "PER"), ("Brest", "LOC"), ("CGT", "ORG")]),
    ("Le cobalt arrive à Nantes par bateau.", [("cobalt", "RESSOURCE"), ("Nantes", "LOC")]),
    ("Louise Michel écrit depuis Nouméa.", [("Louise Michel", "PER"), ("Nouméa", "LOC")]),
    (
        "Le lithium de Bolivie part vers Lyon.",
        [("lithium", "RESSOURCE"), ("Bolivie", "LOC"), ("Lyon", "LOC")],
    ),
    ("Victor Hugo revient à Guernesey.", [("Victor Hugo", "PER"), ("Guernesey", "LOC")]),
    (
        "Le cobalt du Congo est vendu à Anvers.",
        [("cobalt", "RESSOURCE"), ("Congo", "LOC"), ("Anvers", "LOC")],
    ),
]


def finish(project: Project, n: int, annotator: str = "alice") -> list[int]:
    """Import the dispatches and accept the first n as `annotator` corrected them."""
    ids = project.add_documents([NewDocument(t) for t, _ in DISPATCHES], tokenize_texts("fr")).ids
    anns = []
    for doc_id, (text, marks) in list(zip(ids, DISPATCHES, strict=True))[:n]:
        spans = [Span(text.index(w), text.index(w) + len(w), label) for w, label in marks]
        anns.append(Annotation(doc_id, annotator, Status.ACCEPTED, spans))
    project.save_annotations(anns)
    return ids


@pytest.fixture(scope="module")
def small_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small French pipeline with an untrained NER: quick to load and to train."""
    import spacy

    nlp = spacy.blank("fr")
    ner = nlp.add_pipe("ner")
    for label in ("PER", "LOC", "ORG"):
        ner.add_label(label)  # type: ignore[attr-defined]
    nlp.initialize()
    nlp.meta["name"] = "petit"
    path = tmp_path_factory.mktemp("base") / "petit"
    nlp.to_disk(path)
    return path


# --- bad input -----------------------------------------------------------------------------------------


def test_too_few_finished_documents_says_how_many_are_needed(
    project: Project, tmp_path: Path, capsys
) -> None:
    finish(project, 2)
    project.close()
    code = main(["train", str(project.path), str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.count("\n") == 0
    assert "alice has finished 2 documents" in err and "at least 3" in err and "accept 1 more" in err
    assert not (tmp_path / "out").exists()


def test_a_base_folder_that_is_not_a_pipeline_is_refused(project: Project, tmp_path: Path, capsys) -> None:
    finish(project, 4)
    project.close()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("pas un modèle")
    code = main(["train", str(project.path), str(tmp_path / "out"), "--base", str(tmp_path / "notes")])
    assert code == 1
    assert "notes: not a spaCy pipeline folder" in capsys.readouterr().err


def test_an_output_folder_holding_other_files_is_left_alone(project: Project, tmp_path: Path) -> None:
    finish(project, 4)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.txt").write_text("mon travail")
    with pytest.raises(TrainingError, match="not a spaCy pipeline"):
        train(project, tmp_path / "out")
    assert (tmp_path / "out" / "thesis.txt").read_text() == "mon travail"


def test_a_model_is_not_a_source(project: Project, tmp_path: Path) -> None:
    finish(project, 4)
    with pytest.raises(TrainingError, match="a model cannot learn from its own suggestions"):
        train(project, tmp_path / "out", TrainOptions(source="model"))


def test_held_out_documents_stay_held_out_as_more_are_finished() -> None:
    train_a, eval_a = split_documents(list(range(1, 21)), 0.2, seed=3)
    train_b, eval_b = split_documents(list(range(1, 41)), 0.2, seed=3)
    assert len(eval_a) == 4 and len(eval_b) == 8
    assert not set(eval_a) & set(train_a)
    drawn = {i for i in eval_a if held_out(i, 3) < 0.2}
    assert drawn and drawn <= set(eval_b)


# --- training, with a small pipeline -------------------------------------------------------------------


@pytest.mark.slow
def test_learns_the_corrections_and_adds_their_new_label(
    project: Project, small_base: Path, tmp_path: Path
) -> None:
    import spacy

    finish(project, len(DISPATCHES))
    out = tmp_path / "tuned"
    result = train(project, out, TrainOptions(base=str(small_base), epochs=30, eval_split=0.25))
    assert result.labels_added == ["RESSOURCE"]
    assert len(result.eval_docs) == 2 and len(result.train_docs) == 6
    assert result.scores.f > result.base_scores.f == 0.0
    tuned = spacy.load(out)
    assert "RESSOURCE" in tuned.get_pipe("ner").labels
    assert tuned.meta["name"] == "petit_tuned"
    doc = tuned("Le lithium arrive à Rennes.")
    assert ("lithium", "RESSOURCE") in {(e.text, e.label_) for e in doc.ents}


@pytest.mark.slow
def test_interrupted_training_keeps_the_previous_model_and_no_partial_folder(
    project: Project, small_base: Path, tmp_path: Path
) -> None:
    finish(project, len(DISPATCHES))
    out = tmp_path / "tuned"
    first = train(project, out, TrainOptions(base=str(small_base), epochs=2))
    before = (out / "meta.json").read_text()

    def interrupt(done: int, total: int) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(project, out, TrainOptions(base=str(small_base), epochs=2), progress=interrupt)
    assert (out / "meta.json").read_text() == before
    assert first.pipeline.rsplit("-", 1)[1] in before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.db", "test.db-shm", "test.db-wal", "tuned"]


@pytest.mark.slow
def test_a_crash_while_writing_leaves_the_old_model_and_the_next_run_cleans_up(
    project: Project, small_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spacy

    finish(project, len(DISPATCHES))
    out = tmp_path / "tuned"
    train(project, out, TrainOptions(base=str(small_base), epochs=1))
    before = (out / "meta.json").read_text()
    # A run killed half-way through writing leaves its partial folder behind, under its dead pid.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".tuned.partial-{dead.stdout.strip()}"
    (stale / "ner").mkdir(parents=True)
    spacy.load(out)  # the model in use still loads

    real_to_disk = spacy.language.Language.to_disk

    def crash(self, path, **kwargs):  # writes part of the folder, then the process "dies"
        real_to_disk(self, path, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(spacy.language.Language, "to_disk", crash)
    with pytest.raises(OSError, match="disk full"):
        train(project, out, TrainOptions(base=str(small_base), epochs=1))
    assert (out / "meta.json").read_text() == before
    assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tuned.")]
    assert os.getpid()  # the live run's own partial folder was removed by itself


# --- the real French pipeline, through the command line ------------------------------------------------


@pytest.mark.slow
def test_cli_trains_fr_core_news_sm_and_preannotate_uses_the_result(project: Project, tmp_path: Path) -> None:
    ids = finish(project, 6)
    project.close()
    out = tmp_path / "fr_tuned"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "train", str(project.path), str(out), "--max-seconds", "20"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "label" in run.stdout and "RESSOURCE" in run.stdout and "all" in run.stdout
    assert "labels added to the model: RESSOURCE" in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "preannotate", str(project.path), "--model", str(out)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    with Project.open(project.path) as p:
        tuned = p.latest_model()
        assert tuned is not None and tuned.startswith("fr_core_news_sm_tuned-3.8.0.")
        ann = p.annotation(ids[-1], tuned)
        assert ann is not None and ann.spans
        assert all(s.origin == Origin.MODEL and s.confidence is not None for s in ann.spans)
