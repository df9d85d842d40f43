"""The rest of the window: the annotator's name, recent projects, find, zoom, guidelines, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog

from desktop.store import Project
from desktop.ui.window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def test_the_annotator_is_asked_once_and_remembered(
    open_window, ui_project: Path, ui_settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def get_text(*args: object, **kwargs: object) -> tuple[str, bool]:
        asked.append("name")
        return " carol ", True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    window: MainWindow = open_window(ui_project, annotator=None)
    assert asked == ["name"]
    assert window.windowTitle() == "ui.db — carol — Etiquette"
    assert ui_settings.value("annotator") == "carol"
    window.close()
    again: MainWindow = open_window(ui_project, annotator=None)
    assert asked == ["name"]
    assert again.annotator == "carol"


def test_switching_annotator_shows_their_own_work(
    window: MainWindow, gestures, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    gestures.key(window, K.Key_A)
    assert window.doc_list.progress_label.text() == "1 / 3 done"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("dave", True))
    window.switch_annotator()
    assert window.windowTitle().endswith("— dave — Etiquette")
    assert window.doc_list.progress_label.text() == "0 / 3 done"
    assert window.doc_id == 1
    assert store.status(1, "dave") is None  # dave has only looked at it
    assert store.status(1, "alice") == "accepted"


def test_recent_projects_are_remembered(window: MainWindow, ui_project: Path, ui_settings: QSettings) -> None:
    assert window.recent_projects() == [str(ui_project.resolve())]
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()] == [str(ui_project.resolve())]


def test_a_file_that_is_not_a_project_is_refused(open_window, tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database", encoding="utf-8")
    window: MainWindow = open_window(None)
    assert not window.open_project_path(bad)
    assert "not an Etiquette project" in window.last_message
    assert window.project is None


def test_new_project_with_a_scheme_from_resources(
    open_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "fresh"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (a[3][0], True))
    window: MainWindow = open_window(None)
    window.action_map["new_project"].trigger()
    assert window.project is not None and window.project.path == target.with_suffix(".db")
    assert "porte_parole" in window.project.scheme.relation_names
    assert "File → Import" in window.header.text()


def test_find_and_zoom(window: MainWindow, qtbot, gestures) -> None:
    gestures.key(window, K.Key_F, CTRL)
    assert window.find_bar.isVisible() and window.find_bar.edit.hasFocus()
    qtbot.keyClicks(window.find_bar.edit, "kremlin")
    qtbot.keyClick(window.find_bar.edit, K.Key_Return)
    assert window.find_bar.result.text() == ""
    window.find_bar.edit.setText("Tombouctou")
    qtbot.keyClick(window.find_bar.edit, K.Key_Return)
    assert window.find_bar.result.text() == "not found"
    qtbot.keyClick(window.find_bar.edit, K.Key_Escape)
    assert not window.find_bar.isVisible()
    before = window.editor.zoom()
    gestures.key(window, K.Key_Equal, CTRL)
    assert window.editor.zoom() > before
    gestures.key(window, K.Key_0, CTRL)
    assert window.editor.zoom() == 1.0


def test_guidelines_and_metadata_are_shown(open_window, project_with) -> None:
    path = project_with(["Un texte."], [[]])
    with Project.open(path) as p:
        p.set_setting("guidelines", "Annotate <names> & places.")
        p.db.execute("UPDATE documents SET meta = ? WHERE id = 1", ['{"source": "<a>.txt"}'])
        p.db.conn.commit()
    window: MainWindow = open_window(path)
    assert window.side.guidelines.toPlainText() == "Annotate <names> & places."
    meta = {
        window.side.meta_view.topLevelItem(i).text(0): window.side.meta_view.topLevelItem(i).text(1)
        for i in range(window.side.meta_view.topLevelItemCount())
    }
    assert meta["source"] == "<a>.txt"
    assert "<a>.txt" in window.header.text()
