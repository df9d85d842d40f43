"""The `etiquette` command's arguments: one subcommand per job, each with its options and help.

`build_parser` imports only the format registry (for the format choices), so that `--help` and
argument errors come at once; each subcommand names its handler in `commands`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from desktop import __version__
from desktop.cli.commands import (
    cmd_agreement,
    cmd_copy,
    cmd_demo,
    cmd_export,
    cmd_gui,
    cmd_import,
    cmd_init,
    cmd_merge,
    cmd_preannotate,
    cmd_stats,
    cmd_train,
)

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
        help="Ray cluster to use, e.g. 10.0.0.5:6379, ray://head:10001, or auto for the one `ray start` "
        "runs on this machine (default: a local cluster started for this run)",
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
