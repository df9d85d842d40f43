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


def children(pid: int) -> list[int]:
    """The processes `pid` started (its pre-annotation workers), read from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


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
    workers = children(run.pid)
    assert workers or (os.cpu_count() or 1) < 2, "pre-annotation ran without workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "the worker processes outlived the killed run"
    with Project.open(project.path) as p:
        stored = model_annotations(project.path)
        assert 0 < stored < 3000, "the pre-annotation ended before it could be killed"
        assert p.scheme.entity("FESTIVAL") is not None
