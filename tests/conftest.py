"""Shared fixtures: Qt offscreen (unless --headed), temporary projects written by the tests themselves."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.model import LabelScheme
from desktop.store import Project

SEED_TEXT = (
    "Kirill Dmitriev, directeur du fonds souverain russe, a rencontré Dmitry Peskov à Moscou. "
    "Le porte-parole du Kremlin a évoqué les États-Unis et l’Arabie saoudite.\n\n"
    "Vladimir Poutine s’est exprimé."
)


CACHE = pytest.StashKey[str]()
"""The run's folder for compiled regexes."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--headed", action="store_true", help="show Qt windows instead of offscreen")


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--headed"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Compiled regexes (desktop.nlp.speed) go to a folder of the run, not the user's cache.
    config.stash[CACHE] = os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="etiquette-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(CACHE, ""), ignore_errors=True)


@pytest.fixture
def scheme() -> LabelScheme:
    return LabelScheme.from_names(
        ["PER", "LOC", "ORG", "MISC"],
        ["porte_parole:PER>ORG|PER>LOC", "situe_dans:LOC>LOC|ORG>LOC"],
    )


@pytest.fixture
def project(tmp_path: Path, scheme: LabelScheme) -> Iterator[Project]:
    p = Project.create(tmp_path / "test.db", scheme=scheme)
    yield p
    p.close()


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    return path
