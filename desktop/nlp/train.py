"""Fine-tuning the project's entity recogniser on the documents people have finished.

spaCy does the learning (`nlp.resume_training`, `nlp.update`, `nlp.evaluate` and its Scorer); this
module chooses the documents, holds some out, stops early, and writes the new pipeline folder so that
it is either complete or not there at all: the pipeline is written to a hidden folder next to OUT and
renamed into place at the end, so Ctrl+C or a kill leaves the previous model as it was.

Only the entity components learn (with fr_core_news_sm the NER has its own embedding layer, so the
tagger and the parser are untouched). Labels the corrections use and the model lacks are added.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.model import GOLD, AnnotatorKind, Document, Status
from desktop.model.tokens import words_and_spaces
from desktop.nlp.pipeline import PipelineError, load_pipeline, ner_components, pipeline_id
from desktop.store import Project
from desktop.store.presence import alive

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

MIN_TRAIN = 2
MIN_EVAL = 1
PARTIAL = ".partial-"

Progress = Callable[[int, int], bool | None]
"""Called with (steps done, steps planned); returning False stops training after that step."""


class TrainingError(PipelineError):
    """Training that cannot start: too few finished documents, a bad option, a bad output folder."""


@dataclass(slots=True)
class TrainOptions:
    source: str | None = None
    """Whose finished documents to learn from: a person's name or `gold` (default: the only person)."""
    base: str | None = None
    """Pipeline to start from, name or folder (default: the one the project pre-annotates with)."""
    eval_split: float = 0.2
    seed: int = 0
    max_seconds: float | None = None
    epochs: int = 10
    dropout: float = 0.2


@dataclass(slots=True)
class Scores:
    """Entity precision, recall and F1 on the held-out documents, overall and per label."""

    p: float = 0.0
    r: float = 0.0
    f: float = 0.0
    per_label: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "p": self.p,
            "r": self.r,
            "f": self.f,
            "per_label": {k: {"p": v[0], "r": v[1], "f": v[2]} for k, v in self.per_label.items()},
        }


@dataclass(slots=True)
class TrainResult:
    out: Path
    source: str
    base: str
    pipeline: str
    """The new pipeline's name and version, e.g. `fr_core_news_sm_tuned-3.8.0.20260101120000`."""
    train_docs: list[int]
    eval_docs: list[int]
    base_scores: Scores
    scores: Scores
    epochs: int = 0
    seconds: float = 0.0
    labels_added: list[str] = field(default_factory=list)
    spans_left_out: int = 0
    """Spans that overlap another or fall outside the document's tokens (a NER cannot learn them)."""
    improved: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "source": self.source,
            "base": self.base,
            "pipeline": self.pipeline,
            "train_documents": len(self.train_docs),
            "eval_documents": len(self.eval_docs),
            "base_scores": self.base_scores.to_dict(),
            "scores": self.scores.to_dict(),
            "epochs": self.epochs,
            "seconds": round(self.seconds, 2),
            "labels_added": self.labels_added,
            "spans_left_out": self.spans_left_out,
            "improved": self.improved,
        }


# --- choosing the documents -------------------------------------------------------------------------


def training_source(project: Project, source: str | None) -> str:
    """The annotator to learn from: the one named, `gold`, or the project's only person."""
    if source == "model":
        raise TrainingError("--source: a model cannot learn from its own suggestions; name a person or gold")
    names = [a.name for a in project.annotators()]
    if source:
        if source not in names:
            raise TrainingError(
                f"{project.path}: no annotator {source!r} (annotators: {', '.join(names) or 'none'})"
            )
        if project.annotator_kind(source) == AnnotatorKind.MODEL:
            raise TrainingError(f"--source: {source} is a model; name a person or {GOLD}")
        return source
    people = [a.name for a in project.annotators(AnnotatorKind.PERSON)]
    if len(people) == 1:
        return people[0]
    if not people:
        raise TrainingError(f"{project.path}: nobody has annotated yet; finish documents in the window first")
    raise TrainingError(f"several annotators ({', '.join(people)}): choose one with --source")


def held_out(doc_id: int, seed: int) -> float:
    """A document's draw in [0, 1): below the split it is held out. Stable as documents are added."""
    return random.Random(f"{seed}:{doc_id}").random()


def split_documents(ids: list[int], eval_split: float, seed: int) -> tuple[list[int], list[int]]:
    """(train, eval) ids, about `eval_split` of them held out.

    A document whose draw falls under the split is always held out, whatever else is finished, so
    a model is never judged on what it learnt from; the next lowest draws make up the number.
    """
    ranked = sorted(ids, key=lambda i: held_out(i, seed))
    drawn = sum(1 for i in ids if held_out(i, seed) < eval_split)
    n_eval = max(drawn, round(len(ids) * eval_split), MIN_EVAL)
    n_eval = min(n_eval, len(ids) - MIN_TRAIN)
    return sorted(ranked[n_eval:]), sorted(ranked[:n_eval])


def finished_documents(project: Project, source: str) -> list[tuple[Document, list[tuple[int, int, str]]]]:
    """The source's accepted documents with their spans as (start, end, label)."""
    return [
        (doc, [(s.start, s.end, s.label) for s in ann.spans])
        for doc, ann in project.iter_annotations(source, [Status.ACCEPTED])
        if doc.text.strip()
    ]


def check_enough(project: Project, source: str, n: int) -> None:
    needed = MIN_TRAIN + MIN_EVAL
    if n < needed:
        raise TrainingError(
            f"{project.path}: {source} has finished {n} document{'s' if n != 1 else ''}; training needs "
            f"at least {needed} ({MIN_TRAIN} to learn from and {MIN_EVAL} to evaluate on): accept "
            f"{needed - n} more"
        )


# --- spaCy examples and scores ------------------------------------------------------------------------


def make_examples(
    nlp: Language, docs: list[tuple[Document, list[tuple[int, int, str]]]]
) -> tuple[list[Example], int]:
    """spaCy Examples on the project's own tokens; returns them and the count of spans left out."""
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import filter_spans

    examples = []
    left_out = 0
    for doc, spans in docs:
        words, spaces = words_and_spaces(doc.text, doc.tokens)
        reference = Doc(nlp.vocab, words=words, spaces=spaces)
        ents = []
        for start, end, label in spans:
            ent = reference.char_span(start, end, label=label, alignment_mode="expand")
            if ent is None:
                left_out += 1
            else:
                ents.append(ent)
        kept = filter_spans(ents)
        left_out += len(ents) - len(kept)
        reference.ents = kept
        examples.append(Example(Doc(nlp.vocab, words=words, spaces=spaces), reference))
    return examples, left_out


def evaluate(nlp: Language, examples: list[Example], components: list[str]) -> Scores:
    """spaCy's entity scores of the pipeline on the examples."""
    with nlp.select_pipes(enable=components):
        raw = nlp.evaluate(examples)
    per_type = raw.get("ents_per_type") or {}
    return Scores(
        float(raw.get("ents_p") or 0.0),
        float(raw.get("ents_r") or 0.0),
        float(raw.get("ents_f") or 0.0),
        {k: (float(v["p"]), float(v["r"]), float(v["f"])) for k, v in sorted(per_type.items())},
    )


def entity_components(nlp: Language) -> list[str]:
    """The components entity recognition runs through (embedders included)."""
    names = [n for n in ner_components(nlp) if n != "etiquette_patterns"]
    if not any(getattr(nlp.get_pipe(n), "is_trainable", False) for n in names):
        raise TrainingError(
            f"pipeline {pipeline_id(nlp)} has no entity recogniser that can learn "
            f"(components: {', '.join(nlp.pipe_names)})"
        )
    return names


# --- training ------------------------------------------------------------------------------------------


def load_base(name: str) -> Language:
    path = Path(name)
    if path.exists() and not (path / "config.cfg").is_file():
        raise TrainingError(f"{path}: not a spaCy pipeline folder (it has no config.cfg)")
    return load_pipeline(name)


def train(
    project: Project,
    out: str | Path,
    options: TrainOptions | None = None,
    progress: Progress | None = None,
    nlp: Language | None = None,
) -> TrainResult:
    """Fine-tune the base pipeline on the source's finished documents and write it to `out`."""
    options = options or TrainOptions()
    if not 0.0 < options.eval_split < 1.0:
        raise TrainingError(f"--eval-split {options.eval_split}: give a fraction between 0 and 1")
    out = Path(out)
    check_output(out)
    source = training_source(project, options.source)
    docs = finished_documents(project, source)
    check_enough(project, source, len(docs))
    train_ids, eval_ids = split_documents([d.id for d, _ in docs], options.eval_split, options.seed)
    base = options.base or project.model
    started = time.monotonic()
    nlp = nlp if nlp is not None else load_base(base)
    components = entity_components(nlp)
    trainable = [n for n in components if getattr(nlp.get_pipe(n), "is_trainable", False)]
    by_id = {d.id: (d, s) for d, s in docs}
    train_examples, left_out = make_examples(nlp, [by_id[i] for i in train_ids])
    eval_examples, left_eval = make_examples(nlp, [by_id[i] for i in eval_ids])

    added = _add_labels(nlp, trainable, train_examples)
    base_scores = evaluate(nlp, eval_examples, components)
    result = TrainResult(
        out, source, base, "", train_ids, eval_ids, base_scores, base_scores,
        labels_added=added, spans_left_out=left_out + left_eval,
    )  # fmt: skip
    _fit(nlp, components, train_examples, eval_examples, options, started, progress, result)
    result.improved = result.scores.f > base_scores.f
    _stamp(nlp, base, result)
    write_pipeline(nlp, out)
    result.seconds = time.monotonic() - started
    return result


def _add_labels(nlp: Language, trainable: list[str], examples: list[Example]) -> list[str]:
    wanted = sorted({ent.label_ for eg in examples for ent in eg.reference.ents})
    added = []
    for name in trainable:
        pipe = nlp.get_pipe(name)
        if not hasattr(pipe, "add_label"):
            continue
        for label in wanted:
            if label not in pipe.labels:  # type: ignore[attr-defined]
                pipe.add_label(label)
                added.append(label)
    return sorted(set(added))


def _fit(
    nlp: Language,
    components: list[str],
    train_examples: list[Example],
    eval_examples: list[Example],
    options: TrainOptions,
    started: float,
    progress: Progress | None,
    result: TrainResult,
) -> None:
    """Epochs of `nlp.update` over the training documents, until the epochs or the time are spent.

    A few held-out documents are too few to pick an epoch by (their F1 moves by whole entities), so
    every epoch runs; the held-out documents only judge the result.
    """
    from spacy.util import compounding, minibatch

    rng = random.Random(options.seed)
    optimizer = nlp.resume_training()
    batches_per_epoch = max(1, -(-len(train_examples) // 8))
    total = options.epochs * batches_per_epoch
    step = 0
    stop = False
    with nlp.select_pipes(enable=components):
        for epoch in range(options.epochs):
            rng.shuffle(train_examples)
            losses: dict[str, float] = {}
            for batch in minibatch(train_examples, size=compounding(2.0, 16.0, 1.001)):
                nlp.update(batch, sgd=optimizer, drop=options.dropout, losses=losses)
                step += 1
                if progress is not None and progress(min(step, total), total) is False:
                    stop = True
                if options.max_seconds is not None and time.monotonic() - started > options.max_seconds:
                    stop = True
                if stop:
                    break
            result.epochs = epoch + 1
            if stop:
                break
    result.scores = evaluate(nlp, eval_examples, components)
    if progress is not None:
        progress(total, total)


def _stamp(nlp: Language, base: str, result: TrainResult) -> None:
    """Name the new pipeline after its base, with a version of its own (suggestions are stored by it)."""
    meta = nlp.meta
    origin = meta.get("etiquette", {}).get("base_version") or meta.get("version", "0.0.0")
    name = meta.get("name", "pipeline")
    if not name.endswith("_tuned"):
        name += "_tuned"
    meta["name"] = name
    meta["version"] = f"{origin}.{datetime.now(UTC):%Y%m%d%H%M%S}"
    meta["etiquette"] = {
        "base": base,
        "base_version": origin,
        "source": result.source,
        "train_documents": len(result.train_docs),
        "eval_documents": len(result.eval_docs),
        "f1": result.scores.f,
        "base_f1": result.base_scores.f,
    }
    result.pipeline = pipeline_id(nlp)


# --- writing the folder whole or not at all --------------------------------------------------------------


def check_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise TrainingError(f"{out}: is a file; give a folder for the new pipeline")
    if out.is_dir() and any(out.iterdir()) and not (out / "config.cfg").is_file():
        raise TrainingError(f"{out}: a folder that is not a spaCy pipeline; choose another (or an empty one)")


def write_pipeline(nlp: Language, out: Path) -> None:
    """Write to a hidden sibling folder, then swap it in: OUT is the old pipeline or the new one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out)
    partial = out.parent / f".{out.name}{PARTIAL}{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        nlp.to_disk(partial)
        if out.exists():
            out.rename(old)
        partial.rename(out)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def remove_stale_partials(out: Path) -> None:
    """Folders left by a training run that was killed: their process is gone, so nobody writes them.

    A run killed between its two renames left the previous pipeline aside: it is put back.
    """
    for pattern in (f".{out.name}{PARTIAL}*", f".{out.name}.old-*"):
        for path in out.parent.glob(pattern):
            pid = path.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or alive(int(pid)):
                continue
            if ".old-" in path.name and not out.exists():
                path.rename(out)
            else:
                shutil.rmtree(path, ignore_errors=True)
