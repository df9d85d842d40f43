"""The Document menu's commands: the next and previous document of the list, and finishing one.

Accept, Reject and Skip set the open document's status through the controller of the moment and
open the next document of the list shown (the window's own, or a mode's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.model import Origin, Status

if TYPE_CHECKING:
    from desktop.ui.window import MainWindow


class Navigation(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def _step(self, step: int) -> None:
        target = self.window.doc_list.model.next_id(self.window.doc_id, step)
        if target is None:
            self.window.say(
                "No next document in this list" if step > 0 else "No previous document in this list"
            )
            return
        self.window.open_document(target)

    def next_document(self) -> None:
        self._step(1)

    def previous_document(self) -> None:
        self._step(-1)

    def _finish(self, status: Status) -> None:
        if self.window.controller is None or self.window.controller.document is None:
            return
        self.window.controller.set_status(status)
        self._step(1)

    def accept_document(self) -> None:
        ctl = self.window.controller
        ann = ctl.annotation if ctl is not None else None
        left = sum(1 for s in ann.spans if s.origin == Origin.MODEL) if ann is not None else 0
        self._finish(Status.ACCEPTED)
        if left:
            self.window.say(
                f"Accepted with {left} unconfirmed suggestion{'s' if left != 1 else ''}: "
                "they are now part of your annotation"
            )

    def reject_document(self) -> None:
        self._finish(Status.REJECTED)

    def skip_document(self) -> None:
        self._finish(Status.SKIPPED)
