"""Four costs of running spaCy that Etiquette does not pay: a slow regex compile, a slow matrix
product, a regex tried where it cannot match, and processes that fight over the cores.

- A language whose tokenizer exceptions are one large regex (French: 266 alternatives over
  Unicode letter classes, compiled case-insensitively) takes seconds to load, in Python's regex
  compiler working out the same character class again for every alternative (1,905 times for
  French, 18 distinct classes). `quick_regex_compile()` remembers each class while a language
  loads, and keeps a pattern that large compiled on disk (`regex_cache()`): the compiled patterns
  are the same; French loads in under a second instead of three the first time, then in 0.03 s.
- thinc multiplies matrices with blis unless told otherwise; numpy's own BLAS (OpenBLAS in its
  wheels) computes the same products several times faster on common x86 machines (measured on
  these: 86 against 22 GFLOP/s on one core). `numpy_blas(nlp)` has a loaded pipeline's models use
  it. The sums are rounded differently in the last bits, far below what changes a decision of the
  entity recogniser (the scale benchmark checks the entities against spaCy's).
- French tokenizer exceptions try that large regex on every piece of text between spaces, which is
  most of the time of tokenising French; every one of its alternatives needs a hyphen or an
  apostrophe, so `quick_token_match` skips it for a piece that has neither (the tokens are the same).
- A worker process runs one BLAS thread (`one_blas_thread()`): the cores are shared out by running
  one process per core, not by each process starting a thread per core.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language


@contextmanager
def quick_regex_compile() -> Iterator[None]:
    """While inside, Python's regex compiler reuses each character class it has already worked out,
    and a pattern of LARGE_PATTERN characters or more is read back compiled from the cache folder.

    The class cache holds only pure results (a class, its case handling, the compiled set) and is
    dropped on leaving. Does nothing on a Python whose compiler is laid out differently.
    """
    try:
        from re import _compiler as compiler  # type: ignore[attr-defined]
    except ImportError:  # Python before 3.11
        yield
        return
    original = getattr(compiler, "_optimize_charset", None)
    if original is None:
        yield
        return
    cache: dict[Any, Any] = {}

    def optimize_charset(charset: Any, iscased: Any = None, fixup: Any = None, fixes: Any = None) -> Any:
        try:
            key = (tuple(charset), iscased, fixup, id(fixes))
            hash(key)
        except TypeError:
            return original(charset, iscased, fixup, fixes)
        found = cache.get(key)
        if found is None:
            found = cache[key] = original(charset, iscased, fixup, fixes)
        return found

    original_compile = compiler.compile

    def compile_large(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and len(pattern) >= LARGE_PATTERN:
            found = _compiled_once(compiler, pattern, flags)
            if found is not None:
                return found
        return original_compile(pattern, flags)

    # The two names Etiquette replaces, for the time of a load, with equivalents.
    compiler._optimize_charset = optimize_charset  # noqa: SLF001
    compiler.compile = compile_large
    try:
        yield
    finally:
        compiler._optimize_charset = original  # noqa: SLF001
        compiler.compile = original_compile


LARGE_PATTERN = 100_000
"""Patterns at least this long (French tokenizer exceptions: 1.45 million characters) are compiled
once per machine and Python, then read back: parsing and compiling French's alone takes ~0.9 s."""


def regex_cache() -> Path:
    """`$XDG_CACHE_HOME/etiquette/regex` (`~/.cache/etiquette/regex`): compiled large patterns."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "etiquette" / "regex"


def _compiled_once(compiler: Any, pattern: str, flags: int) -> re.Pattern[str] | None:
    """The pattern compiled from the codes kept in the cache, kept there the first time; None when
    this Python's compiler is not the one it was written for (it then compiles as usual).

    What is kept is exactly what Python's compiler hands to `_sre.compile`, so the pattern is equal
    (same flags, same codes) to the one `re.compile` makes; an unreadable entry is compiled again.
    """
    import _sre

    if not all(hasattr(compiler, name) for name in ("_code", "_parser")) or _sre.CODESIZE != 4:
        return None
    key = hashlib.sha256(f"{sys.version}\0{_sre.MAGIC}\0{flags}\0{pattern}".encode()).hexdigest()
    path = regex_cache() / f"{key[:32]}.sre"
    try:
        with open(path, "rb") as f:
            head = json.loads(f.readline())
            kept = f.read()
        if hashlib.sha256(kept).hexdigest() != head["codes"]:
            raise ValueError(f"{path}: damaged")
        code = array.array("I")
        code.frombytes(kept)
        return _sre.compile(
            pattern, head["flags"], code.tolist(), head["groups"], head["index"], tuple(head["names"])
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):  # RuntimeError: codes refused
        pass
    parsed = compiler._parser.parse(pattern, flags)  # noqa: SLF001
    code = compiler._code(parsed, flags)  # noqa: SLF001
    index = dict(parsed.state.groupdict)
    names: list[str | None] = [None] * parsed.state.groups
    for name, i in index.items():
        names[i] = name
    kept = array.array("I", code).tobytes()
    head = {
        "codes": hashlib.sha256(kept).hexdigest(),
        "flags": flags | parsed.state.flags,
        "groups": parsed.state.groups - 1,
        "index": index,
        "names": names,
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as f:
            f.write(json.dumps(head).encode() + b"\n")
            f.write(kept)
        os.replace(partial, path)
    except OSError:  # a read-only or full disk: compiled again next time, nothing half-written left
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return _sre.compile(pattern, head["flags"], code, head["groups"], index, tuple(names))


class _Prefiltered:
    """A regex's `match` that first checks the text has one of the characters every match needs."""

    def __init__(self, regex: re.Pattern[str], needed: str) -> None:
        self.regex = regex
        self.pattern = regex.pattern  # what spaCy saves of a tokenizer's token_match
        self.flags = regex.flags
        self.needed = frozenset(needed)

    def match(self, text: str) -> re.Match[str] | None:
        if self.needed.isdisjoint(text):
            return None
        return self.regex.match(text)


def quick_token_match(tokenizer: Any, lang: str) -> None:
    """Give a French tokenizer with spaCy's own exceptions the prefiltered token match."""
    if lang != "fr":
        return
    from spacy.lang.fr.punctuation import ELISION, HYPHENS
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    regex = getattr(tokenizer.token_match, "__self__", None)
    french = getattr(TOKEN_MATCH, "__self__", None)
    if isinstance(regex, re.Pattern) and isinstance(french, re.Pattern) and regex.pattern == french.pattern:
        tokenizer.token_match = _Prefiltered(regex, HYPHENS + ELISION).match


def numpy_blas(nlp: Language) -> None:
    """Have the pipeline's models multiply matrices with numpy's BLAS instead of blis.

    Only models on thinc's plain CPU ops are changed (a GPU or an Apple-specific backend is kept).
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.components:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps and getattr(node.ops, "use_blis", False):
                node.ops = ops


def one_blas_thread() -> None:
    """Keep this process's BLAS to one thread, for good (a worker, one per core)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
