"""Merging annotators' copies of a project, and annotated JSONL, into one project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.formats.base import FormatError
from desktop.formats.exporter import resolve_source
from desktop.model import GOLD, AnnotatorKind, LabelScheme, Status
from desktop.store import Project
from desktop.team import merge_paths
from tests.annotated import add_document, annotate

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou ."
OTHER = "Vladimir Poutine est à Moscou ."
MODEL = "fr_core_news_sm-3.8.0"
T1, T2, T3 = "2026-01-01T10:00:00.000+00:00", "2026-01-02T10:00:00.000+00:00", "2026-01-03T10:00:00.000+00:00"


@pytest.fixture
def base(tmp_path: Path, scheme: LabelScheme) -> Path:
    """The shared project: one document with the model's suggestions, closed as on disk."""
    path = tmp_path / "project.db"
    with Project.create(path, scheme=scheme) as p:
        d = add_document(p, TEXT)
        annotate(p, d, MODEL, [(0, 15, "PER"), (44, 50, "LOC")], kind=AnnotatorKind.MODEL, updated_at=T1)
    return path


def copy(base: Path, name: str) -> Path:
    out = base.with_name(f"{name}.db")
    shutil.copy(base, out)
    return out


def state(path: Path) -> dict[str, object]:
    """Everything a merge may change, to compare before and after."""
    with Project.open(path) as p:
        anns = {
            (d, a.annotator): (
                a.updated_at,
                a.status,
                a.reviewer,
                sorted(s.key for s in a.spans),
                len(a.relations),
            )
            for d in p.document_ids()
            for a in p.annotations_of(d)
        }
        return {
            "docs": p.document_count(),
            "anns": anns,
            "log": len(p.edit_log()),
            "scheme": p.scheme.to_dict(),
            "annotators": [a.name for a in p.annotators()],
        }


@pytest.fixture
def copies(base: Path) -> tuple[Path, Path]:
    alice, bruno = copy(base, "alice"), copy(base, "bruno")
    with Project.open(alice) as p:
        d = p.document_ids()[0]
        annotate(
            p,
            d,
            "alice",
            [(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")],
            [(1, 2, "porte_parole")],
            updated_at=T2,
        )
        new = add_document(p, OTHER)
        annotate(p, new, "alice", [(0, 16, "PER"), (24, 30, "LOC")], updated_at=T2)
    with Project.open(bruno) as p:
        d = p.document_ids()[0]
        annotate(p, d, "bruno", [(0, 15, "PER"), (28, 41, "ORG")], status=Status.IN_PROGRESS, updated_at=T2)
    return alice, bruno


def test_merge_brings_annotations_documents_and_annotators(base: Path, copies) -> None:
    alice, bruno = copies
    with Project.open(base) as p:
        report = merge_paths(p, [alice, bruno])
        assert p.document_count() == 2
        assert {a.name for a in p.annotators()} == {MODEL, "alice", "bruno"}
        d1 = p.document_id_by_hash(p.document(p.document_ids()[0]).hash)
        a = p.annotation(d1, "alice")
        assert [s.key for s in a.spans] == [(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")]
        assert len(a.relations) == 1 and a.updated_at == T2
        assert p.annotation(d1, "bruno").status == Status.IN_PROGRESS
        new = [i for i in p.document_ids() if i != d1][0]
        assert p.document(new).text == OTHER and p.document(new).meta == {"source": "test"}
        assert len(p.document(new).tokens) == 6
    fa, fb = report.files
    assert (fa.documents_added, fa.added, fa.unchanged, fa.conflicts) == (1, 2, 1, [])
    assert (fb.documents_added, fb.added, fb.unchanged) == (0, 1, 1)  # model: unchanged


def test_merging_twice_changes_nothing(base: Path, copies) -> None:
    alice, bruno = copies
    with Project.open(base) as p:
        merge_paths(p, [alice, bruno])
    before = state(base)
    with Project.open(base) as p:
        report = merge_paths(p, [alice, bruno, alice])
    assert not report.changed
    assert all(not f.conflicts and not f.added for f in report.files)
    assert state(base) == before


def test_conflicts_are_reported_and_the_newest_wins(base: Path, copies) -> None:
    alice, _ = copies
    with Project.open(base) as p:
        merge_paths(p, [alice])
    with Project.open(alice) as p:  # alice goes on working in her copy
        d = p.document_ids()[0]
        annotate(p, d, "alice", [(0, 15, "PER")], updated_at=T3)
    with Project.open(base) as p:
        report = merge_paths(p, [alice])
        d = p.document_ids()[0]
        assert [s.key for s in p.annotation(d, "alice").spans] == [(0, 15, "PER")]
    (conflict,) = report.files[0].conflicts
    assert (conflict.document_id, conflict.annotator, conflict.kept) == (d, "alice", "incoming")
    assert report.files[0].replaced == 1

    stale = copy(base, "stale")
    with Project.open(stale) as p:  # an older, different version of the same work
        annotate(p, d, "alice", [(28, 41, "PER")], updated_at=T1)
    with Project.open(base) as p:
        report = merge_paths(p, [stale])
        assert [s.key for s in p.annotation(d, "alice").spans] == [(0, 15, "PER")]
    assert [c.kept for c in report.files[0].conflicts] == ["project"]
    assert report.files[0].kept == 1


def test_gold_and_reviewer_names_survive_a_merge(base: Path) -> None:
    review = copy(base, "review")
    with Project.open(review) as p:
        annotate(
            p,
            p.document_ids()[0],
            GOLD,
            [(0, 15, "PER")],
            reviewer="rémi",
            kind=AnnotatorKind.GOLD,
            updated_at=T2,
        )
    with Project.open(base) as p:
        merge_paths(p, [review])
        assert p.annotator_kind(GOLD) == AnnotatorKind.GOLD
        assert resolve_source(p, "gold") == GOLD
        ((_, gold),) = list(p.iter_annotations(GOLD, [Status.ACCEPTED]))
        assert gold.reviewer == "rémi" and [s.key for s in gold.spans] == [(0, 15, "PER")]


def test_new_labels_join_the_scheme_and_kinds_must_agree(base: Path) -> None:
    other = copy(base, "other")
    with Project.open(other) as p:
        annotate(p, p.document_ids()[0], "alice", [(0, 15, "EVENT")])
    with Project.open(base) as p:
        report = merge_paths(p, [other])
        assert "EVENT" in p.scheme.entity_names
    assert report.files[0].labels_added == ["EVENT"]

    clash = copy(base, "clash")
    with Project.open(clash) as p:
        annotate(p, p.document_ids()[0], "bruno", [(0, 15, "PER")], kind=AnnotatorKind.MODEL)
    with Project.open(base) as p:
        annotate(p, p.document_ids()[0], "bruno", [(0, 15, "PER")])
    before = state(base)
    with Project.open(base) as p, pytest.raises(FormatError, match="bruno"):
        merge_paths(p, [clash])
    assert state(base) == before


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


def test_annotated_jsonl_with_annotator_ids_merges_the_same_way(base: Path, tmp_path: Path) -> None:
    records = [
        {
            "text": TEXT,
            "_annotator_id": "ner-alice",
            "answer": "accept",
            "_timestamp": 1767261600,
            "spans": [
                {"start": 0, "end": 15, "label": "PER"},
                {"start": 28, "end": 41, "label": "PER"},
                {"start": 44, "end": 50, "label": "LOC"},
            ],
            "relations": [
                {
                    "head": 4,
                    "child": 7,
                    "label": "porte_parole",
                    "head_span": {"start": 28, "end": 41, "label": "PER"},
                    "child_span": {"start": 44, "end": 50, "label": "LOC"},
                }
            ],
        },
        {"text": TEXT, "_annotator_id": "ner-bruno", "answer": "reject", "spans": []},
        {
            "text": OTHER,
            "_annotator_id": "ner-alice",
            "meta": {"id": 7},
            "spans": [{"start": 0, "end": 16, "label": "PER", "token_start": 0, "token_end": 1}],
            "relations": [{"head": 5, "child": 1, "label": "partenaire"}],
        },
    ]
    path = write_jsonl(tmp_path / "annotations.jsonl", records)
    with Project.open(base) as p:
        report = merge_paths(p, [path])
        assert p.document_count() == 2
        d1 = p.document_ids()[0]
        alice = p.annotation(d1, "alice")  # Prodigy's `dataset-name` session: the name
        assert len(alice.spans) == 3 and alice.status == Status.ACCEPTED
        assert alice.updated_at.startswith("2026-01-01T10:00:00")
        (rel,) = alice.relations
        assert (alice.span_by_id(rel.head).key, alice.span_by_id(rel.child).key) == (
            (28, 41, "PER"),
            (44, 50, "LOC"),
        )
        assert p.annotation(d1, "bruno").status == Status.REJECTED
        d2 = [i for i in p.document_ids() if i != d1][0]
        assert p.document(d2).meta == {"id": 7}
        span = p.annotation(d2, "alice").spans[0]
        assert (span.token_start, span.token_end) == (0, 2)  # Etiquette's own tokens
    assert report.files[0].added == 3 and report.files[0].documents_added == 1
    # A relation whose end is no span of the record is counted, as `etiquette import` does.
    assert sum(report.files[0].not_imported.values()) == 1
    before = state(base)
    with Project.open(base) as p:
        assert not merge_paths(p, [path]).changed
    assert state(base) == before


def test_jsonl_without_annotator_needs_one_named(base: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": TEXT, "spans": [], "answer": "accept"}])
    with Project.open(base) as p:
        with pytest.raises(FormatError, match=r"a\.jsonl:1: .*--annotator"):
            merge_paths(p, [path])
        merge_paths(p, [path], annotator="chloé")
        assert p.annotation(p.document_ids()[0], "chloé") is not None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            {"text": TEXT, "_annotator_id": "x", "spans": [{"start": 40, "end": 99, "label": "PER"}]},
            "out of range",
        ),
        ({"text": TEXT, "_annotator_id": "x", "spans": [{"start": 0, "end": 4}]}, "no label"),
        ({"text": TEXT, "_annotator_id": "x", "answer": "maybe"}, "answer"),
        ({"text": TEXT, "_annotator_id": "x", "_timestamp": "yesterday", "answer": "accept"}, "_timestamp"),
    ],
)
def test_bad_jsonl_names_file_and_line_and_changes_nothing(
    base: Path, tmp_path: Path, line: object, message: str
) -> None:
    good = {"text": OTHER, "_annotator_id": "x", "spans": []}
    path = write_jsonl(tmp_path / "bad.jsonl", [good, line])
    before = state(base)
    with Project.open(base) as p, pytest.raises(FormatError, match=f"bad.jsonl:2: .*{message}"):
        merge_paths(p, [path])
    assert state(base) == before


def test_cli_merge_and_its_exit_codes(base: Path, copies, tmp_path: Path, capsys) -> None:
    alice, bruno = copies
    assert main(["merge", str(base), str(alice), str(bruno)]) == 0
    out = capsys.readouterr().out
    assert "1 new" in out and "merged" in out
    assert main(["merge", str(base), str(alice)]) == 0
    assert "nothing new" in capsys.readouterr().out

    before = state(base)
    notes = tmp_path / "notes.db"
    notes.write_text("not a database", encoding="utf-8")
    bad = write_jsonl(tmp_path / "bad.jsonl", ["{oops"])
    cases = [
        ([str(notes)], "notes.db"),
        ([str(tmp_path / "missing.db")], "no such file"),
        ([str(alice), str(bad)], "bad.jsonl:1"),
        ([str(base)], "the project itself"),
    ]
    for args, message in cases:
        assert main(["merge", str(base), *args]) == 1
        assert message in capsys.readouterr().err
    assert state(base) == before


def test_a_failed_merge_leaves_project_and_open_handle_as_they_were(base: Path, tmp_path: Path) -> None:
    good = write_jsonl(
        tmp_path / "good.jsonl",
        [
            {
                "text": OTHER,
                "_annotator_id": "chloé",
                "answer": "accept",
                "spans": [{"start": 0, "end": 16, "label": "EVENT"}],
            }
        ],
    )
    clash = copy(base, "clash")
    with Project.open(clash) as p:
        annotate(p, p.document_ids()[0], "chloé", [(0, 15, "PER")], kind=AnnotatorKind.MODEL)
    before = state(base)
    with Project.open(base) as p:
        with pytest.raises(FormatError, match="chloé"):
            merge_paths(p, [good, clash])
        # The same open project goes on working: no cached annotator or label from the rollback.
        assert p.annotator_kind("chloé") is None and "EVENT" not in p.scheme.entity_names
        merge_paths(p, [good])
        assert p.annotation(p.document_ids()[-1], "chloé") is not None
        assert "EVENT" in p.scheme.entity_names
    assert state(base) != before


def test_a_copy_only_looked_at_never_beats_finished_work(base: Path, capsys) -> None:
    accepted, looked = copy(base, "alice"), copy(base, "laptop")
    with Project.open(accepted) as p:
        annotate(p, 1, "alice", [(0, 15, "PER"), (28, 41, "PER")], updated_at=T1)
    with Project.open(looked) as p:  # the same name, on another machine: opened, not finished
        annotate(p, 1, "alice", [(0, 15, "PER")], status=Status.TODO, updated_at=T3)
    assert main(["merge", str(base), str(accepted), str(looked)]) == 0
    out = capsys.readouterr().out
    with Project.open(base) as p:
        ann = p.annotation(1, "alice")
        assert ann.status == Status.ACCEPTED and len(ann.spans) == 2
    assert f"kept the project version (finished); project accepted {T1}, incoming todo {T3}" in out

    # The other way round: the unfinished version is in the project, the finished one comes in.
    other = base.with_name("other.db")
    shutil.copy(base, other)
    with Project.open(other) as p:
        annotate(p, 1, "alice", [(0, 15, "PER")], status=Status.IN_PROGRESS, updated_at=T3)
    with Project.open(other) as p:
        report = merge_paths(p, [accepted])
        assert p.annotation(1, "alice").status == Status.ACCEPTED
    (conflict,) = report.files[0].conflicts
    assert (conflict.kept, conflict.reason) == ("incoming", "finished")


def test_between_two_finished_versions_the_newest_wins_and_both_are_named(base: Path, capsys) -> None:
    first, second = copy(base, "monday"), copy(base, "tuesday")
    with Project.open(first) as p:
        annotate(p, 1, "alice", [(0, 15, "PER")], updated_at=T1)
    with Project.open(second) as p:
        annotate(p, 1, "alice", [(0, 15, "PER")], status=Status.REJECTED, updated_at=T2)
    assert main(["merge", str(base), str(first), str(second)]) == 0
    out = capsys.readouterr().out
    with Project.open(base) as p:
        assert p.annotation(1, "alice").status == Status.REJECTED
    assert f"kept the incoming version (newest); project accepted {T1}, incoming rejected {T2}" in out


def test_a_merged_document_keeps_its_sentences_and_file_fields(tmp_path: Path, scheme: LabelScheme) -> None:
    from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths

    given = "-DOCSTART- -X- O O\n\nLe O\nMonde B-ORG\n\nà O\nParis B-LOC\n\n"
    (tmp_path / "in.conll").write_text(given, encoding="utf-8")
    with Project.create(tmp_path / "alice.db", scheme=scheme) as p:
        import_paths(p, [tmp_path / "in.conll"], "conll", ImportOptions(annotator="alice"))
    with Project.create(tmp_path / "team.db", scheme=scheme) as p:
        merge_paths(p, [tmp_path / "alice.db"])
        export_project(p, tmp_path / "out.conll", "conll", ExportOptions(source="alice"))
    assert (tmp_path / "out.conll").read_text(encoding="utf-8") == given
