"""Who has a project open: a small lock file beside it, so a second window can say so.

`.NAME.db.etiquette-open` holds the annotator, the host, the process id and since when. A lock
left by a process that is no longer alive on this host is no lock (a window killed never nags);
a lock from another host is believed. The file is never the project file itself: opening and
closing the project with `open()` would drop the process's SQLite locks.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Holder:
    annotator: str
    host: str
    pid: int
    since: str
    """ISO time, UTC."""

    def describe(self) -> str:
        when = self.since[:16].replace("T", " ")
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"{self.annotator or 'someone'}{where}, since {when} UTC"


def lock_path(project: Path) -> Path:
    return project.with_name(f".{project.name}.etiquette-open")


def alive(pid: int) -> bool:
    """Whether a process of this machine runs with that id (what is left of a dead one is no lock)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def holder(project: Path) -> Holder | None:
    """Who holds the project open (not counting this process), or None."""
    try:
        data = json.loads(lock_path(project).read_text(encoding="utf-8"))
        found = Holder(str(data["annotator"]), str(data["host"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if found.host == socket.gethostname() and (found.pid == os.getpid() or not alive(found.pid)):
        return None
    return found


def claim(project: Path, annotator: str) -> bool:
    """Say this process has the project open; False when the folder cannot be written."""
    me = Holder(annotator, socket.gethostname(), os.getpid(), datetime.now(UTC).isoformat(timespec="seconds"))
    path = lock_path(project)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(asdict(me)), encoding="utf-8")
        partial.replace(path)
    except OSError:
        return False
    return True


def release(project: Path) -> None:
    """Remove this process's lock (another process's lock stays)."""
    path = lock_path(project)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("host") == socket.gethostname() and data.get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass
