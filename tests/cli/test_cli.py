"""The command line: the whole job without the window, and clear errors on bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import build_parser, main
from desktop.store import Project


def snapshot(path: Path) -> str:
    """A fingerprint of a project's content (documents and annotations) to compare before/after."""
    with Project.open(path) as p:
        data = json.dumps([p.stats(), [d.text for d in p.iter_documents()]], sort_keys=True)
    return hashlib.sha1(data.encode()).hexdigest()


@pytest.fixture
def db(tmp_path: Path, seed_file: Path) -> Path:
    path = tmp_path / "cli.db"
    assert main(["init", str(path), "--labels", "PER,LOC,ORG", "--relations", "porte_parole:PER>ORG"]) == 0
    assert main(["import", str(path), str(seed_file)]) == 0
    return path


def test_help_documents_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert name in out
    for name, sub in commands.items():
        assert sub.description, f"`etiquette {name}` has no description"


def test_import_counts_duplicates(db: Path, seed_file: Path, capsys) -> None:
    assert main(["import", str(db), str(seed_file)]) == 0
    assert "0 added, 1 duplicates skipped" in capsys.readouterr().out


def test_jsonl_with_meta(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(
        '{"text": "Moscou répond.", "meta": {"id": 7}}\n\n{"text": "Kiev aussi."}\n', encoding="utf-8"
    )
    assert main(["import", str(db), str(src)]) == 0
    with Project.open(db) as p:
        metas = [d.meta for d in p.iter_documents()]
    assert {"id": 7} in metas


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.jsonl", b'{"text": "ok"}\n{"text": "broken"\n', ":2: not valid JSON"),
        ("notext.jsonl", b'{"text": "ok"}\n{"meta": {}}\n', ":2: no `text` field"),
        ("empty.jsonl", b'{"text": "   "}\n', ":1: empty text"),
        ("latin1.txt", "Élysée".encode("latin-1"), ":1: not UTF-8"),
        ("empty.txt", b"\n\n", "empty document"),
        ("list.jsonl", b'["text"]\n', ":1: each line must be a JSON object"),
    ],
)
def test_bad_input_names_the_file_exits_non_zero_and_changes_nothing(
    db: Path, tmp_path: Path, capsys, name: str, content: bytes, expected: str
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "Un texte correct."}\n', encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(content)
    before = snapshot(db)
    assert main(["import", str(db), str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and expected in err
    assert snapshot(db) == before


def test_a_file_that_is_not_a_project(tmp_path: Path, seed_file: Path, capsys) -> None:
    assert main(["import", str(seed_file), str(seed_file)]) == 1
    assert f"{seed_file}: not an Etiquette project" in capsys.readouterr().err


def test_a_missing_input(db: Path, tmp_path: Path, capsys) -> None:
    assert main(["import", str(db), str(tmp_path / "nope.txt")]) == 1
    assert "nope.txt: no such file or folder" in capsys.readouterr().err


def test_an_unknown_pipeline_changes_nothing(db: Path, capsys) -> None:
    before = snapshot(db)
    assert main(["preannotate", str(db), "--model", "xx_no_such_pipeline"]) == 1
    assert "unknown pipeline 'xx_no_such_pipeline'" in capsys.readouterr().err
    assert snapshot(db) == before


def test_stats_json(db: Path, capsys) -> None:
    assert main(["stats", str(db), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 1


def test_stats_says_statuses_as_the_window_does(db: Path, capsys) -> None:
    with Project.open(db) as p:
        p.start_annotation(p.document_ids()[0], "alice")
    capsys.readouterr()
    assert main(["stats", str(db)]) == 0
    assert "alice (person): to do 1" in capsys.readouterr().out


def test_export_says_which_documents_it_left_out_by_status(db: Path, tmp_path: Path, capsys) -> None:
    with Project.open(db) as p:
        doc = p.document_ids()[0]
        p.start_annotation(doc, "alice")
    assert (
        main(["export", str(db), str(tmp_path / "out.jsonl"), "--format", "jsonl", "--source", "alice"]) == 0
    )
    out = capsys.readouterr().out
    assert "exported 0 documents" in out
    assert "left out by status (only accepted documents are exported): 1 to do" in out


def test_init_lang_en_uses_an_english_tokenizer_and_says_which(tmp_path: Path, capsys) -> None:
    import importlib.util

    installed = importlib.util.find_spec("en_core_web_sm") is not None
    path = tmp_path / "en.db"
    assert main(["init", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    expected = "en_core_web_sm" if installed else "blank:en"
    assert f"pipeline {expected}" in out
    src = tmp_path / "a.txt"
    src.write_text("I don't know.", encoding="utf-8")
    assert main(["import", str(path), str(src)]) == 0
    with Project.open(path) as p:
        assert (p.lang, p.model) == ("en", expected)
        [doc] = list(p.iter_documents())
    assert [doc.text[t.start : t.end] for t in doc.tokens] == ["I", "do", "n't", "know", "."]
    assert main(["init", str(tmp_path / "fr.db")]) == 0
    assert "pipeline fr_core_news_sm" in capsys.readouterr().out


def test_the_window_opens_under_the_name_given_on_the_command_line(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.ui.app

    seen: list[tuple[list[str], str | None]] = []
    monkeypatch.setattr(
        desktop.ui.app, "main", lambda argv, annotator=None: seen.append((argv, annotator)) or 0
    )
    assert main(["gui", str(db), "--annotator", "chloé"]) == 0
    assert seen == [([str(db)], "chloé")]
