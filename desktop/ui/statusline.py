"""What the status bar says about the selection: what is selected, and the keys that act on it.

Plain text from the editor's selection, the label scheme and the shortcuts in force, e.g.
`PER « Dmitry Peskov » — 1–4 relabel · Del delete · C confirm · Space link`.
"""

from __future__ import annotations

from desktop.model import LabelScheme, Origin, Relation, Span


def _first(keys: dict[str, tuple[str, ...]], action: str) -> str:
    found = keys.get(action, ())
    return found[0] if found else ""


def key_range(labels: list[str]) -> str:
    """'1–4' for keys 1, 2, 3, 4; 'q, w' for keys that do not follow each other."""
    labels = [k for k in labels if k]
    if not labels:
        return ""
    if len(labels) > 2 and all(len(k) == 1 for k in labels):
        codes = [ord(k) for k in labels]
        if codes == list(range(codes[0], codes[0] + len(codes))):
            return f"{labels[0]}–{labels[-1]}".upper()
    return ", ".join(k.upper() for k in labels)


def quote(text: str, limit: int = 40) -> str:
    words = " ".join(text.split())
    return f"« {words[:limit]}{'…' if len(words) > limit else ''} »"


def _hints(parts: list[tuple[str, str]]) -> str:
    return " · ".join(f"{k} {what}" for k, what in parts if k)


def describe_span(text: str, span: Span, scheme: LabelScheme, keys: dict[str, tuple[str, ...]]) -> str:
    labels = key_range([e.key for e in scheme.entities])
    parts = [
        (labels, "relabel"),
        (_first(keys, "delete"), "delete"),
        (_first(keys, "confirm") if span.origin == Origin.MODEL else "", "confirm"),
        ("Shift+←/→", "end"),
        ("Ctrl+Shift+←/→", "start"),
    ]
    if scheme.relations:
        parts.append((_first(keys, "link"), "relation"))
    kind = "suggestion" if span.origin == Origin.MODEL else "yours"
    return f"{span.label} {quote(text[span.start : span.end])} ({kind}) — {_hints(parts)}"


def describe_text(
    text: str, selection: tuple[int, int], scheme: LabelScheme, every_modifier: str = "Shift"
) -> str:
    labels = key_range([e.key for e in scheme.entities])
    parts = [
        (labels, "label"),
        (f"{every_modifier}+{labels}" if labels else "", "label every occurrence"),
        ("Shift+←/→", "end"),
        ("Ctrl+Shift+←/→", "start"),
    ]
    return f"{quote(text[selection[0] : selection[1]])} — {_hints(parts)}"


def describe_relation(
    text: str,
    rel: Relation,
    head: Span,
    child: Span,
    scheme: LabelScheme,
    keys: dict[str, tuple[str, ...]],
) -> str:
    labels = key_range([r.key for r in scheme.relations])
    parts = [(labels, "relabel"), (_first(keys, "delete"), "delete")]
    ends = f"{quote(text[head.start : head.end])} → {quote(text[child.start : child.end])}"
    return f"{rel.label}: {ends} — {_hints(parts)}"
