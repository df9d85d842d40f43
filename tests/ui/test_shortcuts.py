"""Actions as data: every action has a handler, and users override shortcuts in a config file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from desktop.ui import actions
from desktop.ui.window import MainWindow

K = Qt.Key


def test_every_action_has_a_handler_and_no_two_share_a_key(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for spec in actions.ACTIONS:
        assert callable(spec.handler), spec.id
        for key in spec.shortcuts:
            text = QKeySequence(key).toString()
            assert text not in seen, f"{spec.id} and {seen.get(text)} share {key}"
            seen[text] = spec.id
    label_keys = {a.shortcut().toString() for a in window.label_actions if a.shortcut()}
    assert not label_keys & set(seen)


def shortcut_sheet(window: MainWindow) -> tuple[Any, dict[str, str]]:
    """The open F1 sheet and its rows, action text → keys."""
    sheet = window.findChild(object, "shortcut_sheet")
    assert sheet is not None and sheet.isVisible()
    table = sheet.table  # type: ignore[attr-defined]
    return sheet, {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}


def write_shortcuts(home: Path, text: str) -> Path:
    path = home / ".config" / "etiquette" / "shortcuts.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shortcuts_file_overrides_the_defaults(home: Path, open_window, ui_project, store, gestures) -> None:
    path = write_shortcuts(home, '[shortcuts]\naccept = "Ctrl+K"\nreject = ""\nskip = ["S", "F8"]\n')
    assert actions.shortcuts_file() == path
    window: MainWindow = open_window(ui_project)
    assert [k.toString() for k in window.action_map["accept"].shortcuts()] == ["Ctrl+K"]
    assert window.action_map["reject"].shortcuts() == []
    gestures.key(window, K.Key_A)
    gestures.key(window, K.Key_X)
    assert store.status(1) is None  # A and X did nothing
    gestures.key(window, K.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert store.status(1) == "accepted"
    gestures.key(window, K.Key_F8)
    assert store.status(2) == "skipped"


def test_a_bad_shortcuts_file_is_reported_not_fatal(home: Path) -> None:
    path = write_shortcuts(home, '[shortcuts]\nfly = "F"\naccept = 3\nskip = "Ctrl+Nope+Zap"\n')
    found = actions.read_overrides(path)
    assert found.shortcuts == {}
    assert len(found.problems) == 3
    assert "no action named 'fly'" in found.problems[0]
    write_shortcuts(home, "[shortcuts\n")
    assert actions.read_overrides(path).problems


def test_the_shortcut_sheet_lists_actions_and_labels(window: MainWindow, gestures, qtbot) -> None:
    gestures.key(window, K.Key_F1)
    sheet, rows = shortcut_sheet(window)
    assert rows["Accept and Next"] == "A, Ctrl+Return"
    assert rows["PER"] == "1"
    assert rows["porte_parole"] == "Q"
    sheet.close()


def test_label_keys_are_remapped_by_the_shortcuts_file(
    home: Path, open_window, ui_project, store, gestures
) -> None:
    write_shortcuts(home, '[shortcuts]\nlabel_entity_LOC = "F9"\n')
    window: MainWindow = open_window(ui_project)
    text = window.editor.text()
    start = text.index("États-Unis")
    gestures.select_text(window, start, start + len("États-Unis"))
    gestures.key(window, K.Key_2)  # LOC's key in the scheme: free now
    assert ("États-Unis", "LOC", "person") not in store.spans(1)
    gestures.key(window, K.Key_F9)
    assert ("États-Unis", "LOC", "person") in store.spans(1)
    gestures.key(window, K.Key_F1)
    sheet, rows = shortcut_sheet(window)
    assert rows["LOC"] == "F9"
    assert rows["PER"] == "1"
    sheet.close()
