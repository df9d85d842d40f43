"""The window as `main()` builds it, on a project the test writes, in a temporary HOME.

No spaCy pipeline is loaded: documents are tokenised with spaCy's blank French tokenizer and the
model's suggestions are written as a model annotator, as pre-annotation would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.model import AnnotatorKind, LabelScheme, Origin, Span, Status
from desktop.model.types import Annotation
from desktop.nlp.pipeline import tokenize_texts
from desktop.store import NewDocument, Project
from desktop.ui.app import build_window
from desktop.ui.window import MainWindow

MODEL = "fr_core_news_sm-3.8.0"

TEXTS = [
    "Kirill Dmitriev a rencontré Dmitry Peskov à Moscou. Le Kremlin a salué les États-Unis.",
    "Vladimir Poutine s'est exprimé à Washington devant la presse.",
    "L'Arabie saoudite accueille la rencontre à Riyad.",
]
SUGGESTIONS = [
    [("Kirill Dmitriev", "PER"), ("Dmitry Peskov", "PER"), ("Moscou", "LOC"), ("Kremlin", "ORG")],
    [("Vladimir Poutine", "PER"), ("Washington", "LOC")],
    [("Riyad", "LOC")],
]


def make_project(path: Path, texts: list[str], suggestions: list[list[tuple[str, str]]],
                 scheme: LabelScheme) -> Path:
    """A project with these documents and a model's suggestions (each text's first occurrence)."""
    with Project.create(path, scheme=scheme) as project:
        result = project.add_documents((NewDocument(t) for t in texts), tokenize_texts("fr"))
        anns = []
        for doc_id, text, sugg in zip(result.ids, texts, suggestions, strict=False):
            spans = [Span(text.index(s), text.index(s) + len(s), label, origin=Origin.MODEL)
                     for s, label in sugg]
            doc = project.document(doc_id)
            from desktop.model.tokens import token_range

            for span in spans:
                span.token_start, span.token_end = token_range(doc.tokens, span.start, span.end)
            anns.append(Annotation(doc_id, MODEL, Status.ACCEPTED, spans))
        project.save_annotations(anns, AnnotatorKind.MODEL, log="preannotate")
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME and XDG config folder: no user setting leaks in or out."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


@pytest.fixture
def ui_settings(home: Path) -> QSettings:
    return QSettings(str(home / ".config" / "etiquette" / "etiquette.ini"),
                     QSettings.Format.IniFormat)


@pytest.fixture
def ui_project(tmp_path: Path, scheme: LabelScheme) -> Path:
    return make_project(tmp_path / "ui.db", TEXTS, SUGGESTIONS, scheme)


@pytest.fixture
def open_window(qtbot, ui_settings: QSettings) -> Iterator[Callable[..., MainWindow]]:  # noqa: ANN001
    """Build and show the window on a project, as `main()` does (without its event loop)."""
    windows: list[MainWindow] = []

    def build(path: Path | None, annotator: str | None = "alice") -> MainWindow:
        window = build_window(path, ui_settings, annotator=annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.jobs.wait()


@pytest.fixture
def window(open_window: Callable[..., MainWindow], ui_project: Path) -> MainWindow:
    return open_window(ui_project)
