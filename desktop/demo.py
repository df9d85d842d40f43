"""The demo project: the seed articles, imported and pre-annotated with the default pipeline."""

from __future__ import annotations

from pathlib import Path

from desktop.formats import import_paths
from desktop.model import LabelScheme
from desktop.nlp.pipeline import load_pipeline
from desktop.nlp.preannotate import preannotate
from desktop.store import Project

DEMO_RELATIONS = [
    "porte_parole:PER>ORG|PER>LOC",
    "dirige:PER>ORG|PER>LOC",
    "situe_dans:LOC>LOC|ORG>LOC",
    "partenaire:LOC>LOC|ORG>ORG|PER>PER",
]


def build_demo(path: Path, seeds: Path) -> Path:
    """Create (or bring up to date) the demo project; running it again changes nothing."""
    if path.exists():
        project = Project.open(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        scheme = LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"], DEMO_RELATIONS)
        project = Project.create(path, scheme=scheme)
        project.set_setting(
            "guidelines",
            "Annotate people (PER), places (LOC), organisations (ORG) and other names (MISC).\n"
            "A span covers the whole name, without the article: « le Kremlin » → Kremlin.\n"
            "Titles are not part of a person's name: « le président Vladimir Poutine » → "
            "Vladimir Poutine.",
        )
    with project:
        import_paths(project, [seeds], "text")
        preannotate(project, load_pipeline(project.model, entities_only=True))
    return path
