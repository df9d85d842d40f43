"""The ground floor of a project: its connection, transactions, settings, annotators and edit log.

The project's other floors build on it: `documents.py`, `annotations.py`, `edits.py`; `project.py`
opens and creates the file.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.model import (
    GOLD,
    AnnotatorKind,
    Document,
    LabelScheme,
    Token,
)


class ProjectError(Exception):
    """A project file that cannot be used, or an edit that cannot be applied."""


class NotAProjectError(ProjectError):
    pass


@dataclass(slots=True)
class NewDocument:
    """A document on its way in: text, metadata, and where it came from (for error messages)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    tokens: list[tuple[int, int]] | None = None
    """The file's own tokens; None to have the project's tokenizer make them."""
    sent_starts: list[int] | None = None
    token_attrs: dict[str, list[Any]] | None = None
    extras: dict[str, Any] | None = None


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    duplicates: int = 0
    other_tokens: list[int] = field(default_factory=list)
    """Positions (in input order) of texts already in the project that came with other tokens than
    the stored ones, which are kept."""
    ids: list[int] = field(default_factory=list)
    """Ids of every document read, added or already there, in input order."""


ON_CONFLICT = ("keep", "replace", "merge")
"""What an import does with a text the annotator already has in the project, and differently:
keep the project's version (the default), replace it with the file's, or merge both (spans and
relations of both, the status further along)."""


@dataclass(slots=True)
class AnnotationsSaved:
    """What became of annotations brought by an import: only `stored` ones were written."""

    stored: list[Any] = field(default_factory=list)
    """The annotations written (new, replacing or merged), as given."""
    added: int = 0
    replaced: int = 0
    merged: int = 0
    kept: int = 0
    """Existing annotations that differed and were kept (on_conflict="keep")."""
    unchanged: int = 0
    """Annotations the project already had, identical."""


@dataclass(slots=True)
class AnnotatorInfo:
    name: str
    kind: AnnotatorKind


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def encode_tokens(tokens: Iterable[tuple[int, int]]) -> str:
    flat: list[int] = []
    for start, end in tokens:
        flat += (start, end)
    return json.dumps(flat, separators=(",", ":"))


def decode_tokens(raw: str) -> list[Token]:
    flat = json.loads(raw)
    return [Token(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


_savepoints = itertools.count(1)


class ProjectBase:
    """An open project file: connection, settings, annotators."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._annotator_ids: dict[str, int] = {}
        self._scheme: LabelScheme | None = None
        self.read_only: str | None = None
        """Why the project may not be written (e.g. a newer Etiquette wrote it), or None."""
        self._stamped = False

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several changes into one; nested calls join the outer transaction.

        The outer transaction starts with `BEGIN IMMEDIATE`: it takes the write lock first, waiting
        up to the busy timeout for another writer (a deferred `BEGIN` that reads and then writes
        fails at once when another process writes, whatever the timeout). A nested call is a
        savepoint: its failure undoes its own changes, and the outer transaction goes on.
        """
        conn = self.db.conn
        if conn.in_transaction:
            name = f"etiquette_{next(_savepoints)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                # An error such as a RAISE(ROLLBACK) can end the whole transaction, savepoint included.
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                self._forget_cached()
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        if self.read_only is not None:
            raise ProjectError(f"{self.path}: {self.read_only}; nothing was written")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            if not self._stamped:
                self._stamp_version()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._forget_cached()
            raise

    def _stamp_version(self) -> None:
        """Name this Etiquette in the file, once per session, so a later, older one can say which
        version wrote it."""
        try:
            self._set("etiquette_version", __version__)
        except sqlite3.OperationalError:
            return  # a file whose settings table is still to be made
        self._stamped = True

    def _forget_cached(self) -> None:
        """Drop what was read inside a transaction that rolled back (ids, scheme): it may be gone."""
        self._annotator_ids.clear()
        self._scheme = None

    def forget_cached(self) -> None:
        """Read the scheme and annotator ids afresh: another program changed the file."""
        self._forget_cached()

    # --- settings ---------------------------------------------------------------------------------

    def _set(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def setting(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self._set(key, value)

    @property
    def lang(self) -> str:
        return self.setting("lang", "fr")

    @property
    def model(self) -> str:
        return self.setting("model", "fr_core_news_sm")

    @property
    def guidelines(self) -> str:
        return self.setting("guidelines")

    @property
    def scheme(self) -> LabelScheme:
        if self._scheme is None:
            raw = self.setting("scheme")
            self._scheme = LabelScheme.from_dict(json.loads(raw)) if raw else LabelScheme()
        return self._scheme

    def set_scheme(self, scheme: LabelScheme) -> None:
        with self.transaction():
            self._set("scheme", json.dumps(scheme.to_dict()))
        self._scheme = scheme

    # --- annotators -------------------------------------------------------------------------------

    def annotators(self, kind: AnnotatorKind | None = None) -> list[AnnotatorInfo]:
        sql = "SELECT name, kind FROM annotators"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind.value)
        rows = self.db.execute(sql + " ORDER BY id", params).fetchall()
        return [AnnotatorInfo(n, AnnotatorKind(k)) for n, k in rows]

    def annotator_kind(self, name: str) -> AnnotatorKind | None:
        row = self.db.execute("SELECT kind FROM annotators WHERE name = ?", [name]).fetchone()
        return AnnotatorKind(row[0]) if row else None

    def ensure_annotator(self, name: str, kind: AnnotatorKind | None = None) -> int:
        if not name.strip():
            raise ProjectError("an annotator needs a name")
        found = self._annotator_id(name)
        if found is not None:
            return found
        kind = kind or (AnnotatorKind.GOLD if name == GOLD else AnnotatorKind.PERSON)
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO annotators(name, kind, created_at) VALUES (?, ?, ?)",
                [name, kind.value, now()],
            )
        self._annotator_ids[name] = int(cur.lastrowid or 0)
        return self._annotator_ids[name]

    def _annotator_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self._annotator_ids:
            row = self.db.execute("SELECT id FROM annotators WHERE name = ?", [name]).fetchone()
            if row is None:
                return None
            self._annotator_ids[name] = row[0]
        return self._annotator_ids[name]

    def model_annotators(self) -> list[str]:
        return [a.name for a in self.annotators(AnnotatorKind.MODEL)]

    def latest_model(self) -> str | None:
        models = self.model_annotators()
        return models[-1] if models else None

    # --- the edit log -----------------------------------------------------------------------------

    def _log(self, annotator: str, doc_id: int | None, action: str, detail: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO edit_log(at, annotator, document_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            [now(), annotator, doc_id, action, json.dumps(detail, ensure_ascii=False)],
        )

    def edit_log(self, doc_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, at, annotator, document_id, action, detail FROM edit_log"
        params: list[Any] = []
        if doc_id is not None:
            sql += " WHERE document_id = ?"
            params.append(doc_id)
        return [
            {
                "id": r[0],
                "at": r[1],
                "annotator": r[2],
                "document_id": r[3],
                "action": r[4],
                "detail": json.loads(r[5]),
            }
            for r in self.db.execute(sql + " ORDER BY id", params).fetchall()
        ]


def merge_extras(stored: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`stored` with what `new` adds: keys it lacks, and inside objects both have, the same again."""
    out = dict(stored)
    for key, value in new.items():
        if key not in out:
            out[key] = value
        elif isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = merge_extras(out[key], value)
    return out


def fts_query(text: str) -> str:
    """A user's search words as an FTS5 query: every word must appear, quotes escaped."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


DOCUMENT_COLUMNS = "id, text, tokens, meta, hash, sent_starts, token_attrs, extras"
"""The columns `document_from_row` reads, in its order."""


def document_from_row(row: tuple[Any, ...]) -> Document:
    return Document(
        row[0],
        row[1],
        decode_tokens(row[2]),
        json.loads(row[3]),
        row[4],
        json.loads(row[5]) if row[5] is not None else None,
        json.loads(row[6]) if row[6] is not None else None,
        json.loads(row[7]) if row[7] is not None else {},
    )
