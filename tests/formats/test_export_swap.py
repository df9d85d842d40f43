"""Folder exports (brat) swap in whole: never half old and half new, no stale files, no leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from desktop.cli import main
from desktop.model import Status
from tests.formats.conftest import build_project


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_re_export_leaves_no_files_of_documents_it_no_longer_holds(
    tmp_path: Path, fr_tokenize: Any
) -> None:
    docs = [
        ("Paris est loin.", [(0, 5, "LOC")], [], Status.ACCEPTED),
        ("Lyon aussi.", [], [], Status.ACCEPTED),
    ]
    p = build_project(tmp_path / "p.db", docs, fr_tokenize)
    out = tmp_path / "brat"
    assert main(["export", str(p.path), str(out), "--format", "brat"]) == 0
    assert listing(out) == [
        "annotation.conf",
        "doc000001.ann",
        "doc000001.txt",
        "doc000002.ann",
        "doc000002.txt",
    ]
    (out / "NOTES.md").write_text("à relire", encoding="utf-8")
    p.set_status(2, "alice", Status.IN_PROGRESS)  # no longer finished: no longer exported
    assert main(["export", str(p.path), str(out), "--format", "brat"]) == 0
    assert listing(out) == ["NOTES.md", "annotation.conf", "doc000001.ann", "doc000001.txt"]
    assert (out / "NOTES.md").read_text(encoding="utf-8") == "à relire"
    assert hidden(tmp_path) == []


def test_a_killed_export_leaves_the_old_folder_whole_and_the_next_export_cleans_up(
    tmp_path: Path, fr_tokenize: Any
) -> None:
    text = "Le maire de Lyon a rencontré le préfet de Marseille pour parler du port."
    docs = [(f"{i}. {text}", [(3, 8, "MISC")], [], Status.ACCEPTED) for i in range(4000)]
    p = build_project(tmp_path / "p.db", docs[:3], fr_tokenize)
    out = tmp_path / "brat"
    assert main(["export", str(p.path), str(out), "--format", "brat"]) == 0
    old = {name: (out / name).read_bytes() for name in listing(out)}
    p.close()
    big = build_project(tmp_path / "big.db", docs, fr_tokenize)
    big.close()
    run = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "export", str(big.path), str(out), "--format", "brat"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    caught = False
    while run.poll() is None:
        staged = [tmp_path / name for name in hidden(tmp_path)]
        if staged and sum(1 for _ in staged[0].rglob("*.ann")) > 100:
            os.kill(run.pid, signal.SIGKILL)
            caught = True
            break
        time.sleep(0.01)
    run.wait()
    assert caught, "the export ended before it could be killed"
    assert {name: (out / name).read_bytes() for name in listing(out)} == old
    assert hidden(tmp_path) != []  # what the killed export left
    assert main(["export", str(big.path), str(out), "--format", "brat"]) == 0
    assert hidden(tmp_path) == []
    assert len(listing(out)) == 2 * 4000 + 1
