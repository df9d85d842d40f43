"""The annotation editor: a custom-painted text view of spans (boxes) and relations (arcs).

`layout` computes geometry, `painter` draws it, `view.EditorView` is the widget with its events.
"""

from desktop.ui.editor.view import EditorView

__all__ = ["EditorView"]
