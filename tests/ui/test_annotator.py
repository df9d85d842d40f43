"""Who annotates: asked once per project and remembered for it; opening a document writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MODEL, Store
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status
from desktop.model.tokens import token_range
from desktop.store import Project
from desktop.ui import session
from desktop.ui.window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_suggestions_made_after_a_document_was_opened_are_shown(open_window, project_with, qtbot) -> None:  # noqa: ANN001
    path = project_with(["Le Kremlin a parlé.", "Riyad accueille la rencontre."], [[("Kremlin", "ORG")], []])
    window: MainWindow = open_window(path)
    window.open_document(2)
    assert window.controller.annotation.spans == []  # type: ignore[union-attr]
    with Project.open(path) as other:  # pre-annotation, in another program
        doc = other.document(2)
        span = Span(0, 5, "LOC", *token_range(doc.tokens, 0, 5), origin=Origin.MODEL)
        other.save_annotations([Annotation(2, MODEL, Status.ACCEPTED, [span])], AnnotatorKind.MODEL)
    window.open_document(1)
    window.open_document(2)
    assert [(s.label, str(s.origin)) for s in window.controller.annotation.spans] == [("LOC", "model")]  # type: ignore[union-attr]
    assert Store(path).status(1) is None and Store(path).status(2) is None


def test_each_project_asks_for_its_annotator_once(
    open_window, project_with, ui_settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    first = project_with(["Le Kremlin a parlé."], [[("Kremlin", "ORG")]], name="first.db")
    second = project_with(["Riyad accueille."], [[]], name="second.db")
    answers = iter(["carol", "dan"])
    asked: list[str] = []

    def get_text(parent: object, title: str, label: str, **kwargs: object) -> tuple[str, bool]:
        asked.append(str(kwargs.get("text", "")))
        return next(answers), True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    window: MainWindow = open_window(first, annotator=None)
    assert window.annotator == "carol" and window.annotator_label.text() == "Annotator: carol"
    window.open_project_path(second)
    assert asked == ["", "carol"]  # asked again, the last name only offered
    assert window.annotator == "dan" and "— dan —" in window.windowTitle()
    window.open_project_path(first)
    assert window.annotator == "carol" and len(asked) == 2
    assert session.annotator_of(ui_settings, second) == "dan"


def test_the_annotator_given_to_main_is_used_and_remembered(
    ui_project: Path, home: Path, open_window, ui_settings: QSettings
) -> None:  # noqa: ANN001
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "ETIQUETTE_REPORT_STARTUP": "1",
    }
    code = f"from desktop.ui.app import main; main([{str(ui_project)!r}], annotator='bob')"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ui_settings.sync()  # read what the other process wrote
    window: MainWindow = open_window(ui_project, annotator=None)  # no dialog: the name is known
    assert window.annotator == "bob"
