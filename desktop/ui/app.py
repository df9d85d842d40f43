"""Starting the window: `etiquette`, `etiquette gui PROJECT.db` and `make run` all come here.

The window shows at once; the project opens right after the first paint and the spaCy pipeline
loads in a worker thread, needed only for pre-annotating from the window.

`ETIQUETTE_REPORT_STARTUP=1` prints when the window was first exposed and when the first document
was on screen (seconds since the epoch, with the process's resident memory), then quits: the
startup benchmark reads it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.ui import resources
from desktop.ui.window import MainWindow, recent_projects

REPORT_ENV = "ETIQUETTE_REPORT_STARTUP"


def make_settings() -> QSettings:
    """Window state, recent projects and the annotator's name (never project settings)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "etiquette", "etiquette")


def make_app(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "etiquette", *argv])
    app.setApplicationName("Etiquette")
    app.setOrganizationName("etiquette")
    app.setApplicationDisplayName("Etiquette")
    app.setStyleSheet(resources.style_sheet())
    if resources.icon_path().is_file():
        app.setWindowIcon(QIcon(str(resources.icon_path())))
    return app


def build_window(
    project_path: str | Path | None, settings: QSettings, annotator: str | None = None
) -> MainWindow:
    """The window as `main()` makes it, with the project open (tests drive this)."""
    window = MainWindow(settings, annotator=annotator)
    if annotator:
        window.set_annotator(annotator)
    if project_path is not None:
        window.open_project_path(Path(project_path))
    return window


def _last_project(settings: QSettings) -> Path | None:
    return next((Path(p) for p in recent_projects(settings) if Path(p).is_file()), None)


class _ExposeWatch(QObject):
    """Calls back once, when the window is first exposed (really on screen)."""

    def __init__(self, callback: object) -> None:
        super().__init__()
        self.callback = callback
        self.fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and not self.fired:
            self.fired = True
            self.callback()  # type: ignore[operator]
        return False


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux), 0 where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main(argv: Sequence[str] = (), annotator: str | None = None) -> int:
    """The window on the project `argv[0]` (else the last one), as `annotator` when given."""
    argv = list(argv)
    app = make_app()
    settings = make_settings()
    path = Path(argv[0]) if argv else _last_project(settings)
    window = MainWindow(settings, annotator=annotator)
    if annotator:
        window.set_annotator(annotator)
    report = os.environ.get(REPORT_ENV) == "1"
    marks: dict[str, float] = {}

    def exposed() -> None:
        marks["shown"] = time.time()
        QTimer.singleShot(0, open_project)

    def open_project() -> None:
        if path is not None:
            window.open_project_path(path)
        if report:
            ready, rss = time.time(), rss_mb()  # before spaCy starts loading in its thread
            window.work.start_model_loading()
            print(
                f"etiquette-startup shown={marks['shown']:.4f} ready={ready:.4f} "
                f"rss_mb={rss:.1f} model_loading={int(window.work.model_op is not None)}",
                flush=True,
            )
            # A pipeline still loading in its thread would hold the exit back: leave at once.
            os._exit(0)
        QTimer.singleShot(300, window.work.start_model_loading)

    watch = _ExposeWatch(exposed)
    window.show()
    handle = window.windowHandle()
    if handle is not None:
        handle.installEventFilter(watch)
    else:
        QTimer.singleShot(0, exposed)
    code = app.exec()
    return int(code)
