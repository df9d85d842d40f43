"""How sure the model is of each entity it suggests: spaCy's beam search over the NER's moves.

The entity recogniser decides greedily; a beam of its most likely analyses gives each (start, end,
label) the summed probability of the analyses that contain it (`beam_parse` + `scored_ents`). The
greedy entities are then looked up in that table: one that no analysis in the beam holds gets 0,
and one with a label the recogniser does not have (a rule added it) gets no confidence at all.

Pre-annotation runs `ConfidenceScorer` in the recogniser's place: for each batch it embeds the
tokens once (the recogniser's own embedding layer, most of its cost) and runs both the greedy
search, whose entities are the suggestions, and the beam, which scores them, on that embedding. The
entities are the ones the recogniser alone would set. Being a component, the scorer travels with
the pipeline to the worker processes that pre-annotate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

BEAM_WIDTH = 8
"""Analyses kept per document. Eight give each entity within 0.024 on average of what sixteen give
(10,190 entities of French dispatches), for a third of the search's cost."""
BEAM_DENSITY = 0.0001
"""Prune analyses far below the best one; without it the beam favours never-closed entities."""


def recogniser(nlp: Language) -> tuple[str, Any] | None:
    """The name and pipe of the entity recogniser that can score its entities, or None (rules,
    spancat), enabled or not."""
    for name, pipe in nlp.components:
        if hasattr(pipe, "beam_parse") and hasattr(pipe, "scored_ents"):
            return name, pipe
    return None


class _Embedded:
    """Stands in for the recogniser's model during one search: hands back an embedding made once."""

    def __init__(self, model: Any, step: Any) -> None:
        self.model = model
        self.step = step

    @property
    def ops(self) -> Any:
        return self.model.ops

    def walk(self) -> Any:
        return self.model.walk()

    def predict(self, docs: Any) -> Any:
        return self.step


class _Kept:
    """An embedding that survives the search it is lent to (a search frees it when it ends)."""

    def __init__(self, step: Any) -> None:
        self._step = step

    def __getattr__(self, name: str) -> Any:
        return getattr(self._step, name)

    def clear_memory(self) -> None:
        pass


def recognise_and_score(ner: Any, docs: Sequence[Doc]) -> list[dict[tuple[int, int, str], float]]:
    """Set each doc's entities as `ner` would, and return every analysed entity's probability.

    The tables are keyed by token offsets, (start, end, label), as `scored_ents` gives them.
    """
    docs = list(docs)
    if not any(len(doc) for doc in docs):
        ner.set_annotations(docs, ner.moves.init_batch(docs))
        return [{} for _ in docs]
    model = ner.model
    step = model.predict(docs)
    try:
        ner.model = _Embedded(model, _Kept(step))
        beams = ner.beam_parse(docs, beam_width=BEAM_WIDTH, beam_density=BEAM_DENSITY)
        ner.model = _Embedded(model, step)
        states = ner.greedy_parse(docs)
    finally:
        ner.model = model
    ner.set_annotations(docs, states)
    return list(ner.scored_ents(beams))


def entity_confidences(ner: Any, docs: Sequence[Doc]) -> list[dict[tuple[int, int, str], float]]:
    """For each doc, the probability of every entity the beam considered, keyed by character offsets.

    Sets the docs' entities (as `ner` alone would) on the way.
    """
    out = []
    for doc, table in zip(docs, recognise_and_score(ner, docs), strict=True):
        scores: dict[tuple[int, int, str], float] = {}
        for (start, end, label), p in table.items():
            last = doc[end - 1]
            key = (doc[start].idx, last.idx + len(last.text), label)
            scores[key] = min(1.0, max(0.0, float(p)))
        out.append(scores)
    return out


CONFIDENCE_PIPE = "etiquette_confidence"
KEY = "etiquette_confidence"
"""Where the scorer leaves each doc's table, `doc.user_data[KEY][(start_char, end_char, label)]`,
and the recogniser's labels, `doc.user_data[LABELS]`."""
LABELS = "etiquette_confidence_labels"


def of(doc: Doc, ent: Span) -> float | None:
    """The model's confidence in one of the doc's final entities (after any rules), or None.

    An entity the recogniser has no label for has none; one with its label that it did not set
    itself (a rule put it there) gets what the beam gave it, 0 when no analysis held it.
    """
    table = doc.user_data.get(KEY)
    if table is None or ent.label_ not in doc.user_data.get(LABELS, ()):
        return None
    return table.get((ent.start_char, ent.end_char, ent.label_), 0.0)


class ConfidenceScorer:
    """A pipeline component run in the entity recogniser's place: its entities, and how sure it is.

    Documents go through in the recogniser's own batches (sorted by length, a quarter of the batch
    size at a time), so the entities are exactly those it would set.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        from spacy.util import minibatch

        found = recogniser(self.nlp)
        if found is None:
            yield from docs
            return
        ner = found[1]
        labels = tuple(ner.labels)
        for batch in minibatch(docs, size=batch_size):
            by_length = sorted(batch, key=len)
            for sub in minibatch(by_length, size=max(batch_size // 4, 2)):
                for doc, table in zip(sub, entity_confidences(ner, sub), strict=True):
                    doc.user_data[KEY] = table
                    doc.user_data[LABELS] = labels
            yield from batch


def add_scorer(nlp: Language, components: list[str]) -> list[str]:
    """Put the scorer in the recogniser's place among `components`, the pipes to run.

    The scorer is added once, right after the recogniser; `components` come back unchanged when
    nothing in them can score (rules, spancat).
    """
    found = recogniser(nlp)
    if found is None or found[0] not in components:
        return components
    name = found[0]
    if CONFIDENCE_PIPE not in nlp.pipe_names:
        nlp.add_pipe(CONFIDENCE_PIPE, after=name)
    return [CONFIDENCE_PIPE if c == name else c for c in components]


def described(nlp: Language, components: list[str]) -> list[str]:
    """`components` as a person reads them: the scorer is the recogniser, with confidence."""
    name = (recogniser(nlp) or ("ner", None))[0]
    return [f"{name} (with confidence)" if c == CONFIDENCE_PIPE else c for c in components]


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(CONFIDENCE_PIPE):
        Language.factory(CONFIDENCE_PIPE, func=ConfidenceScorer)


_register()
