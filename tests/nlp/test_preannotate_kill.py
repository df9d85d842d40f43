"""A pre-annotation killed midway: the labels it found are in the scheme with the batches it stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import spacy

from desktop.store import NewDocument, Project


def words(texts):
    for text in texts:
        out, pos = [], 0
        for word in text.split(" "):
            out.append((pos, pos + len(word)))
            pos += len(word) + 1
        yield out


def model_annotations(path: Path) -> int:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(
            con.execute(
                "SELECT count(*) FROM annotations a JOIN annotators n ON n.id = a.annotator_id "
                "WHERE n.kind = 'model'"
            ).fetchone()[0]
        )
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def test_labels_found_before_a_kill_are_in_the_scheme(project: Project, tmp_path: Path) -> None:
    nlp = spacy.blank("fr")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "FESTIVAL", "pattern": "Avignon"}])  # type: ignore[attr-defined]
    model = tmp_path / "ruler"
    nlp.to_disk(model)
    project.add_documents((NewDocument(f"Le festival d' Avignon {i}") for i in range(3000)), words)
    assert project.scheme.entity("FESTIVAL") is None
    project.close()
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            "preannotate",
            str(project.path),
            "--model",
            str(model),
            "--batch-size",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while run.poll() is None and model_annotations(project.path) == 0:
        time.sleep(0.005)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    with Project.open(project.path) as p:
        stored = model_annotations(project.path)
        assert 0 < stored < 3000, "the pre-annotation ended before it could be killed"
        assert p.scheme.entity("FESTIVAL") is not None
