"""Importing from the window: a broken file or a full disk is a warning dialog of one line naming
the file, and the project (and the window's list) stays as it was."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
import srsly
from PySide6.QtWidgets import QDialog, QMessageBox

import desktop.store.project as project_module
from desktop.ui import dialogs
from desktop.ui.window import MainWindow
from tests.formats.fuzz import fingerprint


@pytest.fixture
def accept_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogs.ImportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)


def _warning(window: MainWindow) -> str:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert boxes[0].icon() == QMessageBox.Icon.Warning
    return boxes[0].text()


def _import(window: MainWindow, qtbot: Any, path: Path) -> str:
    with qtbot.waitSignal(window.job_finished, timeout=60000) as blocker:
        window.work.import_files([str(path)])
    assert blocker.args == ["import", None]  # failed
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)))
    return _warning(window)


def _docbin_missing_strings(path: Path) -> None:
    """Two documents; the second cannot be decoded (its words' strings are missing)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("fr")
    docbin = DocBin(docs=[nlp("Ana vit à Paris."), nlp("Léa vit à Lyon.")])
    msg = srsly.msgpack_loads(zlib.decompress(docbin.to_bytes()))
    msg["strings"] = [s for s in msg["strings"] if s not in {"Léa", "Lyon"}]
    path.write_bytes(zlib.compress(srsly.msgpack_dumps(msg)))


def test_a_file_failing_while_read_is_one_line_in_a_dialog(
    window: MainWindow, qtbot: Any, accept_dialogs: None, tmp_path: Path, ui_project: Path
) -> None:
    bad = tmp_path / "corpus.spacy"
    _docbin_missing_strings(bad)
    before = fingerprint(ui_project)
    text = _import(window, qtbot, bad)
    assert text.startswith(f"{bad}:2: document 2 cannot be decoded: [E018]")
    assert "\n" not in text and "Traceback" not in text
    assert window.doc_list.model.rowCount() == 3
    assert fingerprint(ui_project) == before


def test_a_prodigy_answer_that_is_a_list_is_one_line_in_a_dialog(
    window: MainWindow, qtbot: Any, accept_dialogs: None, tmp_path: Path
) -> None:
    bad = tmp_path / "tasks.jsonl"
    bad.write_text(json.dumps({"text": "Ana vit à Paris.", "spans": [], "answer": ["accept"]}) + "\n")
    text = _import(window, qtbot, bad)
    assert text == f"{bad}:1: unknown answer ['accept'] (accept, reject or ignore)"


def test_an_import_on_a_full_disk_says_so_in_a_dialog(
    window: MainWindow,
    qtbot: Any,
    accept_dialogs: None,
    tmp_path: Path,
    ui_project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = tmp_path / "articles.jsonl"
    texts.write_text("".join(json.dumps({"text": f"Article {i} sur Paris."}) + "\n" for i in range(2000)))
    before = fingerprint(ui_project)
    connect = project_module._connect

    def cannot_grow(*args: Any, **kwargs: Any) -> Any:  # the worker's own connection
        db = connect(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(project_module, "_connect", cannot_grow)
    text = _import(window, qtbot, texts)
    assert text == "no space left on the disk holding the project: the project is unchanged"
    assert window.doc_list.model.rowCount() == 3
    assert fingerprint(ui_project) == before


def test_creating_a_project_on_a_full_disk_says_so_in_a_dialog(
    open_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    from desktop.model import LabelScheme

    window = open_window(None)
    connect = project_module._connect

    def full(*args: Any, **kwargs: Any) -> Any:
        db = connect(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 2")  # the schema does not fit
        return db

    monkeypatch.setattr(project_module, "_connect", full)
    path = tmp_path / "new.db"
    assert window.open_project_path(path, LabelScheme.from_names(["PER"])) is False
    assert _warning(window) == f"no space left on the disk holding {path}: no project was opened"
    assert window.project is None


def test_the_export_summary_of_many_files_names_the_folder() -> None:
    from desktop.formats import ExportReport

    paths = [f"/data/brat/doc{i:05d}.{ext}" for i in range(20_000) for ext in ("txt", "ann")]
    report = ExportReport("brat", paths=[*paths, "/data/brat/annotation.conf"])
    summary = dialogs.export_summary(report)
    assert "40,001 files in /data/brat" in summary
    assert len(summary.splitlines()) < 5
