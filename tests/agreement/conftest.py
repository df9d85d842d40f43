"""Helpers to write small annotated projects for the agreement tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.model import Annotation
from desktop.store import Project
from tests.annotated import add_document, annotate


@pytest.fixture
def doc() -> Callable[[Project, str], int]:
    return add_document


@pytest.fixture
def ann() -> Callable[..., Annotation]:
    return annotate
