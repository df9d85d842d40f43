"""Files the window ships with: its style sheet, its icon and the label schemes offered for new projects."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.model import LabelScheme, SchemeError

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def style_sheet() -> str:
    path = RESOURCES / "styles" / "etiquette.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def icon_path() -> Path:
    return RESOURCES / "icons" / "etiquette.svg"


def label_schemes() -> list[tuple[str, LabelScheme]]:
    """(description, scheme) of every scheme in resources/schemes, the news scheme first."""
    found = []
    for path in sorted((RESOURCES / "schemes").glob("*.json"), key=lambda p: (p.stem != "news-fr", p.stem)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            scheme = LabelScheme.from_names(
                data["entities"], data.get("relations", []), allow_overlap=bool(data.get("allow_overlap"))
            )
        except (OSError, ValueError, KeyError, SchemeError):
            continue  # a broken file is left out of the list, not fatal
        found.append((str(data.get("name", path.stem)), scheme))
    return found or [("Entities: PER, LOC, ORG, MISC", LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"]))]
