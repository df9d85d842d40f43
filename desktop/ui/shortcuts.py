"""The user's shortcuts file: `~/.config/etiquette/shortcuts.toml` (the XDG config folder).

`[shortcuts]` gives an action (of `desktop.ui.actions`, label keys included) other keys, or none;
`[modifiers]` changes the modifier that labels every occurrence. What cannot be used is reported
in `Overrides.problems`, never fatal.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QKeySequence

LABEL_PREFIXES = ("label_entity_", "label_relation_")
"""Ids of the label actions: `label_entity_PER`, `label_relation_porte_parole`."""

MODIFIER_NAMES = ("Shift", "Alt", "Ctrl", "Meta")


def every_modifier(overrides: Overrides) -> str:
    """The modifier that, held with a label key, labels every occurrence (Shift unless remapped
    in the shortcuts file: `[modifiers] label_every = "Alt"`)."""
    return overrides.modifiers.get("label_every", "Shift")


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/etiquette` (or the platform's equivalent)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(base) / "etiquette"


def shortcuts_file() -> Path:
    return config_dir() / "shortcuts.toml"


@dataclass(slots=True)
class Overrides:
    shortcuts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modifiers: dict[str, str] = field(default_factory=dict)
    """`[modifiers]`: label_every = "Shift" | "Alt" | "Ctrl" | "Meta"."""
    problems: list[str] = field(default_factory=list)
    """What in the file could not be used, said to the user in the status bar."""


def read_file(path: Path | None, known: set[str]) -> Overrides:
    """The user's overrides of the actions `known` (and of label keys); a missing file means
    none, a bad one is reported, not fatal."""
    path = path or shortcuts_file()
    out = Overrides()
    if not path.is_file():
        return out
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        out.problems.append(f"{path}: {e}")
        return out
    mods = data.get("modifiers", {})
    if isinstance(mods, dict):
        for name, value in mods.items():
            if name != "label_every" or value not in MODIFIER_NAMES:
                out.problems.append(f"{path}: [modifiers] {name} = {value!r}: not a modifier setting")
            else:
                out.modifiers[name] = value
    table = data.get("shortcuts", {})
    if not isinstance(table, dict):
        out.problems.append(f"{path}: [shortcuts] must be a table")
        return out
    for action_id, value in table.items():
        if action_id not in known and not action_id.startswith(LABEL_PREFIXES):
            out.problems.append(f"{path}: no action named {action_id!r}")
            continue
        keys = (value,) if isinstance(value, str) else value
        if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
            out.problems.append(f"{path}: {action_id} takes a key or a list of keys")
            continue
        bad = [k for k in keys if k and not QKeySequence(k).toString()]
        if bad:
            out.problems.append(f"{path}: {action_id}: not a key: {', '.join(bad)}")
            continue
        out.shortcuts[action_id] = tuple(k for k in keys if k)
    return out
