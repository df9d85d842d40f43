"""The guard against PySide6 6.12 releasing `None` on every void call (CPython 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF

from desktop.ui.editor.pyside_fix import keep_none_alive


def test_many_void_calls_do_not_exhaust_none() -> None:
    keep_none_alive()
    keep_none_alive()  # applying it twice is harmless
    before = sys.getrefcount(None)
    point = QPointF()
    for _ in range(20_000):  # a few thousand would abort an unguarded interpreter on 3.11
        point.setX(1.0)
    assert sys.getrefcount(None) > 10_000
    assert before > 0
