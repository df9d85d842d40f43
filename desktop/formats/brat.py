"""brat standoff: a folder of `.txt` documents, each with a `.ann` file of annotations.

Imported: text-bound annotations (`T`, entity types) as spans and binary relations (`R`, Arg1 ->
Arg2). A `T` whose fragments are separated by line breaks only (how brat writes a span that
crosses lines) is one span. Not imported, and counted: discontinuous spans, event triggers (`T`
lines of types listed under [events] in annotation.conf) and events (`E`), attributes (`A`/`M`),
equivalences (`*`), notes (`#`), normalizations (`N`), and relations to anything not imported.

Exported: `NAME.txt` and `NAME.ann` per document and an `annotation.conf` listing the labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.formats.base import (
    Cancelled,
    ExportOptions,
    ExportReport,
    FileReport,
    FormatError,
    ImportOptions,
    Progress,
    Record,
)
from desktop.formats.common import AnnotationBuilder, annotator_name, check_span, count, reading
from desktop.formats.files import read_text_file
from desktop.formats.registry import Format, register
from desktop.formats.writing import ExportRun, finish_cancelled, start_export
from desktop.model import Annotation, Document, label_problem

NOT_IMPORTED = {
    "E": "brat events",
    "A": "brat attributes",
    "M": "brat attributes",
    "*": "brat equivalences",
    "#": "brat notes",
    "N": "brat normalizations",
}
LINE_BREAK = re.compile(r"[\r\n]+")
SAFE_NAME = re.compile(r"[^\w.-]+")


# --- reading -------------------------------------------------------------------------------------


def event_types(folder: Path, root: Path) -> set[str]:
    """Event types declared in the annotation.conf nearest to `folder` (up to `root`)."""
    for d in [folder, *folder.parents]:
        conf = d / "annotation.conf"
        if conf.is_file():
            return _section(conf, "events")
        if d == root:
            break
    return set()


def _section(conf: Path, name: str) -> set[str]:
    out: set[str] = set()
    current = None
    for raw in read_text_file(conf).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current == name and "=" not in line.split()[0]:
            out.add(line.split()[0].lstrip("!"))
    return out


def read(path: Path, options: ImportOptions, report: FileReport) -> Iterator[Record]:
    if path.is_file():
        pairs = [path.with_suffix(".txt")]
        root = path.parent
    else:
        pairs = sorted(p for p in path.rglob("*.txt") if not p.name.startswith("."))
        root = path
        orphans = [p for p in path.rglob("*.ann") if not p.with_suffix(".txt").is_file()]
        count(report, "brat .ann files without their .txt", len(orphans))
    for txt in pairs:
        if not txt.is_file():
            raise FormatError(txt, "the .txt file of this .ann is missing")
        with reading(txt.with_suffix(".ann")):
            record = doc_record(txt, root, options, report)
        yield record


def doc_record(txt: Path, root: Path, options: ImportOptions, report: FileReport) -> Record:
    text = read_text_file(txt)
    ann_path = txt.with_suffix(".ann")
    meta = {"source": str(txt.relative_to(root)) if txt.is_relative_to(root) else txt.name}
    record = Record(text, meta, source=str(ann_path))
    if not ann_path.is_file():
        return record
    events = event_types(txt.parent, root)
    builder = AnnotationBuilder(annotator_name(options), options.default_status, report)
    relations: list[tuple[int, str, str, str]] = []
    for lineno, raw in enumerate(read_text_file(ann_path).split("\n"), 1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        kind = line[0]
        if kind == "T":
            _text_bound(ann_path, lineno, line, record, builder, events, report)
        elif kind == "R":
            relations.append((lineno, *_relation(ann_path, lineno, line)))
        elif kind in NOT_IMPORTED:
            count(report, NOT_IMPORTED[kind])
        else:
            raise FormatError(ann_path, f"unknown annotation line {line[:40]!r}", lineno)
    for _, label, arg1, arg2 in relations:
        head, child = builder.local_id(arg1), builder.local_id(arg2)
        if head is None or child is None:
            count(report, "brat relations to annotations not imported")
            continue
        builder.relation(head, child, label)
    record.annotations.append(builder.build())
    return record


def _text_bound(
    path: Path,
    lineno: int,
    line: str,
    record: Record,
    builder: AnnotationBuilder,
    events: set[str],
    report: FileReport,
) -> None:
    parts = line.split("\t", 2)
    if len(parts) < 2:
        raise FormatError(path, "a T line is `ID<TAB>TYPE START END<TAB>TEXT`", lineno)
    ident, spec = parts[0], parts[1]
    label, _, offsets = spec.partition(" ")
    problem = label_problem(label)
    if problem is not None:
        raise FormatError(path, problem, lineno)
    if label in events:
        count(report, "brat event triggers")
        return
    fragments = []
    for frag in offsets.split(";"):
        bounds = frag.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise FormatError(path, f"bad offsets {offsets!r}", lineno)
        fragments.append((int(bounds[0]), int(bounds[1])))
    for start, end in fragments:
        check_span(record, start, end)
    gaps = [record.text[a[1] : b[0]] for a, b in zip(fragments, fragments[1:], strict=False)]
    if any(LINE_BREAK.fullmatch(g) is None for g in gaps):
        count(report, "brat discontinuous spans")
        return
    start, end = fragments[0][0], fragments[-1][1]
    if len(parts) == 3:
        expected = " ".join(record.text[s:e] for s, e in fragments)
        if parts[2] != expected:
            raise FormatError(path, f"{ident} says {parts[2]!r} but the text there is {expected!r}", lineno)
    builder.span(start, end, label, ident)


def _relation(path: Path, lineno: int, line: str) -> tuple[str, str, str]:
    parts = line.split("\t")
    fields = parts[1].split() if len(parts) > 1 else []
    args = dict(f.split(":", 1) for f in fields[1:] if ":" in f)
    if len(fields) < 3 or "Arg1" not in args or "Arg2" not in args:
        raise FormatError(path, "an R line is `ID<TAB>TYPE Arg1:ID Arg2:ID`", lineno)
    problem = label_problem(fields[0])
    if problem is not None:
        raise FormatError(path, problem, lineno)
    return fields[0], args["Arg1"], args["Arg2"]


BRAT_FILES = {".txt", ".ann", ".conf", ".md"}


def sniff(path: Path) -> bool:
    """A `.ann` file, or a folder of brat documents (and its configuration, readme, licence)."""
    if path.is_file():
        return path.suffix.lower() == ".ann"
    if not path.is_dir():
        return False
    files = [p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")]
    return any(p.suffix == ".ann" for p in files) and all(
        p.suffix.lower() in BRAT_FILES or p.stem.upper() in {"LICENSE", "README"} for p in files
    )


# --- writing -------------------------------------------------------------------------------------


def ann_lines(doc: Document, ann: Annotation, run: ExportRun) -> list[str]:
    """The .ann lines of one document; a span across line breaks is written as fragments."""
    text = doc.text
    ids: dict[int | None, str] = {}
    lines = []
    run.off_tokens(doc, ann, "written by characters")
    for span in ann.spans:
        if any(c.isspace() for c in span.label):
            run.loss(doc.id, "labels with spaces (brat cannot hold them)")
            continue
        fragments = []
        pos = span.start
        for m in LINE_BREAK.finditer(text, span.start, span.end):
            if m.start() > pos:
                fragments.append((pos, m.start()))
            pos = m.end()
        if pos < span.end:
            fragments.append((pos, span.end))
        if not fragments:
            run.loss(doc.id, "spans of line breaks only (brat cannot hold them)")
            continue
        if (fragments[0][0], fragments[-1][1]) != (span.start, span.end):
            run.loss(doc.id, "line breaks at the edges of spans (brat cannot hold them)")
        ids[span.id] = f"T{len(ids) + 1}"
        offsets = ";".join(f"{s} {e}" for s, e in fragments)
        covered = " ".join(text[s:e] for s, e in fragments)
        lines.append(f"{ids[span.id]}\t{span.label} {offsets}\t{covered}")
    n = 0
    for rel in ann.relations:
        if any(c.isspace() for c in rel.label):
            run.loss(doc.id, "labels with spaces (brat cannot hold them)")
            continue
        if rel.head not in ids or rel.child not in ids:
            run.loss(doc.id, "relations of spans brat cannot hold")
            continue
        n += 1
        lines.append(f"R{n}\t{rel.label} Arg1:{ids[rel.head]} Arg2:{ids[rel.child]}")
    run.report.spans += len(ids)
    run.report.relations += n
    return lines


def _name(doc: Document, used: set[str]) -> str:
    source = str(doc.meta.get("source", ""))
    stem = SAFE_NAME.sub("_", source.removesuffix(".txt").replace("/", "__"))
    stem = stem.strip("._") or f"doc{doc.id:06d}"
    name = stem if stem not in used else f"{stem}-{doc.id}"
    used.add(name)
    return name


def write(project: Any, out: Path, options: ExportOptions, progress: Progress | None) -> ExportReport:
    run, train_dir, dev_dir = start_export(project, out, "brat", options, progress)
    entity_labels = list(project.scheme.entity_names)
    relation_labels = list(project.scheme.relation_names)
    used: dict[Path, set[str]] = {}
    try:
        for doc, ann in project.iter_annotations(options.source, options.statuses):
            folder = dev_dir if dev_dir is not None and doc.id in run.dev else train_dir
            if folder not in used:
                folder.mkdir(parents=True, exist_ok=True)
                used[folder] = set()
            name = _name(doc, used[folder])
            for suffix, content in (
                (".txt", doc.text),
                (".ann", "".join(x + "\n" for x in ann_lines(doc, ann, run))),
            ):
                target = folder / f"{name}{suffix}"
                with open(target, "w", encoding="utf-8", newline="") as f:
                    f.write(content)
                run.report.paths.append(str(target))
            entity_labels += [s.label for s in ann.spans if s.label not in entity_labels]
            relation_labels += [r.label for r in ann.relations if r.label not in relation_labels]
            run.report.documents += 1
            run.tick()
    except Cancelled:
        return finish_cancelled(run)
    for folder in used or {train_dir: set()}:
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "annotation.conf"
        conf.write_text(_conf(entity_labels, relation_labels), encoding="utf-8")
        run.report.paths.append(str(conf))
    return run.report


def _conf(entities: list[str], relations: list[str]) -> str:
    lines = ["[entities]", *entities, "", "[relations]"]
    lines += [f"{r}\tArg1:<ENTITY>, Arg2:<ENTITY>" for r in relations]
    lines += ["", "[events]", "", "[attributes]", ""]
    return "\n".join(lines)


FORMAT = register(
    Format(
        "brat",
        "brat standoff: a folder of .txt and .ann files",
        reader=read,
        writer=write,
        sniff=sniff,
        folder=True,
    )
)
