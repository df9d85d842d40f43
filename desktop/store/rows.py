"""Rows of the `spans` and `relations` tables as domain objects: the one place that knows the order.

Queries that build a `Span` or a `Relation` select `SPAN_COLUMNS` or `RELATION_COLUMNS` (after any
leading columns of their own) and hand the row to `span_of` or `relation_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.model import Origin, Relation, Span

SPAN_COLUMNS = 'id, start, "end", token_start, token_end, label, origin'
RELATION_COLUMNS = "id, head, child, label, origin"

_ORIGINS = {str(o): o for o in Origin}


def span_of(row: Sequence[Any]) -> Span:
    """A `Span` from a row of `SPAN_COLUMNS`."""
    sid, start, end, token_start, token_end, label, origin = row
    return Span(start, end, label, token_start, token_end, _ORIGINS[origin], sid)


def relation_of(row: Sequence[Any]) -> Relation:
    """A `Relation` from a row of `RELATION_COLUMNS`."""
    rid, head, child, label, origin = row
    return Relation(head, child, label, _ORIGINS[origin], rid)
