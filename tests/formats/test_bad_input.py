"""Bad input names its file and line, and leaves the project exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.formats import FormatError, ImportOptions, import_paths
from desktop.store import Project
from tests.formats.conftest import seen

GOOD = {"text": "Paris est belle.", "spans": [{"start": 0, "end": 5, "label": "LOC"}], "answer": "accept"}


def _lines(*objs: Any) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


BAD_FILES: dict[str, tuple[str, bytes, int, str]] = {
    "malformed JSON": (
        "bad.jsonl",
        _lines(GOOD, '{"text": "Lyon", "spans": [').encode(),
        2,
        "not valid JSON",
    ),
    "missing text": ("bad.jsonl", _lines(GOOD, {"spans": [], "answer": "accept"}).encode(), 2, "no `text`"),
    "offsets out of range": (
        "bad.jsonl",
        _lines(GOOD, {**GOOD, "text": "Nice", "_input_hash": 1}).encode(),
        2,
        "out of range",
    ),
    "span text mismatch": (
        "bad.jsonl",
        _lines(
            GOOD,
            {
                **GOOD,
                "text": "Lyon est belle.",
                "spans": [{"start": 0, "end": 4, "label": "LOC", "text": "Nice"}],
            },
        ).encode(),
        2,
        "says 'Nice'",
    ),
    "not UTF-8": ("bad.jsonl", _lines(GOOD).encode() + b'{"text": "caf\xe9"}\n', 2, "not UTF-8"),
    "doccano bad relation": (
        "bad.jsonl",
        _lines(
            {
                "text": "Ana vit ici.",
                "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PER"}],
                "relations": [{"from_id": 1, "to_id": 9, "type": "x"}],
            }
        ).encode(),
        1,
        "entity id",
    ),
    "brat text mismatch": ("doc.ann", b"T1\tPER 0 3\tAna\nT2\tLOC 8 12\tParis\n", 2, "says 'Paris'"),
    "conll bad tag": ("bad.conll", b"Paris B-LOC\nest O\nbelle X-Y\n", 3, "not a tag"),
    "conll broken sequence": ("bad.conll", b"Paris L-LOC\nest O\n", 1, "invalid tag sequence"),
}


def _write(tmp_path: Path, case: str) -> tuple[Path, int, str]:
    name, data, line, message = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(data)
    if name.endswith(".ann"):
        (tmp_path / "doc.txt").write_text("Ana vit à Paris.", encoding="utf-8")
    return path, line, message


def _state(project: Any) -> tuple[int, list[Any], list[Any]]:
    return project.document_count(), [a.name for a in project.annotators()], seen(project, "ann")


@pytest.fixture
def filled(project: Any, tmp_path: Path) -> Any:
    """A project with one annotated document already in it."""
    path = tmp_path / "first" / "ok.jsonl"
    path.parent.mkdir()
    path.write_text(
        _lines({"text": "Déjà là.", "spans": [{"start": 0, "end": 4, "label": "MISC"}], "answer": "accept"}),
        encoding="utf-8",
    )
    import_paths(project, [path], "auto", ImportOptions(annotator="ann"))
    return project


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_an_error_naming_file_and_line(case: str, filled: Any, tmp_path: Path) -> None:
    path, line, message = _write(tmp_path, case)
    before = _state(filled)
    with pytest.raises(FormatError) as err:
        import_paths(filled, [path], "auto", ImportOptions(annotator="ann"))
    assert err.value.path == str(path)
    assert err.value.line == line
    assert message in str(err.value)
    assert _state(filled) == before


@pytest.mark.parametrize("case", ["malformed JSON", "not UTF-8", "brat text mismatch", "conll bad tag"])
def test_bad_file_through_the_cli_exits_1(case: str, filled: Any, tmp_path: Path, capsys: Any) -> None:
    path, line, message = _write(tmp_path, case)
    before = _state(filled)
    filled.close()
    code = main(["import", str(filled.path), str(path), "--annotator", "ann"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}" in err and message in err
    with Project.open(filled.path) as reopened:
        assert _state(reopened) == before


def test_a_good_file_then_a_bad_one_imports_nothing(filled: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(_lines({"text": "Nouveau texte.", "spans": [], "answer": "accept"}))
    bad, _, _ = _write(tmp_path, "offsets out of range")
    before = _state(filled)
    with pytest.raises(FormatError):
        import_paths(filled, [good, bad], "auto", ImportOptions(annotator="ann"))
    assert _state(filled) == before
