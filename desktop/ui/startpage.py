"""The start page, shown while no project is open: recent projects, and the demo to try at once.

Enter (or a double-click) on a recent project opens it; "Open the demo" opens the demo project,
building it first (the articles shipped in `seeds/`, pre-annotated by spaCy) off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import projects, workers

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def demo_path() -> Path:
    """Where the demo project lives: the user's data folder, never the install folder."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "etiquette" / "demo.db"


class StartPage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main = window
        self.setObjectName("start_page")
        title = QLabel("Etiquette")
        title.setObjectName("start_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Annotate people, places and organisations in your texts: spaCy suggests, you correct "
            "with a few keys. Open a project, create one, or try the demo."
        )
        intro.setWordWrap(True)
        self.recent = QListWidget()
        self.recent.setObjectName("recent_projects")
        self.recent.itemActivated.connect(self._open_item)
        self.demo_button = QPushButton("Open the demo")
        self.demo_button.setObjectName("open_demo")
        self.demo_button.clicked.connect(self.open_demo)
        open_button = QPushButton("Open a project… (Ctrl+O)")
        open_button.clicked.connect(lambda: projects.open_project(window))
        new_button = QPushButton("New project… (Ctrl+N)")
        new_button.clicked.connect(lambda: projects.new_project(window))
        buttons = QHBoxLayout()
        for b in (self.demo_button, open_button, new_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Recent projects (Enter opens):"))
        layout.addWidget(self.recent, 1)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        for path in projects.recent_projects(self.main.settings):
            item = QListWidgetItem(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            if not Path(path).is_file():
                item.setText(f"{path} (missing)")
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
        if self.recent.count() == 0:
            empty = QListWidgetItem("No recent projects yet")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)
        else:
            self.recent.setCurrentRow(0)

    def _open_item(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.main.open_project_path(Path(path))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.recent.currentItem():
            self._open_item(self.recent.currentItem())
            return
        super().keyPressEvent(event)

    def open_demo(self) -> None:
        """Open the demo project, building it first when it is not there yet."""
        path = demo_path()
        if path.is_file():
            self.main.open_project_path(path)
            return
        self.demo_button.setEnabled(False)

        def build(_progress: workers.Progress) -> Path:
            from desktop.demo import build_demo

            return build_demo(path, SEEDS)

        (
            workers.run(self.main, build, "demo")
            .with_progress("The demo", "Pre-annotating the demo articles with spaCy…")
            .on_done(lambda built: self.main.open_project_path(Path(built)))
            .on_fail(lambda message: self.main.tell("The demo", message, warning=True))
            .on_fail(lambda _m: self.demo_button.setEnabled(True))
        )
