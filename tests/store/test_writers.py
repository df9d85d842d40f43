"""Two writers at once, in two processes: imports take turns with each other and with edits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.store import Project

WRITER = """
import json, sys, time
from pathlib import Path
from desktop.model import Span
import pytest

from desktop.store import Project

project, stop = Path(sys.argv[1]), Path(sys.argv[2])
ok, failed, errors = 0, 0, []
with Project.open(project) as p:
    p.start_annotation(1, "alice")
    print("ready", flush=True)
    i = 0
    while not stop.exists() or i < 20:
        try:
            p.add_span(1, "alice", Span(i % 7, i % 7 + 1, "LOC"))
            ok += 1
        except Exception as e:
            failed += 1
            errors.append(repr(e))
        i += 1
        time.sleep(0.01)
print(json.dumps({"ok": ok, "failed": failed, "errors": errors[:3]}))
"""


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def articles(path: Path, n: int, tag: str) -> Path:
    words = "Le maire de Lyon a rencontré les habitants du quartier pour parler du marché"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"text": f"{tag} {i}. {words} {words}.", "meta": {"n": i}}) + "\n")
    return path


def test_two_imports_started_together_both_land(project: Project, tmp_path: Path) -> None:
    files = [articles(tmp_path / f"{tag}.jsonl", 5000, tag) for tag in ("nord", "sud")]
    project.close()
    runs = [cli("import", str(project.path), str(f)) for f in files]
    outcomes = [run.communicate(timeout=300) for run in runs]
    for run, (out, err) in zip(runs, outcomes, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err
        assert "5000 added" in out
    with Project.open(project.path) as p:
        assert p.document_count() == 10000


def test_edits_in_another_process_get_through_while_a_big_import_runs(
    project: Project, tmp_path: Path
) -> None:
    project.add_documents([_new("Moscou Kiev Paris")], _words)
    project.close()
    big = articles(tmp_path / "big.jsonl", 6000, "article")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(project.path), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    run = cli("import", str(project.path), str(big))
    out, err = run.communicate(timeout=300)
    stop.touch()
    written, werr = writer.communicate(timeout=120)
    assert run.returncode == 0, err
    assert writer.returncode == 0, werr
    edits = json.loads(written)
    assert edits["failed"] == 0, edits["errors"]
    with Project.open(project.path) as p:
        assert p.document_count() == 6001
        ann = p.annotation(1, "alice")
        assert ann is not None and len(ann.spans) == edits["ok"]


def _new(text: str):
    from desktop.store import NewDocument

    return NewDocument(text)


def _words(texts):
    for text in texts:
        out, pos = [], 0
        for word in text.split(" "):
            out.append((pos, pos + len(word)))
            pos += len(word) + 1
        yield out


def test_a_rolled_back_annotator_never_gets_another_persons_work(project: Project, tmp_path: Path) -> None:
    from desktop.model import Annotation, Relation, Span, Status
    from desktop.store import ProjectError

    doc = project.add_documents([_new("Moscou Kiev Paris")], _words).ids[0]
    broken = Annotation(doc, "bruno", Status.ACCEPTED, [Span(0, 6, "LOC")], [Relation(0, 9, "situe_dans")])
    with pytest.raises(ProjectError):
        project.save_annotations([broken])  # bruno was created, then rolled back with the rest
    # Meanwhile another program files chloé's work; she takes the id bruno had for a moment.
    task = tmp_path / "chloe.jsonl"
    task.write_text(json.dumps({"text": "Lyon", "spans": [], "answer": "accept"}) + "\n", encoding="utf-8")
    imported = cli("import", str(project.path), str(task), "--annotator", "chloé")
    assert imported.wait(timeout=120) == 0
    project.start_annotation(doc, "bruno")
    project.add_span(doc, "bruno", Span(7, 11, "LOC"))
    with Project.open(project.path) as other:
        assert other.annotation(doc, "chloé") is None
        bruno = other.annotation(doc, "bruno")
        assert bruno is not None and [s.label for s in bruno.spans] == ["LOC"]
