"""Each relation's arc is drawn in the colour the label scheme gives its label."""

from __future__ import annotations

from PySide6.QtGui import QColor

from desktop.model import LabelScheme, Relation

from .helpers import Loader, span_of

TEXT = "Peskov parle pour le Kremlin. Le Kremlin est à Moscou."


def hue_distance(a: QColor, b: QColor) -> int:
    d = abs(a.hsvHue() - b.hsvHue()) % 360
    return min(d, 360 - d)


def test_each_relation_arc_has_its_labels_scheme_colour(load: Loader, editor_scheme: LabelScheme) -> None:
    spans = [
        span_of(TEXT, "Peskov", "PER", 1),
        span_of(TEXT, "Kremlin", "ORG", 2),
        span_of(TEXT, "Kremlin", "ORG", 3, nth=1),
        span_of(TEXT, "Moscou", "LOC", 4),
    ]
    labels = {7: "porte_parole", 8: "situe_dans"}
    view = load(TEXT, spans, [Relation(1, 2, labels[7], id=7), Relation(3, 4, labels[8], id=8)])
    colours = {label: QColor(editor_scheme.color(label)) for label in labels.values()}
    assert hue_distance(*colours.values()) > 60  # the scheme tells the two apart
    img = view.viewport().grab().toImage()
    lay = view.editor_layout()
    for rid, label in labels.items():
        ((ln, arc),) = lay.relation_arcs(rid)
        # The arc's leg down to the head, halfway between the arc and the text: its darkest pixel
        # (antialiasing blends the pen with the white page, which keeps the hue).
        y = int((lay.arc_y(ln, arc.level) + lay.text_top(ln)) / 2)
        leg = [img.pixelColor(x, y) for x in range(int(arc.xh) - 3, int(arc.xh) + 4)]
        ink = min(leg, key=lambda c: c.red() + c.green() + c.blue())
        assert ink.lightness() < 220, f"no arc drawn for {label}"
        other = next(c for name, c in colours.items() if name != label)
        assert hue_distance(ink, colours[label]) < 12 < hue_distance(ink, other)
