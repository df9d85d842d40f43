"""The project file: one SQLite database holding documents, annotations and the edit log.

Every public method that changes data runs in one transaction and commits before it returns, so an
edit is on disk as soon as the call ends (WAL, `synchronous=NORMAL`: a killed process loses nothing
that was committed). Reads never hold a transaction open.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from desktop.errors import explain
from desktop.model import LabelScheme
from desktop.store.base import (  # noqa: F401  (re-exported)
    AnnotatorInfo,
    ImportResult,
    NewDocument,
    NotAProjectError,
    ProjectError,
    decode_tokens,
    encode_tokens,
    fts_query,
    now,
)
from desktop.store.edits import EditStore
from desktop.store.migrations import MIGRATIONS

APPLICATION_ID = 0x45544951  # "ETIQ", written in the SQLite header of every project file


class Project(EditStore):
    """An open project file: documents, annotations, single edits, settings."""

    @classmethod
    def create(
        cls,
        path: str | Path,
        lang: str = "fr",
        model: str = "fr_core_news_sm",
        scheme: LabelScheme | None = None,
    ) -> Project:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise ProjectError(f"{path}: already exists; open it instead, or choose a new name")
        db = _connect(path, new=True)
        MIGRATIONS.apply(db)
        project = cls(db, path)
        scheme = scheme or LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"])
        with project.transaction():
            project._set("lang", lang)
            project._set("model", model)
            project._set("scheme", json.dumps(scheme.to_dict()))
            project._set("guidelines", "")
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        path = Path(path)
        if not path.is_file():
            raise NotAProjectError(f"{path}: no such project file")
        try:
            with open(path, "rb") as f:
                header = f.read(100)
        except OSError as e:
            raise NotAProjectError(f"{path}: cannot be read ({e.strerror})") from e
        if not header.startswith(b"SQLite format 3\x00"):
            raise NotAProjectError(f"{path}: not an Etiquette project (not an SQLite file)")
        db = _connect(path, check_id=True)
        pending = MIGRATIONS.pending(db)
        if pending:
            MIGRATIONS.apply(db)
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect(path: Path, check_id: bool = False, new: bool = False) -> Database:
    """Open the file with Etiquette's settings (WAL, foreign keys), after checking it is a project.

    The check reads the application id through SQLite, which sees a header still in the WAL; a file
    that fails it is closed untouched (its journal mode is left as it was).
    """
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        if new:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if check_id and conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise NotAProjectError(f"{path}: an SQLite file, but not an Etiquette project")
        db = Database(conn)
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.DatabaseError as e:
        conn.close()
        problem = explain(e, path)  # a full disk or a locked file says so, not "not a project"
        if problem is not None:
            raise ProjectError(problem) from e
        raise NotAProjectError(f"{path}: not an Etiquette project ({e})") from e
    except NotAProjectError:
        conn.close()
        raise
    return db
