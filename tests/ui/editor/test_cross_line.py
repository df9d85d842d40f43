"""A relation between spans on two lines is one arc: both halves meet down the same margin."""

from __future__ import annotations

from desktop.model import Relation
from desktop.ui.editor.layout import IN, OUT

from .helpers import Loader, span_of

TEXT = "Le Kremlin a parlé ce matin.\nPlus tard, Washington a répondu longuement."


def test_the_two_halves_of_a_cross_line_arc_meet_in_one_margin(load: Loader) -> None:
    spans = [span_of(TEXT, "Kremlin", "ORG", 1), span_of(TEXT, "Washington", "LOC", 2)]
    view = load(TEXT, spans, [Relation(1, 2, "situe_dans", id=7)])
    halves = {arc.kind: (ln, arc) for ln, arc in view.editor_layout().relation_arcs(7)}
    assert set(halves) == {OUT, IN}
    (_, out), (_, into) = halves[OUT], halves[IN]
    assert out.xc == into.xh  # the head's half leaves by the margin the child's half comes in by
    assert out.xc > view.editor_layout().width / 2  # the head is above: the right-hand margin
