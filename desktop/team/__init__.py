"""Teams: merging annotators' copies of a project (and annotated JSONL) into one project file."""

from desktop.team.merge import Conflict, MergeFileReport, MergeReport, merge_paths

__all__ = ["Conflict", "MergeFileReport", "MergeReport", "merge_paths"]
