"""Reading doccano, brat, CoNLL and .spacy files as other tools write them, and `--format auto`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.formats import ImportOptions, import_paths
from tests.formats.conftest import seen

GOOGLE = "Google was founded on September 4, 1998, by Larry Page and Sergey Brin."


def _texts(project: Any, annotator: str = "imported") -> list[list[tuple[str, str]]]:
    return [[(text[s:e], label) for s, e, label in spans] for text, _, spans, _ in seen(project, annotator)]


# --- doccano -------------------------------------------------------------------------------------


def test_doccano_pretty_printed_relation_form(tmp_path: Path, project: Any) -> None:
    record = {
        "text": GOOGLE,
        "entities": [
            {"id": 10, "start_offset": 0, "end_offset": 6, "label": "ORG"},
            {"id": 11, "start_offset": 22, "end_offset": 39, "label": "DATE"},
            {"id": 12, "start_offset": 44, "end_offset": 54, "label": "PERSON"},
        ],
        "relations": [
            {"id": 0, "from_id": 10, "to_id": 11, "type": "foundedAt"},
            {"id": 1, "from_id": 10, "to_id": 12, "type": "foundedBy"},
        ],
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record, indent=4) + "\n" + json.dumps(record, indent=2))
    report = import_paths(project, [path])
    assert (report.files[0].format, report.files[0].records, report.duplicates) == ("doccano", 2, 1)
    [(text, _, spans, rels)] = seen(project, "imported")
    words = {k: text[k[0] : k[1]] for k in spans}
    assert sorted((words[h], words[c], label) for h, c, label in rels) == [
        ("Google", "Larry Page", "foundedBy"),
        ("Google", "September 4, 1998", "foundedAt"),
    ]


def test_doccano_label_triples_and_renamed_columns(tmp_path: Path, project: Any) -> None:
    path = tmp_path / "columns.jsonl"
    path.write_text(
        '{"column_data": "EU rejects German call.", "column_label": [[0, 2, "ORG"]]}\n'
        '{"data": "Peter Blackburn", "label": [[0, 15, "PERSON"], [0, 15, "PERSON"]]}\n'
        '{"text": "President Obama", "labels": [[10, 15, "PERSON"]], "meta": {"id": 7}}\n'
    )
    report = import_paths(project, [path], "doccano", ImportOptions(annotator="dan"))
    assert report.spans == 3 and report.files[0].not_imported == {"duplicate spans": 1}
    assert sorted(_texts(project, "dan")) == [
        [("EU", "ORG")],
        [("Obama", "PERSON")],
        [("Peter Blackburn", "PERSON")],
    ]


def test_doccano_one_annotator_per_user(tmp_path: Path, project: Any) -> None:
    path = tmp_path / "multi.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": 1,
                "text": "JAPAN GET LUCKY WIN",
                "annotations": [
                    {"label": 12, "start_offset": 0, "end_offset": 5, "user": 1},
                    {"label": 12, "start_offset": 0, "end_offset": 5, "user": 2},
                    {"label": 13, "start_offset": 10, "end_offset": 15, "user": 2},
                ],
            }
        )
        + "\n"
    )
    import_paths(project, [path])
    assert _texts(project, "user1") == [[("JAPAN", "12")]]
    assert _texts(project, "user2") == [[("JAPAN", "12"), ("LUCKY", "13")]]


# --- brat ----------------------------------------------------------------------------------------


def test_brat_folder_counts_what_it_does_not_import(tmp_path: Path, project: Any) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    text = "Ed O'Neil works for Acme in\nNew York. He left.\n"
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "annotation.conf").write_text(
        "[entities]\nPerson\nOrganization\nGPE\n[relations]\nEmployment Arg1:Person, Arg2:GPE\n"
        "[events]\n!Life\n\tEnd-position Person-Arg:Person\n[attributes]\n"
    )

    def at(word: str) -> str:
        i = text.index(word)
        return f"{i} {i + len(word)}"

    i, n = text.index("in\nNew"), text.index("New")
    person = at("Ed O'Neil")
    ann = (
        f"T1\tPerson {person}\tEd O'Neil\n"
        f"T2\tOrganization {at('Acme')}\tAcme\n"
        f"T3\tGPE {i} {i + 2};{n} {n + 8}\tin New York\n"
        f"T4\tGPE {n} {n + 3};{n + 4} {n + 8}\tNew York\n"
        f"T5\tEnd-position {at('left')}\tleft\n"
        "R1\tEmployment Arg1:T1 Arg2:T2\n"
        "R2\tLocated Arg1:T2 Arg2:T4\n"
        "E1\tEnd-position:T5 Person-Arg:T1\n"
        "A1\tNegation E1\n"
        "*\tAlias T1 T2\n"
        "#1\tAnnotatorNotes T1\tcheck this\n"
        "N1\tReference T1 Wikipedia:123\tEd\n"
    )
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    report = import_paths(project, [folder])
    f = report.files[0]
    assert f.format == "brat" and f.records == 1
    assert f.not_imported == {
        "brat discontinuous spans": 1,
        "brat event triggers": 1,
        "brat events": 1,
        "brat attributes": 1,
        "brat equivalences": 1,
        "brat notes": 1,
        "brat normalizations": 1,
        "brat relations to annotations not imported": 1,
    }
    assert _texts(project) == [[("Ed O'Neil", "Person"), ("Acme", "Organization"), ("in\nNew York", "GPE")]]
    [(_, _, _, rels)] = seen(project, "imported")
    assert [r[2] for r in rels] == ["Employment"]


# --- CoNLL ---------------------------------------------------------------------------------------


CONLL_CASES = {
    "iob2 with docstart": (
        "-DOCSTART- -X- O O\n\nJAPAN NNP B-LOC\nGET VB O\n\nNadim B-PER\n"
        "Ladki I-PER\n\n-DOCSTART- -X- O O\n\nAL-AIN\tB-LOC\n,\tO\n",
        ["JAPAN GET Nadim Ladki", "AL-AIN ,"],
        [[("JAPAN", "LOC"), ("Nadim Ladki", "PER")], [("AL-AIN", "LOC")]],
    ),
    "iob1 without breaks": (
        "Le I-ORG\nMonde I-ORG\nà O\nParis I-LOC\nI-LOC B-LOC\n",
        ["Le Monde à Paris I-LOC"],
        [[("Le Monde", "ORG"), ("Paris", "LOC"), ("I-LOC", "LOC")]],
    ),
    "biluo": (
        "San B-LOC\nFrancisco L-LOC\nand O\nRome U-LOC\n",
        ["San Francisco and Rome"],
        [[("San Francisco", "LOC"), ("Rome", "LOC")]],
    ),
    "sentences without docstart": (
        "JAPAN\tB-LOC\nGET\tO\n\nNadim\tB-PER\nLadki\tI-PER\n\n\n",
        ["JAPAN GET", "Nadim Ladki"],
        [[("JAPAN", "LOC")], [("Nadim Ladki", "PER")]],
    ),
    "word|tag lines": (
        "I|O like|O London|I-GPE and|O New|B-GPE York|I-GPE .|O\nI|PRP|O love|VBP|O Rome|NNP|B-GPE\n",
        ["I like London and New York .", "I love Rome"],
        [[("London", "GPE"), ("New York", "GPE")], [("Rome", "GPE")]],
    ),
}


@pytest.mark.parametrize("case", sorted(CONLL_CASES))
def test_conll_variants(case: str, tmp_path: Path, project: Any) -> None:
    content, texts, spans = CONLL_CASES[case]
    path = tmp_path / ("x.iob" if "|" in content else "x.conll")
    path.write_text(content, encoding="utf-8")
    report = import_paths(project, [path])
    assert report.files[0].format == "conll"
    docs = [
        (d.text, [(d.text[s.start : s.end], s.label) for s in a.spans])
        for d, a in project.iter_annotations("imported")
    ]
    assert [d[0] for d in docs] == texts
    assert [d[1] for d in docs] == spans


# --- .spacy from elsewhere, and `auto` -----------------------------------------------------------


def test_spacy_file_made_by_spacy(tmp_path: Path, project: Any) -> None:
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    doc = Doc(
        Vocab(),
        words=["I", "'m", "seeing", "Ed", "Sheeran", "!"],
        spaces=[False, True, True, True, False, False],
    )
    doc.ents = [Span(doc, 3, 5, "PERSON")]
    doc.spans["other"] = [Span(doc, 2, 3, "VERB")]
    DocBin(docs=[doc]).to_disk(tmp_path / "tweets.spacy")
    report = import_paths(project, [tmp_path / "tweets.spacy"])
    assert report.files[0].not_imported == {"spans under doc.spans['other']": 1}
    assert _texts(project) == [[("Ed Sheeran", "PERSON")]]


def test_auto_says_which_format_it_chose(tmp_path: Path, project: Any, capsys: Any) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plain.txt").write_text("Un texte simple.")
    (tmp_path / "in" / "docs.jsonl").write_text('{"text": "Juste du texte.", "meta": {"a": 1}}\n')
    (tmp_path / "in" / "tasks.jsonl").write_text(
        '{"text": "Paris.", "spans": [{"start": 0, "end": 5, "label": "LOC"}]}\n'
    )
    (tmp_path / "in" / "dc.jsonl").write_text('{"text": "Lyon.", "label": [[0, 4, "LOC"]]}\n')
    (tmp_path / "in" / "tags.txt").write_text("Nice B-LOC\n. O\n")
    project.close()
    assert main(["import", str(project.path), str(tmp_path / "in")]) == 0
    out = capsys.readouterr().out
    for name, fmt in [
        ("plain.txt", "text"),
        ("docs.jsonl", "jsonl"),
        ("tasks.jsonl", "prodigy"),
        ("dc.jsonl", "doccano"),
        ("tags.txt", "conll"),
    ]:
        assert f"{name}: {fmt}," in out
