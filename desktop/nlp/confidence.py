"""How sure the model is of each entity it suggests: spaCy's beam search over the NER's moves.

The entity recogniser decides greedily; a beam of its most likely analyses gives each (start, end,
label) the summed probability of the analyses that contain it (`beam_parse` + `scored_ents`). The
greedy entities are then looked up in that table: one that no analysis in the beam holds gets 0,
and one with a label the recogniser does not have (a rule added it) gets no confidence at all.

Pre-annotation adds `ConfidenceScorer` as the pipeline's last component, so worker processes score
the documents they annotate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BEAM_WIDTH = 16
BEAM_DENSITY = 0.0001
"""Prune analyses far below the best one; without it the beam favours never-closed entities."""


def scoring_component(nlp: Language) -> Any | None:
    """The pipeline's entity recogniser that can score its entities, or None (rules, spancat)."""
    for _name, pipe in nlp.pipeline:
        if hasattr(pipe, "beam_parse") and hasattr(pipe, "scored_ents"):
            return pipe
    return None


def entity_confidences(ner: Any, docs: Sequence[Doc]) -> list[dict[tuple[int, int, str], float]]:
    """For each annotated doc, the probability of each of its entities, keyed by character offsets.

    `docs` have been through the pipeline: the beam re-reads their tokens (the NER's embedding
    layer must be its own or already have run on them), and `doc.ents` says which entities to score.
    """
    if not docs:
        return []
    from spacy.tokens import Doc

    fresh = [
        Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc]) for doc in docs
    ]
    for fresh_doc, doc in zip(fresh, docs, strict=True):
        # Embedders that other components fill in (a shared tok2vec) leave their output here.
        fresh_doc.tensor = doc.tensor
    beams = ner.beam_parse(fresh, beam_width=BEAM_WIDTH, beam_density=BEAM_DENSITY)
    tables = ner.scored_ents(beams)
    known = set(ner.labels)
    out = []
    for doc, table in zip(docs, tables, strict=True):
        scores: dict[tuple[int, int, str], float] = {}
        for ent in doc.ents:
            if ent.label_ in known:
                p = float(table.get((ent.start, ent.end, ent.label_), 0.0))
                scores[(ent.start_char, ent.end_char, ent.label_)] = min(1.0, max(0.0, p))
        out.append(scores)
    return out


CONFIDENCE_PIPE = "etiquette_confidence"
KEY = "etiquette_confidence"
"""Where the component leaves each doc's table: `doc.user_data[KEY][(start_char, end_char, label)]`."""


class ConfidenceScorer:
    """A pipeline component, after the entity recogniser: scores the doc's entities, batch by batch.

    Being a component, it travels with the pipeline to the worker processes that pre-annotate.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name

    def _ner(self) -> Any | None:
        return next(
            (
                pipe
                for _, pipe in self.nlp.components
                if hasattr(pipe, "beam_parse") and hasattr(pipe, "scored_ents")
            ),
            None,
        )

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        from spacy.util import minibatch

        ner = self._ner()
        for batch in minibatch(docs, size=batch_size):
            tables = entity_confidences(ner, batch) if ner is not None else [{} for _ in batch]
            for doc, table in zip(batch, tables, strict=True):
                doc.user_data[KEY] = table
                yield doc


def add_scorer(nlp: Language) -> str | None:
    """Add the scoring component at the end of the pipeline (once); None when nothing can score."""
    if scoring_component(nlp) is None:
        return None
    if CONFIDENCE_PIPE not in nlp.pipe_names:
        nlp.add_pipe(CONFIDENCE_PIPE, last=True)
    return CONFIDENCE_PIPE


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(CONFIDENCE_PIPE):
        Language.factory(CONFIDENCE_PIPE, func=ConfidenceScorer)


_register()
