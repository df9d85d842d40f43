"""The SQLite project file: schema, migrations, and every read and write of project data."""

from desktop.store.base import ON_CONFLICT, AnnotationsSaved
from desktop.store.project import (
    AnnotatorInfo,
    ImportResult,
    NewDocument,
    NotAProjectError,
    Project,
    ProjectError,
)

__all__ = [
    "ON_CONFLICT",
    "AnnotationsSaved",
    "AnnotatorInfo",
    "ImportResult",
    "NewDocument",
    "NotAProjectError",
    "Project",
    "ProjectError",
]
