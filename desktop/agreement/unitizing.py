"""Krippendorff's unitizing alpha α_U over a character continuum.

This is the coefficient of Krippendorff (2004), "Measuring the reliability of qualitative text
analysis data", Quality & Quantity 38:787–800, computed for each category separately and jointly
over categories (as DKPro Statistics' unitizing module does). It is *not* the later cuα / |cuα /
|uα family of Krippendorff, Mathet, Bouvry & Widlöcher (2016).

For one category c, each of m observers cuts the continuum of length L into units of c and gaps (all
that is not c, other categories included). With l the length of a section and b its beginning:

    δ²(u, v) = (b_u − b_v)² + (e_u − e_v)²   u, v units that overlap
             = l_u²                           u a unit inside a gap v (and symmetrically)
             = 0                              otherwise

    uD_o = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(s_ig, s_jh) / (m (m − 1) L²)

    uD_e = (2/L) Σ_units [(N_c − 1)/3 · (2l³ − 3l² + l) + l² Σ_{gaps g, l_g ≥ l} (l_g − l + 1)]
           / [mL (mL − 1) − Σ_units l (l − 1)]

where N_c counts the units of c of all observers. α_c = 1 − uD_o/uD_e; over all categories,
α_U = 1 − Σ_c uD_o / Σ_c uD_e. The tests reproduce the paper's worked example (L = 300, two
observers, categories c and k).

Etiquette's adaptations, needed for a corpus of annotated documents:
- a corpus is one continuum with its documents end to end, but a gap stops at a document boundary
  (a unit cannot be placed across two documents);
- one observer's overlapping units of one category are merged into one unit (the coefficient assumes
  they do not overlap); touching units stay two units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from desktop.agreement.intervals import IntArray, gaps, merge_overlapping, overlap_pairs


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    observed: float
    """uD_o"""
    expected: float
    """uD_e"""

    @property
    def alpha(self) -> float:
        if self.expected <= 0:
            return float("nan")
        return 1.0 - self.observed / self.expected


def joint(results: Sequence[UnitizingResult]) -> UnitizingResult:
    """α_U over all categories: summed observed over summed expected disagreement."""
    return UnitizingResult(sum(r.observed for r in results), sum(r.expected for r in results))


def category_alpha(
    observers: Sequence[tuple[IntArray, IntArray]],
    doc_starts: IntArray,
    doc_ends: IntArray,
) -> UnitizingResult:
    """uD_o and uD_e of one category; `observers[i]` holds observer i's (starts, ends) arrays."""
    m = len(observers)
    length = float((doc_ends - doc_starts).sum())
    if m < 2 or length <= 0:
        return UnitizingResult(float("nan"), float("nan"))
    units = [merge_overlapping(np.asarray(s, np.int64), np.asarray(e, np.int64)) for s, e in observers]
    observed = 0.0
    for (s_i, e_i), (s_j, e_j) in combinations(units, 2):
        ia, jb = overlap_pairs(s_i, e_i, s_j, e_j)
        both = (s_i[ia] - s_j[jb]).astype(float) ** 2 + (e_i[ia] - e_j[jb]).astype(float) ** 2
        lone_i = np.ones(len(s_i), dtype=bool)
        lone_i[ia] = False
        lone_j = np.ones(len(s_j), dtype=bool)
        lone_j[jb] = False
        observed += 2 * (
            both.sum()
            + ((e_i - s_i)[lone_i].astype(float) ** 2).sum()
            + ((e_j - s_j)[lone_j].astype(float) ** 2).sum()
        )
    observed /= m * (m - 1) * length * length

    lengths = np.concatenate([e - s for s, e in units]).astype(float)
    gap_lengths = np.sort(np.concatenate([gaps(s, e, doc_starts, doc_ends) for s, e in units]))
    n_units = len(lengths)
    if n_units == 0:
        return UnitizingResult(observed, 0.0)
    suffix = np.concatenate([np.cumsum(gap_lengths[::-1])[::-1], [0.0]])
    first = np.searchsorted(gap_lengths, lengths, side="left")
    fitting = len(gap_lengths) - first
    placements = suffix[first] - (lengths - 1) * fitting
    within = (n_units - 1) / 3 * (2 * lengths**3 - 3 * lengths**2 + lengths)
    numerator = 2 / length * (within + lengths**2 * placements).sum()
    denominator = m * length * (m * length - 1) - (lengths * (lengths - 1)).sum()
    return UnitizingResult(observed, float(numerator / denominator))


def unitizing_alpha(
    units: Mapping[str, Sequence[Sequence[tuple[int, int]]]],
    length: int,
    begin: int = 0,
) -> tuple[dict[str, UnitizingResult], UnitizingResult]:
    """α_U of one continuum [begin, begin + length): per category, and jointly.

    `units[category][i]` lists observer i's units of that category as (start, end) pairs.
    """
    doc_starts = np.array([begin], dtype=np.int64)
    doc_ends = np.array([begin + length], dtype=np.int64)
    per_category = {}
    for category, observers in units.items():
        arrays = [
            (np.array([u[0] for u in obs], dtype=np.int64), np.array([u[1] for u in obs], dtype=np.int64))
            for obs in observers
        ]
        per_category[category] = category_alpha(arrays, doc_starts, doc_ends)
    return per_category, joint(list(per_category.values()))
