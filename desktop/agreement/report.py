"""The whole agreement study of a project: every pair, every coefficient, every table.

`compute_agreement(project, ...)` reads the project once (see data.py) and returns an
`AgreementReport`; `to_dict()` gives the JSON the CLI prints, `format_text()` the terminal view,
and report_html.py the HTML page.

Which documents each figure is computed on:
- a pair (span P/R/F1, Cohen's κ, relation F1): documents both annotators finished;
- Fleiss' κ and α_U (they need complete data): documents every compared annotator finished;
- Krippendorff's α on token labels (missing data allowed): documents at least two finished.
"Finished" means an annotation with one of the chosen statuses (accepted by default); the model's
suggestions always count as finished.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from desktop.agreement import tokens as tk
from desktop.agreement.data import Corpus, choose_annotators, load_corpus
from desktop.agreement.spans import (
    EXAMPLES_PER_CONFUSION,
    ConfusedSpans,
    Counts,
    SpanComparison,
    compare_spans,
)
from desktop.agreement.unitizing import UnitizingResult, category_alpha, joint
from desktop.model import Status
from desktop.store import Project


@dataclass(slots=True)
class PairResult:
    a: str
    b: str
    documents: int
    spans: SpanComparison
    cohen_kappa: float
    relations: Counts


@dataclass(slots=True)
class DocumentRow:
    id: int
    spans: dict[str, int]
    f1: float
    """Mean exact-match F1 over the pairs that finished the document (1.0 when all agree)."""
    unmatched: int
    """Spans without an exact match in the other annotator, summed over pairs."""
    preview: str = ""


@dataclass(slots=True)
class AgreementReport:
    project: str
    annotators: list[str]
    model: str | None
    labels: list[str]
    statuses: list[str]
    documents: int
    """Documents that at least two compared annotators finished."""
    complete_documents: int
    """Documents that every compared annotator finished."""
    pairs: list[PairResult] = field(default_factory=list)
    fleiss_kappa: float = float("nan")
    krippendorff_alpha: float = float("nan")
    unitizing_alpha: UnitizingResult = field(default_factory=lambda: UnitizingResult(0.0, 0.0))
    unitizing_by_label: dict[str, UnitizingResult] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    """Unordered label pairs → overlapping spans of two annotators with those two labels."""
    confusion_examples: dict[tuple[str, str], list[ConfusedSpans]] = field(default_factory=dict)
    """The same keys → the pairs of spans behind the count, every pair of annotators together, in
    document and text order: the first EXAMPLES_PER_CONFUSION of them."""
    unmatched: dict[str, int] = field(default_factory=dict)
    """Label → spans that overlap nothing in another annotator's annotation (summed over pairs)."""
    document_rows: list[DocumentRow] = field(default_factory=list)

    def pair(self, a: str, b: str) -> PairResult:
        return next(p for p in self.pairs if {p.a, p.b} == {a, b})

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "project": self.project,
                "annotators": self.annotators,
                "model": self.model,
                "labels": self.labels,
                "statuses": self.statuses,
                "documents": self.documents,
                "complete_documents": self.complete_documents,
                "fleiss_kappa": self.fleiss_kappa,
                "krippendorff_alpha": self.krippendorff_alpha,
                "unitizing_alpha": {
                    "overall": self.unitizing_alpha.alpha,
                    "per_label": {
                        k: {"alpha": v.alpha, "observed": v.observed, "expected": v.expected}
                        for k, v in self.unitizing_by_label.items()
                    },
                },
                "pairs": [_pair_dict(p) for p in self.pairs],
                "confusion": [
                    {"labels": list(k), "spans": n}
                    for k, n in sorted(self.confusion.items(), key=lambda x: -x[1])
                ],
                "unmatched": self.unmatched,
                "documents_by_disagreement": [
                    {"id": r.id, "f1": r.f1, "unmatched": r.unmatched, "spans": r.spans, "preview": r.preview}
                    for r in self.document_rows
                ],
            }
        )


def _pair_dict(p: PairResult) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "documents": p.documents,
        "exact": p.spans.exact.to_dict(),
        "overlap": p.spans.overlap.to_dict(),
        "per_label": {
            label: {
                "exact": p.spans.exact_by_label[label].to_dict(),
                "overlap": p.spans.overlap_by_label[label].to_dict(),
            }
            for label in p.spans.exact_by_label
        },
        "cohen_kappa": p.cohen_kappa,
        "relations": p.relations.to_dict(),
    }


def _clean(value: Any) -> Any:
    """JSON-safe: nan (an undefined coefficient) becomes null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def compute_agreement(
    project: Project,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    include_model: bool = True,
    statuses: Sequence[Status] = (Status.ACCEPTED,),
    previews: int = 100,
) -> AgreementReport:
    """Agreement between the annotators (default: every person, plus the latest model)."""
    names, model = choose_annotators(project, annotators, include_model)
    corpus = load_corpus(project, names, model, labels, statuses)
    report = analyse(corpus, str(project.path), [str(Status(s)) for s in statuses])
    shown = report.document_rows[:previews]
    rows = {r["id"]: r["preview"] for r in project.document_rows([r.id for r in shown], None)}
    for row in shown:
        row.preview = rows.get(row.id, "")
    _fill_texts(project, report)
    return report


def _fill_texts(project: Project, report: AgreementReport) -> None:
    """The text of each span behind a label confusion, read once per document."""
    cases = [c for examples in report.confusion_examples.values() for c in examples]
    texts = project.document_texts(sorted({c.document for c in cases}))
    for c in cases:
        text = texts.get(c.document, "")
        c.text, c.other_text = text[c.start : c.end], text[c.other_start : c.other_end]


def analyse(corpus: Corpus, name: str = "", statuses: list[str] | None = None) -> AgreementReport:
    """Every figure of the report from a loaded corpus."""
    m = len(corpus.annotators)
    finished = corpus.finished
    complete = np.asarray(finished.all(axis=0) if m else np.zeros(len(corpus.doc_ids)), bool)
    pairable = np.asarray(finished.sum(axis=0) >= 2, dtype=bool)
    report = AgreementReport(
        name,
        corpus.annotators,
        corpus.model,
        corpus.labels,
        statuses or ["accepted"],
        int(pairable.sum()),
        int(complete.sum()),
    )
    # α_U needs nothing from the pairs: NumPy leaves the GIL, so it runs on the other core.
    with ThreadPoolExecutor(max_workers=1) as pool:
        unitizing = pool.submit(_unitizing, corpus, complete)
        tokens = tk.token_labels(corpus)
        per_document = _pairs(corpus, report, tokens)
        if m >= 2:
            report.fleiss_kappa = tk.fleiss_kappa(tokens, complete)
            report.krippendorff_alpha = tk.krippendorff_alpha(tokens, pairable)
            report.unitizing_by_label = unitizing.result()
            report.unitizing_alpha = joint(list(report.unitizing_by_label.values()))
    report.document_rows = _document_rows(corpus, *per_document)
    for cases in report.confusion_examples.values():
        cases.sort(key=lambda c: (c.document, min(c.start, c.other_start)))
        del cases[EXAMPLES_PER_CONFUSION:]
    return report


def _pairs(
    corpus: Corpus, report: AgreementReport, tokens: tk.TokenLabels
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compare every pair; returns per document: summed F1, pairs, unmatched spans."""
    finished = corpus.finished
    f1 = np.zeros(len(corpus.doc_ids))
    pairs = np.zeros(len(corpus.doc_ids), dtype=np.int64)
    unmatched = np.zeros(len(corpus.doc_ids), dtype=np.int64)
    for a, b in combinations(range(len(corpus.annotators)), 2):
        docs = finished[a] & finished[b]
        spans = compare_spans(corpus, a, b, docs)
        kappa = tk.cohen_kappa(tokens, a, b, docs)
        report.pairs.append(
            PairResult(
                corpus.annotators[a],
                corpus.annotators[b],
                int(docs.sum()),
                spans,
                kappa,
                _relations(corpus, a, b, docs),
            )
        )
        for (la, lb), n in spans.confusion.items():
            key = (min(la, lb), max(la, lb))
            report.confusion[key] = report.confusion.get(key, 0) + n
            report.confusion_examples.setdefault(key, []).extend(spans.confusion_examples.get((la, lb), []))
        for label, n in spans.unmatched.items():
            report.unmatched[label] = report.unmatched.get(label, 0) + n
        assert spans.per_document is not None
        na, nb, matched = spans.per_document
        both = na + nb
        f1 += np.where(docs, np.where(both > 0, 2 * matched / np.maximum(both, 1), 1.0), 0)
        pairs += docs
        unmatched += np.where(docs, both - 2 * matched, 0)
    return f1, pairs, unmatched


def _relations(corpus: Corpus, a: int, b: int, docs: np.ndarray) -> Counts:
    if not corpus.relations:
        return Counts()
    ra = {r for r in corpus.relations[a] if docs[r[0]]}
    rb = {r for r in corpus.relations[b] if docs[r[0]]}
    both = len(ra & rb)
    return Counts(len(ra), len(rb), both, both)


def _unitizing(corpus: Corpus, complete: np.ndarray) -> dict[str, UnitizingResult]:
    doc_starts = corpus.char_start[complete]
    doc_ends = corpus.char_end[complete]
    out = {}
    for c, label in enumerate(corpus.labels):
        observers = []
        for spans in corpus.spans:
            keep = (spans.label == c) & complete[spans.doc]
            observers.append((spans.start[keep], spans.end[keep]))
        out[label] = category_alpha(observers, doc_starts, doc_ends)
    return out


def _document_rows(
    corpus: Corpus, f1: np.ndarray, pairs: np.ndarray, unmatched: np.ndarray
) -> list[DocumentRow]:
    seen = np.flatnonzero(pairs > 0)
    mean = f1[seen] / pairs[seen]
    order = np.lexsort((corpus.doc_ids[seen], -unmatched[seen], mean))
    counts = [np.bincount(s.doc, minlength=len(corpus.doc_ids)) for s in corpus.spans]
    rows = []
    for i in order:
        d = int(seen[i])
        rows.append(
            DocumentRow(
                int(corpus.doc_ids[d]),
                {
                    name: int(counts[r][d])
                    for r, name in enumerate(corpus.annotators)
                    if corpus.finished[r, d]
                },
                float(mean[i]),
                int(unmatched[d]),
            )
        )
    return rows


# --- terminal view --------------------------------------------------------------------------------


def _f(x: float) -> str:
    return "  —  " if math.isnan(x) else f"{x:.3f}"


def format_text(report: AgreementReport, documents: int = 10) -> str:
    lines = [
        f"{report.project}: {len(report.annotators)} annotators "
        f"({', '.join(report.annotators) or 'none'}"
        f"{'; model ' + report.model if report.model else ''}), labels "
        f"{', '.join(report.labels) or 'none'}",
        f"documents: {report.documents} finished by at least two, "
        f"{report.complete_documents} by all (statuses: {', '.join(report.statuses)})",
        "",
        f"Fleiss' κ (tokens, complete documents)     {_f(report.fleiss_kappa)}",
        f"Krippendorff's α (tokens, nominal)          {_f(report.krippendorff_alpha)}",
        f"Krippendorff's α_U (characters, 2004)       {_f(report.unitizing_alpha.alpha)}",
    ]
    for label, u in report.unitizing_by_label.items():
        lines.append(f"  α_U {label:<38} {_f(u.alpha)}")
    if report.pairs:
        lines += [
            "",
            "pair (reference / other)          docs   exact P    R     F1  overlap F1  Cohen κ  relation F1",
        ]
        for p in report.pairs:
            e = p.spans.exact
            lines.append(
                f"{p.a + ' / ' + p.b:<32} {p.documents:>5}  {_f(e.precision)} {_f(e.recall)} "
                f"{_f(e.f1)}    {_f(p.spans.overlap.f1)}     {_f(p.cohen_kappa)}    "
                f"{_f(p.relations.f1)}"
            )
    if report.confusion:
        lines += ["", "overlapping spans labelled differently:"]
        for (la, lb), n in sorted(report.confusion.items(), key=lambda x: -x[1]):
            lines.append(f"  {la} ↔ {lb}: {n}")
    worst = [r for r in report.document_rows if r.unmatched][:documents]
    if worst:
        lines += ["", "documents with most disagreement (mean exact F1, unmatched spans):"]
        for r in worst:
            lines.append(f"  #{r.id:<6} F1 {_f(r.f1)}  unmatched {r.unmatched:<4} {r.preview[:60]!r}")
    return "\n".join(lines)
