"""What each `etiquette` subcommand does: open the project, call the library, print the outcome.

A handler takes the parsed arguments and returns the exit status; bad input raises (`CliError` for
the arguments themselves), and `desktop.cli.run` prints it as one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


class CliError(Exception):
    pass


def _labels(raw: str | None) -> list[str]:
    return [x.strip() for x in (raw or "").split(",") if x.strip()]


def _label_map(raw: str | None) -> dict[str, str]:
    """`PER=PERSON,MISC=` maps model labels to project labels (an empty target drops the label)."""
    out = {}
    for item in _labels(raw):
        src, sep, dst = item.partition("=")
        if not sep:
            raise CliError(f"--map: {item!r} is not MODEL_LABEL=PROJECT_LABEL")
        out[src.strip()] = dst.strip()
    return out


class _Bar:
    """A progress bar on stderr (tqdm), quiet when stderr is not a terminal."""

    def __init__(self, desc: str, unit: str) -> None:
        from tqdm import tqdm

        # No monitor thread: pre-annotation forks its workers only from a one-threaded process.
        tqdm.monitor_interval = 0
        self.bar = tqdm(desc=desc, unit=unit, disable=not sys.stderr.isatty(), leave=False)

    def __call__(self, done: int, total: int) -> bool:
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()
        return True

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _open(path: str, write: bool = False) -> Any:
    """The project, refused at once for a command that writes when it may not be written; a
    command that only reads says on stderr that the project is read-only, and goes on."""
    from desktop.store import Project, ProjectError

    project = Project.open(path)
    if project.read_only is not None:
        if write:
            project.close()
            raise ProjectError(f"{path}: {project.read_only}; nothing was written")
        print(f"note: {path}: {project.read_only}", file=sys.stderr)
    return project


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.model import LabelScheme
    from desktop.store import Project

    scheme = LabelScheme.from_names(
        _labels(args.labels), _labels_rel(args.relations), allow_overlap=args.allow_overlap
    )
    if args.model:
        model, which = args.model, f"pipeline {args.model}"
    else:
        from desktop.nlp.pipeline import default_pipeline

        model, which = default_pipeline(args.lang)
    with Project.create(args.project, lang=args.lang, model=model, scheme=scheme) as p:
        print(f"created {p.path} (language {args.lang}, {which}, labels {', '.join(scheme.entity_names)})")
    return 0


def _labels_rel(raw: str | None) -> list[str]:
    # Relation specs hold `|` and `>` but never commas, so a comma list works for them too.
    return _labels(raw)


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.formats import ImportOptions, import_paths

    with _open(args.project, write=True) as p:
        with _Bar("importing", "docs") as bar:
            options = ImportOptions(
                annotator=args.annotator, spans_key=args.spans_key, on_conflict=args.on_conflict
            )
            if args.max_chars is not None:
                options.max_chars = args.max_chars
            if args.max_spacy_mb is not None:
                options.max_spacy_bytes = args.max_spacy_mb * 2**20
            report = import_paths(p, args.paths, args.format, options, progress=bar)
        for f in report.files:
            extra = ""
            if f.annotations:
                extra = f", {f.annotations} annotations, {f.spans} spans, {f.relations} relations"
            print(f"{f.path}: {f.format}, {f.added} added, {f.duplicates} duplicates skipped{extra}")
            if f.kept:
                print(
                    f"  kept {f.kept} existing annotations (the project's differ from the file's; "
                    "--on-conflict replace or merge to take the file's)"
                )
            if f.replaced or f.merged:
                print(f"  {f.replaced} existing annotations replaced, {f.merged} merged")
            if f.unchanged:
                print(f"  {f.unchanged} annotations already in the project, unchanged")
            for what, n in f.not_imported.items():
                print(f"  not imported: {n} {what}")
        print(
            f"imported {report.added} documents ({report.duplicates} duplicates skipped); "
            f"{p.document_count()} in the project"
        )
    return 0


def cmd_preannotate(args: argparse.Namespace) -> int:
    from desktop.nlp.pipeline import load_pipeline
    from desktop.nlp.preannotate import preannotate, read_patterns

    with _open(args.project, write=True) as p:
        patterns = read_patterns(args.patterns) if args.patterns else None
        nlp = load_pipeline(args.model or p.model, entities_only=True)
        with _Bar("pre-annotating", "docs") as bar:
            result = preannotate(
                p,
                nlp,
                patterns=patterns,
                label_map=_label_map(args.map),
                batch_size=args.batch_size,
                n_process=args.n_process,
                engine=args.engine,
                address=args.address,
                model=args.model or p.model,
                progress=bar,
                confidence=not args.no_confidence,
            )
        labels = ", ".join(f"{k} {v}" for k, v in sorted(result.labels.items())) or "none"
        print(
            f"{result.annotator} ({' + '.join(result.components)}): {result.done} documents "
            f"annotated, {result.skipped} already done; {result.spans} spans ({labels})"
            + (f", {_ran_on(result.workers, args.engine)}" if result.done else "")
        )
    return 0


def _ran_on(workers: int, engine: str) -> str:
    if engine == "ray":
        return f"on {workers} Ray actor{'s' * (workers > 1)}"
    return "in one process" if workers == 1 else f"on {workers} worker processes"


def cmd_train(args: argparse.Namespace) -> int:
    from desktop.nlp.train import TrainOptions, train

    options = TrainOptions(
        source=args.source,
        base=args.base,
        eval_split=args.eval_split,
        seed=args.seed,
        max_seconds=args.max_seconds,
    )
    with _open(args.project) as p:  # training only reads the project
        with _Bar("training", "steps") as bar:
            result = train(p, args.out, options, progress=bar)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(
        f"trained {result.pipeline} from {result.base} on {len(result.train_docs)} finished documents "
        f"of {result.source} ({result.epochs} epochs, {result.seconds:.1f} s); "
        f"scores on the {len(result.eval_docs)} held-out documents:"
    )
    print(f"  {'label':<12} {'base P':>7} {'R':>6} {'F':>6}   {'new P':>7} {'R':>6} {'F':>6}")
    labels = sorted(set(result.base_scores.per_label) | set(result.scores.per_label))
    rows = [(lab, result.base_scores.per_label.get(lab), result.scores.per_label.get(lab)) for lab in labels]
    rows.append(("all", (result.base_scores.p, result.base_scores.r, result.base_scores.f),
                 (result.scores.p, result.scores.r, result.scores.f)))  # fmt: skip
    for label, old, new in rows:
        o, n = old or (0.0, 0.0, 0.0), new or (0.0, 0.0, 0.0)
        print(
            f"  {label:<12} {o[0]:>7.2f} {o[1]:>6.2f} {o[2]:>6.2f}   {n[0]:>7.2f} {n[1]:>6.2f} {n[2]:>6.2f}"
        )
    if result.labels_added:
        print(f"  labels added to the model: {', '.join(result.labels_added)}")
    if result.spans_left_out:
        print(f"  not learnt: {result.spans_left_out} spans that overlap another or miss the tokens")
    if not result.improved:
        print("  no epoch beat the base on the held-out documents: the pipeline written is the base's")
    print(f"wrote {result.out}; use it with: etiquette preannotate {args.project} --model {result.out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.formats import ExportOptions, export_project

    with _open(args.project) as p:
        options = ExportOptions(
            source=args.source,
            spans_key=args.spans_key,
            dev_split=args.dev_split,
            seed=args.seed,
            strict=args.strict,
        )
        with _Bar("exporting", "docs") as bar:
            report = export_project(p, args.out, args.format, options, progress=bar)
        print(
            f"exported {report.documents} documents of {options.source} "
            f"({report.spans} spans, {report.relations} relations) to {', '.join(report.destination())}"
        )
        if report.left_out:
            statuses = ", ".join(f"{n} {status}" for status, n in report.left_out.items())
            print(f"  left out by status (only accepted documents are exported): {statuses}")
        for reason, n in report.lost.items():
            print(f"  not exported: {n} {reason}")
        if report.losses:
            worst = sorted(report.losses, key=lambda x: -sum(x.reasons.values()))[:10]
            for loss in worst:
                what = ", ".join(f"{n} {r}" for r, n in loss.reasons.items())
                print(f"    document {loss.document_id}: {what}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from desktop.model import Status

    with _open(args.project) as p:
        stats = p.stats()
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    print(f"{stats['path']}: {stats['documents']} documents")
    for name, a in stats["annotators"].items():
        statuses = ", ".join(f"{Status(k).text} {v}" for k, v in a["statuses"].items() if v)
        print(f"  {name} ({a['kind']}): {statuses}")
        if a["spans"]:
            print("    spans: " + ", ".join(f"{k} {v}" for k, v in a["spans"].items()))
        if a["relations"]:
            print("    relations: " + ", ".join(f"{k} {v}" for k, v in a["relations"].items()))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from desktop.team import merge_paths

    with _open(args.project, write=True) as p:
        report = merge_paths(p, args.others, annotator=args.annotator)
    for f in report.files:
        print(
            f"{f.path}: {f.documents} documents ({f.documents_added} new), "
            f"{f.annotations} annotations: {f.added} added, {f.unchanged} unchanged, "
            f"{len(f.conflicts)} conflicts"
        )
        if f.annotators_added:
            print(f"  new annotators: {', '.join(f.annotators_added)}")
        if f.labels_added:
            print(f"  new labels: {', '.join(f.labels_added)}")
        for what, n in f.not_imported.items():
            print(f"  not merged: {n} {what}")
        if f.conflicts:
            print(
                f"  conflicts (same annotator and document, different content), resolved by the "
                f"finished version, else the newest: {f.replaced} taken from {Path(f.path).name}, "
                f"{f.kept} kept"
            )
            for c in f.conflicts[:20]:
                why = "finished" if c.reason == "finished" else "newest"
                print(
                    f"    document {c.document_id}, {c.annotator}: kept the {c.kept} version ({why}); "
                    f"project {c.project_status.replace('_', ' ')} {c.project_updated_at}, "
                    f"incoming {c.incoming_status.replace('_', ' ')} {c.incoming_updated_at}"
                )
            if len(f.conflicts) > 20:
                print(f"    ... and {len(f.conflicts) - 20} more")
    print("merged" if report.changed else "nothing new: the project already had all of it")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:

    with _open(args.project) as p:
        out = p.backup(args.out, overwrite=args.overwrite)
        print(f"copied {p.path} to {out} ({p.document_count()} documents, every saved edit)")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from desktop.agreement import compute_agreement, format_text
    from desktop.agreement.report_html import write_html
    from desktop.model import Status

    valid = [str(s) for s in Status]
    unknown = [s for s in _labels(args.statuses) if s not in valid]
    if unknown:
        raise CliError(f"--statuses: unknown {', '.join(unknown)} (choose from {', '.join(valid)})")
    statuses = [Status(s) for s in _labels(args.statuses)]
    with _open(args.project) as p:
        report = compute_agreement(
            p,
            _labels(args.annotators) or None,
            _labels(args.labels) or None,
            include_model=not args.no_model,
            statuses=statuses or [Status.ACCEPTED],
        )
    if args.html:
        write_html(report, Path(args.html))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_text(report))
        if args.html:
            print(f"\nreport written to {args.html}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.demo import build_demo

    path = build_demo(Path(args.project), Path(args.seeds))
    print(f"demo project ready: {path}")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from desktop.ui.app import main as gui_main
    except ImportError as e:
        raise CliError(f"the window cannot start: {e}") from e
    if args.annotator is not None and not args.annotator.strip():
        raise CliError("--annotator: give a name")
    return gui_main([args.project] if args.project else [], annotator=args.annotator)
