"""Exporting a project: pick whose annotations, split train/dev, and hand each document to a writer.

A writer fills a hidden staging folder beside the output, named `.OUT.etiquette-export-PID-….part`;
its files are moved into place only once the export has succeeded (and, with `--strict`, lost
nothing). A cancelled, failed or refused export leaves whatever was at the output paths before
exactly as it was.

A folder format (brat) is swapped in whole: the new folder takes the old one's place in one
rename (Linux's `renameat2(RENAME_EXCHANGE)`; elsewhere the old folder is moved aside first), and
the old folder is removed only then. So the output is always either the old export or the new
one, and a re-export leaves no files of documents it no longer holds; files in the folder that no
export wrote (notes, a README) are carried over. Staging folders of an export that was killed are
removed by the next export to the same place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
from desktop.store.presence import alive


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


STAGING = ".etiquette-export-"
"""In the names of staging folders: `.{out.name}.etiquette-export-{pid}-{random}.part`."""


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
    remove_abandoned(out)
    staged = Path(
        tempfile.mkdtemp(prefix=f".{out.name}{STAGING}{os.getpid()}-", suffix=".part", dir=out.parent)
    )
    try:
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        for d in made:  # deepest first
            try:
                d.rmdir()
            except OSError:
                break


def remove_abandoned(out: Path) -> list[Path]:
    """Remove the staging folders that exports to `out` left when they were killed (their
    process is gone); an export still running keeps its own."""
    removed = []
    prefix = f".{out.name}{STAGING}"
    for leftover in out.parent.iterdir():
        if not (leftover.name.startswith(prefix) and leftover.name.endswith(".part")):
            continue
        pid = leftover.name.removeprefix(prefix).split("-", 1)[0]
        if pid.isdigit() and alive(int(pid)):
            continue
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


def move_into_place(staged: Path, target: Path, paths: list[str]) -> list[str]:
    """Move what the writer left in `staged` to the same place under `target`: files one by one
    (each an atomic rename), folders whole (see `swap`).

    Returns `paths` (the writer's report) as they are after the move. Every destination is checked
    before the first thing moves, so a clash changes nothing.
    """
    entries = sorted(staged.iterdir())
    for src in entries:
        dest = target / src.name
        if src.is_dir():
            if dest.is_file():
                raise FormatError(dest, "is a file where the export writes a folder")
        elif dest.is_dir():
            raise FormatError(dest, "is a folder where the export writes a file")
    for src in entries:
        dest = target / src.name
        if src.is_dir() and dest.exists():
            _carry_over(dest, src)
            swap(src, dest)  # `src` now holds the old folder, removed with the staging folder
        else:
            os.replace(src, dest)
    return [str(target / Path(p).relative_to(staged)) if Path(p).is_relative_to(staged) else p for p in paths]


def _carry_over(old: Path, new: Path) -> None:
    """Give the new folder the old one's files that no export wrote (a README, notes): only the
    earlier export (`annotation.conf`, `.ann` files and the `.txt` beside them) is replaced."""
    for f in sorted(old.rglob("*")):
        if f.is_dir() or f.name == "annotation.conf" or f.suffix == ".ann":
            continue
        if f.suffix == ".txt" and f.with_suffix(".ann").exists():
            continue
        dest = new / f.relative_to(old)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f, dest)
        except OSError:
            shutil.copy2(f, dest)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def swap(new: Path, old: Path) -> None:
    """Put the folder `new` where `old` is, in one rename; afterwards `new`'s path holds the old."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(old), _RENAME_EXCHANGE)
        if result == 0:
            return
    # No atomic exchange here (another system, or a file system without it): move the old folder
    # into the staging area first; it is removed with it.
    aside = new.with_name(new.name + ".old")
    os.replace(old, aside)
    os.replace(new, old)
    os.replace(aside, new)
