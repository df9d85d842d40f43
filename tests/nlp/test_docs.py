"""Pre-annotation reads each document's own tokens, not the text tokenised again."""

from __future__ import annotations

from pathlib import Path

import spacy

from desktop.formats import ImportOptions, import_paths
from desktop.nlp.preannotate import preannotate
from desktop.store import Project


def test_the_pipeline_sees_the_tokens_the_file_gave(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p.db")
    # A French tokenizer would split `Antimoine:` and `29°`; the file keeps them whole.
    (tmp_path / "a.conll").write_text("Antimoine: O\n29° O\nà O\nRennes O\n", encoding="utf-8")
    import_paths(project, [tmp_path / "a.conll"], "conll", ImportOptions(annotator="alice"))
    patterns = [
        {"label": "MISC", "pattern": [{"ORTH": "Antimoine:"}]},
        {"label": "MISC", "pattern": [{"ORTH": "29°"}]},
    ]
    result = preannotate(project, spacy.blank("fr"), patterns=patterns, annotator="rules")
    assert result.spans == 2
    [(doc, ann)] = list(project.iter_annotations("rules"))
    assert [(doc.text[s.start : s.end], s.token_start, s.token_end) for s in ann.spans] == [
        ("Antimoine:", 0, 1),
        ("29°", 1, 2),
    ]
