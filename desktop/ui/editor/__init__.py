"""The annotation editor: a custom-painted text view of spans (boxes) and relations (arcs).

`layout` computes geometry, `painter` draws it, `view.EditorView` is the widget with its events.
"""

from desktop.ui.editor.pyside_fix import keep_none_alive
from desktop.ui.editor.view import EditorView

keep_none_alive()  # importing the editor protects the whole application; see pyside_fix


__all__ = ["EditorView"]
