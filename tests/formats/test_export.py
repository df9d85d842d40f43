"""Exports: what spaCy loads from a .spacy file, losses reported per document, --strict, splits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.formats import ExportLossError, ExportOptions, FormatError, export_project
from desktop.model import Status
from tests.formats.conftest import build_project

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou.\r\nLe Kremlin 😀 a évoqué les États-Unis."


def _at(word: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


SPANS = [
    (*_at("Kirill Dmitriev"), "PER"),
    (*_at("Dmitry Peskov"), "PER"),
    (*_at("Moscou"), "LOC"),
    (*_at("Kremlin"), "ORG"),
    (*_at("États-Unis"), "LOC"),
]


@pytest.fixture
def annotated(tmp_path: Path, fr_tokenize: Any) -> Any:
    docs = [
        (TEXT, SPANS, [(1, 3, "works_for"), (2, 4, "rel")], Status.ACCEPTED),
        ("Rien à signaler ici.", [], [], Status.ACCEPTED),
        (
            "Document rejeté à Paris.",
            [(*_at("Paris", "Document rejeté à Paris."), "LOC")],
            [],
            Status.REJECTED,
        ),
        (
            "Paris et Lyon.",
            [(0, 5, "LOC"), (0, 14, "MISC"), (9, 13, "LOC"), (1, 4, "PER")],
            [(0, 2, "rel")],
            Status.ACCEPTED,
        ),
    ]
    return build_project(tmp_path / "p.db", docs, fr_tokenize)


def _docs(path: Path) -> list[Any]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    return list(DocBin().from_disk(path).get_docs(Vocab()))


def test_spacy_docbin_holds_the_projects_entities(annotated: Any, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    report = export_project(annotated, out, "spacy", ExportOptions(source="alice"))
    docs = _docs(out)
    # The rejected document is not exported; the one without spans is (a negative example).
    assert [d.text for d in docs] == [TEXT, "Rien à signaler ici.", "Paris et Lyon."]
    assert [(e.start_char, e.end_char, e.label_) for e in docs[0].ents] == SPANS
    assert list(docs[1].ents) == []
    assert [(s.start_char, s.end_char, s.label_) for s in docs[2].spans["sc"]] == [
        (0, 14, "MISC"),
        (0, 5, "LOC"),
        (9, 13, "LOC"),
    ]
    assert [(e.start_char, e.end_char) for e in docs[2].ents] == [(0, 14)]
    assert docs[0].user_data["status"] == "accepted"
    assert report.documents == 3
    assert report.lost == {
        "spans not aligned to tokens": 1,
        "overlapping spans not in doc.ents": 2,
        "relations between spans that start at the same token": 1,
    }
    assert [loss.document_id for loss in report.losses] == [annotated.document_ids()[3]]


def test_spacy_relations_in_the_tutorials_layout(annotated: Any, tmp_path: Path) -> None:
    out = tmp_path / "rel.spacy"
    export_project(annotated, out, "spacy", ExportOptions(source="alice"))
    doc = _docs(out)[0]
    rels = doc.user_data[("._.", "rel", None, None)]
    ents = {e.text: e.start for e in doc.ents}
    assert rels[(ents["Dmitry Peskov"], ents["Kremlin"])]["works_for"] == 1.0
    assert rels[(ents["Moscou"], ents["États-Unis"])]["rel"] == 1.0
    assert rels[(ents["Kremlin"], ents["Moscou"])] == {"rel": 0.0, "works_for": 0.0}
    assert sum(v for labels in rels.values() for v in labels.values()) == 2
    assert len(rels) == 5 * 4  # every ordered pair of entity starts, as the tutorial's scorer needs


def test_dev_split_is_by_document_and_seeded(annotated: Any, tmp_path: Path) -> None:
    def split(seed: int) -> tuple[list[str], list[str]]:
        out = tmp_path / f"s{seed}" / "corpus.spacy"
        report = export_project(
            annotated, out, "spacy", ExportOptions(source="alice", dev_split=0.34, seed=seed)
        )
        assert report.paths == [
            str(out.with_name("corpus-train.spacy")),
            str(out.with_name("corpus-dev.spacy")),
        ]
        return (
            [d.text for d in _docs(Path(report.paths[0]))],
            [d.text for d in _docs(Path(report.paths[1]))],
        )

    train, dev = split(1)
    assert len(dev) == 1 and len(train) == 2 and not set(train) & set(dev)
    assert split(1) == (train, dev)


def test_conll_counts_what_it_cannot_hold(annotated: Any, tmp_path: Path) -> None:
    report = export_project(annotated, tmp_path / "x.conll", "conll", ExportOptions(source="alice"))
    assert report.lost == {
        "relations (CoNLL cannot hold them)": 3,
        "overlapping spans (CoNLL cannot hold them)": 2,
        "spans not aligned to tokens": 1,
    }
    lines = (tmp_path / "x.conll").read_text(encoding="utf-8").split("\n")
    assert lines[:4] == ["-DOCSTART- -X- O O", "", "Kirill B-PER", "Dmitriev I-PER"]
    assert "" in lines[lines.index("Moscou B-LOC") : lines.index("Le O")]  # \r\n ends a sentence


def test_strict_refuses_and_writes_nothing(annotated: Any, tmp_path: Path) -> None:
    out = tmp_path / "out" / "strict.conll"
    with pytest.raises(ExportLossError, match="overlapping spans"):
        export_project(annotated, out, "conll", ExportOptions(source="alice", strict=True, dev_split=0.3))
    assert not (tmp_path / "out").exists()


def test_strict_through_the_cli(annotated: Any, tmp_path: Path, capsys: Any) -> None:
    annotated.close()
    out = tmp_path / "strict.conll"
    code = main(["export", str(annotated.path), str(out), "--format", "conll", "--strict"])
    assert code == 1
    assert "nothing written" in capsys.readouterr().err
    assert not out.exists()
    assert main(["export", str(annotated.path), str(out), "--format", "conll"]) == 0
    printed = capsys.readouterr().out
    assert "not exported: 2 overlapping spans (CoNLL cannot hold them)" in printed
    assert out.exists()


def test_strict_brat_folder_is_removed(annotated: Any, tmp_path: Path, fr_tokenize: Any) -> None:
    text = "Ligne un\nLigne deux"
    p = build_project(
        tmp_path / "b.db", [(text, [(6, 9, "MISC")], [], Status.ACCEPTED)], fr_tokenize, annotator="bob"
    )
    with pytest.raises(ExportLossError, match="line breaks"):
        export_project(p, tmp_path / "brat", "brat", ExportOptions(source="bob", strict=True))
    assert not (tmp_path / "brat").exists()


def test_labels_with_spaces_are_a_loss_in_conll_and_brat(tmp_path: Path, fr_tokenize: Any) -> None:
    p = build_project(
        tmp_path / "l.db",
        [("Ana vit à Paris.", [(0, 3, "MY PER"), (10, 15, "LOC")], [(1, 0, "lives in")], Status.ACCEPTED)],
        fr_tokenize,
    )
    conll = export_project(p, tmp_path / "l.conll", "conll", ExportOptions(source="alice"))
    assert conll.lost == {
        "labels with spaces (CoNLL cannot hold them)": 1,
        "relations (CoNLL cannot hold them)": 1,
    }
    brat = export_project(p, tmp_path / "brat", "brat", ExportOptions(source="alice"))
    assert brat.lost == {"labels with spaces (brat cannot hold them)": 2}
    assert (tmp_path / "brat" / "doc000001.ann").read_text() == "T1\tLOC 10 15\tParis\n"


def test_cancelled_export_leaves_no_files(annotated: Any, tmp_path: Path) -> None:
    for fmt in ("spacy", "jsonl", "conll", "doccano", "brat"):
        out = tmp_path / fmt / "out"
        report = export_project(
            annotated, out, fmt, ExportOptions(source="alice"), progress=lambda done, total: False
        )
        assert report.cancelled and report.paths == []
        assert not any(p.is_file() for p in (tmp_path / fmt).rglob("*"))


EARLIER = b"an earlier export\r\nkept \xc3\xa9 as it was\n"


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_refused_strict_export_leaves_an_earlier_file_as_it_was(annotated: Any, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.conll"
    out.write_bytes(EARLIER)
    with pytest.raises(ExportLossError, match="nothing written"):
        export_project(annotated, out, "conll", ExportOptions(source="alice", strict=True))
    assert out.read_bytes() == EARLIER
    assert _listing(folder) == ["out.conll"]


@pytest.mark.parametrize("fmt", ["spacy", "jsonl", "prodigy", "conll", "doccano"])
def test_a_cancelled_export_leaves_earlier_files_as_they_were(
    annotated: Any, tmp_path: Path, fmt: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("out", "out-train", "out-dev"):
        (folder / name).write_bytes(EARLIER)
    for split in (0.0, 0.5):
        report = export_project(
            annotated,
            folder / "out",
            fmt,
            ExportOptions(source="alice", dev_split=split),
            progress=lambda done, total: False,
        )
        assert report.cancelled
    assert _listing(folder) == ["out", "out-dev", "out-train"]
    assert all((folder / name).read_bytes() == EARLIER for name in _listing(folder))


def test_a_refused_brat_export_leaves_an_earlier_folder_as_it_was(tmp_path: Path, fr_tokenize: Any) -> None:
    p = build_project(
        tmp_path / "b.db",
        [("Ligne un\nLigne deux", [(6, 9, "MISC")], [], Status.ACCEPTED)],
        fr_tokenize,
        annotator="bob",
    )
    out = tmp_path / "brat"
    out.mkdir()
    (out / "doc000001.ann").write_bytes(EARLIER)
    (out / "notes.md").write_bytes(EARLIER)
    with pytest.raises(ExportLossError, match="line breaks"):
        export_project(p, out, "brat", ExportOptions(source="bob", strict=True))
    assert _listing(out) == ["doc000001.ann", "notes.md"]
    assert (out / "doc000001.ann").read_bytes() == EARLIER
    report = export_project(p, out, "brat", ExportOptions(source="bob"))
    assert sorted(Path(x).name for x in report.paths) == ["annotation.conf", "doc000001.ann", "doc000001.txt"]
    assert all(Path(x).is_file() for x in report.paths)
    assert (out / "doc000001.ann").read_bytes() != EARLIER
    assert (out / "notes.md").read_bytes() == EARLIER
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".")]


def test_a_successful_export_replaces_the_earlier_file(annotated: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(EARLIER)
    report = export_project(annotated, out, "jsonl", ExportOptions(source="alice"))
    assert report.paths == [str(out)]
    assert out.read_text(encoding="utf-8").count("\n") == report.documents == 3
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".out")]


def test_a_failed_export_leaves_an_earlier_file_as_it_was(annotated: Any, tmp_path: Path) -> None:
    from desktop.formats import registry

    def failing(project: Any, out: Path, options: Any, progress: Any) -> Any:
        out.write_text("half an export", encoding="utf-8")
        raise OSError("disk full")

    out = tmp_path / "out.txt"
    out.write_bytes(EARLIER)
    registry.register(registry.Format("failing", "test format", writer=failing))
    try:
        with pytest.raises(OSError, match="disk full"):
            export_project(annotated, out, "failing", ExportOptions(source="alice"))
    finally:
        registry.FORMATS.pop("failing", None)
    assert out.read_bytes() == EARLIER
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".out")]


def test_an_export_onto_a_folder_is_an_error_that_changes_nothing(annotated: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.mkdir()
    (out / "keep.txt").write_bytes(EARLIER)
    with pytest.raises(FormatError, match="is a folder"):
        export_project(annotated, out, "jsonl", ExportOptions(source="alice"))
    assert _listing(out) == ["keep.txt"]
