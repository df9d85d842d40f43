"""The side panel: label palette, the spans and relations of the document, its metadata, guidelines."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.model import Annotation, Document, LabelScheme, Origin, Relation, Span

SWATCH = 14


def swatch(color: str) -> QIcon:
    pix = QPixmap(SWATCH, SWATCH)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(QColor(color).darker(140))
    painter.drawRoundedRect(1, 1, SWATCH - 2, SWATCH - 2, 3, 3)
    painter.end()
    return QIcon(pix)


def excerpt(text: str, start: int, end: int, limit: int = 60) -> str:
    """A span's text on one line, shortened in the middle when long."""
    words = " ".join(text[start:end].split())
    return words if len(words) <= limit else words[: limit // 2 - 1] + "…" + words[-limit // 2 :]


class SpanListModel(QAbstractListModel):
    """The spans of the open document, in text order."""

    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.spans: list[Span] = []
        self.scheme = LabelScheme()

    def set_spans(self, text: str, spans: list[Span], scheme: LabelScheme) -> None:
        self.beginResetModel()
        self.text, self.scheme = text, scheme
        self.spans = sorted(spans, key=lambda s: (s.start, -s.end))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.spans)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.spans):
            return None
        span = self.spans[index.row()]
        suggestion = span.origin == Origin.MODEL
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{span.label}  {excerpt(self.text, span.start, span.end)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return swatch(self.scheme.color(span.label))
        if role == Qt.ItemDataRole.ForegroundRole and suggestion:
            return QColor("#6b6b6b")
        if role == Qt.ItemDataRole.FontRole and suggestion:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return "a suggestion of the model, not checked yet" if suggestion else "yours"
        if role == self.ID_ROLE:
            return span.id
        return None

    def row_of(self, span_id: int | None) -> int | None:
        return next((i for i, s in enumerate(self.spans) if s.id == span_id), None)


class RelationListModel(QAbstractListModel):
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.relations: list[Relation] = []
        self.spans: dict[int, Span] = {}
        self.scheme = LabelScheme()

    def set_relations(
        self, text: str, spans: list[Span], relations: list[Relation], scheme: LabelScheme
    ) -> None:
        self.beginResetModel()
        self.text, self.scheme = text, scheme
        self.spans = {s.id: s for s in spans if s.id is not None}
        self.relations = list(relations)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.relations)

    def _name(self, span_id: int) -> str:
        span = self.spans.get(span_id)
        return excerpt(self.text, span.start, span.end, 30) if span else "?"

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.relations):
            return None
        rel = self.relations[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self._name(rel.head)}  —{rel.label}→  {self._name(rel.child)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return swatch(self.scheme.color(rel.label))
        if role == self.ID_ROLE:
            return rel.id
        return None

    def row_of(self, rel_id: int | None) -> int | None:
        return next((i for i, r in enumerate(self.relations) if r.id == rel_id), None)


class SidePanel(QTabWidget):
    """Tabs: Annotations (palette, spans, relations), Document (metadata), Guidelines."""

    span_clicked = Signal(int)
    relation_clicked = Signal(int)
    label_clicked = Signal(str, bool)
    """(label, is a relation label): a label of the palette clicked, as if its key was pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("side_panel")
        self.palette_view = QTreeWidget()
        self.palette_view.setObjectName("label_palette")
        self.palette_view.setHeaderLabels(["Label", "Key", "In this document"])
        self.palette_view.setRootIsDecorated(False)
        self.palette_view.setIconSize(QSize(SWATCH, SWATCH))
        self.palette_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.palette_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.palette_view.itemClicked.connect(
            lambda item, _col: self.label_clicked.emit(
                item.text(0), bool(item.data(0, Qt.ItemDataRole.UserRole))
            )
        )
        self.span_model = SpanListModel()
        self.span_view = self._list(self.span_model, "span_list")
        self.relation_model = RelationListModel()
        self.relation_view = self._list(self.relation_model, "relation_list")
        self.span_view.clicked.connect(
            lambda i: self.span_clicked.emit(self.span_model.data(i, SpanListModel.ID_ROLE))
        )
        self.relation_view.clicked.connect(
            lambda i: self.relation_clicked.emit(self.relation_model.data(i, RelationListModel.ID_ROLE))
        )

        annotations = QSplitter(Qt.Orientation.Vertical)
        annotations.addWidget(self._titled("Labels", self.palette_view))
        self.spans_title = QLabel("Spans")
        annotations.addWidget(self._titled(self.spans_title, self.span_view))
        self.relations_title = QLabel("Relations")
        annotations.addWidget(self._titled(self.relations_title, self.relation_view))
        annotations.setSizes([200, 300, 160])
        self.addTab(annotations, "Annotations")

        self.meta_view = QTreeWidget()
        self.meta_view.setObjectName("metadata")
        self.meta_view.setHeaderLabels(["Field", "Value"])
        self.meta_view.setRootIsDecorated(False)
        self.addTab(self.meta_view, "Document")

        self.guidelines = QPlainTextEdit(readOnly=True)
        self.guidelines.setObjectName("guidelines")
        self.addTab(self.guidelines, "Guidelines")

        self.history = QListView()
        self.history.setObjectName("history")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.addTab(self.history, "History")

    def _list(self, model: QAbstractListModel, name: str) -> QListView:
        view = QListView()
        view.setObjectName(name)
        view.setModel(model)
        view.setUniformItemSizes(True)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setIconSize(QSize(SWATCH, SWATCH))
        return view

    def _titled(self, title: str | QLabel, body: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        label = title if isinstance(title, QLabel) else QLabel(title)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setProperty("role", "section")
        layout.addWidget(label)
        layout.addWidget(body, 1)
        return box

    # --- filling ---------------------------------------------------------------------------------

    def set_project(self, scheme: LabelScheme, guidelines: str) -> None:
        self.guidelines.setPlainText(guidelines or "This project has no guidelines yet.")
        self.show_annotation(None, None, scheme)

    def show_annotation(self, doc: Document | None, ann: Annotation | None, scheme: LabelScheme) -> None:
        text = doc.text if doc else ""
        spans = ann.spans if ann else []
        relations = ann.relations if ann else []
        self._fill_palette(scheme, spans, relations)
        self.span_model.set_spans(text, spans, scheme)
        self.relation_model.set_relations(text, spans, relations, scheme)
        suggestions = sum(1 for s in spans if s.origin == Origin.MODEL)
        self.spans_title.setText(
            f"Spans ({len(spans)}; {suggestions} suggestions to check, in grey)"
            if suggestions
            else f"Spans ({len(spans)})"
        )
        self.relations_title.setText(f"Relations ({len(relations)})")

    def show_document_meta(self, doc: Document | None) -> None:
        self.meta_view.clear()
        if doc is None:
            return
        rows: list[tuple[str, str]] = [
            ("id", str(doc.id)),
            ("characters", f"{len(doc.text):,}"),
            ("tokens", f"{len(doc.tokens):,}"),
        ]
        for key, value in doc.meta.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            rows.append((str(key), shown))
        for key, value in rows:
            QTreeWidgetItem(self.meta_view, [key, value])
        self.meta_view.resizeColumnToContents(0)

    def _fill_palette(self, scheme: LabelScheme, spans: list[Span], relations: list[Relation]) -> None:
        counts: dict[str, int] = {}
        for label in [s.label for s in spans] + [r.label for r in relations]:
            counts[label] = counts.get(label, 0) + 1
        self.palette_view.clear()
        for ent in scheme.entities:
            QTreeWidgetItem(
                self.palette_view, [ent.name, ent.key.upper(), str(counts.get(ent.name, 0))]
            ).setIcon(0, swatch(ent.color))
        for rel in scheme.relations:
            item = QTreeWidgetItem(
                self.palette_view, [rel.name, rel.key.upper(), str(counts.get(rel.name, 0))]
            )
            item.setIcon(0, swatch(rel.color))
            item.setData(0, Qt.ItemDataRole.UserRole, True)
            pairs = ", ".join(f"{h}→{c}" for h, c in rel.allowed) or "any spans"
            item.setToolTip(0, f"relation: {pairs}")
        for col in range(3):
            self.palette_view.resizeColumnToContents(col)

    def select_span(self, span_id: int | None) -> None:
        row = self.span_model.row_of(span_id)
        if row is None:
            self.span_view.clearSelection()
        else:
            self.span_view.setCurrentIndex(self.span_model.index(row))

    def select_relation(self, rel_id: int | None) -> None:
        row = self.relation_model.row_of(rel_id)
        if row is None:
            self.relation_view.clearSelection()
        else:
            self.relation_view.setCurrentIndex(self.relation_model.index(row))
