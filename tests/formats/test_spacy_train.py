"""A .spacy export is training data spaCy accepts: `spacy debug data` passes, `spacy train` runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.formats import ExportOptions, export_project
from desktop.model import Status
from tests.formats.conftest import build_project

PEOPLE = ["Kirill Dmitriev", "Dmitry Peskov", "Vladimir Poutine", "Zoë Lefèvre", "Jean Dupont"]
PLACES = ["Moscou", "Washington", "Riyad", "Paris", "Łódź"]


def _docs() -> list[Any]:
    docs = []
    # spaCy's `debug data` wants at least 100 training examples for a new pipeline.
    for i in range(140):
        who, where = PEOPLE[i % 5], PLACES[(i * 3) % 5]
        if i % 7 == 0:
            docs.append((f"Rien de neuf le {i} mai.", [], [], Status.ACCEPTED))
            continue
        text = f"{who} s’est rendu à {where} le {i + 1} mai. Le Kremlin a réagi."
        spans = [
            (0, len(who), "PER"),
            (text.index(where), text.index(where) + len(where), "LOC"),
            (text.index("Kremlin"), text.index("Kremlin") + 7, "ORG"),
        ]
        docs.append((text, spans, [], Status.ACCEPTED))
    return docs


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spacy", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_spacy_export_passes_debug_data_and_trains(tmp_path: Path, fr_tokenize: Any) -> None:
    from spacy.cli.init_config import init_config

    project = build_project(tmp_path / "p.db", _docs(), fr_tokenize)
    report = export_project(
        project, tmp_path / "corpus.spacy", "spacy", ExportOptions(source="alice", dev_split=0.25, seed=3)
    )
    assert report.lost == {}
    train, dev = report.paths
    config = init_config(lang="fr", pipeline=["ner"], optimize="efficiency")
    config["training"]["max_steps"] = 5
    config["training"]["eval_frequency"] = 5
    config["paths"]["train"] = train
    config["paths"]["dev"] = dev
    config.to_disk(tmp_path / "config.cfg")

    debug = _run("debug", "data", "config.cfg", cwd=tmp_path)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "✘" not in debug.stdout, debug.stdout
    assert "105 training docs" in debug.stdout and "35 evaluation docs" in debug.stdout

    trained = _run("train", "config.cfg", "--output", "model", cwd=tmp_path)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert (tmp_path / "model" / "model-last" / "ner").is_dir()
