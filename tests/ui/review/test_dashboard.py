"""The agreement dashboard: computed in a worker, figures as desktop.agreement gives them, a
document row opens review mode; its table models pass qtmodeltester."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.agreement import compute_agreement
from desktop.store import Project
from desktop.ui.dashboard.models import PairMatrixModel, RowsModel, document_rows, fmt


def cell(model: PairMatrixModel, a: str, b: str) -> str:
    return model.index(model.names.index(a), model.names.index(b)).data()


def open_dashboard(qtbot, window):  # noqa: ANN001, ANN201
    qtbot.keyClick(
        window.editor, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dashboard = window.review.dashboard
    assert dashboard is not None
    if dashboard.report is None:
        with qtbot.waitSignal(dashboard.computed, timeout=10000):
            pass
    return dashboard


def test_dashboard_shows_the_library_figures(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    window = open_window(team_project, annotator="rita")
    dashboard = open_dashboard(qtbot, window)
    # Each overall figure says what it measures when the mouse rests on it.
    assert "0 is chance" in dashboard.fleiss.toolTip()
    assert "characters" in dashboard.alpha_u.toolTip()
    with Project.open(team_project) as project:
        expected = compute_agreement(project, ["alice", "bob"])
    # alice and bob: 8 spans each, 6 the same (offsets and label).
    assert expected.pair("alice", "bob").spans.exact.f1 == 0.75
    assert cell(dashboard.f1_model, "alice", "bob") == "0.750"
    assert cell(dashboard.f1_model, "bob", "alice") == "0.750"
    model = expected.model
    assert model is not None and model in dashboard.f1_model.names
    pair = expected.pair("alice", model)
    assert cell(dashboard.f1_model, "alice", model) == f"{pair.spans.exact.f1:.3f}"
    qtbot.mouseClick(dashboard.overlap, Qt.MouseButton.LeftButton)
    assert cell(dashboard.f1_model, "alice", model) == f"{pair.spans.overlap.f1:.3f}"
    assert cell(dashboard.kappa_model, "alice", "bob") == (f"{expected.pair('alice', 'bob').cohen_kappa:.3f}")
    assert dashboard.fleiss.value.text() == fmt(expected.fleiss_kappa) != "—"
    assert dashboard.alpha.value.text() == fmt(expected.krippendorff_alpha)
    assert dashboard.alpha_u.value.text() == fmt(expected.unitizing_alpha.alpha)
    # Kremlin: ORG for alice (and the model), LOC for bob.
    assert dashboard.confusion.rows == [["LOC", "ORG", expected.confusion[("LOC", "ORG")]]]
    # Documents by disagreement, worst first; the fully agreed one (2) last.
    ids = dashboard.documents.keys
    assert ids[-1] == 2

    # Without the model, only the two people remain.
    with qtbot.waitSignal(dashboard.computed, timeout=10000):
        dashboard.include_model.setChecked(False)
    assert dashboard.f1_model.names == ["alice", "bob"]

    # A click on a document opens it in review mode.
    row = dashboard.documents.keys.index(3)
    rect = dashboard.documents_view.visualRect(dashboard.documents.index(row, 0))
    with qtbot.waitSignal(window.review.list_ready, timeout=10000):
        qtbot.mouseClick(dashboard.documents_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.review.active
    assert window.controller.doc_id == 3  # type: ignore[union-attr]
    dashboard.close()


def test_a_label_confusion_opens_on_its_spans_and_one_on_its_document(
    qtbot,  # noqa: ANN001
    open_window,  # noqa: ANN001
    team_project: Path,
) -> None:
    window = open_window(team_project, annotator="rita")
    dashboard = open_dashboard(qtbot, window)
    dashboard.tabs.setCurrentIndex(1)
    view = dashboard.confusion_view
    view.setFocus()
    view.setCurrentIndex(dashboard.confusion.index(0, 0))
    QTest.keyClick(view, Qt.Key.Key_Return)  # LOC / ORG: the Kremlin, for each pair that saw it
    spans = dashboard.confused
    assert spans.rows and all(row[0] == 1 and row[2] == "« Kremlin »" for row in spans.rows)
    assert {row[3] for row in spans.rows} <= {"ORG / LOC", "LOC / ORG"}
    assert "alice / bob" in [row[1] for row in spans.rows]
    assert dashboard.confused_view.hasFocus()
    assert dashboard.op is None  # Enter opened the confusion; it pressed no button (Recompute)
    assert dashboard.exact.isChecked()
    with qtbot.waitSignal(window.review.list_ready, timeout=10000):
        QTest.keyClick(dashboard.confused_view, Qt.Key.Key_Return)
    assert window.review.active
    assert window.controller.doc_id == 1  # type: ignore[union-attr]
    text = window.editor.text()
    kremlin = (text.index("Kremlin"), text.index("Kremlin") + len("Kremlin"))
    assert window.editor.text_selection() == kremlin
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    # A window beside the main one: window managers keep a transient dialog above the main window.
    assert dashboard.windowHandle().transientParent() is None
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.NoModifier)  # ORG
    gold = window.controller.annotation  # type: ignore[union-attr]
    assert any((s.start, s.end, s.label) == (*kremlin, "ORG") for s in gold.spans)
    dashboard.close()


def test_every_figure_of_the_dashboard_says_what_it_measures(qtbot, open_window, team_project: Path) -> None:  # noqa: ANN001
    dashboard = open_dashboard(qtbot, open_window(team_project, annotator="rita"))
    figures = [dashboard.fleiss, dashboard.alpha, dashboard.alpha_u, dashboard.f1_view, dashboard.kappa_view]
    figures += [dashboard.bars, dashboard.curve, dashboard.documents_view, dashboard.confusion_view]
    figures += [dashboard.pairs_view]
    assert all(w.toolTip() for w in figures)
    assert "precision" in dashboard.f1_view.toolTip() and "chance" in dashboard.kappa_view.toolTip()
    assert all(dashboard.tabs.tabToolTip(i) for i in range(dashboard.tabs.count()))
    dashboard.close()


def test_table_models_pass_qtmodeltester(qtmodeltester, team_project: Path) -> None:  # noqa: ANN001
    with Project.open(team_project) as project:
        report = compute_agreement(project)
    matrix = PairMatrixModel("exact")
    matrix.set_report(report)
    qtmodeltester.check(matrix)
    matrix.set_metric("kappa")
    qtmodeltester.check(matrix)
    columns, rows, ids = document_rows(report)
    table = RowsModel(columns)
    table.set_rows(rows, ids)
    qtmodeltester.check(table)
    empty = RowsModel(["a"])
    qtmodeltester.check(empty)


def test_review_list_model_passes_qtmodeltester(qtmodeltester, team_project: Path) -> None:  # noqa: ANN001
    from desktop.ui.review.doclist import ReviewListModel

    with Project.open(team_project) as project:
        model = ReviewListModel()
        model.reset(project, "rita")
        model.set_order([3, 1], {3: 2, 1: 3})
        qtmodeltester.check(model)
        assert model.next_id(3, 1) == 1
        assert model.next_id(1, 1) is None
        assert model.index(0, 2).data() == "2"
