"""Copies of a project taken while it is open: checkpoints, `etiquette copy`, and the file's locks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from desktop.model import Span
from desktop.store import NewDocument, Project


def whitespace_tokens(texts):
    for text in texts:
        tokens, start = [], None
        for i, ch in enumerate(text + " "):
            if ch.isspace():
                if start is not None:
                    tokens.append((start, i))
                start = None
            elif start is None:
                start = i
        yield tokens


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], capture_output=True, text=True)


def spans_in(path: Path) -> int:
    """Spans a fresh reader finds in the `.db` file alone (no `-wal` beside it)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT count(*) FROM spans").fetchone()[0])
    finally:
        con.close()


def edit_many(project: Project, n: int) -> None:
    doc = project.add_documents([NewDocument("Moscou " * n)], whitespace_tokens).ids[0]
    project.start_annotation(doc, "alice")
    for i in range(n):
        project.add_span(doc, "alice", Span(7 * i, 7 * i + 6, "LOC"))


def test_a_copy_of_the_db_alone_after_a_checkpoint_holds_every_edit(project: Project, tmp_path: Path) -> None:
    edit_many(project, 40)
    project.checkpoint()
    copy = tmp_path / "copy.db"
    # Copied by another program, as a user would: this process keeps the project open.
    subprocess.run(["cp", str(project.path), str(copy)], check=True)
    assert spans_in(copy) == 40


def test_etiquette_copy_takes_every_edit_while_the_project_is_open(project: Project, tmp_path: Path) -> None:
    edit_many(project, 30)
    assert Path(f"{project.path}-wal").stat().st_size > 0  # edits still in the log
    out = tmp_path / "copie de travail.db"
    done = cli("copy", str(project.path), str(out))
    assert done.returncode == 0, done.stderr
    assert "copied" in done.stdout
    assert not Path(f"{out}-wal").exists()
    assert spans_in(out) == 30
    with Project.open(out) as copy:
        assert copy.annotation(1, "alice") is not None
    project.add_span(1, "alice", Span(0, 6, "PER", origin="person"))  # the original still writes


def test_etiquette_copy_refuses_to_overwrite_a_file(project: Project, tmp_path: Path) -> None:
    edit_many(project, 3)
    out = tmp_path / "there.db"
    out.write_bytes(b"someone's file")
    done = cli("copy", str(project.path), str(out))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and str(out) in done.stderr
    assert out.read_bytes() == b"someone's file"
    assert cli("copy", str(project.path), str(out), "--overwrite").returncode == 0
    assert spans_in(out) == 3
    assert [p.name for p in tmp_path.iterdir() if "etiquette-copy" in p.name] == []


def test_opening_the_project_twice_in_one_process_keeps_the_write_ahead_log_alive(
    project: Project, tmp_path: Path
) -> None:
    # A window keeps the project open; an import in the same process opens and closes it again.
    # Another program then reads it: it must not take itself for the last reader and delete the
    # log the window still writes into.
    edit_many(project, 5)
    Project.open(project.path).close()
    assert cli("stats", str(project.path)).returncode == 0
    assert Path(f"{project.path}-wal").exists()
    project.add_span(1, "alice", Span(0, 6, "PER", origin="person"))
    project.add_documents([NewDocument("Kiev et Moscou")], whitespace_tokens)
    stats = cli("stats", str(project.path))
    assert "2 documents" in stats.stdout


def test_importing_the_folder_that_holds_the_project_keeps_its_write_ahead_log_alive(
    project: Project, tmp_path: Path
) -> None:
    from desktop.formats import import_paths

    edit_many(project, 5)
    (tmp_path / "article.txt").write_text("Kiev et Moscou", encoding="utf-8")
    report = import_paths(project, [tmp_path], "text")  # the folder holds test.db and its -wal
    assert report.added == 1
    assert cli("stats", str(project.path)).returncode == 0
    project.add_span(1, "alice", Span(0, 6, "PER", origin="person"))
    assert Path(f"{project.path}-wal").exists()
    assert spans_in_project(project.path) == 6


def spans_in_project(path: Path) -> int:
    """Spans another program sees, WAL included."""
    done = cli("stats", str(path), "--json")
    stats = json.loads(done.stdout)
    return sum(sum(a["spans"].values()) for a in stats["annotators"].values())
