"""Convert between Python string offsets (code points) and Qt's (UTF-16 code units).

Etiquette stores offsets as Python indices. Qt APIs that take or return positions in a QString
(QTextLayout cursors, QLineEdit selections, QRegularExpression matches) count UTF-16 code units, in
which each character outside the Basic Multilingual Plane (emoji, rare CJK) counts twice.
"""

from __future__ import annotations

from bisect import bisect_right


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Utf16Index:
    """Offset conversions for one string, O(log n) each after an O(n) scan.

    Strings without astral characters (the common case) convert as the identity at no cost.
    """

    __slots__ = ("_astral",)

    def __init__(self, text: str) -> None:
        # Python offsets of the characters that take two UTF-16 units.
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def to_utf16(self, index: int) -> int:
        """UTF-16 position of the Python offset `index`."""
        return index + bisect_right(self._astral, index - 1) if self._astral else index

    def to_python(self, position: int) -> int:
        """Python offset of UTF-16 `position` (inside a surrogate pair: the character's start)."""
        if not self._astral:
            return position
        lo, hi = 0, len(self._astral)
        # Number of astral characters that start strictly before `position` in UTF-16 units.
        while lo < hi:
            mid = (lo + hi) // 2
            if self._astral[mid] + mid < position:
                lo = mid + 1
            else:
                hi = mid
        # Inside a pair (position == start + 1) this also lands on the character's start.
        return position - lo
