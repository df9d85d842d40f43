"""Pre-annotation with the real French pipeline on the seed article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.formats import import_paths
from desktop.nlp.pipeline import PipelineError, load_pipeline, ner_components
from desktop.nlp.preannotate import preannotate, read_patterns
from desktop.store import Project

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("fr_core_news_sm")


@pytest.fixture
def seeded(project: Project) -> Project:
    import_paths(project, [SEEDS], "text")
    return project


def entities(project: Project, annotator: str) -> set[tuple[str, str]]:
    out = set()
    for doc, ann in project.iter_annotations(annotator):
        out |= {(doc.text[s.start : s.end], s.label) for s in ann.spans}
    return out


def test_finds_the_people_and_places_a_french_reader_expects(seeded: Project, nlp) -> None:
    result = preannotate(seeded, nlp)
    assert result.annotator == "fr_core_news_sm-3.8.0"
    found = entities(seeded, result.annotator)
    for expected in [
        ("Kirill Dmitriev", "PER"),
        ("Dmitry Peskov", "PER"),
        ("Vladimir Poutine", "PER"),
        ("Russie", "LOC"),
        ("Arabie saoudite", "LOC"),
        ("Moscou", "LOC"),
    ]:
        assert expected in found


def test_spans_carry_the_tokens_they_cover(seeded: Project, nlp) -> None:
    preannotate(seeded, nlp)
    for doc, ann in seeded.iter_annotations("fr_core_news_sm-3.8.0"):
        for span in ann.spans:
            assert doc.tokens[span.token_start].start == span.start
            assert doc.tokens[span.token_end - 1].end == span.end


def test_only_what_ner_needs_runs_and_finds_the_same_entities(seeded: Project, nlp) -> None:
    components = ner_components(nlp)
    assert "ner" in components and "parser" not in components
    text = next(seeded.iter_documents()).text
    full = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    with nlp.select_pipes(enable=components):
        light = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert light == full


def test_a_second_run_skips_what_the_same_pipeline_did(seeded: Project, nlp) -> None:
    first = preannotate(seeded, nlp)
    again = preannotate(seeded, nlp)
    assert (first.done, again.done, again.skipped) == (1, 0, 1)


def test_label_map_renames_and_drops(seeded: Project, nlp) -> None:
    result = preannotate(seeded, nlp, label_map={"PER": "PERSON", "MISC": ""})
    labels = {label for _, label in entities(seeded, result.annotator)}
    assert "PERSON" in labels and "PER" not in labels and "MISC" not in labels
    assert seeded.scheme.entity("PERSON") is not None


def test_patterns_add_labels_the_model_lacks(seeded: Project, nlp, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        json.dumps({"label": "RESSOURCE", "pattern": "terres rares"}) + "\n", encoding="utf-8"
    )
    result = preannotate(seeded, load_pipeline("fr_core_news_sm"), patterns=read_patterns(patterns))
    assert ("terres rares", "RESSOURCE") in entities(seeded, result.annotator)
    assert seeded.scheme.entity("RESSOURCE") is not None


def test_a_bad_pattern_file_names_its_line(tmp_path: Path) -> None:
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text('{"label": "X", "pattern": "a"}\n{"label": "X"\n', encoding="utf-8")
    with pytest.raises(PipelineError, match=rf"{patterns}:2"):
        read_patterns(patterns)


def test_an_unknown_pipeline_is_a_clear_error() -> None:
    with pytest.raises(PipelineError, match="unknown pipeline 'xx_nothing_here'"):
        load_pipeline("xx_nothing_here")


def test_stored_tokens_give_the_same_entities_as_the_pipeline_tokenizing_itself(seeded: Project, nlp) -> None:
    result = preannotate(seeded, nlp)
    doc = next(seeded.iter_documents())
    with nlp.select_pipes(enable=ner_components(nlp)):
        direct = {(e.start_char, e.end_char, e.label_) for e in nlp(doc.text).ents}
    stored = {(s.start, s.end, s.label) for s in seeded.annotation(doc.id, result.annotator).spans}
    assert stored == direct


def test_each_suggestion_stores_how_sure_the_model_is(seeded: Project, nlp) -> None:
    preannotate(seeded, nlp)
    confidences = {}
    for doc, ann in seeded.iter_annotations("fr_core_news_sm-3.8.0"):
        for span in ann.spans:
            assert span.confidence is not None and 0.0 <= span.confidence <= 1.0
            confidences[doc.text[span.start : span.end]] = span.confidence
    assert confidences["Vladimir Poutine"] > 0.9
    assert min(confidences.values()) < max(confidences.values())


def test_with_patterns_a_rule_label_has_no_confidence_and_the_model_entities_keep_theirs(
    seeded: Project, tmp_path: Path
) -> None:
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        json.dumps({"label": "RESSOURCE", "pattern": "terres rares"}) + "\n", encoding="utf-8"
    )
    result = preannotate(seeded, load_pipeline("fr_core_news_sm"), patterns=read_patterns(patterns))
    found = {}
    for doc, ann in seeded.iter_annotations(result.annotator):
        found |= {(doc.text[s.start : s.end], s.label): s.confidence for s in ann.spans}
    assert found[("terres rares", "RESSOURCE")] is None
    assert found[("Vladimir Poutine", "PER")] > 0.9


def test_scoring_leaves_the_entities_the_recogniser_alone_sets(nlp) -> None:
    from spacy.tokens import Doc

    from desktop.nlp.confidence import entity_confidences

    texts = sorted(SEEDS.glob("*.txt"))
    paragraphs = [p for path in texts for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    ner = nlp.get_pipe("ner")

    def fresh() -> list[Doc]:
        return [nlp.make_doc(p) for p in paragraphs]

    alone = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in ner.pipe(fresh(), batch_size=64)]
    docs = fresh()
    tables = []
    for i in range(0, len(docs), 16):
        tables += entity_confidences(ner, docs[i : i + 16])
    assert [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs] == alone
    assert sum(len(ents) for ents in alone) > 20
    scored = [
        table.get((e.start_char, e.end_char, e.label_), 0.0)
        for doc, table in zip(docs, tables, strict=True)
        for e in doc.ents
    ]
    assert all(0.0 <= p <= 1.0 for p in scored)
    assert sum(p > 0.5 for p in scored) > 0.8 * len(scored)
