"""Label schemes: relation constraints and their round trip through the project file."""

import pytest

from desktop.model import LabelScheme, SchemeError


def test_relation_pairs_are_enforced() -> None:
    scheme = LabelScheme.from_names(["PER", "ORG"], ["porte_parole:PER>ORG"])
    scheme.check_relation("porte_parole", "PER", "ORG")
    with pytest.raises(SchemeError, match="cannot join ORG → PER"):
        scheme.check_relation("porte_parole", "ORG", "PER")


def test_a_relation_without_pairs_allows_any() -> None:
    scheme = LabelScheme.from_names(["PER", "ORG"], ["lie_a"])
    scheme.check_relation("lie_a", "ORG", "PER")


def test_bad_relation_spec_is_refused() -> None:
    with pytest.raises(SchemeError, match="HEAD>CHILD"):
        LabelScheme.from_names(["PER"], ["porte_parole:PER"])


def test_scheme_round_trips_through_dict() -> None:
    scheme = LabelScheme.from_names(["PER", "LOC"], ["situe_dans:LOC>LOC"], allow_overlap=True)
    again = LabelScheme.from_dict(scheme.to_dict())
    assert again == scheme
    assert again.entity("PER") is not None and again.entity("PER").key == "1"
