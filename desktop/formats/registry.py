"""The registry of formats: what each can read, write and recognise.

Which formats exist, and whether each reads and writes, is a static table (`BUILTIN`), so that the
command line can list them without importing any format module (they import spaCy, srsly and the
store). A module is imported only when its format is used (`get`) or asked to recognise a file
(`sniff`); on import it registers its `Format` with its reader, writer and sniffer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from desktop.formats.base import ExportOptions, ExportReport, Progress, Reader
    from desktop.store import Project

Writer: TypeAlias = "Callable[[Project, Path, ExportOptions, Progress | None], ExportReport]"
Sniffer: TypeAlias = Callable[[Path], bool]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    reader: Reader | None = None
    writer: Writer | None = None
    sniff: Sniffer | None = None
    """Whether a path looks like this format; asked in `BUILTIN` order by `--format auto`."""
    folder: bool = False
    """Whether one input is a whole folder (brat), rather than each file in it."""


class Builtin(NamedTuple):
    name: str
    module: str
    """The module under `desktop.formats` that registers the format."""
    reads: bool
    writes: bool


BUILTIN = (
    Builtin("spacy", "spacy_docbin", reads=True, writes=True),
    Builtin("brat", "brat", reads=True, writes=True),
    Builtin("doccano", "doccano", reads=True, writes=True),
    Builtin("prodigy", "prodigy", reads=True, writes=True),
    Builtin("conll", "conll", reads=True, writes=True),
    Builtin("jsonl", "jsonl", reads=True, writes=True),
    Builtin("text", "text", reads=True, writes=False),
)
"""The built-in formats in the order `--format auto` asks them: binary and folder formats first,
JSON files by the fields they carry, CoNLL by its columns, then plain JSONL and text."""

_BY_NAME = {b.name: b for b in BUILTIN}

FORMATS: dict[str, Format] = {}
"""Formats registered so far: built-in ones whose module has been imported, and any others."""


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    """The format named `name`, importing its module if it is a built-in one not loaded yet."""
    builtin = _BY_NAME.get(name)
    if builtin is not None and name not in FORMATS:
        importlib.import_module(f"desktop.formats.{builtin.module}")
    try:
        return FORMATS[name]
    except KeyError:
        from desktop.formats.base import FormatError

        raise FormatError(name, f"unknown format; choose one of {', '.join(names())}") from None


def names() -> list[str]:
    """Every format's name: the built-in ones in `--format auto` order, then any others."""
    return [b.name for b in BUILTIN] + [n for n in FORMATS if n not in _BY_NAME]


def importable() -> list[str]:
    """The formats Etiquette reads, without importing their modules."""
    return [b.name for b in BUILTIN if b.reads] + [
        f.name for f in FORMATS.values() if f.name not in _BY_NAME and f.reader is not None
    ]


def exportable() -> list[str]:
    """The formats Etiquette writes, without importing their modules."""
    return [b.name for b in BUILTIN if b.writes] + [
        f.name for f in FORMATS.values() if f.name not in _BY_NAME and f.writer is not None
    ]


def sniff(path: Path) -> Format:
    """The format a file or folder looks like, asked in `names()` order.

    Modules are imported one by one as they are asked, so a `.spacy` file loads only spaCy's.
    """
    for name in importable():
        fmt = get(name)
        if fmt.reader is not None and fmt.sniff is not None and fmt.sniff(path):
            return fmt
    from desktop.formats.base import FormatError

    raise FormatError(path, "cannot tell its format; name it with --format")
