"""Pattern files: a REGEX that can backtrack exponentially is refused when the file is read, in
one line naming the file, the line, the label and the expression; other regexes work as before."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.nlp.pipeline import PipelineError
from desktop.nlp.preannotate import read_patterns
from desktop.nlp.regex_check import regex_problem

EXPONENTIAL = [r"^(a+)+$", r"^(\w*\s?)*$", r"(x+x+)+y", r"((ab)*c?)*d", r"^(\d{1,60}){1,60}$", r"(\w)\1+"]
FINE = [
    r"^[A-Z][a-z]+$",
    r"^\d{4}-\d{2}-\d{2}$",
    r"(?:Mr|Mme)\.?",
    r"(\w|-)+",
    r"(a++)+",
    r"(?>a+)+b",
    r"(\d{1,3}){2}",
]


@pytest.mark.parametrize("regex", EXPONENTIAL)
def test_a_regex_with_nested_quantifiers_is_refused(regex: str) -> None:
    assert regex_problem(regex) is not None


@pytest.mark.parametrize("regex", FINE)
def test_ordinary_regexes_are_accepted(regex: str) -> None:
    assert regex_problem(regex) is None


def test_the_refused_ones_really_are_slow() -> None:
    """What the check guards against: 24 characters already take a noticeable time."""
    t = time.perf_counter()
    assert re.match(r"^(a+)+$", "a" * 22 + "!") is None
    assert time.perf_counter() - t > 0.05


def _patterns(tmp_path: Path, *records: dict[str, object]) -> Path:
    path = tmp_path / "patterns.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_read_patterns_names_line_label_and_regex(tmp_path: Path) -> None:
    path = _patterns(
        tmp_path,
        {"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^\d{4}$"}}]},
        {"label": "CODE", "pattern": [{"LOWER": "code"}, {"TEXT": {"REGEX": "^(a+)+$"}}]},
    )
    with pytest.raises(PipelineError) as err:
        read_patterns(path)
    message = str(err.value)
    assert message.startswith(f"{path}:2: pattern 'CODE': '^(a+)+$' has a quantifier inside a repeated group")


def test_a_pattern_label_with_a_tab_is_refused(tmp_path: Path) -> None:
    path = _patterns(tmp_path, {"label": "DA\tTE", "pattern": "2024"})
    with pytest.raises(PipelineError) as err:
        read_patterns(path)
    assert str(err.value) == f"{path}:1: pattern 'DA\\tTE': label 'DA\\tTE' holds a control character (a tab)"


def test_preannotate_refuses_the_file_before_loading_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    assert main(["init", str(db)]) == 0
    path = _patterns(tmp_path, {"label": "X", "pattern": [{"TEXT": {"REGEX": r"^(\w*\s?)*$"}}]})
    t = time.perf_counter()
    assert main(["preannotate", str(db), "--patterns", str(path)]) == 1
    assert time.perf_counter() - t < 3  # refused at once: no pipeline loaded, no document read
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:1: pattern 'X'" in err and "exponential" in err
