"""The window as `main()` builds it, on a project the test writes, in a temporary HOME.

No spaCy pipeline is loaded: documents are tokenised with spaCy's blank French tokenizer and the
model's suggestions are written as a model annotator, as pre-annotation would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from desktop.model import AnnotatorKind, LabelScheme, Origin, Span, Status
from desktop.model.tokens import token_range
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


def make_project(
    path: Path, texts: list[str], suggestions: list[list[tuple[str, str]]], scheme: LabelScheme
) -> Path:
    """A project with these documents and a model's suggestions (each text's first occurrence)."""
    with Project.create(path, scheme=scheme) as project:
        result = project.add_documents((NewDocument(t) for t in texts), tokenize_texts("fr"))
        anns = []
        for doc_id, text, sugg in zip(result.ids, texts, suggestions, strict=False):
            spans = [
                Span(text.index(s), text.index(s) + len(s), label, origin=Origin.MODEL) for s, label in sugg
            ]
            doc = project.document(doc_id)
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
    return QSettings(str(home / ".config" / "etiquette" / "etiquette.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ui_scheme() -> LabelScheme:
    """Two relations that say which labels they join, and one that joins any pair."""
    return LabelScheme.from_names(
        ["PER", "LOC", "ORG", "MISC"],
        ["porte_parole:PER>ORG|PER>LOC", "situe_dans:LOC>LOC|ORG>LOC", "lien"],
    )


@pytest.fixture
def ui_project(tmp_path: Path, ui_scheme: LabelScheme) -> Path:
    return make_project(tmp_path / "ui.db", TEXTS, SUGGESTIONS, ui_scheme)


@pytest.fixture
def project_with(tmp_path: Path, ui_scheme: LabelScheme) -> Callable[..., Path]:
    """Make a project of these texts with these suggestions."""

    def make(texts: list[str], suggestions: list[list[tuple[str, str]]], name: str = "project.db") -> Path:
        return make_project(tmp_path / name, texts, suggestions, ui_scheme)

    return make


@pytest.fixture
def open_window(qtbot, ui_settings: QSettings) -> Iterator[Callable[..., MainWindow]]:  # noqa: ANN001
    """Build and show the window on a project, as `main()` does (without its event loop)."""
    windows: list[MainWindow] = []

    def build(path: Path | None, annotator: str | None = "alice") -> MainWindow:
        window = build_window(path, ui_settings, annotator=annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts reach the active window only
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.jobs.wait()


@pytest.fixture
def window(open_window: Callable[..., MainWindow], ui_project: Path) -> MainWindow:
    return open_window(ui_project)


class Store:
    """What is in the project file, read through a second SQLite connection."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def spans(self, doc_id: int, annotator: str = "alice") -> list[tuple[str, str, str]]:
        """(text, label, origin) of the annotator's spans, in text order."""
        text = self._query("SELECT text FROM documents WHERE id = ?", (doc_id,))[0][0]
        rows = self._query(
            'SELECT s.start, s."end", s.label, s.origin FROM spans s '
            "JOIN annotations a ON a.id = s.annotation_id JOIN annotators n ON n.id = a.annotator_id "
            "WHERE n.name = ? AND a.document_id = ? ORDER BY s.start",
            (annotator, doc_id),
        )
        return [(str(text)[int(s) : int(e)], str(lab), str(o)) for s, e, lab, o in rows]  # type: ignore[call-overload]

    def relations(self, doc_id: int, annotator: str = "alice") -> list[tuple[str, str, str]]:
        """(head text, label, child text) of the annotator's relations."""
        text = self._query("SELECT text FROM documents WHERE id = ?", (doc_id,))[0][0]
        rows = self._query(
            'SELECT h.start, h."end", r.label, c.start, c."end" FROM relations r '
            "JOIN spans h ON h.id = r.head JOIN spans c ON c.id = r.child "
            "JOIN annotations a ON a.id = r.annotation_id "
            "JOIN annotators n ON n.id = a.annotator_id "
            "WHERE n.name = ? AND a.document_id = ? ORDER BY r.id",
            (annotator, doc_id),
        )
        t = str(text)
        return [
            (t[int(hs) : int(he)], str(lab), t[int(cs) : int(ce)])  # type: ignore[call-overload]
            for hs, he, lab, cs, ce in rows
        ]

    def status(self, doc_id: int, annotator: str = "alice") -> str | None:
        rows = self._query(
            "SELECT a.status FROM annotations a JOIN annotators n ON n.id = a.annotator_id "
            "WHERE n.name = ? AND a.document_id = ?",
            (annotator, doc_id),
        )
        return str(rows[0][0]) if rows else None


@pytest.fixture
def store(ui_project: Path) -> Store:
    return Store(ui_project)


class Gestures:
    """Mouse and keyboard input on the real window, at places the editor's geometry gives."""

    def __init__(self, qtbot) -> None:  # noqa: ANN001
        self.qtbot = qtbot

    def span_id(self, window: MainWindow, text: str) -> int:
        ann = window.controller.annotation  # type: ignore[union-attr]
        doc = window.controller.document  # type: ignore[union-attr]
        assert ann is not None and doc is not None
        found = [s.id for s in ann.spans if doc.text[s.start : s.end] == text]
        assert found, f"no span {text!r}"
        return int(found[0])  # type: ignore[arg-type]

    def select_text(self, window: MainWindow, start: int, end: int) -> None:
        """Drag over characters [start, end) of the open document."""
        view = window.editor.viewport()
        a = window.editor.offset_point(start) + QPoint(1, 0)
        last, after = window.editor.offset_point(end - 1), window.editor.offset_point(end)
        # Just inside the last character's right edge, so the drag ends after it.
        b = after - QPoint(1, 0) if after.y() == last.y() else last + QPoint(3, 0)
        self.qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
        self.qtbot.mouseMove(view, pos=(a + b) / 2)
        self.qtbot.mouseMove(view, pos=b)
        self.qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)

    def click_span(self, window: MainWindow, span_id: int) -> None:
        rect = window.editor.span_rect(span_id)
        assert rect is not None
        self.qtbot.mouseClick(window.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def click_relation(self, window: MainWindow, rel_id: int) -> None:
        rect = window.editor.arc_label_rect(rel_id)
        assert rect is not None
        self.qtbot.mouseClick(window.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def drag_span_to_span(self, window: MainWindow, head: int, child: int) -> None:
        view = window.editor.viewport()
        a = window.editor.span_rect(head).center()  # type: ignore[union-attr]
        b = window.editor.span_rect(child).center()  # type: ignore[union-attr]
        self.qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
        self.qtbot.mouseMove(view, pos=(a + b) / 2)
        self.qtbot.mouseMove(view, pos=b)
        self.qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)

    def key(
        self, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.qtbot.keyClick(window.editor, key, modifier)


@pytest.fixture
def gestures(qtbot) -> Gestures:  # noqa: ANN001
    return Gestures(qtbot)
