"""Review mode fits the screen: entering it does not make the window need more width."""

from __future__ import annotations

from pathlib import Path


def test_review_mode_does_not_need_more_width_than_the_screen(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    window = open_window(team_project, annotator="rita")
    screen = window.screen().availableGeometry().width()
    window.review.toggle()
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= screen
    assert window.minimumSizeHint().width() <= window.width()
