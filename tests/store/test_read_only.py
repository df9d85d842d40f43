"""Projects this Etiquette must not write: made by a newer version, or in a read-only folder."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__

TEXT = "Le maire de Lyon a rencontré le préfet."


def cli(*args: str, drop_root: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        capture_output=True,
        text=True,
        preexec_fn=_without_root_overrides if drop_root else None,
    )


def _without_root_overrides() -> None:
    """Root, but bound by file permissions as any user is (no CAP_DAC_OVERRIDE/READ_SEARCH)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl")


def fingerprint(folder: Path) -> dict[str, str]:
    """The folder's files and their content; a reader may leave an empty `-wal` and a `-shm`."""
    return {
        p.name: hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if not p.name.endswith("-shm") and not (p.name.endswith("-wal") and p.stat().st_size == 0)
    }


@pytest.fixture
def made(tmp_path: Path) -> Path:
    """A closed project with one document, annotated, and a text file to import."""
    folder = tmp_path / "projet"
    folder.mkdir()
    db = folder / "p.db"
    task = {"text": TEXT, "answer": "accept", "spans": [{"start": 12, "end": 16, "label": "LOC"}]}
    (tmp_path / "doc.jsonl").write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "autre.txt").write_text("Une autre phrase.", encoding="utf-8")
    assert cli("init", str(db)).returncode == 0
    assert cli("import", str(db), str(tmp_path / "doc.jsonl"), "--annotator", "alice").returncode == 0
    return db


def test_a_project_from_a_newer_etiquette_is_read_never_written(made: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(made)
    con.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('etiquette', 'm099_future', '')"
    )
    con.execute("UPDATE settings SET value = '9.1.0' WHERE key = 'etiquette_version'")
    con.commit()
    con.close()
    before = fingerprint(made.parent)
    message = f"written by Etiquette 9.1.0, newer than this one ({__version__})"

    stats = cli("stats", str(made))
    assert stats.returncode == 0 and "1 documents" in stats.stdout
    assert message in stats.stderr and "read-only" in stats.stderr
    out = tmp_path / "export.jsonl"
    exported = cli("export", str(made), str(out), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    assert "Lyon" in out.read_text(encoding="utf-8")
    imported = cli("import", str(made), str(tmp_path / "autre.txt"))
    assert imported.returncode == 1
    assert message in imported.stderr and len(imported.stderr.strip().splitlines()) == 1
    assert fingerprint(made.parent) == before


def test_the_version_that_writes_a_project_is_named_in_it(made: Path) -> None:
    con = sqlite3.connect(made)
    try:
        assert con.execute("SELECT value FROM settings WHERE key = 'etiquette_version'").fetchone() == (
            __version__,
        )
    finally:
        con.close()


def test_a_project_in_a_read_only_folder_opens_for_every_command_that_reads(
    made: Path, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        probe = subprocess.run(["true"], preexec_fn=_without_root_overrides, capture_output=True)
        if probe.returncode != 0:
            pytest.skip("root here cannot give up its file permission overrides")
    other = tmp_path / "autre.db"
    assert cli("init", str(other)).returncode == 0
    made.parent.chmod(0o555)
    try:
        before = fingerprint(made.parent)
        stats = cli("stats", str(made), drop_root=True)
        assert stats.returncode == 0, stats.stderr
        assert "1 documents" in stats.stdout
        assert f"the folder {made.parent} is not writable" in stats.stderr
        assert "not an Etiquette project" not in stats.stderr
        exported = cli("export", str(made), str(tmp_path / "e.jsonl"), "--format", "jsonl", drop_root=True)
        assert exported.returncode == 0, exported.stderr
        agreement = cli("agreement", str(made), drop_root=True)
        assert "not writable" in agreement.stderr and "Traceback" not in agreement.stderr
        merged = cli("merge", str(other), str(made), drop_root=True)
        assert merged.returncode == 0, merged.stderr
        copied = cli("copy", str(made), str(tmp_path / "copie.db"), drop_root=True)
        assert copied.returncode == 0, copied.stderr
        imported = cli("import", str(made), str(tmp_path / "autre.txt"), drop_root=True)
        assert imported.returncode == 1
        assert "is not writable: opened read-only; nothing was written" in imported.stderr
        assert fingerprint(made.parent) == before
    finally:
        made.parent.chmod(0o755)
    assert "1 documents" in cli("stats", str(other)).stdout
