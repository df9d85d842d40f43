"""The learning loop's rules and one round of it, without Qt.

Every few finished documents a round trains a new version of the model (in a process of its own,
started by the window): it starts from the version in use, learns from every document the person
has finished, and is judged against the version in use on the same held-out documents. Only a
version that scores better is adopted; it then suggests entities, as a model annotator of its own
(`<pipeline>-tuned-<k>`), on the documents nobody has worked on yet. A round that is killed leaves
the version in use as it was: its folder is written whole or not at all, and it is recorded only
once its suggestions are stored.

The versions are kept in the project's settings, so the dashboard can draw the learning curve.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from desktop.model import Status
from desktop.nlp.train import MIN_EVAL, MIN_TRAIN, Progress, TrainOptions, TrainResult, train
from desktop.store import Project
from desktop.store.base import now

PREFS = "learning"
VERSIONS = "learning_versions"
EVERY = 5

Trainer = Callable[[Project, Path, TrainOptions, Progress | None], TrainResult]
"""`train`'s signature: a test gives a fake one."""
Suggester = Callable[[Project, Path, str, list[int]], int]
"""Pre-annotate the given documents with the pipeline at the path, as the named annotator."""
Report = Callable[[str, int, int], None]
"""(stage, done, total): stage is `training` or `suggesting`."""


@dataclass(slots=True)
class Version:
    k: int
    annotator: str
    path: str
    documents: int
    """Finished documents the round learnt from and was judged on."""
    f1: float
    """The new version's F1 on the held-out documents."""
    previous_f1: float
    """The version in use's F1 on the same documents."""
    adopted: bool
    at: str = ""
    suggested: int = 0
    """Documents nobody had touched that got this version's suggestions."""


@dataclass(slots=True)
class Prefs:
    """The project's loop settings: the window writes them; rounds never do."""

    enabled: bool = True
    every: int = EVERY
    threshold: float = 0.5
    """Suggestions under this confidence are hidden when the user asks."""


@dataclass(slots=True)
class LearningState:
    prefs: Prefs = field(default_factory=Prefs)
    versions: list[Version] = field(default_factory=list)

    @classmethod
    def load(cls, project: Project) -> LearningState:
        raw = json.loads(project.setting(PREFS) or "{}")
        prefs = Prefs(
            enabled=bool(raw.get("enabled", project.latest_model() is not None)),
            every=max(1, int(raw.get("every", EVERY))),
            threshold=float(raw.get("threshold", 0.5)),
        )
        versions = [Version(**v) for v in json.loads(project.setting(VERSIONS) or "[]")]
        return cls(prefs, versions)

    def save_prefs(self, project: Project) -> None:
        project.set_setting(PREFS, json.dumps(asdict(self.prefs)))

    @property
    def current(self) -> Version | None:
        """The version in use: the last adopted one (None: the project's own pipeline)."""
        return next((v for v in reversed(self.versions) if v.adopted), None)

    @property
    def number(self) -> int:
        """The version in use's number (0: the project's pipeline as installed)."""
        return sum(1 for v in self.versions if v.adopted)

    @property
    def trained_on(self) -> int:
        """Finished documents the last round (adopted or not) learnt from."""
        return self.versions[-1].documents if self.versions else 0


def finished(project: Project, source: str) -> int:
    return project.status_counts(source)[Status.ACCEPTED]


def due(state: LearningState, done: int) -> bool:
    """Whether a round should start: on, enough documents, and `every` more since the last round."""
    if not state.prefs.enabled or done < MIN_TRAIN + MIN_EVAL:
        return False
    return done >= state.trained_on + state.prefs.every


def adopt(new_f1: float, current_f1: float) -> bool:
    """A new version replaces the one in use only when it scores better on the same held-out part."""
    return new_f1 > current_f1


def models_folder(project: Project) -> Path:
    """Where a project's versions live: `<project>.models/` beside the project file."""
    return project.path.with_name(project.path.name + ".models")


def pipeline_name(project: Project) -> str:
    return Path(project.model).name


def suggest(project: Project, path: Path, annotator: str, ids: list[int]) -> int:
    from desktop.nlp.pipeline import load_pipeline
    from desktop.nlp.preannotate import preannotate

    return preannotate(
        project, load_pipeline(str(path), entities_only=True), annotator=annotator, documents=ids
    ).done


def run_round(
    project: Project,
    source: str,
    trainer: Trainer = train,
    suggester: Suggester = suggest,
    report: Report | None = None,
) -> Version:
    """Train the next version on the source's finished documents; adopt it only if it scores better."""
    state = LearningState.load(project)
    current = state.current
    k = state.number + 1
    out = models_folder(project) / f"v{k}"
    options = TrainOptions(source=source, base=current.path if current else project.model)
    progress: Progress | None = (lambda done, total: report("training", done, total)) if report else None
    result = trainer(project, out, options, progress)
    documents = len(result.train_docs) + len(result.eval_docs)
    version = Version(
        k=k,
        annotator=f"{pipeline_name(project)}-tuned-{k}",
        path=str(out),
        documents=documents,
        f1=result.scores.f,
        previous_f1=result.base_scores.f,
        adopted=adopt(result.scores.f, result.base_scores.f),
        at=now(),
    )
    if version.adopted:
        ids = project.untouched_documents()
        if report:
            report("suggesting", 0, len(ids))
        version.suggested = suggester(project, out, version.annotator, ids)
    else:
        version.path = ""
        shutil.rmtree(out, ignore_errors=True)
    record(project, version)
    return version


def record(project: Project, version: Version) -> None:
    """Append a version to the project's list (read again: only rounds write it)."""
    versions = json.loads(project.setting(VERSIONS) or "[]")
    versions.append(asdict(version))
    project.set_setting(VERSIONS, json.dumps(versions))


def round_in_process(path: str, source: str, messages: Any) -> None:
    """A round in a process of its own: opens the project itself and reports through a queue."""
    try:
        with Project.open(path) as project:
            version = run_round(project, source, report=lambda *m: messages.put(("progress", *m)))
        messages.put(("done", asdict(version)))
    except Exception as e:  # reported to the window, which says it in the status bar
        messages.put(("failed", f"{type(e).__name__}: {e}"))
