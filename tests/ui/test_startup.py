"""`etiquette gui PROJECT.db` opens the window before the spaCy pipeline has loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Store
from PySide6.QtCore import QSettings

from desktop.ui import session

ROOT = Path(__file__).resolve().parents[2]


def test_the_window_shows_while_the_pipeline_is_still_loading(ui_project: Path, home: Path) -> None:
    config = home / ".config" / "etiquette"
    config.mkdir(parents=True, exist_ok=True)
    session.remember(QSettings(str(config / "etiquette.ini"), QSettings.Format.IniFormat), ui_project, "erin")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "ETIQUETTE_REPORT_STARTUP": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "gui", str(ui_project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("etiquette-startup"))
    fields = dict(item.split("=") for item in line.split()[1:])
    assert float(fields["shown"]) <= float(fields["ready"])
    assert fields["model_loading"] == "1"
    assert Store(ui_project).status(1, "erin") is None  # opening the first document wrote nothing
