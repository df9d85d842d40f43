"""Reading the files a format imports: UTF-8 text, lines under a length limit, JSON lines and
JSON objects (one per line or pretty-printed), streamed; every error is a FormatError naming the
file and line.

This module imports no format module, nor the importer or exporter: they all import it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import srsly

from desktop.formats.base import FormatError, ImportOptions


def read_text_file(path: Path) -> str:
    """A file's text as UTF-8, exactly as it is (no newline translation), or a FormatError."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(path, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line) from e
    return text


MAX_LINE = 64 * 2**20
"""The longest line a reader takes, in bytes, unless --max-chars asks for longer texts."""


def line_limit(options: ImportOptions | None) -> int:
    """The longest line worth reading: a text of `max_chars` characters, escaped as JSON."""
    return max(MAX_LINE, 8 * options.max_chars) if options is not None else MAX_LINE


def iter_lines(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, str]]:
    """(line number, line with its `\n`) for each line of a UTF-8 file, streamed (a BOM is
    dropped). Lines end at `\n` only: JSON strings may hold U+2028 and other characters that
    `str.splitlines` would break on. A line longer than `limit` bytes is refused unread."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise FormatError(path, f"cannot be read ({e.strerror})") from e
    with f:
        lineno = 0
        while True:
            try:
                raw = f.readline(limit + 1)
            except OSError as e:
                raise FormatError(path, f"cannot be read ({e.strerror})", lineno + 1) from e
            if not raw:
                return
            lineno += 1
            if len(raw) > limit:
                raise FormatError(
                    path,
                    f"line longer than {_size(limit)} (raise --max-chars for longer texts)",
                    lineno,
                )
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise FormatError(path, f"not UTF-8 (byte 0x{raw[e.start]:02x})", lineno) from e


def _size(n: int) -> str:
    return f"{n // 2**20:,} MB" if n >= 2**20 else f"{n:,} bytes"


def iter_json_lines(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, streamed; a FormatError names the bad line."""
    for lineno, line in iter_lines(path, limit):
        if not line.strip():
            continue
        try:
            obj = srsly.json_loads(line)
        except (ValueError, RecursionError):
            obj = _json_line(path, lineno, line)
        if not isinstance(obj, dict):
            raise FormatError(path, "each line must be a JSON object", lineno)
        yield lineno, obj


def _json_line(path: Path, lineno: int, line: str) -> Any:
    """A line the fast parser refused, read by Python's: it takes what Python's json writes and
    the fast one does not (integers past 64 bits, NaN and Infinity, which the checks store as
    null), and says where a line is broken."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise FormatError(
            path, f"not valid JSON ({e.msg.removesuffix(' at')} at column {e.colno})", lineno
        ) from e
    except RecursionError as e:
        raise FormatError(path, "not valid JSON (nested too deeply)", lineno) from e


def iter_json_objects(path: Path, limit: int = MAX_LINE) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for each JSON object in a file, one per line or pretty-printed over many,
    streamed: lines are gathered until they hold a whole object, at most `limit` bytes of them."""
    decoder = json.JSONDecoder()
    buf, first, size = "", 0, 0
    for lineno, line in iter_lines(path, limit):
        if not buf:
            if not line.strip():
                continue
            first = lineno
        buf += line
        size += len(line)
        if size > limit:
            raise FormatError(path, f"a record longer than {_size(limit)} (raise --max-chars)", first)
        if not buf.rstrip().endswith(("}", "]")):
            continue  # an object ends with a brace: no need to try before
        for obj, at in _decode_all(path, decoder, buf, first):
            if obj is None:  # the rest is an object not finished yet
                buf, first = buf[at:], first + buf.count("\n", 0, at)
                size = len(buf)
                break
            yield at, obj
        else:
            buf, size = "", 0
    if buf.strip():
        for obj, at in _decode_all(path, decoder, buf, first, at_end=True):
            if obj is not None:
                yield at, obj


def _decode_all(
    path: Path, decoder: json.JSONDecoder, buf: str, line: int, at_end: bool = False
) -> Iterator[tuple[dict[str, Any] | None, int]]:
    """(object, its line) for each whole object in `buf`, then (None, offset of the unfinished
    rest) if `buf` ends inside one. A FormatError names the line of anything else."""
    pos, n = 0, len(buf)
    while True:
        while pos < n and buf[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        here = line + buf.count("\n", 0, pos)
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as e:
            if not at_end and not buf[e.pos :].strip() and e.msg != "Unterminated string starting at":
                yield None, pos  # the object goes on in the next lines
                return
            bad = line + buf.count("\n", 0, e.pos)
            raise FormatError(path, f"not valid JSON ({e.msg})", bad) from e
        except RecursionError as e:
            raise FormatError(path, "not valid JSON (nested too deeply)", here) from e
        if not isinstance(obj, dict):
            raise FormatError(path, "each record must be a JSON object", here)
        yield obj, here
        pos = end


def first_json_object(path: Path) -> dict[str, Any] | None:
    """The first JSON object of a small prefix of the file, for sniffing; None if not JSON."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.read(65536)
    except (OSError, UnicodeDecodeError):
        return None
    first = head.lstrip()
    if not first.startswith("{"):
        return None
    try:
        line = first.split("\n", 1)[0]
        obj = json.loads(line)
    except (ValueError, RecursionError):
        try:
            obj, _ = json.JSONDecoder().raw_decode(first)
        except (ValueError, RecursionError):  # the reader says what is wrong, with the line
            return None
    return obj if isinstance(obj, dict) else None
