"""The registry of formats: each module registers what it can read, write and recognise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.formats.base import ExportOptions, ExportReport, FormatError, Progress, Reader

if TYPE_CHECKING:
    from desktop.store import Project

Writer = Callable[["Project", Path, ExportOptions, Progress | None], ExportReport]
Sniffer = Callable[[Path], bool]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    reader: Reader | None = None
    writer: Writer | None = None
    sniff: Sniffer | None = None
    """Whether a path looks like this format; asked in registration order by `--format auto`."""
    folder: bool = False
    """Whether one input is a whole folder (brat), rather than each file in it."""


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    _load_builtin()
    try:
        return FORMATS[name]
    except KeyError:
        raise FormatError(name, f"unknown format; choose one of {', '.join(FORMATS)}") from None


def importable() -> list[str]:
    _load_builtin()
    return [f.name for f in FORMATS.values() if f.reader is not None]


def exportable() -> list[str]:
    _load_builtin()
    return [f.name for f in FORMATS.values() if f.writer is not None]


def sniff(path: Path) -> Format:
    """The format a file or folder looks like, asked in registration order."""
    _load_builtin()
    for fmt in FORMATS.values():
        if fmt.reader is not None and fmt.sniff is not None and fmt.sniff(path):
            return fmt
    raise FormatError(path, "cannot tell its format; name it with --format")


BUILTIN = ("spacy_docbin", "brat", "doccano", "prodigy", "conll", "jsonl", "text")
"""Format modules in the order `--format auto` asks them: binary and folder formats first, JSON
files by the fields they carry, CoNLL by its columns, then plain JSONL and text."""


def _load_builtin() -> None:
    import importlib

    if getattr(_load_builtin, "done", False):
        return
    for name in BUILTIN:
        importlib.import_module(f"desktop.formats.{name}")
    order = {name: i for i, name in enumerate(
        ["spacy", "brat", "doccano", "prodigy", "conll", "jsonl", "text"])}
    ranked = sorted(FORMATS.items(), key=lambda kv: order.get(kv[0], len(order)))
    FORMATS.clear()
    FORMATS.update(ranked)
    _load_builtin.done = True  # type: ignore[attr-defined]
