"""A full disk, a read-only or busy project, a refused permission and a closed stdout: one line,
exit status 1 (141 for a closed pipe), and the project and earlier exports as they were.

A full disk is a project file that cannot grow (`PRAGMA max_page_count`) or a writer whose
`write` fails with ENOSPC, so that the tests run anywhere, without mounting a small disk.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import desktop.store.project as project_module
from desktop.cli import main
from desktop.formats import importer, writing
from tests.formats.fuzz import fingerprint

ARTICLES = [f"Article {i} : Emmanuel Macron a reçu Olaf Scholz à Paris le {i} mai." for i in range(400)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    assert main(["init", str(path), "--labels", "PER,LOC"]) == 0
    first = tmp_path / "first.txt"
    first.write_text("Un premier article, déjà importé.", encoding="utf-8")
    assert main(["import", str(path), str(first), "--annotator", "alice"]) == 0
    return path


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """400 annotated articles, Prodigy JSONL."""
    path = tmp_path / "articles.jsonl"
    tasks = [
        {"text": t, "spans": [{"start": t.index("Paris"), "end": t.index("Paris") + 5, "label": "LOC"}],
         "answer": "accept", "meta": {"source": f"a{i:03d}.txt"}}
        for i, t in enumerate(ARTICLES)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    return path


def _each_connection(monkeypatch: pytest.MonkeyPatch, *pragmas: str) -> None:
    """Every project connection opened from now on runs `pragmas` first."""
    connect = project_module._connect

    def patched(*args: Any, **kwargs: Any) -> Any:
        db = connect(*args, **kwargs)
        for pragma in pragmas:
            db.execute(pragma)
        return db

    monkeypatch.setattr(project_module, "_connect", patched)


def _page_count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(con.execute("PRAGMA page_count").fetchone()[0])
    finally:
        con.close()


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_import_on_a_full_disk_is_one_line_and_changes_nothing(
    db: Path, articles: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(db)
    _each_connection(monkeypatch, f"PRAGMA max_page_count = {_page_count(db)}")
    assert main(["import", str(db), str(articles)]) == 1
    err = _one_line(capsys)
    assert f"no space left on the disk holding {db}: the project is unchanged" in err
    assert fingerprint(db) == before


def test_import_into_a_read_only_project_is_one_line(
    db: Path, articles: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(db)
    _each_connection(monkeypatch, "PRAGMA query_only = 1")
    assert main(["import", str(db), str(articles)]) == 1
    assert f"{db}: read-only" in _one_line(capsys)
    assert fingerprint(db) == before


def test_import_into_a_project_another_program_is_writing_is_one_line(
    db: Path, articles: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(db)
    _each_connection(monkeypatch, "PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert main(["import", str(db), str(articles)]) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert f"{db}: busy, another program is writing to it" in _one_line(capsys)
    assert fingerprint(db) == before


@pytest.fixture
def full_disk_after(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Files the line-based exporters open fail with ENOSPC once `limit` characters are written."""

    def arm(limit: int) -> None:
        real_open = open

        class Full:
            def __init__(self, f: Any, path: str) -> None:
                self.f, self.path, self.written = f, path, 0

            def write(self, text: str) -> int:
                self.written += len(text)
                if self.written > limit:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path)
                return int(self.f.write(text))

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                self.f.close()

        def full_open(path: Any, *args: Any, **kwargs: Any) -> Full:
            return Full(real_open(path, *args, **kwargs), str(path))

        monkeypatch.setattr(writing, "open", full_open, raising=False)

    return arm


def test_export_on_a_full_disk_keeps_the_earlier_export(
    db: Path,
    articles: Path,
    tmp_path: Path,
    full_disk_after: Callable[[int], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["import", str(db), str(articles), "--annotator", "alice"]) == 0
    out = tmp_path / "out" / "train.jsonl"
    assert main(["export", str(db), str(out), "--format", "doccano"]) == 0
    earlier = out.read_bytes()
    capsys.readouterr()
    before = fingerprint(db)
    full_disk_after(10_000)
    assert main(["export", str(db), str(out), "--format", "doccano"]) == 1
    err = _one_line(capsys)
    assert "no space left on the disk holding" in err
    assert "nothing was exported; the project and earlier exports are unchanged" in err
    assert out.read_bytes() == earlier
    assert sorted(p.name for p in out.parent.iterdir()) == ["train.jsonl"]  # no staging left
    assert fingerprint(db) == before


def test_export_refused_permission_is_one_line(
    db: Path,
    articles: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["import", str(db), str(articles), "--annotator", "alice"]) == 0

    def refuse(src: Any, dest: Any) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dest))

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "train.jsonl"
    assert main(["export", str(db), str(out), "--format", "jsonl"]) == 1
    assert f"{out}: permission denied" in _one_line(capsys)
    assert not out.exists()


def test_a_brat_export_names_its_folder_not_every_file(
    db: Path, articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(db), str(articles), "--annotator", "alice"]) == 0
    capsys.readouterr()
    out = tmp_path / "brat"
    assert main(["export", str(db), str(out), "--format", "brat"]) == 0
    printed = capsys.readouterr().out
    assert f"to 801 files in {out}" in printed
    assert "a001" not in printed


@pytest.fixture
def closed_stdout() -> Iterator[Callable[[list[str]], subprocess.CompletedProcess[str]]]:
    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        read, write = os.pipe()
        os.close(read)  # like `| head` that has already exited
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "desktop.cli", *argv], stdout=write, stderr=subprocess.PIPE, text=True
            )
        finally:
            os.close(write)
        return subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr)

    yield run


def test_export_into_a_closed_pipe_ends_quietly(
    db: Path, articles: Path, tmp_path: Path, closed_stdout: Any
) -> None:
    assert main(["import", str(db), str(articles), "--annotator", "alice"]) == 0
    proc = closed_stdout(["export", str(db), str(tmp_path / "out.jsonl"), "--format", "jsonl"])
    assert proc.stderr == ""
    assert proc.returncode == 141
    assert (tmp_path / "out.jsonl").is_file()


def test_an_import_the_disk_has_no_room_for_is_refused_before_anything_moves_in(
    db: Path, articles: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(db)
    usage = importer.shutil.disk_usage(db.parent)
    monkeypatch.setattr(importer.shutil, "disk_usage", lambda _: usage._replace(free=50_000))
    assert main(["import", str(db), str(articles)]) == 1
    err = _one_line(capsys)
    assert f"no space left on the disk holding {db} (the import needs about" in err
    assert "0.0 MB are free): the project is unchanged" in err
    assert fingerprint(db) == before


def test_a_disk_that_fills_during_an_import_says_how_much_was_stored(
    db: Path, articles: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Room for the first of the import's two batches of 200 documents, not for the second.
    scratch = db.with_name("scratch.db")
    assert main(["init", str(scratch)]) == 0
    empty = _page_count(scratch)
    half = articles.with_name("half.jsonl")
    half.write_text("".join(articles.read_text(encoding="utf-8").splitlines(keepends=True)[:200]), "utf-8")
    assert main(["import", str(scratch), str(half)]) == 0
    one_batch = _page_count(scratch) - empty
    capsys.readouterr()
    _each_connection(monkeypatch, f"PRAGMA max_page_count = {_page_count(db) + one_batch + one_batch // 2}")
    assert main(["import", str(db), str(articles)]) == 1
    err = _one_line(capsys)
    assert (
        f"no space left on the disk holding {db}: 200 of 400 documents were stored before it stopped" in err
    )
    assert "import the same files again" in err
    monkeypatch.undo()
    assert main(["import", str(db), str(articles)]) == 0
    assert "200 added, 200 duplicates skipped" in capsys.readouterr().out


def test_init_on_a_full_disk_leaves_no_half_made_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    _each_connection(monkeypatch, "PRAGMA max_page_count = 1")
    assert main(["init", str(path)]) == 1
    assert f"no space left on the disk holding {path}: no project was created" in _one_line(capsys)
    assert not list(tmp_path.iterdir())
    monkeypatch.undo()
    assert main(["init", str(path)]) == 0  # not "already exists"
