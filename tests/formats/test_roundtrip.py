"""Export -> import into a fresh project -> export gives the same files and the same annotations.

Texts mix accents, emoji and other astral characters, CJK, tabs and line breaks (including \\r\\n
and U+2028); spans overlap, touch, and (where the format keeps character offsets) cut tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths
from desktop.model import Status
from tests.formats.conftest import build_project, new_project, seen

WORDS = [
    "Paris",
    "été",
    "Zoë",
    "Łódź",
    "naïve",
    "😀",
    "🇫🇷",
    "𝔘𝔫𝔦",
    "中文",
    "東京都",
    "x",
    "42",
    "l'Europe",
    "porte-parole",
    ",",
    ".",
    "«",
    "»",
    "ÉTATS-UNIS",
    "ça",
]
SEPARATORS = [" ", " ", " ", "\n", "\r\n", "  ", "\n\n", "\t", " \u2028", "\u00a0"]
LABELS = ["PER", "LOC", "ORG", "MISC"]
REL_LABELS = ["rel", "works_for"]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

odd_words = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn"), exclude_characters="\ufeff"),
    min_size=1,
    max_size=5,
).filter(lambda w: not w.isspace())


@st.composite
def texts(draw: Any, words: Any = None) -> str:
    words = st.one_of(st.sampled_from(WORDS), odd_words) if words is None else words
    parts = draw(st.lists(words, min_size=1, max_size=10))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    text = "".join(w + s for w, s in zip(parts, seps, strict=True))
    return text.rstrip() if draw(st.booleans()) else text


def word_tokens(project: Any, doc_id: int) -> list[tuple[int, int]]:
    doc = project.document(doc_id)
    return [(t.start, t.end) for t in doc.tokens if not doc.text[t.start : t.end].isspace()]


def draw_spans(
    data: Any,
    text: str,
    tokens: list[tuple[int, int]],
    aligned_only: bool,
    distinct_starts: bool = False,
    inner_breaks: bool = False,
) -> list[tuple[int, int, str]]:
    """Unique spans over tokens (and, unless `aligned_only`, over any characters).

    With `inner_breaks`, no span starts or ends with a line break (brat cannot hold those).
    """
    n = len(tokens)
    candidates = []
    if n:
        pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(sorted)
        candidates.append(pair.map(lambda ij: (tokens[ij[0]][0], tokens[ij[1]][1])))
    if not aligned_only:
        pair = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).map(sorted)
        candidates.append(
            pair.filter(
                lambda se: (
                    se[0] < se[1]
                    and text[se[0] : se[1]].strip()
                    and not (inner_breaks and text[se[0] : se[1]].strip("\r\n") != text[se[0] : se[1]])
                )
            )
        )
    if not candidates:
        return []
    raw = data.draw(st.lists(st.tuples(st.one_of(candidates), st.sampled_from(LABELS)), max_size=6))
    spans: dict[tuple[int, int, str], None] = {}
    starts: set[int] = set()
    for (start, end), label in raw:
        if distinct_starts and start in starts:
            continue
        starts.add(start)
        spans[(start, end, label)] = None
    return list(spans)


def draw_relations(data: Any, n_spans: int) -> list[tuple[int, int, str]]:
    if n_spans < 2:
        return []
    rels = data.draw(
        st.lists(
            st.tuples(st.integers(0, n_spans - 1), st.integers(0, n_spans - 1), st.sampled_from(REL_LABELS)),
            max_size=5,
        )
    )
    return list(dict.fromkeys(r for r in rels if r[0] != r[1]))


def annotated_project(
    data: Any,
    path: Path,
    tokenize: Any,
    text_strategy: Any,
    aligned_only: bool,
    statuses: list[Status],
    relations: bool = True,
    distinct_starts: bool = False,
    overlapping: bool = True,
    inner_breaks: bool = False,
    same: Any = None,
) -> Any:
    docs_texts = data.draw(st.lists(text_strategy, min_size=1, max_size=3, unique_by=same or (lambda t: t)))
    tokenized = [
        [(s, e) for s, e in toks if not t[s:e].isspace()]
        for t, toks in zip(docs_texts, tokenize(docs_texts), strict=True)
    ]
    docs = []
    for text, tokens in zip(docs_texts, tokenized, strict=True):
        spans = draw_spans(data, text, tokens, aligned_only, distinct_starts, inner_breaks)
        if not overlapping:
            spans = _no_overlap(spans)
        rels = draw_relations(data, len(spans)) if relations else []
        docs.append((text, spans, rels, data.draw(st.sampled_from(statuses))))
    return build_project(path, docs, tokenize)


def _no_overlap(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for s in spans:
        if all(s[1] <= k[0] or k[1] <= s[0] for k in kept):
            kept.append(s)
    return kept


def files_of(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return {path.name: path.read_bytes()}


def round_trip(
    p1: Any,
    d: Path,
    fmt: str,
    name: str,
    options: ExportOptions,
    import_options: ImportOptions,
    allowed: frozenset[str] = frozenset(),
) -> tuple[Any, dict[str, bytes], dict[str, bytes]]:
    first = d / "one" / name
    second = d / "two" / name
    r1 = export_project(p1, first, fmt, options)
    assert set(r1.lost) <= allowed
    p2 = new_project(d / "two.db")
    import_paths(p2, [first], "auto", import_options)
    export_project(p2, second, fmt, ExportOptions(source=options.source, statuses=options.statuses))
    return p2, files_of(first), files_of(second)


@pytest.mark.parametrize(
    "fmt,name",
    [("jsonl", "tasks.jsonl"), ("prodigy", "tasks.jsonl"), ("doccano", "doccano.jsonl"), ("brat", "brat")],
)
@SETTINGS
@given(data=st.data())
def test_character_offset_formats_round_trip(
    fmt: str, name: str, data: Any, fr_tokenize: Any, workdir: Any
) -> None:
    d = workdir()
    prodigy = fmt in {"jsonl", "prodigy"}
    statuses = [Status.ACCEPTED, Status.SKIPPED] if prodigy else [Status.ACCEPTED]
    p1 = annotated_project(
        data, d / "one.db", fr_tokenize, texts(), False, statuses, inner_breaks=fmt == "brat"
    )
    options = ExportOptions(source="alice", statuses=tuple(statuses))
    # Spans that cut tokens are written by characters, and reported.
    reported = frozenset(
        {
            "spans not aligned to tokens (written without token indices)",
            "relations of spans not aligned to tokens (written without token indices)",
        }
        if prodigy
        else {"spans not aligned to tokens (written by characters)"}
    )
    p2, one, two = round_trip(p1, d, fmt, name, options, ImportOptions(annotator="alice"), reported)
    assert one == two
    assert seen(p2, "alice") == seen(p1, "alice")
    if not prodigy:
        assert p2.annotators()[0].name == "alice"


@SETTINGS
@given(data=st.data())
def test_spacy_round_trip(data: Any, fr_tokenize: Any, workdir: Any) -> None:
    d = workdir()
    p1 = annotated_project(
        data, d / "one.db", fr_tokenize, texts(), True, [Status.ACCEPTED], distinct_starts=True
    )
    # Overlapping spans stay out of doc.ents (a reported loss) but are all in doc.spans["sc"].
    p2, one, two = round_trip(
        p1,
        d,
        "spacy",
        "train.spacy",
        ExportOptions(source="alice"),
        ImportOptions(annotator="alice"),
        frozenset({"overlapping spans not in doc.ents"}),
    )
    assert seen(p2, "alice") == seen(p1, "alice")
    assert one == two


plain_words = st.sampled_from(["Paris", "été", "Zoë", "😀", "中文", "x", "42", ",", "ÉTATS"])


@SETTINGS
@given(data=st.data())
def test_conll_round_trip(data: Any, fr_tokenize: Any, workdir: Any) -> None:
    d = workdir()
    # CoNLL keeps tokens, not whitespace: texts that differ only in whitespace are one text.
    p1 = annotated_project(
        data,
        d / "one.db",
        fr_tokenize,
        texts(plain_words),
        True,
        [Status.ACCEPTED],
        relations=False,
        overlapping=False,
        same=lambda t: tuple(t.split()),
    )
    # An entity across a line break (a sentence break in CoNLL) is written as two, and reported.
    p2, one, two = round_trip(
        p1,
        d,
        "conll",
        "train.conll",
        ExportOptions(source="alice"),
        ImportOptions(annotator="alice"),
        frozenset({"entities across a sentence break (written as two)"}),
    )
    assert one == two

    def labelled(p: Any, split: bool = False) -> list[list[tuple[str, str]]]:
        out = []
        for doc, ann in p.iter_annotations("alice"):
            pieces = []
            for s in ann.spans:
                covered = doc.text[s.start : s.end]
                for part in covered.splitlines() if split else [covered]:
                    if part.strip():
                        pieces.append((" ".join(part.split()), s.label))
            out.append(sorted(pieces))
        return out

    assert labelled(p2) == labelled(p1, split=True)
