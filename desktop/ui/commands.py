"""The window's one bridge to `desktop.operations`: run an edit, an undo or a redo.

The project's undo history lives in the project file (per annotator), so there is no Qt undo
stack: Ctrl+Z after a restart undoes the last edit made before it. While another program holds
the project's write lock (an import), an edit is retried a few times; one that still cannot be
written is reported and leaves nothing in the history.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from desktop import operations as ops
from desktop.model import SchemeError
from desktop.store import Project, ProjectError

RETRIES = 4
"""Tries of a write while the project is busy (each waits the connection's busy timeout)."""

T = TypeVar("T")


@dataclass(slots=True)
class Refused:
    """Why an edit, undo or redo was not made (said in the status bar)."""

    message: str
    nothing: bool = False
    """True when there was simply nothing to undo or redo."""


def busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _attempt(call: Callable[[], T]) -> T | Refused:
    for attempt in range(RETRIES):
        try:
            return call()
        except ops.NothingToUndo as e:
            return Refused(str(e), nothing=True)
        except (ProjectError, SchemeError) as e:
            return Refused(str(e))
        except sqlite3.OperationalError as e:
            if not busy(e):
                raise
            if attempt == RETRIES - 1:
                return Refused("The project is busy (another program writes to it): the edit was not saved")
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def perform(project: Project, op: ops.Edit) -> ops.Step | Refused:
    return _attempt(lambda: ops.perform(project, op))


def undo(project: Project, annotator: str) -> ops.Step | Refused:
    return _attempt(lambda: ops.undo(project, annotator))


def redo(project: Project, annotator: str) -> ops.Step | Refused:
    return _attempt(lambda: ops.redo(project, annotator))
