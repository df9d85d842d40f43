"""Keep Python's `None` alive under PySide6 6.12 on CPython 3.11.

PySide6 6.12.0 releases one reference to `None` each time a method returning `void` is called
(`QPainter.setPen`, `QFont.setBold`, ...) without having taken one. On CPython 3.12+ `None` is
immortal and nothing happens; on 3.11 its count starts near 5,000, so after a few thousand calls
the interpreter aborts with "none_dealloc: deallocating None". Painting makes thousands of such
calls per second, so we measure the leak once and, when present, give `None` a reference count so
large (2**40) that no session can exhaust it. Calling this more than once is harmless.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_applied = False


def leaks_none() -> bool:
    """Whether a void Qt call releases a reference to None it never took."""
    from PySide6.QtCore import QPointF

    point = QPointF()  # any object with a void method; needs no QApplication
    before = sys.getrefcount(None)
    for _ in range(10):
        point.setX(1.0)
    return sys.getrefcount(None) < before - 5


def keep_none_alive() -> None:
    """Apply the guard once per process when this Python and PySide6 need it."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        _applied = True
        return
    if leaks_none():
        ctypes.c_ssize_t.from_address(id(None)).value += _BOOST
    _applied = True
