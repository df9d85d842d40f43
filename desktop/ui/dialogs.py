"""Dialogs: import and export options, their summaries, and the sheet of keyboard shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.formats import ExportOptions, ExportReport, ImportOptions, ImportReport, registry
from desktop.model import LabelScheme
from desktop.ui.actions import ACTIONS, EDITOR_KEYS


def _path_row(edit: QLineEdit, *buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    for button in buttons:
        layout.addWidget(button)
    return row


class ImportDialog(QDialog):
    """Files or a folder, their format, and whose annotations they hold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import into the project")
        self.paths: list[str] = []
        self.path_edit = QLineEdit(placeholderText="choose files or a folder →")
        # Filled by the buttons beside it: read-only, and it looks it (no frame, no focus, no caret).
        self.path_edit.setReadOnly(True)
        self.path_edit.setFrame(False)
        self.path_edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.path_edit.setStyleSheet("QLineEdit { background: transparent; }")
        files = QPushButton("Files…")
        files.clicked.connect(self._choose_files)
        folder = QPushButton("Folder…")
        folder.clicked.connect(self._choose_folder)
        row = _path_row(self.path_edit, files, folder)
        self.format = QComboBox()
        self.format.addItem("Guess from each file", "auto")
        for name in registry.importable():
            self.format.addItem(f"{name} — {registry.get(name).description}", name)
        self.annotator = QLineEdit(placeholderText="when the file does not say")
        self.on_conflict = QComboBox()
        self.on_conflict.addItem("Keep the project's version", "keep")
        self.on_conflict.addItem("Replace it with the file's", "replace")
        self.on_conflict.addItem("Merge both", "merge")
        self.on_conflict.setToolTip("When the annotator already annotated one of the texts, differently")
        form = QFormLayout()
        form.addRow("Import", row)
        form.addRow("Format", self.format)
        form.addRow("Annotations belong to", self.annotator)
        form.addRow("Texts already annotated", self.on_conflict)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Files to import")
        if paths:
            self.set_paths(paths)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder to import")
        if path:
            self.set_paths([path])

    def set_paths(self, paths: list[str]) -> None:
        self.paths = paths
        self.path_edit.setText("; ".join(paths))
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.paths))

    def choice(self) -> tuple[list[str], str, ImportOptions]:
        return (
            self.paths,
            self.format.currentData(),
            ImportOptions(
                annotator=self.annotator.text().strip() or None,
                on_conflict=self.on_conflict.currentData(),
            ),
        )


SUFFIXES = {"spacy": ".spacy", "brat": "", "conll": ".conll"}
"""What an export's file name ends with, by format (JSONL otherwise; brat writes a folder)."""


class ExportDialog(QDialog):
    """Format, source annotator, output path, dev split and seed, strictness."""

    def __init__(
        self, annotators: list[str], current: str, project_path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export training data")
        self.format = QComboBox()
        for name in registry.exportable():
            self.format.addItem(f"{name} — {registry.get(name).description}", name)
        self.source = QComboBox()
        for name in annotators:
            self.source.addItem(name, name)
        if current in annotators:
            self.source.setCurrentIndex(annotators.index(current))
        self.project_path = project_path
        self.out = QLineEdit()
        self.format.currentIndexChanged.connect(self._suggest_out)
        self._suggest_out()
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_out)
        self.dev_split = QDoubleSpinBox(minimum=0.0, maximum=0.9, singleStep=0.05, decimals=2)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.strict = QCheckBox("Fail, writing nothing, if the format cannot hold everything")
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Annotations of", self.source)
        form.addRow("Write to", _path_row(self.out, choose))
        form.addRow("Dev split", self.dev_split)
        form.addRow("Shuffle seed", self.seed)
        form.addRow("", self.strict)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _suggest_out(self) -> None:
        """Next to the project, named after it, with the format's suffix."""
        fmt = self.format.currentData() or "jsonl"
        stem = self.project_path.with_suffix("")
        suffix = SUFFIXES.get(fmt, ".jsonl")
        self.out.setText(f"{stem}-{fmt}{suffix}" if suffix else f"{stem}-{fmt}")

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text())
        if path:
            self.out.setText(path)

    def choice(self) -> tuple[str, str, ExportOptions]:
        options = ExportOptions(
            source=self.source.currentData(),
            dev_split=self.dev_split.value(),
            seed=self.seed.value(),
            strict=self.strict.isChecked(),
        )
        return self.out.text().strip(), self.format.currentData(), options


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def import_summary(report: ImportReport) -> str:
    if report.cancelled:
        return "Import cancelled: nothing was added."
    lines = [
        f"{_n(report.added, 'document')} added, {report.duplicates:,} already in the project."
        if report.duplicates
        else f"{_n(report.added, 'document')} added, none already in the project."
    ]
    if report.spans or report.relations:
        lines.append(f"{report.spans:,} spans and {report.relations:,} relations imported.")
    if report.kept:
        lines.append(
            f"Kept {_n(report.kept, 'existing annotation')}: the project's version differs from the "
            "file's (choose Replace or Merge to take the file's)."
        )
    for f in report.files:
        for what, n in f.not_imported.items():
            lines.append(f"{Path(f.path).name}: {n:,} {what} not imported")
    return "\n".join(lines)


def export_summary(report: ExportReport) -> str:
    if report.cancelled:
        return "Export cancelled."
    lines = [
        f"{_n(report.documents, 'document')}, {_n(report.spans, 'span')} and "
        f"{_n(report.relations, 'relation')} written to:",
        *report.destination(),
    ]
    if report.left_out:
        statuses = ", ".join(f"{n:,} {status}" for status, n in report.left_out.items())
        lines.append(f"Left out (only accepted documents are exported): {statuses}.")
    lost = report.lost
    if lost:
        lines.append("")
        lines.append("Not exported (the format cannot hold them):")
        lines += [f"  {n:,} {reason}" for reason, n in lost.items()]
    return "\n".join(lines)


def _keys(keys: tuple[str, ...]) -> str:
    return ", ".join(QKeySequence(k).toString() for k in keys if k)


class ShortcutSheet(QDialog):
    """Every action with its keys, then the label keys of the project's scheme."""

    def __init__(
        self, keys: dict[str, tuple[str, ...]], scheme: LabelScheme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows: list[tuple[str, str, str]] = []
        for a in ACTIONS:
            rows.append((a.menu, a.text.replace("&", "").rstrip("…"), _keys(keys[a.id])))
        for k in EDITOR_KEYS:
            rows.append((k.group, k.text, k.keys))
        for ent in scheme.entities:
            rows.append(("Entity label", ent.name, _keys(keys.get(f"label_entity_{ent.name}", (ent.key,)))))
        for rel in scheme.relations:
            rows.append(
                ("Relation label", rel.name, _keys(keys.get(f"label_relation_{rel.name}", (rel.key,))))
            )
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcut_table")
        self.table.setHorizontalHeaderLabels(["", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
        self.resize(900, 700)
