"""Importing texts that repeat: records combined as Prodigy does, and the project's work kept."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.model import Status
from desktop.store import Project

TEXT = "Mon iPhone et mon Kindle sont sur la table, à côté du Walkman."
IPHONE, KINDLE, WALKMAN, TABLE = (4, 10), (18, 24), (54, 61), (37, 42)


def task(answer: str, *spans: tuple[int, int], **extra: object) -> dict[str, object]:
    return {
        "text": TEXT,
        "spans": [{"start": s, "end": e, "label": "PRODUCT"} for s, e in spans],
        "answer": answer,
        **extra,
    }


def write(path: Path, *tasks: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    return path


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str) -> Run:
    """`etiquette ARGS`, as the command line runs it (in this process: spaCy loads once)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


def stored(path: Path, annotator: str = "ann") -> tuple[Status, list[tuple[int, int]]]:
    with Project.open(path) as p:
        ann = p.annotation(1, annotator)
        assert ann is not None
        return ann.status, sorted((s.start, s.end) for s in ann.spans)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    assert cli("init", str(path), "--labels", "PRODUCT").returncode == 0
    return path


def test_binary_records_of_one_text_keep_every_accepted_span(db: Path, tmp_path: Path) -> None:
    # ner.teach: one suggestion per record, several records per text.
    teach = write(
        tmp_path / "teach.jsonl",
        task("accept", IPHONE, _view_id="ner"),
        task("reject", TABLE, _view_id="ner"),
        task("accept", KINDLE, _view_id="ner"),
        task("reject", WALKMAN, _view_id="ner"),
    )
    done = cli("import", str(db), str(teach), "--annotator", "ann")
    assert done.returncode == 0, done.stderr
    assert stored(db) == (Status.ACCEPTED, [IPHONE, KINDLE])
    assert "1 added, 3 duplicates skipped, 1 annotations, 2 spans" in done.stdout
    assert "2 rejected suggestions, not stored" in done.stdout


def test_spans_carry_their_own_answers_in_merged_binary_records(db: Path, tmp_path: Path) -> None:
    merged = {
        "text": TEXT,
        "answer": "accept",
        "spans": [
            {"start": 4, "end": 10, "label": "PRODUCT", "answer": "accept"},
            {"start": 54, "end": 61, "label": "PRODUCT", "answer": "reject"},
        ],
    }
    done = cli("import", str(db), str(write(tmp_path / "m.jsonl", merged)), "--annotator", "ann")
    assert done.returncode == 0, done.stderr
    assert stored(db) == (Status.ACCEPTED, [IPHONE])
    assert "1 rejected suggestions, not stored" in done.stdout


def test_a_text_the_annotator_already_has_is_kept_unless_asked(db: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "first.jsonl", task("accept", IPHONE, KINDLE))
    assert cli("import", str(db), str(first), "--annotator", "ann").returncode == 0
    later = write(tmp_path / "later.jsonl", task("reject", WALKMAN))
    done = cli("import", str(db), str(later), "--annotator", "ann")
    assert done.returncode == 0, done.stderr
    assert stored(db) == (Status.ACCEPTED, [IPHONE, KINDLE])
    assert "kept 1 existing annotations" in done.stdout
    assert "annotations," not in done.stdout.splitlines()[0]  # nothing stored, nothing counted

    merged = cli("import", str(db), str(later), "--annotator", "ann", "--on-conflict", "merge")
    assert merged.returncode == 0, merged.stderr
    assert stored(db) == (Status.ACCEPTED, [IPHONE, KINDLE, WALKMAN])

    replaced = cli("import", str(db), str(later), "--annotator", "ann", "--on-conflict", "replace")
    assert replaced.returncode == 0, replaced.stderr
    assert stored(db) == (Status.REJECTED, [WALKMAN])
    assert "1 existing annotations replaced" in replaced.stdout


def test_the_same_file_imported_twice_changes_nothing(db: Path, tmp_path: Path) -> None:
    same = write(tmp_path / "same.jsonl", task("accept", IPHONE))
    assert cli("import", str(db), str(same), "--annotator", "ann").returncode == 0
    again = cli("import", str(db), str(same), "--annotator", "ann")
    assert "1 annotations already in the project, unchanged" in again.stdout
    assert "kept" not in again.stdout
