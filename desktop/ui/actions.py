"""Every command of the window as data: id, menu text, default shortcuts, menu and handler.

The window builds its QActions from `ACTIONS`; users change shortcuts in
`~/.config/etiquette/shortcuts.toml` (the XDG config folder), e.g.::

    [shortcuts]
    accept = "Ctrl+Return"
    skip = ["S", "Space"]
    reject = ""            # no shortcut at all

    [modifiers]
    label_every = "Alt"    # Alt+label key labels every occurrence (Shift by default)

Label keys are actions of the registry too (`label_specs`): their default key comes from the
project's label scheme, and the file overrides them by id (`label_entity_PER = "Alt+P"`). Review
mode's keys (`take_lane_1` … `take_lane_9`, `next_pane`) are ordinary actions that review mode
turns on and off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from desktop.model import LabelScheme
from desktop.ui import help as help_pages
from desktop.ui import projects
from desktop.ui.shortcuts import (
    LABEL_PREFIXES,
    MODIFIER_NAMES,
    Overrides,
    config_dir,
    every_modifier,
    read_file,
    shortcuts_file,
)

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow

Handler = Callable[["MainWindow"], object]

__all__ = [
    "ACTIONS",
    "LABEL_PREFIXES",
    "MODIFIER_NAMES",
    "ActionSpec",
    "Overrides",
    "build_action",
    "build_actions",
    "config_dir",
    "effective_shortcuts",
    "every_modifier",
    "label_specs",
    "read_overrides",
    "shortcuts_file",
]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    handler: Handler
    """What the action does, given the window."""
    shortcuts: tuple[str, ...] = ()
    menu: str = ""
    help: str = ""
    checkable: bool = False
    new_group: bool = False
    """A separator comes before it in its menu."""
    enabled: bool = True
    """Off until a mode turns it on (review mode's keys)."""


def _a(
    id: str,
    text: str,
    handler: Handler,
    shortcuts: tuple[str, ...],
    menu: str,
    help: str,
    checkable: bool = False,
    new_group: bool = False,
    enabled: bool = True,
) -> ActionSpec:
    return ActionSpec(id, text, handler, shortcuts, menu, help, checkable, new_group, enabled)


def _take_lane(index: int) -> Handler:
    return lambda w: w.review.take_at_cursor(index)


def _apply_label(name: str, relation: bool) -> Handler:
    return lambda w: w.editing.apply_label(name, relation)


ACTIONS: list[ActionSpec] = [
    _a("new_project", "&New Project…", projects.new_project, ("Ctrl+N",), "File", "Create a project file"),
    _a("open_project", "&Open Project…", projects.open_project, ("Ctrl+O",), "File", "Open a project file"),
    _a(
        "import",
        "&Import…",
        lambda w: w.work.import_files(),
        ("Ctrl+I",),
        "File",
        "Import texts or annotated files into the project",
        new_group=True,
    ),
    _a(
        "export",
        "&Export…",
        lambda w: w.work.export_files(),
        ("Ctrl+E",),
        "File",
        "Export annotations as training data",
    ),
    _a(
        "save_copy",
        "Save a &Copy…",
        lambda w: w.upkeep.save_copy(),
        ("Ctrl+Shift+S",),
        "File",
        "Write one consistent copy of the project file (to send or back up), whatever is open",
    ),
    _a(
        "switch_annotator",
        "Switch &Annotator…",
        lambda w: w.switch_annotator(),
        ("Ctrl+Shift+N",),
        "File",
        "Annotate under another name",
        new_group=True,
    ),
    _a("quit", "&Quit", lambda w: w.close(), ("Ctrl+Q",), "File", "Close the window", new_group=True),
    _a(
        "undo", "&Undo", lambda w: w.editing.undo(), ("Ctrl+Z",), "Edit", "Undo the last edit", new_group=True
    ),
    _a(
        "redo",
        "&Redo",
        lambda w: w.editing.redo(),
        ("Ctrl+Shift+Z", "Ctrl+Y"),
        "Edit",
        "Redo the edit undone",
    ),
    _a(
        "delete",
        "&Delete",
        lambda w: w.editing.delete_selected(),
        ("Delete", "Backspace"),
        "Edit",
        "Delete the selected span (with its relations) or relation",
    ),
    _a(
        "confirm",
        "&Confirm Suggestion",
        lambda w: w.editing.confirm_selected(),
        ("C",),
        "Edit",
        "Keep the selected suggestion as yours",
    ),
    _a("next_span", "Next &Span", lambda w: w.editing.next_span(), ("Tab",), "Edit", "Select the next span"),
    _a(
        "previous_span",
        "&Previous Span",
        lambda w: w.editing.previous_span(),
        ("Shift+Tab", "Shift+Backtab"),
        "Edit",
        "Select the previous span",
    ),
    _a(
        "next_suggestion",
        "Next &Unconfirmed Suggestion",
        lambda w: w.editing.next_suggestion(1),
        ("U",),
        "Edit",
        "Select the next suggestion nobody has confirmed yet",
    ),
    _a(
        "previous_suggestion",
        "Previous Unconfirmed Suggestion",
        lambda w: w.editing.next_suggestion(-1),
        ("Shift+U",),
        "Edit",
        "Select the previous suggestion nobody has confirmed yet",
    ),
    _a(
        "least_confident",
        "Least &Confident Suggestion",
        lambda w: w.learning.least_confident(),
        ("L",),
        "Edit",
        "Select the suggestion the model is least sure of in this document",
    ),
    _a(
        "escape",
        "Clear Selection",
        lambda w: w.editing.clear_selection(),
        ("Escape",),
        "Edit",
        "Clear the selection, or cancel the relation being drawn",
    ),
    _a(
        "relation_mode",
        "&Relation Mode",
        lambda w: w.editing.toggle_relation_mode(),
        ("Shift+R",),
        "Edit",
        "Draw relations between spans instead of selecting text",
        checkable=True,
    ),
    _a(
        "link",
        "&Link Spans",
        lambda w: w.editing.link_selected(),
        ("Space",),
        "Edit",
        "Mark the selected span as a relation's head; Tab to the child, the same key again, then the "
        "relation's key",
    ),
    _a(
        "find",
        "&Find in Document…",
        lambda w: w.editing.find_in_document(),
        ("Ctrl+F",),
        "Edit",
        "Find text in the document",
        new_group=True,
    ),
    _a("find_next", "Find &Next", lambda w: w.editing.find_next(), ("F3",), "Edit", "Find the next match"),
    _a(
        "search",
        "Search &Documents",
        lambda w: w.editing.focus_search(),
        ("Ctrl+Shift+F",),
        "Edit",
        "Search all documents of the project",
    ),
    _a(
        "accept",
        "&Accept and Next",
        lambda w: w.navigation.accept_document(),
        ("A", "Ctrl+Return"),
        "Document",
        "Accept this document as annotated and open the next one",
        new_group=True,
    ),
    _a(
        "reject",
        "&Reject and Next",
        lambda w: w.navigation.reject_document(),
        ("X",),
        "Document",
        "Reject this document (not usable) and open the next one",
    ),
    _a(
        "skip",
        "&Skip",
        lambda w: w.navigation.skip_document(),
        ("S",),
        "Document",
        "Leave this document for later and open the next one",
    ),
    _a(
        "next_document",
        "&Next Document",
        lambda w: w.navigation.next_document(),
        ("PgDown", "Alt+Right"),
        "Document",
        "Open the next document of the list",
    ),
    _a(
        "previous_document",
        "&Previous Document",
        lambda w: w.navigation.previous_document(),
        ("PgUp", "Alt+Left"),
        "Document",
        "Open the previous document of the list",
    ),
    _a(
        "preannotate",
        "Pre-&annotate with spaCy",
        lambda w: w.work.preannotate(),
        ("Ctrl+Shift+P",),
        "Document",
        "Suggest entities for every document the model has not seen yet, while annotating goes on "
        "(pressed again while it runs: stop it)",
        new_group=True,
    ),
    _a(
        "review_mode",
        "&Review Mode",
        lambda w: w.review.toggle(),
        ("Ctrl+R",),
        "Review",
        "Adjudicate the annotators' annotations into gold, document by document",
        checkable=True,
    ),
    _a(
        "next_dispute",
        "Next &Disagreement",
        lambda w: w.review.step_dispute(1),
        ("D",),
        "Review",
        "In review mode: select the next span the annotators disagree on",
    ),
    _a(
        "previous_dispute",
        "&Previous Disagreement",
        lambda w: w.review.step_dispute(-1),
        ("Shift+D",),
        "Review",
        "In review mode: select the previous span the annotators disagree on",
    ),
    _a(
        "agreement",
        "&Agreement Dashboard…",
        lambda w: w.review.show_dashboard(),
        ("Ctrl+Shift+D",),
        "Review",
        "Inter-annotator agreement: F1, kappa, alpha, per label and per document",
    ),
    _a(
        "hide_unsure",
        "&Hide Unsure Suggestions",
        lambda w: w.learning.toggle_unsure(),
        ("Ctrl+Shift+H",),
        "View",
        "Hide the suggestions the model is less sure of than the project's threshold",
        checkable=True,
    ),
    *(
        _a(
            f"take_lane_{n}",
            f"Take from Lane {n}",
            _take_lane(n - 1),
            (f"Alt+{n}",),
            "Review",
            f"In review mode: take lane {n}'s span at the gold selection into gold",
            new_group=n == 1,
            enabled=False,
        )
        for n in range(1, 10)
    ),
    _a(
        "next_pane",
        "Next &Pane",
        lambda w: w.review.focus_next_pane(),
        ("F6",),
        "Review",
        "In review mode: move the focus from gold to the lanes and back",
        enabled=False,
    ),
    _a(
        "zoom_in",
        "Zoom &In",
        lambda w: w.editing.zoom_in(),
        ("Ctrl+=", "Ctrl++"),
        "View",
        "Larger text",
        new_group=True,
    ),
    _a("zoom_out", "Zoom &Out", lambda w: w.editing.zoom_out(), ("Ctrl+-",), "View", "Smaller text"),
    _a(
        "zoom_reset",
        "&Actual Size",
        lambda w: w.editing.zoom_reset(),
        ("Ctrl+0",),
        "View",
        "Text at its usual size",
    ),
    _a(
        "shortcuts",
        "&Keyboard Shortcuts",
        lambda w: w.show_shortcuts(),
        ("F1", "?"),
        "Help",
        "List every shortcut",
    ),
    _a(
        "user_guide",
        "&User Guide",
        lambda w: help_pages.show_guide(w),
        (),
        "Help",
        "How to annotate with Etiquette: the guide, in the window",
    ),
    _a("about", "&About Etiquette", lambda w: help_pages.show_about(w), (), "Help", "Version and purpose"),
]

MENUS = ["File", "Edit", "Document", "Review", "View", "Help"]


@dataclass(frozen=True, slots=True)
class EditorKey:
    """A key the editor handles itself (it moves or reshapes the selection): listed, not remapped."""

    group: str
    text: str
    keys: str


EDITOR_KEYS: list[EditorKey] = [
    EditorKey("Select", "Next / previous word (whitespace is skipped)", "Right, Left"),
    EditorKey("Select", "Move the selection's end by a word", "Shift+Right, Shift+Left"),
    EditorKey("Select", "Move the selection's start by a word", "Ctrl+Shift+Left, Ctrl+Shift+Right"),
    EditorKey("Select", "First / last word of the line", "Home, End"),
    EditorKey("Select", "Grow the selection to the line's start / end", "Shift+Home, Shift+End"),
    EditorKey(
        "Select",
        "On a selected span: grow or shrink its end / start by a word",
        "Shift+Right, Shift+Left, Ctrl+Shift+Left, Ctrl+Shift+Right",
    ),
    EditorKey("Select", "Next / previous span, from where you are", "Tab, Shift+Tab"),
    EditorKey("Find", "Type to find; next match (previous: Shift+Return)", "Return, F3"),
    EditorKey("Find", "Leave the find bar, the match selected (or Return again)", "Escape"),
    EditorKey("Relations", "After the link key: the letter shown on a span makes it the child", "A … M"),
    EditorKey("Entity label", "Label every occurrence of the selected text", "Shift+label key"),
    EditorKey("Entity label", "Label keys on AZERTY (no Shift needed)", "& é \" ' ( - è _ ç à"),
]


def read_overrides(path: Path | None = None) -> Overrides:
    """The user's shortcut overrides of these actions (`desktop.ui.shortcuts.read_file`)."""
    return read_file(path, {a.id for a in ACTIONS})


def label_specs(scheme: LabelScheme) -> list[ActionSpec]:
    """One action per label of the scheme (ids `label_entity_PER`, `label_relation_…`), its key
    from the scheme; they belong to this registry like every other action (overridable, on F1)."""
    specs = [
        ActionSpec(
            f"label_entity_{e.name}",
            e.name,
            _apply_label(e.name, relation=False),
            (e.key,) if e.key else (),
            "Labels",
            f"Label the selection {e.name}",
        )
        for e in scheme.entities
    ]
    specs += [
        ActionSpec(
            f"label_relation_{r.name}",
            f"Relation {r.name}",
            _apply_label(r.name, relation=True),
            (r.key,) if r.key else (),
            "Labels",
            f"Give the selected or drawn relation the label {r.name}",
            new_group=i == 0,
        )
        for i, r in enumerate(scheme.relations)
    ]
    return specs


def effective_shortcuts(overrides: Overrides, specs: Iterable[ActionSpec] = ()) -> dict[str, tuple[str, ...]]:
    """Each action's keys (the window's actions, then `specs`): the user's, else the defaults."""
    return {a.id: overrides.shortcuts.get(a.id, a.shortcuts) for a in [*ACTIONS, *specs]}


def build_action(parent: QObject, window: MainWindow, spec: ActionSpec, keys: Iterable[str]) -> QAction:
    """A QAction for `spec` with `keys`, triggered → the spec's handler on `window`."""
    action = QAction(spec.text, parent)
    action.setObjectName(f"action_{spec.id}" if spec.menu != "Labels" else spec.id)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setStatusTip(spec.help)
    action.setCheckable(spec.checkable)
    action.setEnabled(spec.enabled)
    action.triggered.connect(lambda _checked=False, h=spec.handler: h(window))
    return action


def build_actions(parent: QObject, window: MainWindow, overrides: Overrides) -> dict[str, QAction]:
    """One QAction per spec of `ACTIONS`, the user's shortcuts applied."""
    keys = effective_shortcuts(overrides)
    return {a.id: build_action(parent, window, a, keys[a.id]) for a in ACTIONS}
