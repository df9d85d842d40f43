"""The `etiquette` command: parses arguments, calls the library, prints what happened.

Every error that comes from bad input is printed as one line naming the file (and line) and exits
with status 1; the project is left as it was.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.errors import UNCHANGED, explain

EXIT_BAD_INPUT = 1
EXIT_BROKEN_PIPE = 141
"""As a program killed by SIGPIPE: the reader of stdout closed it (`| head`)."""


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

    def close(self) -> None:
        self.bar.close()


# --- commands -------------------------------------------------------------------------------------


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
        bar = _Bar("importing", "docs")
        try:
            options = ImportOptions(
                annotator=args.annotator, spans_key=args.spans_key, on_conflict=args.on_conflict
            )
            if args.max_chars is not None:
                options.max_chars = args.max_chars
            if args.max_spacy_mb is not None:
                options.max_spacy_bytes = args.max_spacy_mb * 2**20
            report = import_paths(p, args.paths, args.format, options, progress=bar)
        finally:
            bar.close()
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
        nlp = load_pipeline(args.model or p.model)
        bar = _Bar("pre-annotating", "docs")
        try:
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
        finally:
            bar.close()
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
        bar = _Bar("training", "steps")
        try:
            result = train(p, args.out, options, progress=bar)
        finally:
            bar.close()
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
        bar = _Bar("exporting", "docs")
        try:
            report = export_project(p, args.out, args.format, options, progress=bar)
        finally:
            bar.close()
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


# --- parser ---------------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    from desktop.formats import registry

    parser = argparse.ArgumentParser(
        prog="etiquette",
        description="Etiquette: annotate entities and relations with spaCy, offline. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"etiquette {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create a new project file")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("--lang", default="fr", help="language of the texts (spaCy code, default fr)")
    p.add_argument(
        "--model",
        help="spaCy pipeline for pre-annotation (default: the language's small pipeline, "
        "fr_core_news_sm for fr, when installed; otherwise blank:LANG, a tokenizer only)",
    )
    p.add_argument(
        "--labels",
        default="PER,LOC,ORG,MISC",
        help="entity labels, comma-separated (default PER,LOC,ORG,MISC)",
    )
    p.add_argument(
        "--relations",
        default="",
        help="relation labels, comma-separated; each may say which entity labels it "
        "joins: porte_parole:PER>ORG|PER>LOC",
    )
    p.add_argument("--allow-overlap", action="store_true", help="let spans overlap")

    p = add("import", cmd_import, "import documents (and their annotations, if any)")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument(
        "--format",
        default="auto",
        choices=["auto", *registry.importable()],
        help="input format (default auto: guessed from each file, and said)",
    )
    p.add_argument("--annotator", help="who the imported annotations belong to, when the file does not say")
    p.add_argument("--spans-key", default="sc", help="doc.spans key read from .spacy files (default sc)")
    p.add_argument(
        "--on-conflict",
        default="keep",
        choices=["keep", "replace", "merge"],
        help="a text the annotator already has, annotated differently: keep the project's version "
        "(default), replace it with the file's, or merge both",
    )
    p.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help="refuse a document longer than N characters (default 10,000,000)",
    )
    p.add_argument(
        "--max-spacy-mb",
        type=int,
        metavar="MB",
        help="refuse a .spacy file that decompresses to more than MB megabytes (default 512)",
    )

    p = add("preannotate", cmd_preannotate, "suggest entities with a spaCy pipeline")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("--model", help="installed pipeline name or folder (default: the project's)")
    p.add_argument("--patterns", help="EntityRuler/Prodigy patterns JSONL for extra labels")
    p.add_argument("--map", help="model label to project label: PER=PERSON,MISC= (empty drops)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument(
        "--n-process",
        type=int,
        help="worker processes (or Ray actors) that each hold the pipeline "
        "(default: every core memory has room for; 1 runs in this process)",
    )
    p.add_argument(
        "--engine",
        default="local",
        choices=["local", "ray"],
        help="local: processes on this machine (default); "
        "ray: a Ray cluster (pip install 'etiquette[cluster]')",
    )
    p.add_argument(
        "--address",
        help="Ray cluster to use, e.g. 10.0.0.5:6379 or ray://head:10001 (default: a local one for this run)",
    )
    p.add_argument(
        "--no-confidence",
        action="store_true",
        help="do not store how sure the model is of each suggestion (pre-annotation is about twice as fast)",
    )

    p = add("train", cmd_train, "fine-tune the entity recogniser on finished documents")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("out", metavar="OUT", help="folder for the new pipeline (replaced only when complete)")
    p.add_argument(
        "--source", help="whose accepted documents to learn from: a name or gold (default: the only person)"
    )
    p.add_argument("--base", metavar="PIPELINE", help="pipeline to start from (default: the project's)")
    p.add_argument(
        "--eval-split",
        type=float,
        default=0.2,
        help="fraction of documents held out to evaluate (default 0.2)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the held-out choice and the shuffles")
    p.add_argument("--max-seconds", type=float, help="stop training after this long (the best epoch is kept)")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")

    p = add("export", cmd_export, "export annotations as training data")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--format", required=True, choices=registry.exportable())
    p.add_argument(
        "--source", help="annotator name, `model` or `gold` (default: the project's only annotator)"
    )
    p.add_argument("--spans-key", default="sc", help="doc.spans key in .spacy files (default sc)")
    p.add_argument(
        "--dev-split",
        type=float,
        default=0.0,
        help="fraction of documents for a dev file (OUT-train / OUT-dev)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the train/dev shuffle")
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail, writing nothing, if the format cannot hold every span and relation",
    )

    p = add("stats", cmd_stats, "documents, statuses, spans and relations per annotator")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add(
        "merge", cmd_merge, "bring annotators' copies of the project (or annotated JSONL) into this project"
    )
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument(
        "others", nargs="+", metavar="OTHER", help="project files (.db) or JSONL with _annotator_id"
    )
    p.add_argument("--annotator", help="who made JSONL records that carry no _annotator_id")

    p = add(
        "copy",
        cmd_copy,
        "write one consistent copy of a project file, even while a window has it open",
    )
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("out", metavar="OUT.db")
    p.add_argument("--overwrite", action="store_true", help="replace OUT.db if it exists")

    p = add("agreement", cmd_agreement, "inter-annotator agreement: F1, kappa, alpha")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument(
        "--annotators",
        help="names to compare, comma-separated (default: every "
        "person; the latest model is added unless --no-model)",
    )
    p.add_argument("--labels", help="labels to compare, comma-separated (default: all)")
    p.add_argument(
        "--statuses",
        default="accepted",
        help="statuses that count as finished, comma-separated (default accepted)",
    )
    p.add_argument(
        "--no-model", action="store_true", help="leave the latest model's suggestions out of the comparison"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--html", metavar="REPORT.html", help="also write a self-contained HTML report")

    p = add("demo", cmd_demo, "build the demo project from the seed articles, pre-annotated")
    p.add_argument("project", metavar="PROJECT.db")
    p.add_argument("--seeds", default="seeds", help="folder of .txt articles (default seeds)")

    p = add("gui", cmd_gui, "open the annotation window")
    p.add_argument("project", nargs="?", metavar="PROJECT.db")
    p.add_argument("--annotator", metavar="NAME", help="annotate this project under this name")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    return run(args)


def run(args: argparse.Namespace) -> int:
    from desktop.formats import ExportLossError, FormatError
    from desktop.model import SchemeError
    from desktop.nlp.pipeline import PipelineError
    from desktop.store import ProjectError

    errors: tuple[type[BaseException], ...] = (
        CliError,
        FormatError,
        ExportLossError,
        PipelineError,
        ProjectError,
        SchemeError,
        ValueError,
    )
    try:
        code: Any = args.func(args)
        sys.stdout.flush()
        return int(code or 0)
    except errors as e:
        print(f"etiquette {args.command}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `etiquette … | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except (OSError, sqlite3.Error) as e:
        outcome = UNCHANGED
        if args.command == "export":
            outcome = "nothing was exported; the project and earlier exports are unchanged"
        message = explain(e, getattr(args, "project", None), outcome)
        print(f"etiquette {args.command}: error: {message or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"etiquette {args.command}: interrupted; what was committed is kept", file=sys.stderr)
        return 130


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush finds no closed pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
