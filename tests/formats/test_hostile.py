"""Hostile or broken files: one FormatError naming the file and line, the project as it was.

Each case is a file that today's tools (or a person with an editor) can write and that once came
out as a Python traceback, or as a line that named no file.
"""

from __future__ import annotations

import functools
import json
import math
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import srsly

from desktop.cli import main
from desktop.formats import FormatError, ImportOptions, import_paths
from desktop.store import Project
from tests.formats.fuzz import fingerprint

TEXT = "Ana vit à Paris."
OK_SPAN = {"start": 0, "end": 3, "label": "PER"}


def _jsonl(*objs: Any, ascii_only: bool = True) -> bytes:
    return "".join(
        (o if isinstance(o, str) else json.dumps(o, ensure_ascii=ascii_only)) + "\n" for o in objs
    ).encode("utf-8")


def _task(**fields: Any) -> dict[str, Any]:
    return {"text": TEXT, "spans": [OK_SPAN], "answer": "accept", **fields}


def _docbin(change: Callable[[dict[str, Any]], None] | None = None, user: Any = None) -> Callable[[], bytes]:
    """A DocBin of two documents, made when the test runs; `user` goes into the second one's
    user_data, `change` edits the msgpack message before it is compressed."""
    return lambda: _make_docbin(change, user or {})


def _make_docbin(change: Callable[[dict[str, Any]], None] | None, user: dict[Any, Any]) -> bytes:
    from spacy.tokens import DocBin

    nlp = _blank()
    docbin = DocBin(store_user_data=True)
    for i, text in enumerate(["Ana vit à Paris.", "Léa vit à Lyon."]):
        doc = nlp(text)
        doc.ents = [doc.char_span(0, 3, label="PER")]
        if i == 1:
            doc.user_data.update(user)
        docbin.add(doc)
    msg = srsly.msgpack_loads(zlib.decompress(docbin.to_bytes()))
    if change is not None:
        change(msg)
    return zlib.compress(srsly.msgpack_dumps(msg))


@functools.cache
def _blank() -> Any:
    import spacy

    return spacy.blank("fr")


def _drop_strings(msg: dict[str, Any]) -> None:
    msg["strings"] = [s for s in msg["strings"] if s not in {"Léa", "Lyon"}]


def _extra_data(msg: dict[str, Any]) -> None:
    msg["user_data"][1] += b"\x01"


def _flags_of_one(msg: dict[str, Any]) -> None:
    msg["flags"] = msg["flags"][:1]  # spaCy's get_docs: IndexError on the second document


REL = ("._.", "rel", None, None)

CASES: dict[str, tuple[str, bytes | Callable[[], bytes], int | None, str]] = {
    "Prodigy answer is a list": ("t.jsonl", _jsonl(_task(), _task(answer=["accept"])), 2, "unknown answer"),
    "Prodigy answer is an object": ("t.jsonl", _jsonl(_task(answer={"a": 1})), 1, "unknown answer"),
    "doccano entity id is a list": (
        "d.jsonl",
        _jsonl({"text": TEXT, "entities": [{"id": [1], "start_offset": 0, "end_offset": 3, "label": "PER"}]}),
        1,
        "entity `id`",
    ),
    "doccano relation ids are objects": (
        "d.jsonl",
        _jsonl(
            {
                "text": TEXT,
                "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PER"}],
                "relations": [{"from_id": {"a": 1}, "to_id": 1, "type": "x"}],
            }
        ),
        1,
        "entity ids",
    ),
    "JSON nested 3,000 levels (JSONL)": ("n.jsonl", _jsonl(_task(), "[" * 3000 + "]" * 3000), 2, "JSON"),
    "JSON nested 3,000 levels (pretty JSON)": (
        "n.json",
        _jsonl({"text": TEXT, "label": [[0, 3, "PER"]]}, '{"a":' * 3000 + "1" + "}" * 3000),
        2,
        "nested too deeply",
    ),
    "lone surrogate in a text": ("s.jsonl", _jsonl({"text": "Ana \ud800 vit."}), 1, "lone surrogate"),
    "lone surrogate in a label": (
        "s.jsonl",
        _jsonl(_task(spans=[{**OK_SPAN, "label": "P\udc00R"}])),
        1,
        "lone surrogate",
    ),
    "lone surrogate in metadata": (
        "s.jsonl",
        _jsonl({"text": TEXT, "meta": {"a": "\ud83d"}}),
        1,
        "surrogate",
    ),
    "lone surrogate in a field Etiquette keeps for the export": (
        "s.jsonl",
        _jsonl(_task(note="x\udc80")),
        1,
        "lone surrogate",
    ),
    "lone surrogate in a field of a text seen before": (
        "s.jsonl",
        _jsonl(_task(), _task(note="s\ud800")),
        2,
        "lone surrogate",
    ),
    "NUL in a text": ("z.jsonl", _jsonl({"text": TEXT}, {"text": "Ana\x00 vit."}), 2, "NUL character"),
    "label with a tab": ("l.jsonl", _jsonl(_task(spans=[{**OK_SPAN, "label": "PER\tX"}])), 1, "a tab"),
    "label with a line break": (
        "l.jsonl",
        _jsonl(_task(spans=[{**OK_SPAN, "label": "PER\n"}])),
        1,
        "line break",
    ),
    "blank label": ("l.jsonl", _jsonl(_task(spans=[{**OK_SPAN, "label": "   "}])), 1, "blank"),
    "relation label with a control character": (
        "r.jsonl",
        _jsonl(
            {
                "text": TEXT,
                "entities": [
                    {"id": 1, "start_offset": 0, "end_offset": 3, "label": "PER"},
                    {"id": 2, "start_offset": 10, "end_offset": 15, "label": "LOC"},
                ],
                "relations": [{"from_id": 1, "to_id": 2, "type": "vit\x1b[31m"}],
            }
        ),
        1,
        "control character",
    ),
    "brat label with a control character": ("doc.ann", b"T1\tPER\x07 0 3\tAna\n", 1, "control character"),
    "CoNLL empty token": ("e.iob", b"Ana|B-PER vit|O\n|O Paris|B-LOC\n", 2, "token is empty"),
    "spaCy strings missing (E018, while iterating)": ("m.spacy", _docbin(_drop_strings), 2, "E018"),
    "spaCy user data with extra bytes": ("x.spacy", _docbin(_extra_data), 2, "extra data"),
    "spaCy flags of one document for two (IndexError)": ("i.spacy", _docbin(_flags_of_one), 2, "IndexError"),
    "spaCy meta is bytes": ("b.spacy", _docbin(user={"meta": b"\x00\x01"}), 2, "bytes"),
    "spaCy _.rel is a list": ("r.spacy", _docbin(user={REL: [1, 2]}), 2, "doc._.rel must be a dict"),
    "spaCy relation scores are strings": (
        "r.spacy",
        _docbin(user={REL: {(0, 3): {"vit_a": "1.0"}}}),
        2,
        "scores",
    ),
    "spaCy status is a list": ("s.spacy", _docbin(user={"status": ["accepted"]}), 2, "status"),
    "metadata that JSON cannot hold": (
        "b.spacy",
        _docbin(user={"meta": {"when": b"x"}}),
        2,
        "JSON cannot hold",
    ),
}


def _write(tmp_path: Path, case: str) -> tuple[Path, int | None, str]:
    name, data, line, message = CASES[case]
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data())
    if name.endswith(".ann"):
        (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    return path, line, message


@pytest.fixture
def filled(project: Project, tmp_path: Path) -> Project:
    first = tmp_path / "first"
    first.mkdir()
    (first / "ok.jsonl").write_bytes(_jsonl(_task(text="Déjà là.", spans=[])))
    import_paths(project, [first / "ok.jsonl"], "auto", ImportOptions(annotator="ann"))
    return project


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_one_error_naming_file_and_line(case: str, filled: Project, tmp_path: Path) -> None:
    path, line, message = _write(tmp_path, case)
    before = fingerprint(filled.path)
    with pytest.raises(FormatError) as err:
        import_paths(filled, [path], "auto", ImportOptions(annotator="ann"))
    assert err.value.path == str(path)
    assert err.value.line == line
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert fingerprint(filled.path) == before


@pytest.mark.parametrize(
    "case", ["Prodigy answer is a list", "spaCy strings missing (E018, while iterating)", "CoNLL empty token"]
)
def test_hostile_file_through_the_cli_is_one_line_and_exit_1(
    case: str, filled: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, line, message = _write(tmp_path, case)
    filled.close()
    before = fingerprint(filled.path)
    assert main(["import", str(filled.path), str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}:{line}: " in err and message in err
    assert fingerprint(filled.path) == before


def test_nan_in_metadata_is_stored_as_null_and_counted(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "nan.jsonl"
    path.write_text(json.dumps({"text": TEXT, "meta": {"score": math.nan, "max": math.inf, "n": 2}}) + "\n")
    report = import_paths(project, [path])
    assert report.files[0].not_imported == {"metadata values NaN or Infinity (stored as null)": 2}
    raw = project.db.execute("SELECT meta FROM documents").fetchone()[0]
    assert json.loads(raw, parse_constant=lambda c: pytest.fail(f"{c} stored")) == {
        "score": None,
        "max": None,
        "n": 2,
    }


def test_a_text_over_the_size_limit_is_refused_naming_the_limit(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(_jsonl({"text": "court"}, {"text": "x" * 1001}))
    with pytest.raises(FormatError) as err:
        import_paths(project, [path], options=ImportOptions(max_chars=1000))
    assert err.value.line == 2
    assert "limit of 1,000" in str(err.value) and "--max-chars" in str(err.value)
    assert project.document_count() == 0
    report = import_paths(project, [path], options=ImportOptions(max_chars=2000))
    assert report.added == 2


def test_a_spacy_file_expanding_past_the_limit_is_refused_before_spacy_reads_it(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "bomb.spacy"
    path.write_bytes(zlib.compress(b"\x00" * (3 * 2**20), 9))
    with pytest.raises(FormatError) as err:
        import_paths(project, [path], options=ImportOptions(max_spacy_bytes=2**20))
    assert str(err.value).startswith(f"{path}: decompresses to more than")
    assert "limit of 1.0 MB" in str(err.value) and "--max-spacy-mb" in str(err.value)


def test_a_record_longer_than_the_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    from desktop.formats.files import iter_json_lines, iter_json_objects

    path = tmp_path / "long.jsonl"
    path.write_bytes(_jsonl({"text": "court"}, {"text": "x" * 5000}, {"text": "jamais lu"}))
    for reader in (iter_json_lines, iter_json_objects):
        records = reader(path, 1000)
        assert next(records)[1] == {"text": "court"}
        with pytest.raises(FormatError) as err:
            next(records)
        assert err.value.line == 2 and "longer than 1,000 bytes" in err.value.message


def test_pretty_printed_objects_are_read_one_at_a_time(tmp_path: Path) -> None:
    from desktop.formats.files import iter_json_objects

    path = tmp_path / "pretty.json"
    objs = [{"text": f"Texte {i}", "label": [[0, 5, "MISC"]], "meta": {"n": {"i": i}}} for i in range(3)]
    path.write_text(
        "\n".join(json.dumps(o, indent=4) for o in objs) + '\n{"text": "cassé",\n', encoding="utf-8"
    )
    records = iter_json_objects(path)
    assert [next(records) for _ in range(3)] == [(1 + 15 * i, o) for i, o in enumerate(objs)]
    with pytest.raises(FormatError) as err:
        next(records)
    assert err.value.line == 47 and "not valid JSON" in err.value.message
