"""Helpers the format modules share for the records they read: checking a record's text, spans and
tokens, turning what a library raises into a FormatError, collecting a record's spans and
relations, and spaCy words/spaces from stored tokens. Reading files is in `files`, the export
loop in `writing`.

This module imports no format module, nor the importer or exporter: they all import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.formats.base import FileReport, FormatError, ImportOptions, Record
from desktop.model import Annotation, Document, Relation, Span, Status
from desktop.model.tokens import words_and_spaces

DEFAULT_ANNOTATOR = "imported"
"""Whose annotations a file's spans become when neither the file nor `--annotator` says."""


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


# --- spaCy words and spaces from stored tokens ---------------------------------------------------


def words_spaces(doc: Document) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild `doc.text` exactly from its stored tokens."""
    return words_and_spaces(doc.text, doc.tokens)
