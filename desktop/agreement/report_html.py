"""The agreement report as one self-contained HTML page: tables and CSS bars, no script, no network.

Every piece of text that comes from the project (names, labels, document previews) is escaped.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from desktop.agreement.report import AgreementReport, PairResult

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .25em .6em; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .8em; background: #4a90d9; vertical-align: middle; }
.track { display: inline-block; width: 10em; background: #eef; margin-right: .5em; }
.muted { color: #777; } .preview { font-family: ui-monospace, monospace; font-size: 12px; }
"""


def _num(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.3f}"


def _bar(x: float) -> str:
    width = 0.0 if math.isnan(x) else max(0.0, min(1.0, x)) * 100
    return f'<span class="track"><span class="bar" style="width:{width:.1f}%"></span></span>{_num(x)}'


def _heat(x: float) -> str:
    """A cell whose background goes from red (0) to green (1)."""
    if math.isnan(x):
        return '<td class="n muted">—</td>'
    hue = int(max(0.0, min(1.0, x)) * 120)
    return f'<td class="n" style="background:hsl({hue},70%,85%)">{x:.3f}</td>'


def _table(head: list[str], rows: list[str]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _summary(r: AgreementReport) -> str:
    rows = [
        ("Fleiss' κ (token labels, documents all finished)", r.fleiss_kappa),
        ("Krippendorff's α, nominal (token labels, missing data allowed)", r.krippendorff_alpha),
        ("Krippendorff's α_U (characters, Krippendorff 2004)", r.unitizing_alpha.alpha),
    ]
    rows += [(f"α_U {label}", u.alpha) for label, u in r.unitizing_by_label.items()]
    return _table(
        ["coefficient", "value"], [f"<tr><td>{escape(name)}</td><td>{_bar(v)}</td></tr>" for name, v in rows]
    )


def _matrix(r: AgreementReport) -> str:
    head = ["", *r.annotators]
    rows = []
    for a in r.annotators:
        cells = [f"<th>{escape(a)}</th>"]
        for b in r.annotators:
            if a == b:
                cells.append('<td class="n muted">·</td>')
            else:
                cells.append(_heat(r.pair(a, b).spans.exact.f1))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows)


def _pair_row(p: PairResult) -> str:
    e, o = p.spans.exact, p.spans.overlap
    return (
        f"<tr><td>{escape(p.a)}</td><td>{escape(p.b)}</td><td class='n'>{p.documents}</td>"
        f"<td class='n'>{_num(e.precision)}</td><td class='n'>{_num(e.recall)}</td>"
        f"{_heat(e.f1)}{_heat(o.f1)}{_heat(p.cohen_kappa)}{_heat(p.relations.f1)}</tr>"
    )


def _per_label(r: AgreementReport) -> str:
    head = ["reference", "other", *r.labels]
    rows = []
    for p in r.pairs:
        cells = "".join(_heat(p.spans.exact_by_label[label].f1) for label in r.labels)
        rows.append(f"<tr><td>{escape(p.a)}</td><td>{escape(p.b)}</td>{cells}</tr>")
    return _table(head, rows)


def _confusion(r: AgreementReport) -> str:
    if not r.confusion and not r.unmatched:
        return "<p class='muted'>No span overlaps a span with another label.</p>"
    labels = r.labels
    rows = []
    top = max([*r.confusion.values(), *r.unmatched.values(), 1])
    for la in labels:
        cells = [f"<th>{escape(la)}</th>"]
        for lb in labels:
            n = r.confusion.get((min(la, lb), max(la, lb)), 0) if la != lb else 0
            shade = int(100 - 40 * n / top)
            style = f' style="background:hsl(20,80%,{shade}%)"' if n else ""
            cells.append(f'<td class="n"{style}>{n or ""}</td>')
        cells.append(f'<td class="n">{r.unmatched.get(la, 0) or ""}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(["", *labels, "overlaps nothing"], rows)


def _documents(r: AgreementReport, limit: int) -> str:
    rows = []
    for d in r.document_rows[:limit]:
        spans = ", ".join(f"{escape(k)} {v}" for k, v in d.spans.items())
        rows.append(
            f"<tr><td class='n'>{d.id}</td>{_heat(d.f1)}<td class='n'>{d.unmatched}</td>"
            f"<td>{spans}</td><td class='preview'>{escape(d.preview[:120])}</td></tr>"
        )
    more = len(r.document_rows) - limit
    note = f"<p class='muted'>… and {more} more documents.</p>" if more > 0 else ""
    return _table(["document", "mean F1", "unmatched spans", "spans", "text"], rows) + note


def render_html(report: AgreementReport, documents: int = 100) -> str:
    r = report
    who = ", ".join(escape(a) for a in r.annotators) or "none"
    model = f"; the model is <b>{escape(r.model)}</b>" if r.model else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Agreement — {escape(Path(r.project).name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Inter-annotator agreement — {escape(Path(r.project).name)}</h1>",
        f"<p>Annotators: {who}{model}. Labels: {escape(', '.join(r.labels)) or 'none'}. "
        f"{r.documents} documents finished by at least two annotators, "
        f"{r.complete_documents} by all (finished = {escape(', '.join(r.statuses))}).</p>",
        "<h2>Coefficients</h2>",
        _summary(r),
        "<h2>Pairwise exact-match F1</h2>",
        _matrix(r) if len(r.annotators) > 1 else "",
        "<h2>Pairs</h2>",
        "<p class='muted'>The first annotator is the reference: precision is the share of the "
        "other's spans the reference has. Exact: same offsets and label; overlap: same label and "
        "at least one character in common. κ is Cohen's on token labels.</p>",
        _table(
            [
                "reference",
                "other",
                "documents",
                "exact P",
                "exact R",
                "exact F1",
                "overlap F1",
                "Cohen κ",
                "relation F1",
            ],
            [_pair_row(p) for p in r.pairs],
        ),
        "<h2>Exact F1 per label</h2>",
        _per_label(r),
        "<h2>Overlapping spans with different labels</h2>",
        _confusion(r),
        "<h2>Documents by disagreement</h2>",
        _documents(r, documents),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html(report: AgreementReport, path: Path, documents: int = 100) -> None:
    path.write_text(render_html(report, documents), encoding="utf-8")
