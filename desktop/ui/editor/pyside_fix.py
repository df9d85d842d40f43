"""Keep Python's singletons (`None`, `True`, `False`) alive under PySide6 6.12 on CPython 3.11.

PySide6 6.12.0 hands back `None` and `True`/`False` without taking a reference where CPython 3.12+
would not need one (there these objects are immortal): each call of a method returning `void`
(`QPainter.setPen`, `QFont.setBold`, ...) releases a reference to `None`, and each
`Signal.emit(...)` one to `True`. On 3.11 their counts start in the thousands, so after a few
thousand calls the interpreter aborts ("deallocating None" / "deallocating True or False") or,
worse, frees the object and crashes later inside the garbage collector. Painting makes thousands
of such calls per second, so we measure the leak once and, when present, give each singleton a
reference count so large (2**40) that no session can exhaust it, which is what 3.12 does by design.
Calling this more than once is harmless.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_applied = False


def leaks_singletons() -> bool:
    """Whether a void Qt call releases a reference to None it never took."""
    from PySide6.QtCore import QPointF

    point = QPointF()  # any object with a void method; needs no QApplication
    before = sys.getrefcount(None)
    for _ in range(10):
        point.setX(1.0)
    return sys.getrefcount(None) < before - 5


def keep_singletons_alive() -> None:
    """Apply the guard once per process when this Python and PySide6 need it."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        _applied = True
        return
    if leaks_singletons():
        for obj in (None, True, False, Ellipsis, NotImplemented):
            ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _applied = True


keep_none_alive = keep_singletons_alive
"""The former name, kept for callers."""
