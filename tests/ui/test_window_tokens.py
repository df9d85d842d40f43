"""The window snaps a selection to the document's own tokens: those its file gave, not spaCy's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.formats import ImportOptions, import_paths
from desktop.model import LabelScheme
from desktop.store import Project
from desktop.ui.window import MainWindow
from tests.ui.conftest import Store

TEXT = "La hemoglobin monte à Antimoine: 29°"
# The file splits `hemoglobin` in two and glues `:` to `Antimoine`, where spaCy would not.
WORDS = [("La", 0), ("hemo", 3), ("globin", 7), ("monte", 14), ("à", 20), ("Antimoine:", 22), ("29°", 33)]


def test_a_selection_snaps_to_the_files_tokens(
    tmp_path: Path, ui_scheme: LabelScheme, open_window: Callable[..., MainWindow], gestures
) -> None:  # noqa: ANN001
    task = {
        "text": TEXT,
        "tokens": [{"text": w, "start": s, "end": s + len(w), "id": i} for i, (w, s) in enumerate(WORDS)],
        "spans": [],
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    path = tmp_path / "tokens.db"
    with Project.create(path, scheme=ui_scheme) as project:
        import_paths(project, [tmp_path / "in.jsonl"], "prodigy", ImportOptions(annotator="alice"))
    window = open_window(path)
    store = Store(path)
    start = TEXT.index("glob")
    gestures.select_text(window, start, start + len("glob"))
    assert window.editor.text_selection() == (7, 13)  # `globin`, not spaCy's `hemoglobin`
    gestures.key(window, Qt.Key.Key_4)
    start = TEXT.index("Antim")
    gestures.select_text(window, start, start + len("Antim"))
    gestures.key(window, Qt.Key.Key_2)
    assert store.spans(1) == [("globin", "MISC", "person"), ("Antimoine:", "LOC", "person")]
