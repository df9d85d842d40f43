"""Mutated sample files, one format at a time: each imports, or is refused with one line naming
the file, and a refused import leaves the project as it was (see `fuzz.py`; `make fuzz` runs the
same for longer)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.formats.fuzz import CASES, Fuzzer

SECONDS = float(os.environ.get("ETIQUETTE_FUZZ_SECONDS", "8"))
"""Per format; seven formats make about a minute."""
MOST = int(os.environ.get("ETIQUETTE_FUZZ_MOST", "2000"))
"""Per format: the first inputs of the seeded sequence, the same on a fast machine as on a slow one
(`make fuzz` has no such bound)."""


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_mutated_files_import_or_are_refused_in_one_line(fmt: str, tmp_path: Path) -> None:
    fuzzer = Fuzzer(tmp_path, seed=sorted(CASES).index(fmt))
    findings = fuzzer.run([fmt], SECONDS, MOST)
    assert findings.tried >= 10
    assert findings.imported and findings.refused, findings.summary()  # the mutator does both
    assert findings.bad == 0, findings.summary()
