"""Label keys on any keyboard layout: which top-row key (1 … 0) a key press stands for.

Label keys are the number row. On QWERTY and QWERTZ its unshifted keys type digits; on AZERTY
they type `& é " ' ( - è _ ç à` and the digits need Shift, so matching the digit alone would cost
French annotators two keys per label. A press is matched by its physical key where the platform
says which it is (X11 and Windows scan codes), else by the symbol it typed.

With the "label every" modifier (Shift unless the user maps another), the same key labels every
occurrence of the selected text: on AZERTY Shift+& types "1", on QWERTY Shift+1 types "!".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

DIGITS = "1234567890"
AZERTY = "&é\"'(-è_çà"
"""What the number row types unshifted on a French AZERTY keyboard."""
QWERTY_SHIFTED = "!@#$%^&*()"
QWERTZ_SHIFTED = '!"§$%&/()='
X11_FIRST = 10
"""X11 (evdev) keycode of the 1 key; the row runs to 19 for 0."""
WINDOWS_FIRST = 2
"""Windows scan code of the 1 key; the row runs to 11 for 0."""

Mod = Qt.KeyboardModifier


def physical_digit(event: QKeyEvent) -> str | None:
    """The digit printed on the physical key pressed, when the platform tells which key it was."""
    code = event.nativeScanCode()
    platform = QGuiApplication.platformName()
    if platform == "xcb" and X11_FIRST <= code < X11_FIRST + 10:
        return DIGITS[code - X11_FIRST]
    if platform == "windows" and WINDOWS_FIRST <= code < WINDOWS_FIRST + 10:
        return DIGITS[code - WINDOWS_FIRST]
    return None


def label_digit(event: QKeyEvent, every: Qt.KeyboardModifier = Mod.ShiftModifier) -> tuple[str, bool] | None:
    """(digit of the label key, whether it labels every occurrence), or None for other keys.

    Only presses without modifiers, or with the `every` modifier alone, are label keys.
    """
    mods = event.modifiers() & ~Mod.KeypadModifier
    if mods not in (Mod.NoModifier, every):
        return None
    with_every = mods == every and every != Mod.NoModifier
    shifted = bool(mods & Mod.ShiftModifier)
    digit = physical_digit(event)
    if digit is not None:
        return digit, with_every
    text = event.text()
    if len(text) == 1:
        if text in DIGITS:  # QWERTY/QWERTZ unshifted, AZERTY shifted, the keypad
            return text, with_every
        if not shifted and text in AZERTY:
            return DIGITS[AZERTY.index(text)], with_every
        if shifted and text in QWERTY_SHIFTED:
            return DIGITS[QWERTY_SHIFTED.index(text)], with_every
        if shifted and text in QWERTZ_SHIFTED:
            return DIGITS[QWERTZ_SHIFTED.index(text)], with_every
        return None
    key = event.key()
    if not text and Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
        return chr(key), with_every
    return None
