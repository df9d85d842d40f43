"""What merging compares: annotations as rows read in bulk by the store, and their signatures.

A merge of ten thousand documents by four annotators reads each file whole with
`Project.stored_documents()` and `Project.stored_annotations()` (a handful of queries, in
`desktop/store/corpus.py`); this module says when two annotations are the same.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.model import Annotation
from desktop.store.corpus import StoredAnnotation, StoredDocument

__all__ = ["StoredAnnotation", "StoredDocument", "decode_pairs", "signature"]


def signature(ann: Annotation) -> tuple[Any, ...]:
    """What makes two copies of an annotation the same, independent of ids and timestamps:
    status, reviewer, spans (offsets, label, origin) and relations (their spans, label, origin)."""
    by_id = {s.id: (s.start, s.end, s.label) for s in ann.spans}
    spans = tuple(sorted((s.start, s.end, s.label, str(s.origin)) for s in ann.spans))
    relations = tuple(sorted((by_id[r.head], by_id[r.child], r.label, str(r.origin)) for r in ann.relations))
    return (str(ann.status), ann.reviewer, spans, relations)


def decode_pairs(raw: str) -> list[tuple[int, int]]:
    flat = json.loads(raw)
    return list(zip(flat[::2], flat[1::2], strict=True))
