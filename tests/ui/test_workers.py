"""Import, export, pre-annotation and model loading run in workers; the window shows the outcome."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog, QToolButton, QWidget

from desktop.formats import ExportReport, ImportOptions, registry
from desktop.formats.base import Loss
from desktop.nlp import engines
from desktop.nlp import preannotate as preannotate_module
from desktop.store import Project
from desktop.ui import dialogs, session, workers
from desktop.ui.window import MainWindow


def _blank_with_ruler() -> Any:
    nlp = spacy.blank("fr")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "LOC", "pattern": "Riyad"},  # type: ignore[attr-defined]
            {"label": "LOC", "pattern": "Washington"},
            {"label": "EVENT", "pattern": "rencontre"},
        ]
    )
    return nlp


@pytest.fixture
def accept_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogs.ImportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(dialogs.ExportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)


def test_import_from_the_window_runs_in_a_worker(
    window: MainWindow, qtbot, tmp_path: Path, accept_dialogs, ui_project: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Emmanuel Macron est à Berlin.", encoding="utf-8")
    (folder / "b.txt").write_text("Olaf Scholz reçoit à Bonn.", encoding="utf-8")
    with qtbot.waitSignal(window.job_finished, timeout=60000) as blocker:
        window.work.import_files([str(folder)])
    assert blocker.args[0] == "import"
    assert "2 documents added, none already in the project." in window.last_message
    assert window.doc_list.model.rowCount() == 5
    assert window.doc_list.progress_label.text() == "0 / 5 done"
    with Project.open(ui_project) as p:
        assert p.document_count() == 5


def test_export_from_the_window_says_what_was_lost(
    window: MainWindow, qtbot, tmp_path: Path, accept_dialogs
) -> None:
    def writer(project: Project, out: Path, options: Any, progress: Any) -> ExportReport:
        assert options.source == "alice"
        out.write_text("exported\n", encoding="utf-8")
        return ExportReport(
            "lossy",
            [str(out)],
            documents=1,
            spans=3,
            losses=[Loss(1, {"relations (the format has none)": 2})],
        )

    registry.register(registry.Format("lossy", "test format", writer=writer))
    try:
        window.action_map["accept"].trigger()
        out = tmp_path / "out.txt"
        original = dialogs.ExportDialog.choice

        def choice(self: dialogs.ExportDialog) -> Any:
            _out, _fmt, options = original(self)
            return str(out), "lossy", options

        dialogs.ExportDialog.choice = choice  # type: ignore[method-assign]
        with qtbot.waitSignal(window.job_finished, timeout=30000):
            window.work.export_files()
    finally:
        dialogs.ExportDialog.choice = original  # type: ignore[method-assign]
        registry.FORMATS.pop("lossy", None)
    assert out.read_text(encoding="utf-8") == "exported\n"
    assert "1 document, 3 spans and 0 relations" in window.last_message
    assert "2 relations (the format has none)" in window.last_message


def test_preannotate_waits_for_the_model_then_runs_in_a_worker(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch, ui_project: Path
) -> None:
    monkeypatch.setattr(workers, "load_model_work", lambda name: lambda progress: _blank_with_ruler())
    with qtbot.waitSignal(
        window.job_finished, timeout=60000, check_params_cb=lambda name, _r: name == "preannotate"
    ) as blocker:
        window.work.preannotate()  # the model is not loaded yet: it loads, then pre-annotation runs
    assert "ready" in window.model_label.text()
    result = blocker.args[1]
    assert result.done == 3 and result.spans == 3
    assert "EVENT" in window.project.scheme.entity_names  # a label the worker added
    assert any(a.text() == "EVENT" for a in window.label_actions)
    with Project.open(ui_project) as p:
        assert len(p.documents_annotated_by("fr_pipeline-0.0.0")) == 3
    said = window.statusBar().currentMessage
    qtbot.waitUntil(lambda: said().startswith("Pre-annotation done: 3 documents"), timeout=10000)
    window.together.check_for_changes()  # the window's watch for other programs' changes
    assert said().startswith("Pre-annotation done: 3 documents")  # not "Another program changed…"


def test_a_cancelled_import_adds_nothing(qtbot, ui_project: Path, tmp_path: Path) -> None:
    source = tmp_path / "one.txt"
    source.write_text("Un texte à importer.", encoding="utf-8")
    job = workers.Job(workers.import_work(ui_project, [str(source)], "auto", ImportOptions()))
    job.cancel()
    pool = QThreadPool()
    with qtbot.waitSignal(job.signals.finished, timeout=30000) as blocker:
        pool.start(job)
    assert pool.waitForDone(30000)
    assert blocker.args[0].cancelled
    assert "nothing was added" in dialogs.import_summary(blocker.args[0])
    with Project.open(ui_project) as p:
        assert p.document_count() == 3


def test_a_failing_job_is_reported(window: MainWindow, qtbot, accept_dialogs, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{not json}\n', encoding="utf-8")
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        window.work.import_files([str(bad)])
    assert "bad.jsonl:2" in window.last_message
    assert window.doc_list.model.rowCount() == 3


def test_files_dropped_on_the_window_are_imported(
    window: MainWindow, qtbot, tmp_path: Path, accept_dialogs
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    dropped = tmp_path / "dropped.txt"
    dropped.write_text("Angela Merkel visite Hambourg.", encoding="utf-8")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        window.dropEvent(event)
    assert "1 document added" in window.last_message


def test_the_export_dialog_offers_every_format_and_names_the_file(qtbot, tmp_path: Path) -> None:
    dialog = dialogs.ExportDialog(["alice", "fr_core_news_sm-3.8.0"], "alice", tmp_path / "news.db")
    qtbot.addWidget(dialog)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == registry.exportable()
    dialog.format.setCurrentIndex(formats.index("spacy"))
    dialog.dev_split.setValue(0.2)
    dialog.seed.setValue(7)
    out, fmt, options = dialog.choice()
    assert (out, fmt) == (str(tmp_path / "news-spacy.spacy"), "spacy")
    assert (options.source, options.dev_split, options.seed, options.strict) == ("alice", 0.2, 7, False)


def test_the_import_dialog_chooses_what_happens_to_texts_already_annotated(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ui_project: Path
) -> None:
    text = "Le Walkman et le Minitel sont exposés à Lyon."
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    for path, word in ((first, "Walkman"), (second, "Minitel")):
        start = text.index(word)
        task = {
            "text": text,
            "_annotator_id": "bruno",
            "answer": "accept",
            "spans": [{"start": start, "end": start + len(word), "label": "MISC"}],
        }
        path.write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    chosen: list[str] = []

    def choose(self: dialogs.ImportDialog) -> QDialog.DialogCode:
        self.on_conflict.setCurrentIndex(self.on_conflict.findData(chosen[-1]))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.ImportDialog, "exec", choose)
    for path, policy in ((first, "keep"), (second, "keep"), (second, "merge")):
        chosen.append(policy)
        with qtbot.waitSignal(window.job_finished, timeout=60000):
            window.work.import_files([str(path)])
        if path == second and policy == "keep":
            assert "Kept 1 existing annotation" in window.last_message
    with Project.open(ui_project) as p:
        doc = p.document_ids(search="Minitel")[0]
        bruno = p.annotation(doc, "bruno")
        assert bruno is not None and sorted(text[s.start : s.end] for s in bruno.spans) == [
            "Minitel",
            "Walkman",
        ]


def test_run_chains_progress_result_and_error_callbacks_on_the_window_jobs(window: MainWindow, qtbot) -> None:
    seen: list[object] = []

    def counting(progress: workers.Progress) -> int:
        for i in range(3):
            progress(i + 1, 3)
        return 42

    op = (
        workers.run(window, counting, "count")
        .on_progress(lambda done, total: seen.append((done, total)))
        .on_done(lambda r: seen.append(("done", r)))
        .on_done(lambda r: seen.append(("again", r)))
        .on_fail(lambda m: seen.append(("fail", m)))
        .finally_(lambda: seen.append("end"))
    )
    assert op.job in window.jobs.jobs  # closing the window waits for it
    qtbot.waitUntil(lambda: "end" in seen, timeout=10000)
    assert seen == [(1, 3), (2, 3), (3, 3), ("done", 42), ("again", 42), "end"]

    def failing(progress: workers.Progress) -> int:
        raise ValueError("line 3 of x.jsonl is not JSON")

    failed: list[str] = []
    dialog = QDialog(window)  # a dialog's work is the window's work too
    workers.run(dialog, failing, "fail").with_progress("Fail", "Done:").on_fail(failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=10000)
    assert failed == ["line 3 of x.jsonl is not JSON"]
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))


@pytest.fixture
def held_preannotation(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The window's pre-annotation (blank French and a ruler, in its own process) holds before its
    first batch until the test lets it go: (started, go)."""
    started, go = threading.Event(), threading.Event()
    real = engines.annotate

    def held(nlp: Any, items: Any) -> Any:
        started.set()
        go.wait(30)
        return real(nlp, items)

    monkeypatch.setattr(engines, "annotate", held)
    monkeypatch.setattr(preannotate_module, "default_workers", lambda: 1)  # the held run is this one
    monkeypatch.setattr(workers, "load_model_work", lambda name: lambda progress: _blank_with_ruler())
    yield started, go
    go.set()


def _bar(window: MainWindow) -> QWidget | None:
    return window.statusBar().findChild(QWidget, "preannotate_progress")


def test_annotating_goes_on_while_the_window_pre_annotates(
    window: MainWindow, qtbot, gestures, store, held_preannotation, ui_project: Path
) -> None:
    started, go = held_preannotation
    window.action_map["preannotate"].trigger()
    qtbot.waitUntil(started.is_set, timeout=30000)  # running, its annotator already stored
    assert QApplication.activeModalWidget() is None  # no dialog in the way
    bar = _bar(window)
    assert bar is not None and bar.isVisible()
    assert bar.findChild(QToolButton, "cancel_job").isEnabled()

    window.action_map["next_document"].trigger()
    text = window.controller.document.text
    start = text.index("presse")
    gestures.select_text(window, start, start + len("presse"))
    gestures.key(window, Qt.Key.Key_3)  # ORG
    labelled = window.editor.selected_span()
    assert labelled is not None
    window.together.check_for_changes()  # the window's poll, after the run wrote to the project
    assert window.doc_id == 2
    assert window.editor.selected_span() == labelled  # the document was not reopened under alice
    assert ("presse", "ORG", "person") in store.spans(2)

    with qtbot.waitSignal(
        window.job_finished, timeout=30000, check_params_cb=lambda name, _r: name == "preannotate"
    ):
        go.set()
    assert said(window, "Pre-annotation done: 3 documents")
    qtbot.waitUntil(lambda: _bar(window) is None)  # gone from the status bar, the rest as it was
    assert window.model_label.isVisible() and window.annotator_label.isVisible()
    assert "ready" in window.model_label.text()
    assert ("presse", "ORG", "person") in store.spans(2)
    with Project.open(ui_project) as p:
        assert len(p.documents_annotated_by("fr_pipeline-0.0.0")) == 3


def said(window: MainWindow, start: str) -> bool:
    """Whether the status bar's message starts with `start`."""
    return window.statusBar().currentMessage().startswith(start)


def _seventy_held(open_window, project_with, qtbot, held) -> tuple[Path, MainWindow]:  # noqa: ANN001
    """A window on a project of 70 documents (two batches), its pre-annotation held in the first."""
    texts = [f"Réunion numéro {i} à Riyad puis à Washington." for i in range(70)]
    path = project_with(texts, [[] for _ in texts], name="seventy.db")
    window = open_window(path)
    window.action_map["preannotate"].trigger()
    qtbot.waitUntil(held[0].is_set, timeout=30000)
    return path, window


def test_pre_annotation_in_the_window_stops_when_asked_and_the_next_run_continues(
    open_window, project_with, qtbot, held_preannotation
) -> None:
    path, window = _seventy_held(open_window, project_with, qtbot, held_preannotation)
    go = held_preannotation[1]

    window.action_map["preannotate"].trigger()  # again, while it runs: asked whether to stop it
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "stop_preannotation") is not None)
    box = window.findChild(QMessageBox, "stop_preannotation")
    stop = next(b for b in box.buttons() if b.text() == "&Stop")
    assert box.defaultButton() is not stop  # Enter keeps it running
    with qtbot.waitSignal(
        window.job_finished, timeout=30000, check_params_cb=lambda name, _r: name == "preannotate"
    ) as first:
        stop.click()
        go.set()
    assert first.args[1].cancelled and first.args[1].done == 64  # the batch under way is stored
    qtbot.waitUntil(lambda: said(window, "Pre-annotation cancelled after 64 documents"))

    with qtbot.waitSignal(
        window.job_finished, timeout=30000, check_params_cb=lambda name, _r: name == "preannotate"
    ) as second:
        window.action_map["preannotate"].trigger()
    assert not second.args[1].cancelled
    assert (second.args[1].done, second.args[1].skipped) == (6, 64)
    with Project.open(path) as p:
        assert len(p.documents_annotated_by("fr_pipeline-0.0.0")) == 70


def test_opening_another_project_stops_the_pre_annotation_of_the_one_it_closes(
    open_window, project_with, qtbot, held_preannotation, ui_project: Path
) -> None:
    path, window = _seventy_held(open_window, project_with, qtbot, held_preannotation)
    go = held_preannotation[1]
    session.remember(window.settings, ui_project, "alice")
    threading.Timer(0.5, go.set).start()  # its first batch ends while the other project opens
    assert window.open_project_path(ui_project)
    assert not [job for job in window.jobs.running if job.name == "preannotate"]
    with Project.open(path) as p:  # the batch under way was stored, nothing after it
        assert len(p.documents_annotated_by("fr_pipeline-0.0.0")) == 64
    qtbot.waitUntil(lambda: said(window, "Pre-annotation of seventy.db cancelled after 64 documents"))
    assert window.project is not None and window.project.path == ui_project
    assert window.doc_list.model.rowCount() == 3
