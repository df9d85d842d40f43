"""The annotation editor: a custom-painted text view of spans (boxes) and relations (arcs).

`lines` wraps the text, `layout` places span boxes and relation arcs on lines, `geometry` gives
them pixels and answers hit tests, `painter` draws them,
`canvas.EditorCanvas` scrolls and zooms the laid-out text and maps viewport points to it,
`core.EditorCore` holds content and selection, `view.EditorView` adds the mouse and keyboard;
`navigation` (span order, find, token steps) is a Qt-free helper.
"""

from desktop.ui.editor.view import EditorView

__all__ = ["EditorView"]
