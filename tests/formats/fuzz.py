"""A seeded mutator over the small sample files in `samples/`, one per format, fed to the importer.

Every mutated file must either import, or fail with one `FormatError` whose message starts with a
path of the input (`FILE:LINE: …` or `FILE: …`) and leave the project exactly as it was. Anything
else is a finding: another exception (a traceback for the user), a message that names no file,
or a changed project.

The suite runs it for a few seconds per format (`test_fuzz.py`); `make fuzz` runs it for longer:

    python -m tests.formats.fuzz --seconds 600 [--seed N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sqlite3
import sys
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent / "samples"

CASES = {
    "prodigy": "prodigy.jsonl",
    "doccano": "doccano.jsonl",
    "jsonl": "documents.jsonl",
    "conll": "sample.conll",
    "brat": "brat",
    "spacy": "sample.spacy",
    "text": "article.txt",
}
"""Format name -> its sample under `samples/`."""

STRINGS = [
    "",
    " ",
    "\ud800",
    "a\ud83d",
    "\x00",
    "a\x00b",
    "PER\tX",
    "L\nOC",
    "\x1b[31m",
    "\u2028",
    "é" * 3,
    "x" * 300,
    "-DOCSTART-",
    "B-",
    "I-PER",
    "O",
    "NaN",
    "accept",
    "T1",
    "Arg1:T9",
]
NUMBERS: list[Any] = [0, -1, 1, 3, 7, 2**31, 2**63, 2**64 + 1, 10**30, -(2**63) - 1, 1.5, 1e308]
SPECIAL: list[Any] = [None, True, False, math.nan, math.inf, -math.inf, [], {}, [[0, 1, "X"]], {"a": [1]}]
BYTES = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b'"', b"\\", b"\\ud800", b"{", b"}", b"[", b"]",
         b",", b":", b"\n", b"\r", b"\t", b" ", b"0", b"9" * 20, b"-", b"e999", b"|", b";"]  # fmt: skip


def interesting(rng: random.Random) -> Any:
    pool = rng.choice([STRINGS, NUMBERS, SPECIAL])
    return rng.choice(pool)


# --- mutating values (JSON and msgpack trees) ----------------------------------------------------


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        obj = obj[p]
    return obj


def mutate_tree(obj: Any, rng: random.Random, extra: list[Any] | None = None) -> Any:
    """One change somewhere in a tree of dicts and lists: a value replaced, a key or item dropped or
    duplicated, two values swapped, a number nudged, a string cut."""
    paths = _paths(obj)
    path = rng.choice(paths)
    if not path:
        return interesting(rng) if rng.random() < 0.3 else obj
    parent, key = _get(obj, path[:-1]), path[-1]
    value = parent[key]
    choice = rng.randrange(7)
    if choice == 0:
        parent[key] = interesting(rng) if not extra or rng.random() < 0.7 else rng.choice(extra)
    elif choice == 1:
        del parent[key]
    elif choice == 2 and isinstance(parent, list):
        parent.insert(key, value)
    elif choice == 3:
        other = _get(obj, rng.choice(paths))
        parent[key] = other if other is not obj else value
    elif choice == 4 and isinstance(value, int) and not isinstance(value, bool):
        parent[key] = value + rng.choice([-1, 1, -value - 1, 1000, 2**32])
    elif choice == 5 and isinstance(value, str):
        cut = rng.randrange(len(value) + 1)
        parent[key] = value[:cut] + rng.choice(["", rng.choice(STRINGS)])
    else:
        parent[key] = [value] if rng.random() < 0.5 else {"x": value}
    return obj


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4])):
        pos = rng.randrange(len(buf) + 1)
        choice = rng.randrange(6)
        if choice == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            buf[pos:pos] = rng.choice(BYTES)
        elif choice == 2:
            del buf[pos : pos + rng.randrange(1, 16)]
        elif choice == 3:
            n = rng.randrange(1, 64)
            buf[pos:pos] = buf[pos : pos + n]
        elif choice == 4:
            del buf[pos:]
        else:
            buf[pos : pos + 1] = rng.choice(BYTES)
    return bytes(buf)


def _deep(rng: random.Random) -> str:
    n = rng.choice([100, 3000, 100_000])
    return "[" * n + "]" * n if rng.random() < 0.5 else '{"a":' * n + "1" + "}" * n


# --- one mutator per kind of file ----------------------------------------------------------------


def mutate_json_lines(data: bytes, rng: random.Random) -> bytes:
    """Change one object (most often), or the bytes; sometimes insert a deeply nested value."""
    if rng.random() < 0.25:
        return mutate_bytes(data, rng)
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    objs, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        obj, pos = decoder.raw_decode(text, pos)
        objs.append(obj)
    i = rng.randrange(len(objs))
    if rng.random() < 0.05:
        lines = [json.dumps(o) for o in objs]
        lines[i] = _deep(rng)
        return ("\n".join(lines) + "\n").encode()
    objs[i] = mutate_tree(objs[i], rng)
    return ("\n".join(json.dumps(o) for o in objs) + "\n").encode()


def mutate_lines(data: bytes, rng: random.Random, sep: str) -> bytes:
    """Drop, duplicate or swap lines, or change one field of a line; else the bytes."""
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    lines = data.decode("utf-8").split("\n")
    i = rng.randrange(len(lines))
    choice = rng.randrange(4)
    if choice == 0:
        del lines[i]
    elif choice == 1:
        lines.insert(i, lines[i])
    elif choice == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        fields = lines[i].split(sep)
        k = rng.randrange(len(fields))
        new = interesting(rng)
        fields[k] = new if isinstance(new, str) else json.dumps(new)
        lines[i] = sep.join(fields)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _unpack_nested(obj: Any) -> Any:
    """DocBin keeps each document's user data and span groups as msgpack inside msgpack."""
    import srsly

    for key in ("user_data", "span_groups"):
        if isinstance(obj, dict) and isinstance(obj.get(key), list):
            obj[key] = [srsly.msgpack_loads(b) if isinstance(b, bytes) and b else b for b in obj[key]]
    return obj


def _pack_nested(obj: Any) -> Any:
    import srsly

    for key in ("user_data", "span_groups"):
        if isinstance(obj, dict) and isinstance(obj.get(key), list):
            obj[key] = [
                srsly.msgpack_dumps(b) if not isinstance(b, bytes) and b is not None else b for b in obj[key]
            ]
    return obj


def mutate_docbin(data: bytes, rng: random.Random) -> bytes:
    """Change the msgpack tree inside the zlib stream (user data and span groups included), or
    the decompressed bytes, or the file's bytes."""
    import srsly

    r = rng.random()
    if r < 0.1:
        return mutate_bytes(data, rng)
    raw = zlib.decompress(data)
    if r < 0.35:
        return zlib.compress(mutate_bytes(raw, rng))
    tree = _unpack_nested(srsly.msgpack_loads(raw))
    blobs = [tree[k] for k in ("tokens", "spaces", "lengths") if isinstance(tree.get(k), bytes)]
    extra: list[Any] = [b"", b"\x00" * 7, *(mutate_bytes(b, rng) for b in blobs), "x" * 10, [b"\x00"]]
    for _ in range(rng.choice([1, 1, 2])):
        tree = mutate_tree(tree, rng, extra)
    try:
        return zlib.compress(srsly.msgpack_dumps(_pack_nested(tree)))
    except Exception:  # a value msgpack cannot hold: mutate the bytes instead
        return zlib.compress(mutate_bytes(raw, rng))


def mutate_brat(folder: Path, rng: random.Random) -> None:
    """Change one file of a brat folder in place."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    target = rng.choice(files)
    data = target.read_bytes()
    if target.suffix == ".ann" or target.name == "annotation.conf":
        try:
            target.write_bytes(mutate_lines(data, rng, rng.choice(["\t", " "])))
        except UnicodeError:  # an earlier mutation broke the UTF-8
            target.write_bytes(mutate_bytes(data, rng))
    elif rng.random() < 0.2:
        target.unlink()
    else:
        target.write_bytes(mutate_bytes(data, rng))


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "prodigy": mutate_json_lines,
    "doccano": mutate_json_lines,
    "jsonl": mutate_json_lines,
    "conll": lambda d, r: mutate_lines(d, r, r.choice([" ", "\t"])),
    "spacy": mutate_docbin,
    "text": mutate_bytes,
}


# --- running -------------------------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """The project's content, read through a second connection."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for line in con.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        con.close()


@dataclass
class Findings:
    tried: int = 0
    imported: int = 0
    refused: int = 0
    by_format: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    """Distinct refusals: the message with the file, numbers and quotes taken out."""
    tracebacks: list[str] = field(default_factory=list)
    without_file: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return len(self.tracebacks) + len(self.without_file) + len(self.changed)

    def summary(self) -> str:
        per_format = ", ".join(f"{k} {v}" for k, v in sorted(self.by_format.items()))
        lines = [
            f"inputs tried: {self.tried} ({per_format})",
            f"imported: {self.imported}, refused with a message: {self.refused}",
            f"tracebacks: {len(self.tracebacks)}",
            f"messages without the file: {len(self.without_file)}",
            f"projects changed by a failed import: {len(self.changed)}",
            f"distinct errors: {len(self.errors)}",
        ]
        lines += [f"  {n:6d}  {msg}" for msg, n in self.errors.most_common()]
        for title, items in (
            ("tracebacks", self.tracebacks),
            ("without file", self.without_file),
            ("changed", self.changed),
        ):
            kinds = Counter(_shape(i.split("\n", 1)[0], "") for i in items)
            lines += [f"--- {title}: {len(kinds)} kinds ---"] if items else []
            lines += [f"  {n:6d}  {kind}" for kind, n in kinds.most_common()]
            lines += items[:3]
        return "\n".join(lines)


def _shape(message: str, where: str) -> str:
    """A refusal's kind: its text after the file and line, with numbers and quoted parts blanked."""
    import re

    rest = message[len(where) :].lstrip(":0123456789 ")
    rest = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "'…'", rest)
    rest = re.sub(r"\d+", "N", rest)
    return rest[:110]


class Fuzzer:
    """Feeds mutated samples to `import_paths` on a copy of a small project."""

    def __init__(self, work: Path, seed: int = 0) -> None:
        from desktop.formats import ImportOptions
        from tests.formats.conftest import new_project

        self.work = work
        self.rng = random.Random(seed)
        self.options = ImportOptions(annotator="fuzz")
        self.template = work / "template.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.template}{suffix}").unlink(missing_ok=True)
        project = new_project(self.template)
        from desktop.formats import import_paths

        import_paths(project, [SAMPLES / "prodigy.jsonl"], "prodigy", self.options)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        project.close()
        self.template_print = fingerprint(self.template)
        self.db = work / "project.db"
        self.project: Any = None
        self.findings = Findings()

    def _fresh_project(self) -> Any:
        from desktop.store import Project

        if self.project is not None:
            self.project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db)
        self.project = Project.open(self.db)
        return self.project

    def make_input(self, fmt: str, n: int) -> Path:
        sample = SAMPLES / CASES[fmt]
        folder = self.work / "in"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        if sample.is_dir():
            target = folder / sample.name
            shutil.copytree(sample, target)
            for _ in range(self.rng.choice([1, 1, 2])):
                mutate_brat(target, self.rng)
            return target
        target = folder / sample.name
        data = sample.read_bytes()
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            try:
                data = MUTATORS[fmt](data, self.rng)
            except Exception:  # the previous mutation made the file unparseable for the mutator
                data = mutate_bytes(data, self.rng)
        target.write_bytes(data)
        return target

    def one(self, fmt: str) -> None:
        from desktop.formats import FormatError, import_paths

        n = self.findings.tried
        path = self.make_input(fmt, n)
        project = self.project if self.project is not None else self._fresh_project()
        self.findings.tried += 1
        self.findings.by_format[fmt] += 1
        try:
            import_paths(project, [path], fmt if self.rng.random() < 0.5 else "auto", self.options)
        except FormatError as e:
            message = str(e)
            where = next((w for w in _inputs(path) if message.startswith(f"{w}:")), None)
            if where is None or "Traceback" in message or "\n" in message.strip():
                self.findings.without_file.append(f"[{fmt} #{n}] {message[:300]}")
                self._keep(path, n)
            else:
                self.findings.refused += 1
                self.findings.errors[f"{fmt}: {_shape(message, where)}"] += 1
            if fingerprint(self.db) != self.template_print:
                self.findings.changed.append(f"[{fmt} #{n}] {message[:200]}")
                self._keep(path, n)
                self._fresh_project()
        except Exception as e:
            self.findings.tracebacks.append(f"[{fmt} #{n}] {type(e).__name__}: {str(e)[:200]}\n{_tail()}")
            self._keep(path, n)
            self._fresh_project()
        else:
            self.findings.imported += 1
            self._fresh_project()

    def _keep(self, path: Path, n: int) -> None:
        """Keep a finding's input, to reproduce it."""
        kept = self.work / "findings" / f"{n:06d}-{path.name}"
        kept.parent.mkdir(exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, kept, dirs_exist_ok=True)
        else:
            shutil.copyfile(path, kept)

    def run(self, formats: list[str], seconds: float, most: int | None = None) -> Findings:
        """Mutate for `seconds`, or until `most` inputs were tried: the inputs come in the same
        order for a seed, so a bound on their number makes a run repeatable on any machine."""
        end = time.monotonic() + seconds
        i = 0
        while time.monotonic() < end and (most is None or i < most):
            self.one(formats[i % len(formats)])
            i += 1
        if self.project is not None:
            self.project.close()
        return self.findings


def _inputs(path: Path) -> list[str]:
    """The paths an error about this input may name: the input and, for a folder, its files."""
    if path.is_dir():
        return [str(path), *(str(p) for p in sorted(path.rglob("*")))]
    return [str(path)]


def _tail() -> str:
    return "".join(traceback.format_exc().splitlines(keepends=True)[-6:])


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", action="append", choices=sorted(CASES), help="default: all")
    parser.add_argument("--keep", metavar="DIR", help="where to keep inputs that found something")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        fuzzer = Fuzzer(work, args.seed)
        findings = fuzzer.run(args.format or sorted(CASES), args.seconds)
        print(findings.summary())
    return 1 if findings.bad else 0


if __name__ == "__main__":
    sys.exit(main())
