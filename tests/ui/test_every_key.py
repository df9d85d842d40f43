"""No key of the shortcut sheet (F1) may crash the window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).with_name("key_driver.py")
ROOT = Path(__file__).resolve().parents[2]


def test_every_key_of_the_shortcut_sheet_leaves_the_window_alive(ui_project: Path, home: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(ui_project), str(home / "settings.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    pressed = [
        line.removeprefix("pressed ") for line in done.stdout.splitlines() if line.startswith("pressed")
    ]
    assert done.returncode == 0, f"crashed at {pressed[-1:]} (code {done.returncode}): {done.stderr[-2000:]}"
    assert done.stdout.splitlines()[-1] == "alive"
    assert {"Escape", "F1", "Ctrl+Z", "Delete", "1", "q"} <= set(pressed)
