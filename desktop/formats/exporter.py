"""Exporting a project: pick whose annotations, split train/dev, and hand each document to a writer."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from desktop.formats import registry
from desktop.formats.base import (
    ExportLossError,
    ExportOptions,
    ExportReport,
    Progress,
)
from desktop.model import GOLD, Annotation, AnnotatorKind, Document
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


def annotated(project: Project, options: ExportOptions) -> Iterator[tuple[Document, Annotation]]:
    """The source's documents with an exportable status (rejected ones never), streamed."""
    yield from project.iter_annotations(options.source, options.statuses)


def split_ids(ids: list[int], dev_split: float, seed: int) -> set[int]:
    """The document ids that go to the dev set: a seeded shuffle, the same for the same project."""
    if not 0 <= dev_split < 1:
        raise ValueError("--dev-split is a fraction between 0 and 1")
    if dev_split == 0:
        return set()
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    n_dev = max(1, round(len(ids) * dev_split)) if ids else 0
    return set(shuffled[:n_dev])


def split_paths(out: Path, dev_split: float) -> tuple[Path, Path | None]:
    """`out` alone, or `out` with `-train`/`-dev` before its suffix when splitting."""
    if not dev_split:
        return out, None
    return (out.with_name(f"{out.stem}-train{out.suffix}"),
            out.with_name(f"{out.stem}-dev{out.suffix}"))


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
    report = writer(project, Path(out), options, progress)
    if options.strict and report.lost:
        lost = ", ".join(f"{n} {why}" for why, n in report.lost.items())
        for path in report.paths:
            Path(path).unlink(missing_ok=True)
        for folder in sorted({Path(p).parent for p in report.paths}, reverse=True):
            try:
                folder.rmdir()  # only folders the writer made and left empty
            except OSError:
                pass
        raise ExportLossError(f"{out}: --strict export would lose {lost}; nothing written")
    return report
