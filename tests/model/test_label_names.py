"""Labels are non-blank and hold no control characters (tabs and line breaks included): brat's
annotation.conf and CoNLL's columns would break on them, and a blank label cannot be shown."""

from __future__ import annotations

import pytest

from desktop.cli import main
from desktop.model import LabelScheme, SchemeError, label_problem


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("PER\tX", "a tab"),
        ("LO\nC", "a line break"),
        ("OR\rG", "a carriage return"),
        ("A\x00", "NUL"),
        ("MI\u2028SC", "U+2028"),
        ("P\ud800", "lone surrogate"),
        ("X" * 101, "longer than 100"),
        (7, "must be a string"),
    ],
)
def test_a_bad_label_is_refused_everywhere_labels_enter(label: object, problem: str) -> None:
    found = label_problem(label)
    assert found is not None and problem in found
    if isinstance(label, str) and label.strip():
        with pytest.raises(SchemeError, match="label"):
            LabelScheme.from_names(["PER", label])
        with pytest.raises(SchemeError, match="label"):
            LabelScheme.from_names(["PER"], [label])
        with pytest.raises(SchemeError, match="label"):
            LabelScheme.from_names(["PER"]).ensure_entity(label)  # a pipeline's or a file's label
        with pytest.raises(SchemeError, match="label"):
            LabelScheme.from_names(["PER"]).ensure_relation(label)


@pytest.mark.parametrize("label", ["PER", "Organisation politique", "lieu_géographique", "B-PER", "人名"])
def test_ordinary_labels_are_fine(label: str) -> None:
    assert label_problem(label) is None
    assert LabelScheme.from_names([label]).entity_names == [label]


def test_init_refuses_a_label_with_a_tab_in_one_line(tmp_path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "p.db"
    assert main(["init", str(path), "--labels", "PER,LO\tC"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "etiquette init: error: label 'LO\\tC' holds a control character (a tab)"
    assert not path.exists()
