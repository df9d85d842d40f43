"""The SQLite project file: schema, migrations, and every read and write of project data."""

from desktop.store.project import (
    AnnotatorInfo,
    ImportResult,
    NewDocument,
    NotAProjectError,
    Project,
    ProjectError,
)

__all__ = [
    "AnnotatorInfo",
    "ImportResult",
    "NewDocument",
    "NotAProjectError",
    "Project",
    "ProjectError",
]
