"""Prodigy JSONL: relations tasks, answers, annotators, hashes, and spans without tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths
from desktop.model import Status
from tests.formats.conftest import build_project, new_project, seen

TEXT = "Smad-phosphorylation of Id1 mRNA and IRF-4 protein binds interferon regulatory factor 4."


def _tokens(text: str, disabled: set[int]) -> list[dict[str, Any]]:
    # Tokens as Prodigy's relations recipe writes them, `disabled` included.
    out, pos = [], 0
    for i, word in enumerate(
        [
            "Smad",
            "-",
            "phosphorylation",
            "of",
            "Id1",
            "mRNA",
            "and",
            "IRF-4",
            "protein",
            "binds",
            "interferon",
            "regulatory",
            "factor",
            "4",
            ".",
        ]
    ):
        start = text.index(word, pos)
        pos = start + len(word)
        out.append(
            {
                "text": word,
                "start": start,
                "end": pos,
                "id": i,
                "ws": pos < len(text) and text[pos] == " ",
                "disabled": i in disabled,
            }
        )
    return out


def _span(text: str, word: str, ts: int, te: int, label: str = "GGP") -> dict[str, Any]:
    start = text.index(word)
    return {
        "text": word,
        "start": start,
        "end": start + len(word),
        "token_start": ts,
        "token_end": te,
        "type": "span",
        "label": label,
    }


def relations_task() -> dict[str, Any]:
    tokens = _tokens(TEXT, disabled={1, 2, 3, 5, 6, 8, 9, 14})
    smad = _span(TEXT, "Smad", 0, 0)
    id1 = _span(TEXT, "Id1", 4, 4)
    irf = _span(TEXT, "IRF-4", 7, 7)
    factor = _span(TEXT, "interferon regulatory factor 4", 10, 13)

    def rel(head: dict[str, Any], child: dict[str, Any], label: str) -> dict[str, Any]:
        def bare(s: dict[str, Any]) -> dict[str, Any]:
            return {k: s[k] for k in ("start", "end", "token_start", "token_end", "label")}

        return {
            "head": head["token_end"],
            "child": child["token_end"],
            "head_span": bare(head),
            "child_span": bare(child),
            "color": "#c2f2f6",
            "label": label,
        }

    return {
        "text": TEXT,
        "spans": [smad, id1, irf, factor],
        "meta": {"source": "BioNLP 2011 Genia Shared Task, PMC-1134658-00-TIAB.txt"},
        "_input_hash": -13216227,
        "_task_hash": -1944660624,
        "tokens": tokens,
        "_session_id": None,
        "_view_id": "relations",
        "relations": [rel(smad, id1, "Pos-Reg"), rel(irf, factor, "Binds"), rel(factor, smad, "Neg-Reg")],
        "answer": "accept",
    }


def write_jsonl(path: Path, tasks: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    return path


def test_relations_import_keeps_every_span_and_relation(tmp_path: Path, project: Any) -> None:
    path = write_jsonl(tmp_path / "rel.jsonl", [relations_task()])
    report = import_paths(project, [path], "auto", ImportOptions(annotator="ann"))
    assert [f.format for f in report.files] == ["prodigy"]
    assert (report.spans, report.relations) == (4, 3)
    [(text, status, spans, rels)] = seen(project, "ann")
    assert status == "accepted"
    assert [text[s:e] for s, e, _ in spans] == ["Smad", "Id1", "IRF-4", "interferon regulatory factor 4"]
    words = {(s, e, label): text[s:e] for s, e, label in spans}
    assert sorted((words[h], words[c], label) for h, c, label in rels) == [
        ("IRF-4", "interferon regulatory factor 4", "Binds"),
        ("Smad", "Id1", "Pos-Reg"),
        ("interferon regulatory factor 4", "Smad", "Neg-Reg"),
    ]


def test_relations_export_uses_the_last_token_of_each_span(tmp_path: Path, project: Any) -> None:
    import_paths(
        project,
        [write_jsonl(tmp_path / "rel.jsonl", [relations_task()])],
        "prodigy",
        ImportOptions(annotator="ann"),
    )
    export_project(project, tmp_path / "out.jsonl", "jsonl", ExportOptions(source="ann"))
    [task] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    # Hashes and other underscore fields survive; the task's null session stays null, and the
    # annotator id the task lacked names the annotator.
    assert (task["_input_hash"], task["_task_hash"]) == (-13216227, -1944660624)
    assert task["_view_id"] == "relations"
    assert task["_session_id"] is None
    assert task["_annotator_id"] == "out-ann"
    assert task["meta"] == {"source": "BioNLP 2011 Genia Shared Task, PMC-1134658-00-TIAB.txt"}
    tokens = task["tokens"]
    for rel in task["relations"]:
        for side in ("head", "child"):
            span = rel[f"{side}_span"]
            assert rel[side] == span["token_end"]
            assert tokens[span["token_end"]]["end"] == span["end"]
    factor = next(s for s in task["spans"] if s["text"].startswith("interferon"))
    assert factor["token_end"] - factor["token_start"] == 3  # inclusive, as Prodigy writes it


def test_answers_sessions_and_annotator_option(tmp_path: Path, project: Any) -> None:
    base = {"tokens": [], "spans": []}
    tasks = [
        {
            **base,
            "text": "Paris est belle.",
            "answer": "accept",
            "_session_id": "news-alex",
            "spans": [{"start": 0, "end": 5, "label": "LOC"}],
        },
        {
            **base,
            "text": "Lyon aussi.",
            "answer": "reject",
            "_annotator_id": "news-alex",
            "_session_id": "news-alex",
        },
        {**base, "text": "Marseille ?", "answer": "ignore", "_session_id": "news-bea"},
        {**base, "text": "Sans session.", "answer": "accept"},
    ]
    import_paths(
        project, [write_jsonl(tmp_path / "a.jsonl", tasks)], "auto", ImportOptions(annotator="carla")
    )
    assert [a.name for a in project.annotators()] == ["alex", "bea", "carla"]
    assert sorted(s for _, s, _, _ in seen(project, "alex")) == ["accepted", "rejected"]
    assert [s for _, s, _, _ in seen(project, "bea")] == ["skipped"]
    # Rejected documents are never exported; accepted ones without spans are.
    report = export_project(project, tmp_path / "out.jsonl", "jsonl", ExportOptions(source="alex"))
    assert report.documents == 1
    report = export_project(project, tmp_path / "c.jsonl", "jsonl", ExportOptions(source="carla"))
    [task] = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert (report.documents, task["spans"], task["answer"]) == (1, [], "accept")


def test_character_spans_without_tokens(tmp_path: Path, project: Any) -> None:
    # The shape of Prodigy's bio_events.jsonl: spans with offsets only, no tokens, no answer.
    text = "the transcription factor interferon regulatory factor 4 (IRF-4), is implicated"
    task = {
        "text": text,
        "meta": {"source": "BioNLP"},
        "spans": [{"start": 25, "end": 55, "label": "GGP"}, {"start": 57, "end": 62, "label": "GGP"}],
    }
    report = import_paths(project, [write_jsonl(tmp_path / "bio.jsonl", [task])])
    assert report.files[0].format == "prodigy"
    [(_, status, spans, _)] = seen(project, "imported")
    assert status == "accepted"
    assert [text[s:e] for s, e, _ in spans] == ["interferon regulatory factor 4", "IRF-4"]


def test_computed_hashes_are_stable(tmp_path: Path, fr_tokenize: Any) -> None:
    docs = [("Paris et Lyon.", [(0, 5, "LOC")], [], Status.ACCEPTED)]
    a = build_project(tmp_path / "a.db", docs, fr_tokenize)
    b = build_project(tmp_path / "b.db", docs, fr_tokenize)
    export_project(a, tmp_path / "a" / "x.jsonl", "jsonl", ExportOptions(source="alice"))
    export_project(b, tmp_path / "b" / "x.jsonl", "jsonl", ExportOptions(source="alice"))
    one = json.loads((tmp_path / "a" / "x.jsonl").read_text())
    two = json.loads((tmp_path / "b" / "x.jsonl").read_text())
    assert isinstance(one["_input_hash"], int) and isinstance(one["_task_hash"], int)
    assert (one["_input_hash"], one["_task_hash"]) == (two["_input_hash"], two["_task_hash"])
    fresh = new_project(tmp_path / "c.db")
    import_paths(fresh, [tmp_path / "a" / "x.jsonl"], "jsonl")
    assert seen(fresh, "alice") == seen(a, "alice")
