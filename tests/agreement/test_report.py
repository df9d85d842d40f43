"""Agreement over a project: what a reviewer reads in the report, on small hand-checked cases."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from desktop.agreement import coefficients as co
from desktop.agreement import tokens as tk
from desktop.agreement.data import choose_annotators, load_corpus
from desktop.agreement.report import compute_agreement, format_text
from desktop.agreement.report_html import render_html
from desktop.agreement.unitizing import unitizing_alpha
from desktop.cli import main
from desktop.model import AnnotatorKind, Status
from desktop.store import Project

TEXT = "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou ."
# Kirill 0-6, Dmitriev 7-15, a 16-17, rencontré 18-27, Dmitry 28-34, Peskov 35-41, à 42-43,
# Moscou 44-50, . 51-52

Doc = Callable[[Project, str], int]


@pytest.fixture
def two(project: Project, doc: Doc, ann: Callable[..., object]) -> Project:
    d = doc(project, TEXT)
    ann(project, d, "alice", [(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")])
    ann(project, d, "bruno", [(0, 15, "PER"), (28, 41, "ORG"), (42, 50, "LOC")])
    return project


def test_pair_precision_recall_f1_exact_and_overlapping(two: Project) -> None:
    report = compute_agreement(two)
    pair = report.pair("alice", "bruno")
    assert pair.documents == 1
    exact, overlap = pair.spans.exact, pair.spans.overlap
    assert (exact.matched_b, exact.a, exact.b) == (1, 3, 3)
    assert exact.f1 == pytest.approx(1 / 3)
    assert overlap.f1 == pytest.approx(2 / 3)  # PER 0-15, and LOC 44-50 / 42-50
    per = pair.spans.exact_by_label["PER"]
    assert (per.precision, per.recall) == (1.0, 0.5)
    assert pair.spans.exact_by_label["ORG"].f1 == 0.0
    assert report.confusion == {("ORG", "PER"): 1}


def test_a_label_confusion_keeps_the_spans_behind_it(
    two: Project, doc: Doc, ann: Callable[..., object]
) -> None:
    d = doc(two, "Le Kremlin et Moscou ; le Kremlin encore.")
    ann(two, d, "alice", [(3, 10, "ORG"), (14, 20, "LOC"), (26, 33, "ORG")])
    ann(two, d, "bruno", [(3, 10, "PER"), (14, 20, "LOC"), (23, 33, "LOC")])
    report = compute_agreement(two)
    assert report.confusion == {("ORG", "PER"): 2, ("LOC", "ORG"): 1}
    cases = report.confusion_examples[("ORG", "PER")]
    assert [
        (c.document, c.annotator, c.text, c.label, c.other, c.other_text, c.other_label) for c in cases
    ] == [
        (1, "alice", "Dmitry Peskov", "PER", "bruno", "Dmitry Peskov", "ORG"),
        (d, "alice", "Kremlin", "ORG", "bruno", "Kremlin", "PER"),
    ]
    assert (cases[1].start, cases[1].end) == (3, 10)  # offsets in the document, not the corpus
    (other,) = report.confusion_examples[("LOC", "ORG")]
    assert (other.text, other.label, other.other_text, other.other_label) == (
        "Kremlin",
        "ORG",
        "le Kremlin",
        "LOC",
    )
    assert (other.other_start, other.other_end) == (23, 33)


def test_a_long_confusion_keeps_its_first_spans_and_its_whole_count(
    two: Project, doc: Doc, ann: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.agreement import report as report_module
    from desktop.agreement import spans as spans_module

    monkeypatch.setattr(spans_module, "EXAMPLES_PER_CONFUSION", 1)
    monkeypatch.setattr(report_module, "EXAMPLES_PER_CONFUSION", 1)
    d = doc(two, "Le Kremlin parle.")
    ann(two, d, "alice", [(3, 10, "PER")])
    ann(two, d, "bruno", [(3, 10, "ORG")])
    report = compute_agreement(two)
    assert report.confusion[("ORG", "PER")] == 2
    assert [c.text for c in report.confusion_examples[("ORG", "PER")]] == ["Dmitry Peskov"]


def test_cohen_kappa_on_token_labels(two: Project) -> None:
    # alice: PER PER O O PER PER O LOC O; bruno: PER PER O O ORG ORG LOC LOC O
    # A_o = 6/9, A_e = (4·2 + 4·3 + 1·2)/81 = 22/81, κ = 32/59.
    assert compute_agreement(two).pair("alice", "bruno").cohen_kappa == pytest.approx(32 / 59)


def test_unitizing_alpha_matches_the_continuum_computation(two: Project) -> None:
    report = compute_agreement(two)
    per, joint = unitizing_alpha(
        {
            "PER": [[(0, 15), (28, 41)], [(0, 15)]],
            "LOC": [[(44, 50)], [(42, 50)]],
            "ORG": [[], [(28, 41)]],
        },
        len(TEXT),
    )
    for label in ("PER", "LOC", "ORG"):
        assert report.unitizing_by_label[label].alpha == pytest.approx(per[label].alpha)
    assert report.unitizing_alpha.alpha == pytest.approx(joint.alpha)
    assert math.isnan(report.unitizing_by_label["MISC"].alpha)  # nobody used it


def test_identical_annotations_agree_perfectly(project: Project, doc: Doc, ann) -> None:
    for text in (TEXT, "Vladimir Poutine est à Moscou ."):
        d = doc(project, text)
        for name in ("alice", "bruno", "chloé"):
            ann(
                project,
                d,
                name,
                [(0, 15, "PER"), (44, 50, "LOC")] if text == TEXT else [(0, 16, "PER"), (24, 30, "LOC")],
            )
    report = compute_agreement(project)
    for p in report.pairs:
        assert p.spans.exact.f1 == 1.0 and p.spans.overlap.f1 == 1.0
        assert p.cohen_kappa == pytest.approx(1.0)
    assert report.fleiss_kappa == pytest.approx(1.0)
    assert report.krippendorff_alpha == pytest.approx(1.0)
    assert report.unitizing_alpha.alpha == pytest.approx(1.0)
    assert all(r.f1 == 1.0 and r.unmatched == 0 for r in report.document_rows)


def test_no_spans_at_all_gives_undefined_values_not_errors(project: Project, doc: Doc, ann) -> None:
    d = doc(project, TEXT)
    ann(project, d, "alice", [])
    ann(project, d, "bruno", [])
    report = compute_agreement(project)
    pair = report.pair("alice", "bruno")
    assert math.isnan(pair.spans.exact.f1) and math.isnan(pair.cohen_kappa)
    data = report.to_dict()
    assert data["fleiss_kappa"] is None and data["pairs"][0]["exact"]["f1"] is None
    json.dumps(data)
    assert "—" in format_text(report)


def test_one_annotator_has_no_pairs(project: Project, doc: Doc, ann) -> None:
    ann(project, doc(project, TEXT), "alice", [(0, 15, "PER")])
    report = compute_agreement(project)
    assert report.pairs == [] and math.isnan(report.fleiss_kappa)


def test_unfinished_documents_are_left_out_of_the_pair(project: Project, doc: Doc, ann) -> None:
    d1, d2 = doc(project, TEXT), doc(project, "Vladimir Poutine est à Moscou .")
    ann(project, d1, "alice", [(0, 15, "PER")])
    ann(project, d1, "bruno", [(0, 15, "PER")])
    ann(project, d2, "alice", [(0, 16, "PER")])
    ann(project, d2, "bruno", [(24, 30, "LOC")], status=Status.IN_PROGRESS)
    report = compute_agreement(project)
    assert report.pair("alice", "bruno").documents == 1
    assert report.pair("alice", "bruno").spans.exact.f1 == 1.0
    counted = compute_agreement(project, statuses=[Status.ACCEPTED, Status.IN_PROGRESS])
    assert counted.pair("alice", "bruno").documents == 2
    assert counted.document_rows[0].id == d2  # the most disputed document comes first


def test_model_is_compared_by_default_and_can_be_left_out(two: Project, doc: Doc, ann) -> None:
    d = two.document_ids()[0]
    ann(
        two,
        d,
        "fr_core_news_sm-3.8.0",
        [(0, 15, "PER"), (44, 50, "LOC")],
        status=Status.TODO,
        kind=AnnotatorKind.MODEL,
    )
    report = compute_agreement(two)
    assert report.model == "fr_core_news_sm-3.8.0"
    pair = report.pair("alice", "fr_core_news_sm-3.8.0")
    assert pair.spans.exact.precision == 1.0  # both suggestions were right
    assert pair.spans.exact.recall == pytest.approx(2 / 3)
    assert compute_agreement(two, include_model=False).model is None
    assert len(compute_agreement(two, include_model=False).pairs) == 1


def test_labels_and_annotators_can_be_chosen(two: Project) -> None:
    report = compute_agreement(two, annotators=["alice", "bruno"], labels=["PER"])
    assert report.labels == ["PER"]
    assert report.pair("alice", "bruno").spans.exact.f1 == pytest.approx(2 / 3)


def test_relation_f1(project: Project, doc: Doc, ann) -> None:
    d = doc(project, TEXT)
    spans = [(0, 15, "PER"), (28, 41, "PER"), (44, 50, "LOC")]
    ann(project, d, "alice", spans, [(1, 2, "porte_parole"), (0, 2, "porte_parole")])
    ann(project, d, "bruno", spans, [(1, 2, "porte_parole")])
    rel = compute_agreement(project).pair("alice", "bruno").relations
    assert (rel.precision, rel.recall) == (1.0, 0.5)
    assert rel.f1 == pytest.approx(2 / 3)


def test_token_coefficients_equal_the_dense_computation(project: Project, doc: Doc, ann) -> None:
    """Only tokens under some span get a column; the bulk O/O counts must give the same values."""
    rng = random.Random(3)
    words = "le la un Moscou Kremlin accord de et Poutine Washington".split()
    for _ in range(6):
        d = doc(project, " ".join(rng.choice(words) for _ in range(40)))
        tokens = project.document(d).tokens
        for i, name in enumerate(("alice", "bruno", "chloé")):
            spans = []
            for t in sorted(rng.sample(range(0, 38, 3), 6)):
                spans.append(
                    (tokens[t].start, tokens[t + rng.randint(0, 1)].end, rng.choice(["PER", "LOC", "ORG"]))
                )
            status = Status.ACCEPTED if rng.random() < 0.8 or i == 0 else Status.IN_PROGRESS
            ann(project, d, name, spans, status=status)
    names, model = choose_annotators(project)
    corpus = load_corpus(project, names, model)
    t = tk.token_labels(corpus)
    full = tk.dense(t, corpus)
    k = len(corpus.labels) + 1
    docs = corpus.finished[0] & corpus.finished[1]
    keep = np.repeat(docs, corpus.token_len)
    assert tk.cohen_kappa(t, 0, 1, docs) == pytest.approx(
        co.cohen_kappa(co.confusion(full[0][keep], full[1][keep], k))
    )
    complete = corpus.finished.all(axis=0)
    assert tk.fleiss_kappa(t, complete) == pytest.approx(
        co.fleiss_kappa_labels(full[:, np.repeat(complete, corpus.token_len)], k)
    )
    anyone = np.ones(len(corpus.doc_ids), dtype=bool)
    assert tk.krippendorff_alpha(t, anyone) == pytest.approx(co.krippendorff_alpha_labels(full, k))


def test_html_report_is_self_contained_and_escaped(project: Project, doc: Doc, ann) -> None:
    d = doc(project, "<script>alert(1)</script> Moscou")
    ann(project, d, "<b>eve</b>", [(27, 33, "LOC")])
    ann(project, d, "bruno", [(27, 33, "LOC")])
    html = render_html(compute_agreement(project))
    assert "<script>" not in html and "<b>eve</b>" not in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html


def test_cli_agreement_json_html_and_bad_input(two: Project, tmp_path: Path, capsys) -> None:
    path = str(two.path)
    two.close()  # as a user would: the command opens the file itself
    out = tmp_path / "report.html"
    assert main(["agreement", path, "--json", "--html", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"][0]["exact"]["f1"] == pytest.approx(1 / 3, abs=1e-6)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["agreement", path]) == 0
    assert "alice / bruno" in capsys.readouterr().out
    assert main(["agreement", path, "--annotators", "alice,nobody"]) == 1
    assert "nobody" in capsys.readouterr().err
    assert main(["agreement", path, "--statuses", "finished"]) == 1
    assert main(["agreement", str(tmp_path / "missing.db")]) == 1


def test_reading_in_two_halves_gives_the_same_corpus(
    two: Project, doc: Doc, ann, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.store import corpus

    for text in ("Vladimir Poutine est à Moscou .", "Le Kremlin a répondu à Riyad ."):
        d = doc(two, text)
        ann(two, d, "alice", [(0, 16, "PER")] if text[0] == "V" else [(3, 10, "ORG")])
        ann(two, d, "bruno", [(24, 30, "LOC")] if text[0] == "V" else [(23, 28, "LOC")])
    names, model = choose_annotators(two)
    whole = load_corpus(two, names, model)
    monkeypatch.setattr(corpus, "SPLIT_AT", 1)
    halves = load_corpus(two, names, model)
    for a, b in zip(whole.spans, halves.spans, strict=True):
        for field in ("doc", "start", "end", "token_start", "token_end", "label"):
            assert getattr(a, field).tolist() == getattr(b, field).tolist()
    assert sum(len(s) for s in halves.spans) == 10


def test_labels_missing_from_the_scheme_are_compared_too(project: Project, doc: Doc, ann) -> None:
    d = doc(project, TEXT)
    ann(project, d, "alice", [(0, 15, "PER"), (44, 50, "VILLE")])
    ann(project, d, "bruno", [(0, 15, "PER"), (44, 50, "VILLE")])
    report = compute_agreement(project)
    assert report.labels == ["PER", "LOC", "ORG", "MISC", "VILLE"]
    assert report.pair("alice", "bruno").spans.exact_by_label["VILLE"].f1 == 1.0
