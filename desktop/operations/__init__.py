"""Edits of a project as operations, with Qt-free undo and redo that outlive the window.

Each operation applies itself to a `Project` and returns its inverse; `perform` runs an edit and
records its inverse in the project's undo history (per annotator, in the same transaction);
`undo` and `redo` (or the `Undo` and `Redo` operations) walk that history, from the window or
from a script::

    from desktop.operations import UpdateSpan, perform, undo
    perform(project, UpdateSpan(doc_id, "alice", span_id, label="ORG"))
    undo(project, "alice")
"""

from desktop.operations.base import Compound, Edit, Operation, decode, encode
from desktop.operations.edits import (
    AddRelation,
    AddSpan,
    DiscardAnnotation,
    RelabelRelation,
    RemoveRelation,
    RemoveSpan,
    RestoreAnnotation,
    RestoreSpan,
    SetStatus,
    StartAnnotation,
    TakeIntoGold,
    UpdateSpan,
)
from desktop.operations.history import NothingToUndo, Redo, Step, Undo, perform, redo, undo

__all__ = [
    "AddRelation",
    "AddSpan",
    "Compound",
    "DiscardAnnotation",
    "Edit",
    "NothingToUndo",
    "Operation",
    "Redo",
    "RelabelRelation",
    "RemoveRelation",
    "RemoveSpan",
    "RestoreAnnotation",
    "RestoreSpan",
    "SetStatus",
    "StartAnnotation",
    "Step",
    "TakeIntoGold",
    "Undo",
    "UpdateSpan",
    "decode",
    "encode",
    "perform",
    "redo",
    "undo",
]
