"""What every imported record is checked for before it reaches the project, whatever its format.

- the text: valid Unicode (no lone surrogates), no NUL character (SQLite's `length()` and
  `substr()` stop at a NUL, so no span could be placed after one), at most `max_chars` characters;
- labels and annotator names: see `desktop.model.label_problem`;
- metadata and the fields a format keeps to write back: strict JSON. `NaN` and `±Infinity`
  (which Python's json writes but JSON has no word for) are stored as `null` and counted in the
  file's report; bytes, sets and other values that JSON cannot hold, keys that are not strings,
  and nesting deeper than MAX_META_DEPTH are refused.

Each problem is a FormatError naming the record's file and line.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.formats.base import Cancelled, FormatError, Record
from desktop.formats.common import count, describe, short
from desktop.model import label_problem

MAX_META_DEPTH = 64
NAN_AS_NULL = "metadata values NaN or Infinity (stored as null)"


def check_text(record: Record, max_chars: int) -> None:
    text = record.text
    if not isinstance(text, str):
        raise record.error(f"the text must be a string, not {type(text).__name__}")
    if len(text) > max_chars:
        raise record.error(
            f"the text has {len(text):,} characters, more than the limit of {max_chars:,} "
            "(raise it with --max-chars)"
        )
    nul = text.find("\x00")
    if nul >= 0:
        raise record.error(f"the text holds a NUL character (at character {nul}); Etiquette cannot store it")
    surrogate = _surrogate(text)
    if surrogate >= 0:
        raise record.error(
            f"the text holds a lone surrogate U+{ord(text[surrogate]):04X} (at character {surrogate}), "
            "which is not valid Unicode"
        )


def _surrogate(text: str) -> int:
    """The index of the first lone surrogate in `text`, or -1."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return e.start
    return -1


def check_labels(record: Record) -> None:
    for ann in record.annotations:
        problem = label_problem(ann.annotator)
        if problem is not None:
            raise record.error(f"annotator name: {problem.replace('label', 'name')}")
        for span in ann.spans:
            problem = label_problem(span.label)
            if problem is not None:
                raise record.error(f"span {span.start}-{span.end}: {problem}")
        for rel in ann.relations:
            problem = label_problem(rel.label)
            if problem is not None:
                raise record.error(f"relation: {problem}")


def strict_meta(record: Record, report: Any) -> None:
    """Make `record.meta` strict JSON (NaN and infinities become null), or raise a FormatError."""
    if not isinstance(record.meta, dict):
        raise record.error(f"metadata must be an object, not {type(record.meta).__name__}")
    nans = [0]
    record.meta = _json_value(record, record.meta, "meta", 0, nans)
    count(report, NAN_AS_NULL, nans[0])


def _json_value(record: Record, value: Any, where: str, depth: int, nans: list[int]) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        nans[0] += 1
        return None
    if isinstance(value, str):
        bad = _surrogate(value)
        if bad >= 0:
            raise record.error(f"{where} holds a lone surrogate U+{ord(value[bad]):04X}, not valid Unicode")
        return value
    if depth >= MAX_META_DEPTH:
        raise record.error(f"metadata nested deeper than {MAX_META_DEPTH} levels")
    if isinstance(value, list | tuple):
        return [_json_value(record, v, f"{where}[{i}]", depth + 1, nans) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise record.error(f"{where}: metadata keys must be strings, got {short(k)}")
            key = _json_value(record, k, f"{where} key", depth + 1, nans)
            out[key] = _json_value(record, v, f"{where}.{k}"[:80], depth + 1, nans)
        return out
    raise record.error(f"{where} holds {short(value, 40)} ({type(value).__name__}), which JSON cannot hold")


def strict_extras(record: Record, report: Any) -> None:
    """The fields a format keeps to write back (a Prodigy task's own keys, its spans' and tokens'),
    held to the same strict JSON as metadata: they are stored as JSON too."""
    nans = [0]
    record.extras = _json_value(record, record.extras, "a field", 0, nans)
    count(report, NAN_AS_NULL, nans[0])


def check_record(record: Record, max_chars: int, report: Any) -> None:
    """Every check above, in order; raises a FormatError naming the record."""
    check_text(record, max_chars)
    check_labels(record)
    strict_meta(record, report)
    strict_extras(record, report)


def guarded(records: Iterator[Record], path: Path) -> Iterator[Record]:
    """A reader's records; what escapes the reader (a library's exception on input it did not
    expect) becomes a FormatError naming the file and the record read last."""
    last = ""
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (FormatError, Cancelled):
            raise
        except Exception as e:  # any library, any input: the user gets one line, never a traceback
            after = f" (after the record at {last})" if last else ""
            raise FormatError(path, f"{describe(e)}{after}") from e
        last = record.source
        yield record
