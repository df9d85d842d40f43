"""The start page: recent projects to open with Enter, and the demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.ui import startpage
from desktop.ui.window import MainWindow


def test_without_a_project_the_start_page_lists_recent_projects(
    open_window, ui_project: Path, ui_settings, qtbot
) -> None:
    ui_settings.setValue("recent_projects", [str(ui_project), "/nowhere/gone.db"])
    window: MainWindow = open_window(None)
    page = window.start_page
    assert page.isVisible() and not window.editor.isVisible()
    assert page.recent.item(0).text() == str(ui_project)
    assert page.recent.item(1).text().endswith("(missing)")
    page.recent.setFocus()
    qtbot.keyClick(page.recent, Qt.Key.Key_Return)
    assert window.project is not None and window.project.path == ui_project
    assert not page.isVisible() and window.editor.isVisible()


def test_open_the_demo_opens_the_demo_project(open_window, ui_project: Path, monkeypatch, qtbot) -> None:
    monkeypatch.setattr(startpage, "demo_path", lambda: ui_project)  # already built
    window: MainWindow = open_window(None)
    assert window.start_page.recent.item(0).text() == "No recent projects yet"
    qtbot.mouseClick(window.start_page.demo_button, Qt.MouseButton.LeftButton)
    assert window.project is not None and window.project.path == ui_project
    assert window.doc_id == 1
