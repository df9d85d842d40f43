"""The Qt binding must not drop references it never took (PySide6 6.12.0 did, on CPython 3.11)."""

from __future__ import annotations

import subprocess
import sys

LOOP = """
from PySide6.QtCore import QObject, QPointF, Signal

class Emitter(QObject):
    ping = Signal(bool)

point, emitter = QPointF(), Emitter()
for i in range(50_000):  # enough to exhaust None's and True's counts on an affected binding
    point.setX(1.0)
    emitter.ping.emit(True)
"""


def test_thousands_of_void_calls_and_emits_do_not_abort_python() -> None:
    run = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-500:]
