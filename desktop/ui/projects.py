"""Which project and under which name: the New/Open dialogs, recent projects, the annotator's name.

The recent list and who annotates which project (`session`) are the only things kept in QSettings;
everything about a project lives in its file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

from desktop.ui import resources, session

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

APP_TITLE = "Etiquette"
MAX_RECENT = 8


def recent_projects(settings: QSettings) -> list[str]:
    """Recent project paths, newest first (an INI file gives a lone string for a one-item list)."""
    value = settings.value("recent_projects", [])
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(p) for p in items if p]


def remember(settings: QSettings, path: Path) -> None:
    """Put `path` first in the recent projects."""
    here = str(path.resolve())
    recent = [here] + [p for p in recent_projects(settings) if p != here]
    settings.setValue("recent_projects", recent[:MAX_RECENT])


def fill_recent_menu(window: MainWindow, menu: QMenu) -> None:
    menu.clear()
    paths = recent_projects(window.settings)
    for path in paths:
        action = menu.addAction(path)
        action.triggered.connect(lambda _c=False, p=path: window.open_project_path(Path(p)))
    if not paths:
        menu.addAction("No recent projects").setEnabled(False)


def new_project(window: MainWindow) -> None:
    """Ask for a file and a label scheme, then create the project and open it."""
    path, _ = QFileDialog.getSaveFileName(window, "New project", "", "Etiquette projects (*.db)")
    if not path:
        return
    schemes = resources.label_schemes()
    name, ok = QInputDialog.getItem(
        window, "New project", "Labels of the project:", [n for n, _ in schemes], 0, False
    )
    if ok:
        window.open_project_path(Path(path).with_suffix(".db"), dict(schemes)[name])


def open_project(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(
        window, "Open project", "", "Etiquette projects (*.db);;All files (*)"
    )
    if path:
        window.open_project_path(Path(path))


def ask_annotator(window: MainWindow) -> str | None:
    """The name the user types (None if they cancel or leave it empty)."""
    name, ok = QInputDialog.getText(
        window,
        APP_TITLE,
        "Your name in this project (it is saved with every edit):",
        text=window.annotator or session.last_name(window.settings),
    )
    name = name.strip()
    return name if ok and name else None
