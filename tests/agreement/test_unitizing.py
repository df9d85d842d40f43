"""Krippendorff's unitizing alpha α_U (Krippendorff 2004)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from desktop.agreement.intervals import gaps, merge_overlapping, overlap_pairs
from desktop.agreement.unitizing import category_alpha, unitizing_alpha

# Krippendorff (2004), "Measuring the reliability of qualitative text analysis data", Quality &
# Quantity 38:787–800, worked example: a continuum from 150 to 450 (L = 300), observers i and j,
# categories c and k. Units as transcribed in DKPro Statistics (StudyFactory.
# getKrippendorfSampleStudy, dkpro-statistics-unitizing), whose test asserts the figures below.
EXAMPLE = {
    "c": [[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]],
    "k": [[(180, 240), (300, 350)], [(180, 240), (300, 350)]],
}


def test_krippendorff_2004_worked_example() -> None:
    """uD_o(c) = 0.0144, uD_e(c) = 0.0532, uD_o(k) = 0, uD_e(k) = 0.0490; α_c = 0.7285 and
    α_U = 0.8587 computed without intermediate rounding (the paper, rounding uD to four places,
    prints slightly different last digits, as DKPro's test notes)."""
    per, joint = unitizing_alpha(EXAMPLE, length=300, begin=150)
    assert round(per["c"].observed, 4) == 0.0144
    assert round(per["c"].expected, 4) == 0.0532
    assert per["k"].observed == 0.0
    assert round(per["k"].expected, 4) == 0.0490
    assert per["c"].alpha == pytest.approx(0.7285, abs=1e-4)
    assert per["k"].alpha == pytest.approx(1.0)
    assert joint.alpha == pytest.approx(0.8587, abs=1e-4)


def test_identical_unitizing_is_one() -> None:
    units = {"PER": [[(0, 5), (10, 20)], [(0, 5), (10, 20)], [(0, 5), (10, 20)]]}
    per, joint = unitizing_alpha(units, length=100)
    assert per["PER"].alpha == pytest.approx(1.0)
    assert joint.alpha == pytest.approx(1.0)


def test_shifted_boundaries_lower_alpha_and_missing_units_lower_it_more() -> None:
    same = [(10, 20), (40, 50), (70, 80)]
    shifted = [(12, 20), (40, 48), (70, 80)]
    missing = [(10, 20), (70, 80)]
    a_shift = unitizing_alpha({"c": [same, shifted]}, 100)[0]["c"].alpha
    a_missing = unitizing_alpha({"c": [same, missing]}, 100)[0]["c"].alpha
    assert 0 < a_missing < a_shift < 1


def test_swapped_labels_disagree_on_both_categories() -> None:
    a = {"PER": [(10, 20)], "LOC": [(40, 50)]}
    b = {"PER": [(40, 50)], "LOC": [(10, 20)]}
    per, joint = unitizing_alpha({c: [a[c], b[c]] for c in a}, 100)
    assert per["PER"].alpha < 0 and per["LOC"].alpha < 0
    assert joint.alpha < 0


def test_no_units_is_undefined() -> None:
    per, joint = unitizing_alpha({"c": [[], []]}, 100)
    assert math.isnan(per["c"].alpha)
    assert math.isnan(joint.alpha)


def test_one_observer_is_undefined() -> None:
    per, _ = unitizing_alpha({"c": [[(1, 4)]]}, 10)
    assert math.isnan(per["c"].alpha)


def test_documents_end_to_end_cut_gaps_at_boundaries() -> None:
    """Two documents laid end to end: the same figures as if gaps did not cross the boundary."""
    doc_starts = np.array([0, 50])
    doc_ends = np.array([50, 100])
    i = (np.array([10, 60]), np.array([20, 70]))
    j = (np.array([10, 62]), np.array([20, 70]))
    r = category_alpha([i, j], doc_starts, doc_ends)
    assert 0 < r.alpha < 1
    assert sorted(gaps(i[0], i[1], doc_starts, doc_ends).tolist()) == [10, 10, 30, 30]


def test_interval_helpers() -> None:
    s, e = merge_overlapping(np.array([5, 0, 3, 10]), np.array([8, 4, 6, 12]))
    assert s.tolist() == [0, 10] and e.tolist() == [8, 12]
    # Touching units stay apart.
    s, e = merge_overlapping(np.array([0, 4]), np.array([4, 8]))
    assert s.tolist() == [0, 4]
    ia, ib = overlap_pairs(
        np.array([0, 10]), np.array([5, 20]), np.array([0, 4, 12, 30]), np.array([30, 6, 14, 40])
    )
    assert sorted(zip(ia.tolist(), ib.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 2)]
