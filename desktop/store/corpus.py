"""Whole-corpus reads: every query that agreement and merging make over many documents at once.

`Project.annotation()` costs three queries per annotation; agreement over 10,000 documents and a
merge of a teammate's file read everything in a handful of set-wise queries instead, all of them
here so the schema stays the store's business.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from desktop.model import Annotation, Status
from desktop.store.base import ProjectBase
from desktop.store.rows import SPAN_COLUMNS, relation_of, span_of

SPLIT_AT = 1000
"""Annotations from which the packed span query runs in two halves at once."""


@dataclass(slots=True)
class StoredDocument:
    id: int
    hash: str
    text: str
    tokens: str
    """The tokens as stored (JSON of flat start/end offsets): compared as they are."""
    meta: dict[str, Any]
    layers: tuple[Any, Any, Any] = (None, None, None)
    """Sentence starts, token attributes and format fields, as `Document` holds them (read with
    the text)."""


SpanRow = tuple[int, int, int, int, int, str, str, float | None]
"""A row of `SPAN_COLUMNS`: (id, start, end, token_start, token_end, label, origin, confidence)."""
RelationRow = tuple[int, int, int, str, str, int, int, str, int, int, str]
"""(id, head id, child id, label, origin, head start, head end, head label, child start, ...)."""


@dataclass(slots=True)
class StoredAnnotation:
    """One annotation as rows, cheap to compare; `to_annotation()` builds the domain object."""

    id: int
    document_id: int
    annotator: str
    status: str
    updated_at: str
    reviewer: str | None
    spans: list[SpanRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)

    def signature(self) -> tuple[Any, ...]:
        """Status, reviewer, spans and relations, without ids or timestamps."""
        spans = tuple((s[1], s[2], s[5], s[6]) for s in self.spans)
        relations = tuple(
            sorted(((r[5], r[6], r[7]), (r[8], r[9], r[10]), r[3], r[4]) for r in self.relations)
        )
        return (self.status, self.reviewer, spans, relations)

    def to_annotation(self) -> Annotation:
        """The annotation, its relations without ids (saving it gives them new ones)."""
        return Annotation(
            self.document_id,
            self.annotator,
            Status(self.status),
            [span_of(s) for s in self.spans],
            [relation_of((None, *r[1:5])) for r in self.relations],
            self.updated_at,
            self.reviewer,
            self.id,
        )


class CorpusStore(ProjectBase):
    # --- for merging: the whole file ----------------------------------------------------------------

    def stored_documents(self, with_text: bool = True) -> list[StoredDocument]:
        """Every document, by id (without text and meta when only hashes and tokens matter)."""
        text = "text" if with_text else "''"
        meta = "meta" if with_text else "'{}'"
        layers = "sent_starts, token_attrs, extras" if with_text else "NULL, NULL, NULL"
        return [
            StoredDocument(
                r[0],
                r[1],
                r[2],
                r[3],
                json.loads(r[4]),
                tuple(json.loads(x) if x is not None else None for x in r[5:8]),  # type: ignore[arg-type]
            )
            for r in self.db.execute(
                f"SELECT id, hash, {text}, tokens, {meta}, {layers} FROM documents ORDER BY id"
            ).fetchall()
        ]

    def stored_annotations(self) -> dict[tuple[int, str], StoredAnnotation]:
        """Every annotation by (document id, annotator name), with its spans and relations, in
        three queries."""
        anns: dict[int, StoredAnnotation] = {}
        for aid, doc_id, name, status, updated, reviewer in self.db.execute(
            "SELECT a.id, a.document_id, n.name, a.status, a.updated_at, a.reviewer "
            "FROM annotations a JOIN annotators n ON n.id = a.annotator_id"
        ).fetchall():
            anns[aid] = StoredAnnotation(aid, doc_id, name, status, updated, reviewer)
        rows = self.db.execute(
            f"SELECT annotation_id, {SPAN_COLUMNS} FROM spans "
            'ORDER BY annotation_id, start, "end", label, origin, id'
        ).fetchall()
        for aid, group in groupby(rows, key=itemgetter(0)):
            anns[aid].spans = [r[1:] for r in group]
        for row in self.db.execute(
            "SELECT r.annotation_id, r.id, r.head, r.child, r.label, r.origin, "
            'h.start, h."end", h.label, c.start, c."end", c.label FROM relations r '
            "JOIN spans h ON h.id = r.head JOIN spans c ON c.id = r.child ORDER BY r.annotation_id, r.id"
        ).fetchall():
            anns[row[0]].relations.append(row[1:])
        return {(a.document_id, a.annotator): a for a in anns.values()}

    # --- for agreement: documents, statuses, spans and relations of some annotators -------------------

    def annotator_ids(self, names: Sequence[str]) -> dict[str, int]:
        """The ids of the named annotators that exist."""
        return {
            name: row[0]
            for name in names
            if (row := self.db.execute("SELECT id FROM annotators WHERE name = ?", [name]).fetchone())
        }

    def corpus_documents(self, annotator_ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """(id, characters, tokens) of every document one of the annotators annotated, by id."""
        return self.db.execute(
            "SELECT id, length(text), json_array_length(tokens) / 2 FROM documents WHERE id IN "
            f"(SELECT document_id FROM annotations WHERE annotator_id IN ({_marks(annotator_ids)})) "
            "ORDER BY id",
            list(annotator_ids),
        ).fetchall()

    def corpus_annotations(
        self, annotator_ids: Sequence[int], statuses: Sequence[Status]
    ) -> list[tuple[int, int, int, int]]:
        """(id, document id, annotator id, 1 if its status is one of `statuses`) by id."""
        wanted = [Status(s).value for s in statuses]
        return self.db.execute(
            f"SELECT id, document_id, annotator_id, status IN ({_marks(wanted)}) "
            f"FROM annotations WHERE annotator_id IN ({_marks(annotator_ids)}) ORDER BY id",
            wanted + list(annotator_ids),
        ).fetchall()

    def span_labels_in_use(self, annotator_ids: Sequence[int]) -> list[str]:
        """The labels of the annotators' spans, sorted (the scheme may not list them all)."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT label FROM spans WHERE annotation_id IN "
                f"(SELECT id FROM annotations WHERE annotator_id IN ({_marks(annotator_ids)})) "
                "ORDER BY label",
                list(annotator_ids),
            )
        ]

    def packed_spans(
        self,
        annotator_ids: Sequence[int],
        labels: Sequence[str],
        bases: tuple[int, int, int],
        one_column: bool,
        annotation_ids: Sequence[int],
    ) -> list[tuple[Any, ...]]:
        """(annotation id, span count, packed, packed) per annotation of the annotators.

        Each span travels as integers joined by spaces, so a million spans cost one row per
        annotation, not one Python tuple per span. With `bases` (c, t, lab): chars = start·c +
        length; tokens = (token_start + 1)·t + token count; code = index of the label in `labels`
        (len(labels) for another label). With `one_column`, the first packed column holds
        (chars·t² + tokens)·lab + code and the second is empty; else the first holds chars and
        the second tokens·lab + code.
        """
        c, t, lab = bases
        code = " ".join(f"WHEN ? THEN {i}" for i in range(len(labels)))
        label = f"CASE s.label {code} ELSE {len(labels)} END" if labels else "0"
        tokens = f"(s.token_start + 1) * {t} + (s.token_end - s.token_start)"
        chars = f's.start * {c} + (s."end" - s.start)'
        if one_column:
            packed = f"group_concat((({chars}) * {t * t} + {tokens}) * {lab} + {label}, ' '), ''"
        else:
            packed = f"group_concat({chars}, ' '), group_concat(({tokens}) * {lab} + {label}, ' ')"
        return self._in_two_halves(
            f"SELECT s.annotation_id, count(*), {packed} FROM spans s WHERE s.annotation_id IN "
            f"(SELECT id FROM annotations WHERE annotator_id IN ({_marks(annotator_ids)})) "
            "AND s.annotation_id >= ? AND s.annotation_id < ? GROUP BY s.annotation_id",
            [*labels, *annotator_ids],
            annotation_ids,
        )

    def corpus_relations(
        self, annotator_ids: Sequence[int], only: Sequence[str] | None = None
    ) -> Iterator[tuple[int, int, int, int, int, int, str]]:
        """(annotator id, document id, head start, head end, child start, child end, label) of
        the annotators' relations; with `only`, those whose two spans both carry one of them."""
        label_filter = ""
        extra: list[str] = []
        if only:
            label_filter = f" AND h.label IN ({_marks(only)}) AND c.label IN ({_marks(only)})"
            extra = list(only) * 2
        yield from self.db.execute(
            'SELECT a.annotator_id, a.document_id, h.start, h."end", c.start, c."end", r.label '
            "FROM relations r JOIN annotations a ON a.id = r.annotation_id "
            "JOIN spans h ON h.id = r.head JOIN spans c ON c.id = r.child "
            f"WHERE a.annotator_id IN ({_marks(annotator_ids)}){label_filter}",
            [*annotator_ids, *extra],
        )

    def _in_two_halves(
        self, sql: str, args: list[Any], annotation_ids: Sequence[int]
    ) -> list[tuple[Any, ...]]:
        """Run a query grouped by annotation over two halves of the annotation ids at once.

        SQLite computes without holding the GIL, so on a machine with two cores the second half,
        read by a read-only connection of its own in a thread, costs no extra time. Only committed
        data is seen, which is all there is: every edit commits at once.
        """
        if len(annotation_ids) < SPLIT_AT or not self.path.is_file():
            return self.db.execute(sql, [*args, 0, 2**62]).fetchall()
        middle = int(annotation_ids[len(annotation_ids) // 2])

        def second_half() -> list[tuple[Any, ...]] | None:
            try:
                conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
                try:
                    return conn.execute(sql, [*args, middle, 2**62]).fetchall()
                finally:
                    conn.close()
            except sqlite3.Error:  # e.g. a folder we may not write the WAL index in
                return None

        with ThreadPoolExecutor(max_workers=1) as pool:
            later = pool.submit(second_half)
            first = self.db.execute(sql, [*args, 0, middle]).fetchall()
            rest = later.result()
        if rest is None:
            rest = self.db.execute(sql, [*args, middle, 2**62]).fetchall()
        return first + rest


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))
