"""The guard against PySide6 6.12 releasing `None` (void calls) and `True` (signal emits) on 3.11."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QPointF, Signal

from desktop.ui.editor.pyside_fix import keep_singletons_alive


class _Emitter(QObject):
    ping = Signal(int)


def test_many_void_calls_and_emits_do_not_exhaust_the_singletons(qtbot) -> None:  # type: ignore[no-untyped-def]
    keep_singletons_alive()
    keep_singletons_alive()  # applying it twice is harmless
    point, emitter = QPointF(), _Emitter()
    for i in range(20_000):  # a few thousand of each would abort an unguarded 3.11 interpreter
        point.setX(1.0)
        emitter.ping.emit(i)
    assert sys.getrefcount(None) > 10_000
    assert sys.getrefcount(True) > 10_000
