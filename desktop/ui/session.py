"""Who annotates which project on this computer: the name is asked the first time a person opens
a project and remembered for that file.

The name belongs to the person, not to the project: the project file travels between annotators
(each works on a copy, `etiquette merge` joins them), so a name stored in it would follow the copy
to the next person. It lives in the user's settings, keyed by the project's full path.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "project_annotators"
LAST = "annotator"
"""The last name given, offered (never used unasked) when a new project asks for one."""


def _table(settings: QSettings) -> dict[str, str]:
    try:
        table = json.loads(str(settings.value(KEY, "") or "{}"))
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def annotator_of(settings: QSettings, project: Path) -> str:
    """The name this person annotates `project` under, or "" when they never opened it."""
    return _table(settings).get(str(project.resolve()), "")


def remember(settings: QSettings, project: Path, name: str) -> None:
    table = _table(settings)
    table[str(project.resolve())] = name
    settings.setValue(KEY, json.dumps(table, ensure_ascii=False))
    settings.setValue(LAST, name)
    settings.sync()


def last_name(settings: QSettings) -> str:
    return str(settings.value(LAST, "") or "")
