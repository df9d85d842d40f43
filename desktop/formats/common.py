"""Helpers the format modules share: reading text and JSON files with their line numbers, checking
and collecting a record's spans, spaCy words/spaces from stored tokens, and the export loop.

This module imports no format module, nor the importer or exporter: they all import it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly

from desktop.formats.base import (
    Cancelled,
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Loss,
    Progress,
    Record,
)
from desktop.model import Annotation, Document, Relation, Span, Status
from desktop.model.tokens import words_and_spaces

DEFAULT_ANNOTATOR = "imported"
"""Whose annotations a file's spans become when neither the file nor `--annotator` says."""

_WS = re.compile(r"\s+")


# --- reading -------------------------------------------------------------------------------------


def read_text_file(path: Path) -> str:
    """A file's text as UTF-8, exactly as it is (no newline translation), or a FormatError."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(path, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line) from e
    return text


MAX_LINE = 64 * 2**20
"""The longest line a reader takes, in bytes, unless --max-chars asks for longer texts."""


def line_limit(options: ImportOptions | None) -> int:
    """The longest line worth reading: a text of `max_chars` characters, escaped as JSON."""
    return max(MAX_LINE, 8 * options.max_chars) if options is not None else MAX_LINE


def iter_lines(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, str]]:
    """(line number, line with its `\n`) for each line of a UTF-8 file, streamed (a BOM is
    dropped). Lines end at `\n` only: JSON strings may hold U+2028 and other characters that
    `str.splitlines` would break on. A line longer than `limit` bytes is refused unread."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    with f:
        lineno = 0
        while True:
            try:
                raw = f.readline(limit + 1)
            except OSError as e:
                raise FormatError(path, f"cannot be read ({e.strerror})", lineno + 1) from e
            if not raw:
                return
            lineno += 1
            if len(raw) > limit:
                raise FormatError(
                    path,
                    f"line longer than {_size(limit)} (raise --max-chars for longer texts)",
                    lineno,
                )
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise FormatError(path, f"not UTF-8 (byte 0x{raw[e.start]:02x})", lineno) from e


def _size(n: int) -> str:
    return f"{n // 2**20:,} MB" if n >= 2**20 else f"{n:,} bytes"


def iter_json_lines(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, streamed; a FormatError names the bad line."""
    for lineno, line in iter_lines(path, limit):
        if not line.strip():
            continue
        try:
            obj = srsly.json_loads(line)
        except (ValueError, RecursionError):
            obj = _json_line(path, lineno, line)
        if not isinstance(obj, dict):
            raise FormatError(path, "each line must be a JSON object", lineno)
        yield lineno, obj


def _json_line(path: Path, lineno: int, line: str) -> Any:
    """A line the fast parser refused, read by Python's: it takes what Python's json writes and
    the fast one does not (integers past 64 bits, NaN and Infinity, which the checks store as
    null), and says where a line is broken."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise FormatError(
            path, f"not valid JSON ({e.msg.removesuffix(' at')} at column {e.colno})", lineno
        ) from e
    except RecursionError as e:
        raise FormatError(path, "not valid JSON (nested too deeply)", lineno) from e


def record_text(path: Path, lineno: int, obj: dict[str, Any], field: str = "text") -> str:
    text = obj.get(field)
    if not isinstance(text, str):
        raise FormatError(path, f"no `{field}` field (a string) in this record", lineno)
    if not text.strip():
        raise FormatError(path, "empty text", lineno)
    return text


def check_span(record: Record, start: int, end: int, text: str | None = None) -> None:
    """Raise a FormatError naming the record when a span does not fit its text."""
    if (
        not (isinstance(start, int) and isinstance(end, int))
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise record.error(f"span offsets must be integers, got {short(start)}-{short(end)}")
    if not (0 <= start < end <= len(record.text)):
        raise record.error(f"span {start}-{end} is out of range for a text of {len(record.text)} characters")
    if text is not None and record.text[start:end] != text:
        raise record.error(
            f"span {start}-{end} says {short(text)} but the text there is {short(record.text[start:end])}"
        )


def check_tokens(record: Record) -> None:
    """Raise a FormatError naming the record when the tokens it came with do not fit its text."""
    assert record.tokens is not None
    pos = 0
    for start, end in record.tokens:
        if not (
            type(start) is int and type(end) is int and pos <= start < end <= len(record.text)  # noqa: E721
        ):
            raise record.error(
                f"token {short(start)}-{short(end)} does not fit the text (tokens must be in order, "
                f"not overlap, and lie within the text's {len(record.text)} characters)"
            )
        pos = end


READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
    MemoryError,
    UnicodeError,
)
"""What libraries (json, msgpack, zlib, numpy, spaCy) raise on malformed input."""


def describe(e: BaseException) -> str:
    """One line saying what a library found wrong, for a FormatError."""
    if isinstance(e, RecursionError):
        return "nested too deeply to read"
    if isinstance(e, MemoryError):
        return "too large to read into memory"
    if isinstance(e, OSError):
        return f"cannot be read ({e.strerror or e})"
    lines = str(e).strip().splitlines()
    text = lines[0].strip() if lines else ""
    if len(text) > 200:
        text = text[:199] + "…"
    if isinstance(e, KeyError):
        key = e.args[0] if e.args else None
        if isinstance(key, str) and key.startswith("[E"):  # spaCy's errors are KeyErrors too
            return key.splitlines()[0][:200]
        return f"missing {text}" if text else "a field is missing"
    return f"{text} ({type(e).__name__})" if text else type(e).__name__


@contextmanager
def reading(path: Path | str, line: int | None = None, what: str = "") -> Iterator[None]:
    """Inside: what a library raises on bad input becomes a FormatError at this file and line."""
    try:
        yield
    except FormatError:
        raise
    except READ_ERRORS as e:
        raise FormatError(path, f"{what}{describe(e)}", line) from e


def short(value: Any, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters, for messages about what a file holds."""
    try:
        text = repr(value)
    except RecursionError:
        return f"a deeply nested {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def annotator_name(options: ImportOptions, from_file: str | None = None) -> str:
    return from_file or options.annotator or DEFAULT_ANNOTATOR


@dataclass(slots=True)
class AnnotationBuilder:
    """Collects one record's spans (under the file's own ids) and relations, without duplicates.

    A span given twice (same offsets and label) is kept once and counted in the file report;
    relations to either copy land on the one kept.
    """

    annotator: str
    status: Status
    report: FileReport
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _ids: dict[Any, int] = field(default_factory=dict)
    _by_key: dict[tuple[int, int, str], int] = field(default_factory=dict)
    _rel_keys: set[tuple[int, int, str]] = field(default_factory=set)

    def span(self, start: int, end: int, label: str, file_id: Any = None) -> int:
        """Add a span; returns its local id (the one relations refer to)."""
        key = (start, end, label)
        local = self._by_key.get(key)
        if local is None:
            local = len(self.spans)
            self.spans.append(Span(start, end, label, id=local))
            self._by_key[key] = local
        else:
            self.report.not_imported["duplicate spans"] = (
                self.report.not_imported.get("duplicate spans", 0) + 1
            )
        if file_id is not None:
            self._ids[file_id] = local
        return local

    def local_id(self, file_id: Any) -> int | None:
        return self._ids.get(file_id)

    def find(self, start: int, end: int, label: str | None = None) -> int | None:
        if label is not None:
            return self._by_key.get((start, end, label))
        return next((i for (s, e, _), i in self._by_key.items() if s == start and e == end), None)

    def relation(self, head: int, child: int, label: str) -> None:
        key = (head, child, label)
        if key in self._rel_keys:
            self.report.not_imported["duplicate relations"] = (
                self.report.not_imported.get("duplicate relations", 0) + 1
            )
            return
        self._rel_keys.add(key)
        self.relations.append(Relation(head, child, label))

    def build(self) -> Annotation:
        return Annotation(0, self.annotator, self.status, self.spans, self.relations)


def count(report: FileReport, what: str, n: int = 1) -> None:
    if n:
        report.not_imported[what] = report.not_imported.get(what, 0) + n


def iter_json_objects(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for each JSON object in a file, one per line or pretty-printed over many,
    streamed: lines are gathered until they hold a whole object, at most `limit` bytes of them."""
    decoder = json.JSONDecoder()
    buf, first, size = "", 0, 0
    for lineno, line in iter_lines(path, limit):
        if not buf:
            if not line.strip():
                continue
            first = lineno
        buf += line
        size += len(line)
        if size > limit:
            raise FormatError(path, f"a record longer than {_size(limit)} (raise --max-chars)", first)
        if not buf.rstrip().endswith(("}", "]")):
            continue  # an object ends with a brace: no need to try before
        for obj, at in _decode_all(path, decoder, buf, first):
            if obj is None:  # the rest is an object not finished yet
                buf, first = buf[at:], first + buf.count("\n", 0, at)
                size = len(buf)
                break
            yield at, obj
        else:
            buf, size = "", 0
    if buf.strip():
        for obj, at in _decode_all(path, decoder, buf, first, at_end=True):
            if obj is not None:
                yield at, obj


def _decode_all(
    path: Path, decoder: json.JSONDecoder, buf: str, line: int, at_end: bool = False
) -> Iterator[tuple[dict[str, Any] | None, int]]:
    """(object, its line) for each whole object in `buf`, then (None, offset of the unfinished
    rest) if `buf` ends inside one. A FormatError names the line of anything else."""
    pos, n = 0, len(buf)
    while True:
        while pos < n and buf[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        here = line + buf.count("\n", 0, pos)
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as e:
            if not at_end and not buf[e.pos :].strip() and e.msg != "Unterminated string starting at":
                yield None, pos  # the object goes on in the next lines
                return
            bad = line + buf.count("\n", 0, e.pos)
            raise FormatError(path, f"not valid JSON ({e.msg})", bad) from e
        except RecursionError as e:
            raise FormatError(path, "not valid JSON (nested too deeply)", here) from e
        if not isinstance(obj, dict):
            raise FormatError(path, "each record must be a JSON object", here)
        yield obj, here
        pos = end


def first_json_object(path: Path) -> dict[str, Any] | None:
    """The first JSON object of a small prefix of the file, for sniffing; None if not JSON."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.read(65536)
    except (OSError, UnicodeDecodeError):
        return None
    first = head.lstrip()
    if not first.startswith("{"):
        return None
    try:
        line = first.split("\n", 1)[0]
        obj = json.loads(line)
    except (ValueError, RecursionError):
        try:
            obj, _ = json.JSONDecoder().raw_decode(first)
        except (ValueError, RecursionError):  # the reader says what is wrong, with the line
            return None
    return obj if isinstance(obj, dict) else None


# --- spaCy words and spaces from stored tokens ---------------------------------------------------


def words_spaces(doc: Document) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild `doc.text` exactly from its stored tokens."""
    return words_and_spaces(doc.text, doc.tokens)


# --- exporting -----------------------------------------------------------------------------------


def split_ids(ids: list[int], dev_split: float, seed: int) -> set[int]:
    """The document ids that go to the dev set: a seeded shuffle, the same for the same project."""
    if not 0 <= dev_split < 1:
        raise ValueError("--dev-split is a fraction between 0 and 1")
    if dev_split == 0:
        return set()
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    n_dev = max(1, round(len(ids) * dev_split)) if ids else 0
    return set(shuffled[:n_dev])


def split_paths(out: Path, dev_split: float) -> tuple[Path, Path | None]:
    """`out` alone, or `out` with `-train`/`-dev` before its suffix when splitting."""
    if not dev_split:
        return out, None
    return (out.with_name(f"{out.stem}-train{out.suffix}"), out.with_name(f"{out.stem}-dev{out.suffix}"))


NOT_ON_TOKENS = "spans not aligned to tokens"
"""A span whose start or end is not a boundary of the document's tokens: every export reports it,
and formats that need tokens cannot write it."""


@dataclass(slots=True)
class ExportRun:
    """One export: which documents go to dev, progress, and the report with per-document losses."""

    report: ExportReport
    dev: set[int]
    total: int
    progress: Progress | None
    done: int = 0

    def loss(self, doc_id: int, reason: str, n: int = 1) -> None:
        if n <= 0:
            return
        if not self.report.losses or self.report.losses[-1].document_id != doc_id:
            self.report.losses.append(Loss(doc_id))
        reasons = self.report.losses[-1].reasons
        reasons[reason] = reasons.get(reason, 0) + n

    def off_tokens(self, doc: Document, ann: Annotation, written: str) -> set[int | None]:
        """Ids of the spans that do not start and end on the document's token boundaries, reported
        for the document as `spans not aligned to tokens (<how they are written>)`."""
        if not ann.spans:
            return set()
        starts = {t.start for t in doc.tokens}
        ends = {t.end for t in doc.tokens}
        off = {s.id for s in ann.spans if s.start not in starts or s.end not in ends}
        self.loss(doc.id, f"{NOT_ON_TOKENS} ({written})", len(off))
        return off

    def count(self, ann: Annotation) -> None:
        """Count every span and relation of `ann` as exported, for formats that hold them all."""
        self.report.spans += len(ann.spans)
        self.report.relations += len(ann.relations)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 200 == 0 or self.done == self.total):
            if self.progress(self.done, self.total) is False:
                raise Cancelled


def start_export(
    project: Any, out: Path, fmt: str, options: ExportOptions, progress: Progress | None
) -> tuple[ExportRun, Path, Path | None]:
    """The run and its output path(s): `out`, or `out-train` and `out-dev` with a dev split."""
    if options.dev_split:
        ids = project.document_ids(options.source, options.statuses)
        dev, total = split_ids(ids, options.dev_split, options.seed), len(ids)
    else:  # no list of every id when there is nothing to split
        counts = project.status_counts(options.source)
        dev, total = set(), sum(counts[s] for s in options.statuses)
    train_path, dev_path = split_paths(out, options.dev_split)
    return ExportRun(ExportReport(fmt), dev, total, progress), train_path, dev_path


def finish_cancelled(run: ExportRun) -> ExportReport:
    for p in run.report.paths:
        target = Path(p)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
    run.report.cancelled = True
    run.report.paths = []
    return run.report


def dataset_name(out: Path) -> str:
    """A name without hyphens for Prodigy's `dataset-session` ids, from the output file's name."""
    return _WS.sub("_", out.stem).replace("-", "_") or "etiquette"


Render = Callable[[ExportRun, Document, Annotation], str | None]
"""The text of one document in a line-based format, or None to leave the document out; it counts
the spans and relations it writes (`run.count`) and reports what it cannot hold (`run.loss`)."""


def write_lines(
    project: Any,
    out: Path,
    fmt: str,
    options: ExportOptions,
    progress: Progress | None,
    render: Render,
) -> ExportReport:
    """The export loop of the text formats: each document rendered into the train or dev file."""
    run, train_path, dev_path = start_export(project, out, fmt, options, progress)
    paths = [train_path] if dev_path is None else [train_path, dev_path]
    train_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            files = []
            for path in paths:
                files.append(stack.enter_context(open(path, "w", encoding="utf-8", newline="\n")))
                run.report.paths.append(str(path))
            for doc, ann in project.iter_annotations(options.source, options.statuses):
                text = render(run, doc, ann)
                if text is not None:
                    files[1 if doc.id in run.dev else 0].write(text)
                    run.report.documents += 1
                run.tick()
    except Cancelled:
        return finish_cancelled(run)
    return run.report
