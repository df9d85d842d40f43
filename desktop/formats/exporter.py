"""Exporting a project: pick whose annotations, split train/dev, and hand each document to a writer.

A writer fills a hidden folder beside the output; its files are moved into place only once the
export has succeeded (and, with `--strict`, lost nothing). A cancelled, failed or refused export
leaves whatever was at the output paths before exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.formats import registry
from desktop.formats.base import (
    ExportLossError,
    ExportOptions,
    ExportReport,
    FormatError,
    Progress,
)
from desktop.model import GOLD, AnnotatorKind
from desktop.store import Project, ProjectError


def resolve_source(project: Project, source: str | None) -> str:
    """The annotator named by `--source`: a name, `model` (the latest pipeline) or `gold`.

    Without a source, the project's only person is chosen; with several, the caller must say.
    """
    names = [a.name for a in project.annotators()]
    if source == "model":
        model = project.latest_model()
        if model is None:
            raise ProjectError(f"{project.path}: no model suggestions yet; run `etiquette preannotate`")
        return model
    if source == GOLD:
        if GOLD not in names:
            raise ProjectError(f"{project.path}: no gold annotations yet; review documents first")
        return GOLD
    if source:
        if source not in names:
            raise ProjectError(
                f"{project.path}: no annotator {source!r} (annotators: {', '.join(names) or 'none'})"
            )
        return source
    people = [a.name for a in project.annotators(AnnotatorKind.PERSON)]
    if len(people) == 1:
        return people[0]
    if not people:
        return resolve_source(project, "model")
    raise ProjectError(f"several annotators ({', '.join(people)}): choose one with --source")


def export_project(
    project: Project,
    out: str | Path,
    fmt: str,
    options: ExportOptions,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the source's annotations in a format; with `strict`, any loss is an error."""
    writer = registry.get(fmt).writer
    if writer is None:
        raise ProjectError(f"Etiquette cannot export the {fmt} format")
    options.source = resolve_source(project, options.source)
    out = Path(out)
    with staging(out) as staged:
        report = writer(project, staged / out.name, options, progress)
        if report.cancelled:
            return report
        if options.strict and report.lost:
            lost = ", ".join(f"{n} {why}" for why, n in report.lost.items())
            raise ExportLossError(f"{out}: --strict export would lose {lost}; nothing written")
        report.paths = move_into_place(staged, out.parent, report.paths)
    report.left_out = {
        status.text: n
        for status, n in project.status_counts(options.source).items()
        if status not in options.statuses and n
    }
    return report


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A hidden folder beside `out` for a writer to fill, removed afterwards with what is left in
    it, along with the folders above `out` made for it and left empty."""
    made = []
    folder = out.parent
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        for d in made:  # deepest first
            try:
                d.rmdir()
            except OSError:
                break


def move_into_place(staged: Path, target: Path, paths: list[str]) -> list[str]:
    """Move every file the writer left in `staged` to the same place under `target`.

    Returns `paths` (the writer's report) as they are after the move. Every destination is checked
    before the first file moves, so a clash changes nothing.
    """
    moves = [(f, target / f.relative_to(staged)) for f in sorted(staged.rglob("*")) if not f.is_dir()]
    for _, dest in moves:
        if dest.is_dir():
            raise FormatError(dest, "is a folder where the export writes a file")
        for folder in dest.relative_to(target).parents:
            if (target / folder).is_file():
                raise FormatError(target / folder, "is a file where the export writes a folder")
    for src, dest in moves:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
    return [str(target / Path(p).relative_to(staged)) if Path(p).is_relative_to(staged) else p for p in paths]
