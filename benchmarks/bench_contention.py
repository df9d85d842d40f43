"""The window's edit latency while another process imports 20,000 documents, and the idle checkpoint.

Drives the real window (Qt offscreen): a label key relabels a span, and the time from the key to
the edit committed in SQLite (the window commits before the key press returns) is measured for
every edit, while `etiquette import` of 20,000 documents runs in another process. Every edit is
then checked through a second connection (none dropped). The same commit made by SQLite alone
(an UPDATE and an INSERT in one transaction, no window, no other writer) in the same run is the
baseline. Targets: p95 ≤ 100 ms under the import, none dropped; the idle checkpoint ≤ 5 ms.

    PYTHONPATH=. python benchmarks/bench_contention.py [--docs 20000] [--edits 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from desktop.model import Annotation, AnnotatorKind, LabelScheme, Origin, Span, Status  # noqa: E402
from desktop.store import NewDocument, Project  # noqa: E402
from desktop.ui.app import build_window, make_app  # noqa: E402

MODEL = "fr_core_news_sm-3.8.0"
TEXT = "Le porte-parole du Kremlin Dmitry Peskov a parlé à Moscou devant la presse {}."


def tokens(texts: list[str]) -> list[list[tuple[int, int]]]:
    out = []
    for text in texts:
        spans, pos = [], 0
        for word in text.split(" "):
            spans.append((pos, pos + len(word)))
            pos += len(word) + 1
        out.append(spans)
    return out


def make_project(path: Path) -> None:
    with Project.create(path, scheme=LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"])) as project:
        texts = [TEXT.format(i) for i in range(50)]
        ids = project.add_documents((NewDocument(t) for t in texts), tokens).ids
        start = TEXT.index("Kremlin")
        anns = [
            Annotation(i, MODEL, Status.ACCEPTED, [Span(start, start + 7, "ORG", 3, 4, Origin.MODEL)])
            for i in ids
        ]
        project.save_annotations(anns, AnnotatorKind.MODEL, log="preannotate")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def window_edits(window, n: int) -> tuple[list[float], list[str]]:  # noqa: ANN001
    """Relabel the open document's span n times, ORG ↔ MISC; the latency of each and the label expected."""
    times, expected = [], []
    for i in range(n):
        ctl = window.controller
        span = ctl.annotation.spans[0]
        window.editor.select_span(span.id)
        label = "MISC" if span.label == "ORG" else "ORG"
        key = Qt.Key.Key_4 if label == "MISC" else Qt.Key.Key_3
        started = time.perf_counter()
        QTest.keyClick(window.editor, key)
        times.append((time.perf_counter() - started) * 1000)
        expected.append(label)
        if i % 20 == 19:
            window.navigation.next_document()
    return times, expected


def stored_labels(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM undo_history WHERE annotator = 'bench'").fetchone()[0])
    finally:
        conn.close()


def sqlite_alone(path: Path, n: int) -> list[float]:
    """The same commit (an UPDATE of a span and an INSERT of a history row), by SQLite alone."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    sid = conn.execute("SELECT min(id) FROM spans").fetchone()[0]
    times = []
    for i in range(n):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE spans SET label = ? WHERE id = ?", ["MISC" if i % 2 else "ORG", sid])
        conn.execute(
            "INSERT INTO undo_history(annotator, document_id, text, undo, at) "
            "VALUES ('x', 1, 't', '{}', 'now')"
        )
        conn.execute("COMMIT")
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return times


def line(name: str, times: list[float]) -> str:
    return (
        f"{name:<44} median {statistics.median(times):7.2f} ms   p95 {percentile(times, 0.95):7.2f} ms   "
        f"max {max(times):7.2f} ms   ({len(times)} edits)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.db"
        make_project(path)
        source = folder / "import.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for i in range(args.docs):
                f.write(
                    json.dumps({"text": f"Dépêche {i} : le ministre a parlé à Paris de la réforme {i * 7}."})
                    + "\n"
                )
        home = folder / "home"
        (home / ".config").mkdir(parents=True)
        os.environ["HOME"], os.environ["XDG_CONFIG_HOME"] = str(home), str(home / ".config")

        app = make_app()
        settings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
        window = build_window(path, settings, annotator="bench")
        window.show()
        app.processEvents()

        alone_window, _ = window_edits(window, args.edits // 4)

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        importer = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", "import", str(path), str(source)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)  # let the import start writing
        during: list[float] = []
        rounds = 0
        while importer.poll() is None and rounds < args.edits:
            t, _e = window_edits(window, 10)
            during += t
            rounds += 10
        _, err = importer.communicate()
        import_s = time.perf_counter() - started
        if importer.returncode != 0:
            print(f"import failed: {err.strip()[-400:]}")
            return 1
        refused = "busy" in window.statusBar().currentMessage()

        steps = stored_labels(path)
        made = len(alone_window) + len(during)
        window.upkeep.idle.stop()
        costs: list[float] = []
        window.upkeep.checkpointed.connect(costs.append)
        for _ in range(20):
            window_edits(window, 1)
            window.upkeep.checkpoint()
        window.close()
        docs = sqlite3.connect(path).execute("SELECT count(*) FROM documents").fetchone()[0]

        baseline = sqlite_alone(folder / "bench.db", max(50, args.edits))

    print(f"{args.docs:,}-document import in another process: {import_s:.1f} s ({docs:,} documents stored)")
    print(line("window edit, key → committed, no import", alone_window))
    print(line("window edit, key → committed, during import", during))
    print(line("SQLite alone, same commit, no import", baseline))
    print(
        f"edits made {made}, in the undo history {steps}, dropped {made - steps}"
        f"{' (a busy message was shown)' if refused else ''}"
    )
    print(
        f"idle checkpoint: median {statistics.median(costs):.2f} ms, max {max(costs):.2f} ms "
        f"(after one edit each, {len(costs)} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
