"""Chance-corrected agreement coefficients on categorical data: Cohen's κ, Scott's π, Fleiss' κ and
Krippendorff's α (nominal, missing data allowed).

Each coefficient has a small entry point that takes the textbook input (a contingency table, a
subjects × categories count table, a coders × units table with `None` for missing values), and a
vectorised one over NumPy label arrays that the project-wide computation uses. Both end in the same
formula, so the published worked examples in the tests check the fast path too.

A coefficient is `nan` when it is undefined (no data, or expected disagreement of zero: everyone
used one single category).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
Table = Sequence[Sequence[float]] | NDArray[Any]

MISSING = -1
"""Code of a missing value in label arrays."""


def chance_corrected(observed: float, expected: float) -> float:
    if expected >= 1.0:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


# --- two coders -----------------------------------------------------------------------------------


def observed_agreement(table: Table) -> float:
    t = np.asarray(table, dtype=float)
    total = t.sum()
    return float(np.trace(t) / total) if total else float("nan")


def cohen_kappa(table: Table) -> float:
    """Cohen's (1960) κ from a square contingency table (rows: coder A, columns: coder B).

    Expected agreement uses each coder's own category distribution.
    """
    t = np.asarray(table, dtype=float)
    total = t.sum()
    if not total:
        return float("nan")
    expected = float((t.sum(axis=1) / total) @ (t.sum(axis=0) / total))
    return chance_corrected(observed_agreement(t), expected)


def scott_pi(table: Table) -> float:
    """Scott's (1955) π: like κ, but with one category distribution pooled over both coders."""
    t = np.asarray(table, dtype=float)
    total = t.sum()
    if not total:
        return float("nan")
    pooled = (t.sum(axis=1) + t.sum(axis=0)) / (2 * total)
    return chance_corrected(observed_agreement(t), float(pooled @ pooled))


def confusion(a: IntArray, b: IntArray, n_categories: int) -> NDArray[np.int64]:
    """Contingency table of two coders' label codes over the same items (missing values skipped)."""
    keep = (a != MISSING) & (b != MISSING)
    flat = a[keep] * n_categories + b[keep]
    return np.bincount(flat, minlength=n_categories * n_categories).reshape(n_categories, n_categories)


# --- many coders, complete data -------------------------------------------------------------------


def fleiss_kappa(counts: Table) -> float:
    """Fleiss' (1971) κ from a subjects × categories table of how many raters chose each category.

    Every subject must have the same number of raters.
    """
    n_ij = np.asarray(counts, dtype=float)
    if n_ij.size == 0:
        return float("nan")
    raters = n_ij.sum(axis=1)
    n = raters[0]
    if n < 2 or not np.all(raters == n):
        raise ValueError("Fleiss' kappa needs the same number (≥ 2) of raters for every subject")
    p_i = ((n_ij * n_ij).sum(axis=1) - n) / (n * (n - 1))
    p_j = n_ij.sum(axis=0) / n_ij.sum()
    return chance_corrected(float(p_i.mean()), float(p_j @ p_j))


def agreeing_pairs(labels: IntArray) -> IntArray:
    """Per item (column), how many pairs of coders gave it the same label."""
    agreeing = np.zeros(labels.shape[1], dtype=np.int64)
    for r, s in combinations(range(labels.shape[0]), 2):
        agreeing += labels[r] == labels[s]
    return agreeing


def fleiss_kappa_labels(labels: IntArray, n_categories: int) -> float:
    """Fleiss' κ over a coders × items array of label codes with no missing value.

    Σ_j n_ij(n_ij − 1) is twice the number of agreeing coder pairs on item i, so P̄ comes from
    pairwise equality and no items × categories table is built.
    """
    m, n_items = labels.shape
    if m < 2 or n_items == 0:
        return float("nan")
    agreeing = agreeing_pairs(labels)
    p_bar = agreeing.sum() / (n_items * m * (m - 1) / 2)
    p_j = np.bincount(labels.ravel(), minlength=n_categories) / labels.size
    return chance_corrected(float(p_bar), float(p_j @ p_j))


# --- Krippendorff's alpha, nominal, missing data allowed ----------------------------------------


def coincidences(labels: IntArray, n_categories: int) -> NDArray[np.float64]:
    """Krippendorff's coincidence matrix o_ck from a coders × units array (MISSING allowed).

    Each pairable value of unit u adds 1/(m_u − 1) for each other value of the same unit; units with
    fewer than two values are not pairable and add nothing.
    """
    present = labels != MISSING
    m_u = present.sum(axis=0)
    weight = np.where(m_u > 1, 1.0 / np.maximum(m_u - 1, 1), 0.0)
    o = np.zeros(n_categories * n_categories)
    for r, s in combinations(range(labels.shape[0]), 2):
        both = present[r] & present[s] & (m_u > 1)
        a, b, w = labels[r][both], labels[s][both], weight[both]
        o += np.bincount(a * n_categories + b, weights=w, minlength=n_categories**2)
        o += np.bincount(b * n_categories + a, weights=w, minlength=n_categories**2)
    return o.reshape(n_categories, n_categories)


def alpha_from_coincidences(o: NDArray[np.float64]) -> float:
    """Nominal α = 1 − D_o/D_e = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k."""
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n < 2:
        return float("nan")
    observed = o.sum() - np.trace(o)
    expected = (n * n - (n_c * n_c).sum()) / (n - 1)
    if expected <= 0:
        return float("nan")
    return float(1.0 - observed / expected)


def krippendorff_alpha_labels(labels: IntArray, n_categories: int) -> float:
    return alpha_from_coincidences(coincidences(labels, n_categories))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float:
    """Nominal α from a coders × units table of values, `None` where a coder gave no value."""
    codes: dict[Hashable, int] = {}
    rows = [[MISSING if v is None else codes.setdefault(v, len(codes)) for v in row] for row in data]
    if not rows or not codes:
        return float("nan")
    return krippendorff_alpha_labels(np.asarray(rows, dtype=np.int64), len(codes))
