"""Operating-system and SQLite errors said in one line: a full disk, a read-only file, a busy
project, a permission refused. The command line and the window both show these words."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

UNCHANGED = "the project is unchanged"


class StoppedPartway(Exception):
    """Work that stopped on an operating-system error after part of it was kept: `outcome` says what."""

    def __init__(self, error: BaseException, outcome: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.outcome = outcome


def explain(e: BaseException, path: str | Path | None = None, outcome: str = UNCHANGED) -> str | None:
    """One line for `e` naming the file concerned (`path` when the error does not name one), or
    None when `e` is not an operating-system or SQLite error."""
    if isinstance(e, StoppedPartway):
        return explain(e.error, path, e.outcome)
    if isinstance(e, sqlite3.Error):
        return _sqlite(e, path, outcome)
    if not isinstance(e, OSError):
        return None
    where = e.filename or path or "a file"
    code = e.errno
    if code in {errno.ENOSPC, errno.EDQUOT}:
        detail = "" if e.strerror in {None, os.strerror(code)} else f" ({e.strerror})"
        return f"no space left on the disk holding {where}{detail}: {outcome}"
    if code == errno.EROFS:
        return f"{where}: the disk is read-only: {outcome}"
    if code in {errno.EACCES, errno.EPERM}:
        return f"{where}: permission denied: {outcome}"
    if code in {errno.EBUSY, errno.ETXTBSY, errno.EAGAIN}:
        return f"{where}: busy, in use by another program; try again later: {outcome}"
    if code == errno.EIO:
        return f"{where}: the disk could not be read or written (input/output error): {outcome}"
    return f"{where}: {e.strerror or e}: {outcome}"


def _sqlite(e: sqlite3.Error, path: str | Path | None, outcome: str) -> str | None:
    name = getattr(e, "sqlite_errorname", "") or ""
    text = str(e).lower()
    where = path or "the project"
    if name == "SQLITE_FULL" or "disk is full" in text:
        return f"no space left on the disk holding {where}: {outcome}"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return f"{where}: read-only (the file or its folder cannot be written): {outcome}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return f"{where}: busy, another program is writing to it; try again when it is done: {outcome}"
    if name == "SQLITE_PERM" or name == "SQLITE_AUTH":
        return f"{where}: permission denied: {outcome}"
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return f"{where}: the disk could not be read or written (input/output error): {outcome}"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"{where}: cannot be opened (missing folder or no permission)"
    return None
