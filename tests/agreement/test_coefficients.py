"""Agreement coefficients against published worked examples, to their printed precision."""

from __future__ import annotations

import math

import numpy as np
import pytest

from desktop.agreement import coefficients as co
from desktop.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    observed_agreement,
    scott_pi,
)


def test_cohen_kappa_textbook_example() -> None:
    """Wikipedia, "Cohen's kappa", simple worked example: 50 applications, two readers.

    Yes/Yes 20, A yes B no 5, A no B yes 10, No/No 15: p_o = 0.7, p_e = 0.5, κ = 0.4.
    """
    table = [[20, 5], [10, 15]]
    assert observed_agreement(table) == pytest.approx(0.7)
    assert round(cohen_kappa(table), 1) == 0.4


def test_cohen_kappa_same_agreement_different_marginals() -> None:
    """Wikipedia, "Cohen's kappa": two tables with the same 60 % agreement give κ = 0.1304 and
    κ = 0.2593 (the marginals differ)."""
    assert round(cohen_kappa([[45, 15], [25, 15]]), 4) == 0.1304
    assert round(cohen_kappa([[25, 35], [5, 35]]), 4) == 0.2593


def test_artstein_poesio_two_coders() -> None:
    """Artstein & Poesio (2008), "Inter-coder agreement for computational linguistics",
    Computational Linguistics 34(4), p. 558: coders A and B, 100 utterances, STAT/IReq table
    [[20, 10], [20, 50]]: A_o = 0.7, Scott's π = 0.341 (A_e = 0.545), Cohen's κ = 0.348
    (A_e = 0.54). (The same figures are asserted by DKPro Agreement's NumericalStabilityTest.)"""
    table = [[20, 10], [20, 50]]
    assert observed_agreement(table) == pytest.approx(0.7)
    assert round(scott_pi(table), 3) == 0.341
    assert round(cohen_kappa(table), 3) == 0.348


FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_wikipedia_example() -> None:
    """Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories:
    κ = 0.210."""
    assert round(fleiss_kappa(FLEISS_WIKIPEDIA), 3) == 0.210


# Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
# 76(5), p. 379: 30 patients, 6 psychiatrists, 5 diagnoses (each row: the six diagnoses).
FLEISS_1971 = [
    (4, 4, 4, 4, 4, 4),
    (2, 2, 2, 5, 5, 5),
    (2, 3, 3, 3, 3, 5),
    (5, 5, 5, 5, 5, 5),
    (2, 2, 2, 4, 4, 4),
    (1, 1, 3, 3, 3, 3),
    (3, 3, 3, 3, 5, 5),
    (1, 1, 3, 3, 3, 4),
    (1, 1, 4, 4, 4, 4),
    (5, 5, 5, 5, 5, 5),
    (1, 4, 4, 4, 4, 4),
    (1, 2, 4, 4, 4, 4),
    (2, 2, 2, 3, 3, 3),
    (1, 4, 4, 4, 4, 4),
    (2, 2, 4, 4, 4, 5),
    (3, 3, 3, 3, 3, 5),
    (1, 1, 1, 4, 5, 5),
    (1, 1, 1, 1, 1, 2),
    (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 5, 5, 5),
    (5, 5, 5, 5, 5, 5),
    (2, 4, 4, 4, 4, 4),
    (2, 2, 4, 5, 5, 5),
    (1, 1, 4, 4, 4, 4),
    (1, 4, 4, 4, 4, 5),
    (2, 2, 2, 2, 2, 4),
    (1, 1, 1, 1, 5, 5),
    (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 3, 3, 3),
    (5, 5, 5, 5, 5, 5),
]


def test_fleiss_kappa_fleiss_1971_example() -> None:
    """Fleiss (1971), p. 379: P̄ = 0.5556, P̄_e = 0.2201, κ = 0.430 (data as transcribed in DKPro
    Agreement's NumericalStabilityTest.createExample3)."""
    counts = [[row.count(c) for c in range(1, 6)] for row in FLEISS_1971]
    assert round(fleiss_kappa(counts), 3) == 0.430
    labels = np.array(FLEISS_1971, dtype=np.int64).T - 1
    assert round(co.fleiss_kappa_labels(labels, 5), 3) == 0.430


def test_fleiss_from_labels_equals_fleiss_from_counts() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, size=(5, 300))
    counts = np.stack([np.bincount(labels[:, i], minlength=4) for i in range(300)])
    assert co.fleiss_kappa_labels(labels, 4) == pytest.approx(fleiss_kappa(counts))


def test_krippendorff_alpha_nominal_with_missing_data() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
    12 units, values 1–5, missing data; nominal α = 0.743."""
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert round(krippendorff_alpha_nominal(data), 3) == 0.743


def test_alpha_two_coders_is_pi_with_small_sample_correction() -> None:
    """For two coders and no missing data, α = 1 − (2N − 1)(1 − A_o) / (2N (1 − A_e^π))
    (Artstein & Poesio 2008, section 2.6.1; Krippendorff 2011)."""
    a = [0] * 20 + [1] * 10 + [0] * 20 + [1] * 50
    b = [0] * 20 + [0] * 10 + [1] * 20 + [1] * 50
    pi = scott_pi([[20, 10], [20, 50]])
    n = 100
    expected_e = 1 - (1 - 0.7) / (1 - pi)  # A_e of π
    alpha = 1 - (2 * n - 1) * (1 - 0.7) / (2 * n * (1 - expected_e))
    assert krippendorff_alpha_nominal([a, b]) == pytest.approx(alpha)


def test_perfect_agreement_is_one_and_undefined_cases_are_nan() -> None:
    assert cohen_kappa([[3, 0], [0, 7]]) == pytest.approx(1.0)
    assert krippendorff_alpha_nominal([[1, 2, 2, 1], [1, 2, 2, 1]]) == pytest.approx(1.0)
    # One category only: expected disagreement is zero, the coefficient undefined.
    assert math.isnan(cohen_kappa([[5]]))
    assert math.isnan(krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]))
    assert math.isnan(fleiss_kappa([[3, 0], [3, 0]]))
    # No data at all.
    assert math.isnan(cohen_kappa([[0, 0], [0, 0]]))
    assert math.isnan(krippendorff_alpha_nominal([[None, None], [None, 1]]))
    # A single coder cannot disagree with anyone.
    assert math.isnan(co.fleiss_kappa_labels(np.array([[0, 1, 1]]), 2))


def test_fleiss_needs_the_same_number_of_raters() -> None:
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[2, 1], [1, 1]])
