"""Interval arithmetic on NumPy arrays of [start, end) spans: merging, overlaps, gaps.

Positions are offsets in one continuum: documents laid end to end, each document's characters (or
tokens) after the previous one's, so that one sorted array covers a whole corpus.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


def merge_overlapping(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted, non-overlapping intervals covering the same ground; touching intervals stay apart."""
    if len(starts) == 0:
        return starts.astype(np.int64), ends.astype(np.int64)
    if np.all(starts[1:] >= starts[:-1]):  # usually already in text order: no sort
        s, e = starts, ends
    else:
        order = np.argsort(starts, kind="stable")
        s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] >= reach[:-1]
    first = np.flatnonzero(new)
    return s[first], np.maximum.reduceat(e, first)


def overlap_pairs(
    a_starts: IntArray, a_ends: IntArray, b_starts: IntArray, b_ends: IntArray
) -> tuple[IntArray, IntArray]:
    """Index pairs (i, j) with a[i] and b[j] sharing at least one position.

    Both inputs must be sorted by start; b may hold intervals that overlap each other.
    """
    if len(a_starts) == 0 or len(b_starts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    reach = np.maximum.accumulate(b_ends)
    lo = np.searchsorted(reach, a_starts, side="right")
    hi = np.searchsorted(b_starts, a_ends, side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    ia = np.repeat(np.arange(len(a_starts)), counts)
    offsets = np.cumsum(counts) - counts
    ib = lo[ia] + (np.arange(total) - offsets[ia])
    keep = b_ends[ib] > a_starts[ia]
    return ia[keep], ib[keep]


def gaps(starts: IntArray, ends: IntArray, doc_starts: IntArray, doc_ends: IntArray) -> IntArray:
    """Lengths (> 0) of the stretches no interval covers, cut at document boundaries.

    `starts`/`ends` must be sorted and non-overlapping, each inside one document.
    """
    if len(starts) == 0:
        lengths = doc_ends - doc_starts
        return lengths[lengths > 0]
    doc = np.searchsorted(doc_starts, starts, side="right") - 1
    same_as_previous = np.zeros(len(starts), dtype=bool)
    same_as_previous[1:] = doc[1:] == doc[:-1]
    previous_end = doc_starts[doc].copy()
    previous_end[1:] = np.where(same_as_previous[1:], ends[:-1], previous_end[1:])
    before = starts - previous_end
    last = np.ones(len(starts), dtype=bool)
    last[:-1] = doc[1:] != doc[:-1]
    after = doc_ends[doc[last]] - ends[last]
    empty = np.ones(len(doc_starts), dtype=bool)
    empty[doc] = False
    out = np.concatenate([before, after, doc_ends[empty] - doc_starts[empty]])
    return out[out > 0]
