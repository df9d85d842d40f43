"""The project file: one SQLite database holding documents, annotations and the edit log.

Every public method that changes data runs in one transaction and commits before it returns, so an
edit is on disk as soon as the call ends (WAL, `synchronous=NORMAL`: a killed process loses nothing
that was committed). Reads never hold a transaction open.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from desktop import __version__
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
from desktop.store.corpus import CorpusStore
from desktop.store.history import ConnectionStore
from desktop.store.migrations import MIGRATIONS

APPLICATION_ID = 0x45544951  # "ETIQ", written in the SQLite header of every project file


class Project(CorpusStore, ConnectionStore):
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
        project = cls(db, path)
        try:
            with project.transaction():
                MIGRATIONS.apply(db)
            scheme = scheme or LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"])
            with project.transaction():
                project._set("lang", lang)
                project._set("model", model)
                project._set("scheme", json.dumps(scheme.to_dict()))
                project._set("guidelines", "")
        except BaseException:
            # A full disk, an interrupt: leave no half-made project behind to be mistaken for one.
            db.close()
            for end in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{end}").unlink(missing_ok=True)
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open a project file; read-only when asked, and whenever it may not be written.

        A project written by a newer Etiquette (migrations this version does not know), or in a
        folder (or a file) this user cannot write, opens read-only: every read works, every write
        raises a ProjectError saying why (`Project.read_only`).
        """
        path = Path(path)
        if not path.is_file():
            raise NotAProjectError(f"{path}: no such project file")
        if not os.access(path, os.R_OK):
            raise NotAProjectError(f"{path}: cannot be read (permission denied)")
        reason = "opened read-only" if read_only else _not_writable(path)
        db = _connect(path, check_id=True, read_only=reason is not None)
        if _unknown_migrations(db):
            if reason is None:  # never write it, not even a checkpoint: open it again, read-only
                db.close()
                db = _connect(path, check_id=True, read_only=True)
            row = db.execute("SELECT value FROM settings WHERE key = ?", [VERSION_KEY]).fetchone()
            reason = (
                f"written by Etiquette {row[0] if row else 'of a newer version'}, newer than this "
                f"one ({__version__}): opened read-only; update Etiquette to change it"
            )
        project = cls(db, path)
        project.read_only = reason
        if reason is None and MIGRATIONS.pending(db):
            with project.transaction():  # another process may be migrating it too: take turns
                MIGRATIONS.apply(db)
        return project

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the `.db` file, without waiting for anyone.

        After it, a copy of the `.db` alone holds every committed edit (unless another connection
        was reading or writing at that moment: a passive checkpoint then copies what it can).
        """
        try:
            self.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):
            pass  # busy, read-only or closed: the edits stay in the log for the next checkpoint

    def backup(self, out: str | Path, overwrite: bool = False) -> Path:
        """Write one consistent copy of the project to `out`, whatever other windows have open.

        Uses SQLite's backup API, so the copy holds every committed edit, including those still in
        the write-ahead log. The copy is written next to `out` and renamed into place: an
        interrupted copy leaves no half-written file. An existing `out` is refused unless
        `overwrite`.
        """
        out = Path(out)
        if out.exists() and out.resolve() == self.path.resolve():
            raise ProjectError(f"{out}: is the project itself; choose another file for the copy")
        if out.exists() and not overwrite:
            raise ProjectError(f"{out}: already exists; choose a new name (or overwrite it)")
        if out.is_dir():
            raise ProjectError(f"{out}: is a folder; give the name of the copy's file")
        if not out.parent.is_dir():
            raise ProjectError(f"{out.parent}: no such folder")
        partial = out.with_name(f".{out.name}.etiquette-copy-{os.getpid()}")
        try:
            dest = sqlite3.connect(str(partial))
            try:
                self.db.conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                dest.close()
            os.replace(partial, out)
        except OSError as e:
            raise ProjectError(f"{out}: cannot write the copy ({e.strerror})") from e
        except sqlite3.Error as e:
            raise ProjectError(f"{out}: cannot write the copy ({e})") from e
        finally:
            for leftover in (partial, partial.with_name(partial.name + "-journal")):
                leftover.unlink(missing_ok=True)
        return out

    def close(self) -> None:
        if self.read_only is None:
            self.checkpoint()
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` holds an SQLite database, asked of SQLite itself (see `_connect`)."""
    try:
        if path.stat().st_size == 0:
            return False
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return False
    try:
        con.execute("PRAGMA schema_version").fetchone()
        return True
    except sqlite3.DatabaseError as e:
        return "not a database" not in str(e)
    finally:
        con.close()


VERSION_KEY = "etiquette_version"
"""The setting that names the Etiquette version that last wrote the project."""


def _not_writable(path: Path) -> str | None:
    """Why this user may not write the project, if they may not."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"the folder {path.parent} is not writable: opened read-only"
    if not os.access(path, os.W_OK):
        return "the file is not writable: opened read-only"
    return None


def _unknown_migrations(db: Database) -> list[str]:
    """Migrations applied to the file that this version does not have: a newer Etiquette's."""
    try:
        applied = [m.name for m in MIGRATIONS.applied(db)]
    except sqlite3.DatabaseError:
        return []
    known = {m.name for m in MIGRATIONS.pending(Database(memory=True))}  # all of this version's
    return [name for name in applied if name not in known]


def _read_only_uri(path: Path) -> str:
    """A read-only connection; `immutable` when nobody can be writing (no WAL, folder read-only),
    since a WAL database cannot otherwise be read where its `-shm` cannot be made."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() and not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return uri


def _connect(path: Path, check_id: bool = False, new: bool = False, read_only: bool = False) -> Database:
    """Open the file with Etiquette's settings (WAL, foreign keys), after checking it is a project.

    The check reads the header (the application id) through SQLite, which sees a header still in
    the WAL; a file that fails it is closed untouched (its journal mode is left as it was). The
    file is never opened with Python's `open()`: closing such a descriptor would drop every lock
    SQLite holds on the file in this process, and another program would then delete the live WAL.
    """
    if read_only:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        if new:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if check_id and conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise NotAProjectError(f"{path}: an SQLite file, but not an Etiquette project")
        db = Database(conn)
        with db.ensure_autocommit_on():
            if not read_only:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 5000")
            if read_only:
                db.execute("PRAGMA query_only = ON")
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
