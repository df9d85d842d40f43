"""Review mode as a mode of the window: round trips drop the old controllers, the Disagreements
list opens documents with the arrow keys, and review mode's keys are remappable like any other."""

from __future__ import annotations

import gc
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.controller import AnnotationController
from desktop.ui.window import MainWindow
from tests.ui.conftest import Store
from tests.ui.review.test_review_mode import enter_review
from tests.ui.test_shortcuts import shortcut_sheet, write_shortcuts

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


def live_controllers() -> list[AnnotationController]:
    """Controllers whose Qt object still exists (with its undo stack and connections)."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, AnnotationController) and shiboken6.isValid(o)]


def test_ten_round_trips_into_review_mode_leave_one_controller(
    qtbot,
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    window: MainWindow = open_window(team_project, annotator="rita")
    assert len(live_controllers()) == 1
    for _ in range(10):
        enter_review(qtbot, window)
        assert window.review.active
        assert len(live_controllers()) == 1
        qtbot.keyClick(window.editor, Qt.Key.Key_R, CTRL)
        assert not window.review.active
        assert len(live_controllers()) == 1
    assert live_controllers() == [window.controller]
    assert window.controller is not None and window.controller.annotator == "rita"
    assert window.windowTitle().endswith("rita — Etiquette")


def test_the_arrow_keys_in_the_disagreements_list_open_the_documents(
    qtbot,
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    window: MainWindow = open_window(team_project, annotator="rita")
    enter_review(qtbot, window)
    assert window.windowTitle().endswith("reviewing — Etiquette")
    table = window.doc_list.view
    assert window.doc_list is window.review.list and table.isVisible()
    assert window.controller is not None and window.controller.doc_id == 1
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.controller.doc_id == 3
    assert table.hasFocus()  # the next arrow moves on in the list
    assert window.review.lanes.visible_lanes()[0].view.text() == window.editor.text()
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert window.controller.doc_id == 1


def test_take_from_lane_is_remapped_by_the_shortcuts_file_and_listed_by_f1(
    qtbot,
    home: Path,
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    write_shortcuts(home, '[shortcuts]\ntake_lane_1 = "Alt+Q"\nnext_pane = "F7"\n')
    window: MainWindow = open_window(team_project, annotator="rita")
    store = Store(team_project)
    enter_review(qtbot, window)
    before = store.spans(1, "gold")
    headers = [lane.header.text() for lane in window.review.lanes.visible_lanes()]
    assert headers[0].startswith("Alt+Q ") and headers[1].startswith("Alt+2 ")
    qtbot.keyClick(window.editor, Qt.Key.Key_D)
    assert window.editor.text_selection() is not None
    qtbot.keyClick(window.editor, Qt.Key.Key_1, ALT)  # the default key is free again
    assert store.spans(1, "gold") == before
    qtbot.keyClick(window.editor, Qt.Key.Key_Q, ALT)
    taken = [s for s in store.spans(1, "gold") if s not in before]
    assert len(taken) == 1 and taken[0][0] in ("Kremlin", "États-Unis")
    qtbot.keyClick(window.editor, Qt.Key.Key_F7)
    assert window.review.lanes.visible_lanes()[0].view.hasFocus()

    qtbot.keyClick(window.editor, Qt.Key.Key_F1)
    sheet, rows = shortcut_sheet(window)
    assert rows["Take from Lane 1"] == "Alt+Q"
    assert rows["Take from Lane 2"] == "Alt+2"
    assert rows["Next Pane"] == "F7"
    sheet.close()
