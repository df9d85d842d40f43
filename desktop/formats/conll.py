"""CoNLL-2003 style token/tag columns, in (IOB1, IOB2, BILUO) and out (IOB2).

Reading: one token per line, the LAST column is its tag; a blank line ends a sentence;
`-DOCSTART-` starts a document. A file with no `-DOCSTART-` holds one document per sentence (a
file with no sentence breaks is one document). spaCy's `word|tag` one-sentence-per-line files
(`.iob`) are read too. A document's text is its tokens joined by spaces, sentences by line breaks.

Writing: `token tag` per line (IOB2), a blank line between sentences (line breaks in the text), and
`-DOCSTART- -X- O O` before each document. CoNLL cannot hold overlapping spans, spans that do not
start and end on tokens, or relations: they are counted as losses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from desktop.formats.base import (
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Progress,
    Record,
)
from desktop.formats.common import (
    MAX_LINE,
    AnnotationBuilder,
    ExportRun,
    annotator_name,
    iter_lines,
    line_limit,
    reading,
    short,
    write_lines,
)
from desktop.formats.registry import Format, register
from desktop.model import Annotation, Document

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"^(O|[BILUES]-\S+)$")
LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
EXTENSIONS = {".conll", ".conll03", ".conllx", ".bio", ".iob", ".iob2", ".bilou", ".biluo", ".ner"}


# --- reading -------------------------------------------------------------------------------------

Sentence = list[tuple[str, str, int]]
"""(token, tag, line number) for each token of a sentence."""


def _is_iob_line(line: str) -> bool:
    fields = line.split()
    return (
        len(fields) > 1
        and "\t" not in line
        and all("|" in f and TAG.match(f.rsplit("|", 1)[1]) for f in fields)
    )


def _documents(path: Path, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[Sentence]]]:
    """(first line, sentences) of each document in the file, streamed."""
    has_docstart = _has_docstart(path)
    sentence: Sentence = []
    sentences: list[Sentence] = []
    start_line = 1
    for lineno, raw in lines:
        line = raw.removesuffix("\n").rstrip("\r")
        fields = line.split()
        if not fields or fields[0] == DOCSTART or _is_iob_line(line):
            if sentence and has_docstart:
                sentences.append(sentence)
            elif sentence:
                yield sentence[0][2], [sentence]
            sentence = []
        if not fields:
            continue
        if fields[0] == DOCSTART:
            if sentences:
                yield start_line, sentences
                sentences = []
            start_line = lineno + 1
            continue
        if _is_iob_line(line):
            tokens = [(f.split("|", 1)[0], f.rsplit("|", 1)[1], lineno) for f in fields]
            if not all(tok for tok, _, _ in tokens):
                raise FormatError(path, "a token is empty (nothing before `|TAG`)", lineno)
            if has_docstart:
                sentences.append(tokens)
            else:
                yield lineno, [tokens]
            continue
        if len(fields) < 2:
            raise FormatError(path, f"a token line needs a tag column, got {short(line.strip())}", lineno)
        tag = fields[-1]
        if not TAG.match(tag):
            raise FormatError(path, f"{short(tag)} is not a tag (O, B-X, I-X, L-X, U-X, E-X, S-X)", lineno)
        sentence.append((fields[0], tag, lineno))
    if sentence and has_docstart:
        sentences.append(sentence)
    elif sentence:
        yield sentence[0][2], [sentence]
    if sentences:
        yield start_line, sentences


def _has_docstart(path: Path) -> bool:
    """Whether a line of the file starts with -DOCSTART- (a first pass, reading bytes only)."""
    marker = DOCSTART.encode()
    try:
        with open(path, "rb") as f:
            while line := f.readline(MAX_LINE):
                if line.lstrip().startswith(marker):
                    return True
    except OSError:
        return False  # the reading pass says what is wrong
    return False


def _biluo(path: Path, tags: list[str], line: int) -> list[str]:
    from spacy.training import iob_to_biluo

    tags = [("L" + t[1:]) if t[0] == "E" else ("U" + t[1:]) if t[0] == "S" else t for t in tags]
    if any(t[0] in "LU" for t in tags if t != "O"):
        return tags
    try:
        return iob_to_biluo(tags)
    except ValueError as e:
        raise FormatError(path, f"invalid tag sequence ({e})", line) from e


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    from spacy.tokens import Doc
    from spacy.training import biluo_tags_to_spans
    from spacy.vocab import Vocab

    vocab = Vocab()
    for first_line, sentences in _documents(path, iter_lines(path, line_limit(options))):
        words = [tok for s in sentences for tok, _, _ in s]
        starts: list[int] = []
        pos = 0
        lines: list[str] = []
        for s in sentences:
            for tok, _, _ in s:
                starts.append(pos)
                pos += len(tok) + 1
            lines.append(" ".join(tok for tok, _, _ in s))
        text = "\n".join(lines)
        tags = _biluo(path, [t for s in sentences for _, t, _ in s], first_line)
        with reading(path, first_line):
            doc = Doc(vocab, words=words, spaces=[True] * len(words))
        try:
            spans = biluo_tags_to_spans(doc, tags)
        except Exception as e:  # spaCy raises on an I-/L- without its B-
            raise FormatError(path, f"invalid tag sequence ({e})", first_line) from e
        builder = AnnotationBuilder(annotator_name(options), options.default_status, report)
        for span in spans:
            start = starts[span.start]
            end = starts[span.end - 1] + len(words[span.end - 1])
            builder.span(start, end, span.label_)
        record = Record(text, {"source": path.name}, source=f"{path}:{first_line}")
        record.annotations.append(builder.build())
        yield record


def sniff(path: Path) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        return True
    if suffix not in {".txt", ".tsv"}:
        return False
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.read(65536)  # a text of one long line is not split into millions of words
    except (OSError, UnicodeDecodeError):
        return False
    lines = head.split("\n")[:200]
    if len(head) == 65536:
        lines = lines[:-1] or [""]  # the last line may be cut
    seen = 0
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        if fields[0] == DOCSTART or _is_iob_line(line):
            seen += 1
            continue
        if len(fields) < 2 or not TAG.match(fields[-1]):
            return False
        seen += 1
    return seen > 0


# --- writing -------------------------------------------------------------------------------------


def conll_lines(doc: Document, ann: Annotation, run: ExportRun) -> list[str]:
    """The IOB2 lines of one document (without the -DOCSTART- header)."""
    tokens = [t for t in doc.tokens if t.end > t.start]
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    aligned = []
    for span in ann.spans:
        if not span.label or any(c.isspace() for c in span.label):
            run.loss(doc.id, "labels with spaces (CoNLL cannot hold them)")
        elif span.start in starts and span.end in ends and starts[span.start] <= ends[span.end]:
            aligned.append((starts[span.start], ends[span.end] + 1, span))
        else:
            run.loss(doc.id, "spans not aligned to tokens")
    kept = _non_overlapping(aligned)
    run.loss(doc.id, "overlapping spans (CoNLL cannot hold them)", len(aligned) - len(kept))
    run.loss(doc.id, "relations (CoNLL cannot hold them)", len(ann.relations))
    run.report.spans += len(kept)
    tags = ["O"] * len(tokens)
    for first, last, span in kept:
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, last):
            tags[i] = f"I-{span.label}"
    lines: list[str] = []
    for tok, tag in zip(tokens, tags, strict=True):
        word = doc.text[tok.start : tok.end]
        if word.isspace():
            if LINE_BREAKS & set(word) and lines and lines[-1]:
                lines.append("")
            continue
        pieces = word.split()
        for j, piece in enumerate(pieces):
            piece_tag = tag if j == 0 or tag == "O" else "I" + tag[1:]
            lines.append(f"{piece} {piece_tag}")
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _non_overlapping(aligned: list[tuple[int, int, Any]]) -> list[Any]:
    """The spans CoNLL keeps: longest first, then earliest, like spaCy's `filter_spans`."""
    order = sorted(aligned, key=lambda x: (-(x[1] - x[0]), x[0]))
    taken: set[int] = set()
    kept = []
    for first, last, span in order:
        if not any(i in taken for i in range(first, last)):
            kept.append((first, last, span))
            taken.update(range(first, last))
    return sorted(kept, key=lambda x: x[0])


def write(project: Any, out: Path, options: ExportOptions, progress: Progress | None) -> ExportReport:
    return write_lines(project, out, "conll", options, progress, render)


def render(run: ExportRun, doc: Document, ann: Annotation) -> str | None:
    """One document: the -DOCSTART- header and its IOB2 lines; None when it has no tokens."""
    lines = conll_lines(doc, ann, run)
    if not lines:
        run.loss(doc.id, "documents with no tokens")
        return None
    return f"{DOCSTART} -X- O O\n\n" + "\n".join(lines) + "\n\n"


FORMAT = register(
    Format(
        "conll",
        "CoNLL-2003 columns: token ... tag (IOB1, IOB2 or BILUO in; IOB2 out)",
        reader=read,
        writer=write,
        sniff=sniff,
    )
)
