"""The REGEX values of a pattern file, checked before spaCy compiles them.

Python's `re` backtracks: a quantifier over a part that is itself quantified, like `(a+)+`,
`(\\w*\\s?)*` or `(x+x+)+y`, can take exponential time on a text that almost matches, and
nothing stops a regular expression once it runs (it holds the interpreter until it returns). So
such patterns are refused when the file is read, naming the line, the label and the part; so are
backreferences (`\\1`), which backtrack the same way. Possessive quantifiers (`a++`) and atomic
groups (`(?>…)`) never backtrack and are accepted.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}


def regexes(pattern: Any) -> list[str]:
    """Every REGEX value in a token pattern (a list of token dicts, nested as spaCy allows)."""
    found: list[str] = []
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "REGEX" and isinstance(value, str):
                found.append(value)
            else:
                found += regexes(value)
    elif isinstance(pattern, list):
        for item in pattern:
            found += regexes(item)
    return found


def regex_problem(regex: str) -> str | None:
    """Why `regex` may take exponential time (or is not a regular expression), or None."""
    try:
        tree = sre_parse.parse(regex)
    except (re.error, RecursionError, OverflowError) as e:
        return f"{regex!r} is not a regular expression ({e})"
    try:
        return _walk(list(tree), regex, outer=1)
    except RecursionError:
        return f"{regex!r} is nested too deeply"


NESTED_LIMIT = 1000
r"""A repeat inside a repeat is refused when together they may try more than this many splits
(an unbounded `*`, `+` or `{n,}` always does); `(\d{1,3}){2}` is fine."""


def _walk(items: list[Any], regex: str, outer: int) -> str | None:
    for op, av in items:
        problem = None
        if op in _REPEATS:
            _, high, sub = av
            high = NESTED_LIMIT + 1 if high == sre_constants.MAXREPEAT else high
            if high > 1 and outer > 1 and outer * high > NESTED_LIMIT:
                return (
                    f"{regex!r} has a quantifier inside a repeated group, which can take exponential "
                    "time on some texts; write it with one quantifier (e.g. `(a+)+` as `a+`)"
                )
            problem = _walk(list(sub), regex, max(outer, 1) * high if high > 1 else outer)
        elif op == sre_constants.SUBPATTERN:
            problem = _walk(list(av[3]), regex, outer)
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                problem = problem or _walk(list(branch), regex, outer)
        elif op in {sre_constants.ASSERT, sre_constants.ASSERT_NOT}:
            problem = _walk(list(av[1]), regex, outer)
        elif op in {sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS}:
            return f"{regex!r} refers back to a group (\\N), which can take exponential time"
        if problem:
            return problem
    return None
