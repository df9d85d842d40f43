"""What every format module shares: records read from a file, options, reports and errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.model import Annotation, Status

Progress = Callable[[int, int], bool | None]
"""Called with (items done, items in all, or 0 when unknown); returning False cancels."""


class FormatError(ValueError):
    """Bad input: names the file and, where there is one, the line or record."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.message = message


class Cancelled(Exception):
    """The user stopped an import or export (a progress callback returned False)."""


class ExportLossError(ValueError):
    """`--strict` export that would lose spans or relations."""


@dataclass(slots=True)
class Record:
    """One document read from a file, with the annotations the file gives it (if any).

    Annotations carry `document_id = 0` until the document is stored; their spans carry local ids
    that their relations refer to.
    """

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)
    source: str = ""
    """Where the record came from, for messages: `file:line`."""
    tokens: list[tuple[int, int]] | None = None
    """The file's own tokens as (start, end) offsets, kept as they are; None when the file has
    none (the project's tokenizer makes them)."""
    sent_starts: list[int] | None = None
    """Indices of the tokens that start a sentence, when the file marks sentences."""
    token_attrs: dict[str, list[Any]] | None = None
    """Per-token attributes Etiquette keeps but does not edit (a DocBin's TAG, LEMMA, ...)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """What the format writes back and Etiquette does not model, under the format's name."""

    def error(self, message: str) -> FormatError:
        """A FormatError naming the record's file and line."""
        path, _, line = self.source.rpartition(":")
        if path and line.isdigit():
            return FormatError(path, message, int(line))
        return FormatError(self.source, message)


MAX_CHARS = 10_000_000
"""The default limit on one document's text, in characters (`--max-chars`)."""
MAX_SPACY_BYTES = 512 * 2**20
"""The default limit on a `.spacy` file's decompressed size, in bytes (`--max-spacy-mb`)."""


@dataclass(slots=True)
class ImportOptions:
    annotator: str | None = None
    """Who the imported annotations belong to when the file does not say."""
    spans_key: str = "sc"
    default_status: Status = Status.ACCEPTED
    on_conflict: str = "keep"
    """A text the annotator already has, differently: `keep` the project's version, `replace` it
    with the file's, or `merge` both."""
    max_chars: int = MAX_CHARS
    """A longer document is refused, naming the limit."""
    max_spacy_bytes: int = MAX_SPACY_BYTES
    """A `.spacy` file that decompresses to more is refused before spaCy reads it."""


@dataclass(slots=True)
class ExportOptions:
    source: str
    """The annotator whose annotations are exported (a person, a model, or `gold`)."""
    spans_key: str = "sc"
    dev_split: float = 0.0
    seed: int = 0
    strict: bool = False
    statuses: tuple[Status, ...] = (Status.ACCEPTED,)


@dataclass(slots=True)
class Loss:
    """What one document lost in an export, by reason."""

    document_id: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class FileReport:
    path: str
    format: str
    records: int = 0
    added: int = 0
    duplicates: int = 0
    annotations: int = 0
    spans: int = 0
    relations: int = 0
    """Annotations, spans and relations stored (not those kept out by a conflict)."""
    kept: int = 0
    """The project's own, different annotations of the same texts, kept."""
    unchanged: int = 0
    """Annotations the project already had, identical."""
    replaced: int = 0
    merged: int = 0
    not_imported: dict[str, int] = field(default_factory=dict)
    """What the file had that Etiquette does not import, e.g. {'brat events': 3}."""


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    cancelled: bool = False

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def spans(self) -> int:
        return sum(f.spans for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def relations(self) -> int:
        return sum(f.relations for f in self.files)


@dataclass(slots=True)
class ExportReport:
    format: str
    paths: list[str] = field(default_factory=list)
    documents: int = 0
    spans: int = 0
    relations: int = 0
    losses: list[Loss] = field(default_factory=list)
    cancelled: bool = False
    left_out: dict[str, int] = field(default_factory=dict)
    """The source's documents not exported because of their status, e.g. {'in progress': 3}."""

    def destination(self, most: int = 3) -> list[str]:
        """The paths written, or for a long list (a brat export's files) how many and where."""
        if len(self.paths) <= most:
            return list(self.paths)
        import os

        return [f"{len(self.paths):,} files in {os.path.commonpath(self.paths)}"]

    @property
    def lost(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for loss in self.losses:
            for reason, n in loss.reasons.items():
                total[reason] = total.get(reason, 0) + n
        return total


Reader = Callable[[Path, ImportOptions, FileReport], Iterator[Record]]
"""Reads one file (or folder, for formats that are folders) into records, lazily."""
