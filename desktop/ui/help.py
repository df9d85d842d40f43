"""Help › User Guide (the README, shown in the window) and Help › About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from desktop import __version__

README = Path(__file__).resolve().parents[2] / "README.md"
ABOUT = (
    "Etiquette {version}\n\n"
    "Annotate named entities and relations with spaCy, offline: import articles, correct the "
    "model's suggestions with the keyboard, export training data, measure agreement.\n\n"
    "Every edit is saved at once to the project file."
)


class GuideDialog(QDialog):
    """The user guide: the README as a page of the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_guide")
        self.setWindowTitle("User guide")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        try:
            self.browser.setMarkdown(README.read_text(encoding="utf-8"))
        except OSError:
            self.browser.setPlainText(
                "The user guide (README.md) is not installed with this copy of Etiquette.\n"
                "Help › Keyboard Shortcuts (F1) lists every key."
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 700)


def show_guide(parent: QWidget) -> GuideDialog:
    dialog = GuideDialog(parent)
    dialog.open()
    return dialog


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About Etiquette", ABOUT.format(version=__version__))
    box.setParent(parent, box.windowFlags())
    box.setObjectName("about_box")
    box.open()
    return box
