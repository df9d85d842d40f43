"""The annotation window: time to show it, time to step to the next document, memory by project size.

Prints figures; asserts nothing. Targets: the window on screen within 1 s of launch (the spaCy
pipeline still loading), the next document within 50 ms in a 100,000-document project, and memory
that does not grow with the number of documents.

    PYTHONPATH=. python benchmarks/bench_window.py [--docs 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.model import Annotation, AnnotatorKind, Origin, Span, Status  # noqa: E402
from desktop.store import NewDocument, Project  # noqa: E402

MODEL = "fr_core_news_sm-3.8.0"
WORDS = (
    "Le ministre Sergueï Lavrov a rencontré à Moscou son homologue américain pour parler "
    "des terres rares et de la coopération économique entre les deux pays"
).split()


def whitespace_tokens(texts: list[str]) -> list[list[tuple[int, int]]]:
    out = []
    for text in texts:
        tokens, pos = [], 0
        for word in text.split(" "):
            tokens.append((pos, pos + len(word)))
            pos += len(word) + 1
        out.append(tokens)
    return out


def build_project(path: Path, n: int, suggested: int = 300) -> Path:
    """`n` short documents in bulk, with a model's suggestions on the first `suggested`."""
    if path.exists():
        return path
    with Project.create(path) as project:

        def docs():  # noqa: ANN202
            for i in range(n):
                k = i % len(WORDS)
                yield NewDocument(f"Article {i} : " + " ".join(WORDS[k:] + WORDS[:k]))

        project.add_documents(docs(), whitespace_tokens)
        anns = []
        for doc in project.iter_documents(range(1, suggested + 1)):
            start = doc.text.index("Moscou")
            anns.append(
                Annotation(
                    doc.id, MODEL, Status.ACCEPTED, [Span(start, start + 6, "LOC", origin=Origin.MODEL)]
                )
            )
        project.save_annotations(anns, AnnotatorKind.MODEL, log="preannotate")
    return path


def home_with_annotator(base: Path) -> dict[str, str]:
    config = base / ".config" / "etiquette"
    config.mkdir(parents=True, exist_ok=True)
    (config / "etiquette.ini").write_text("[General]\nannotator=bench\n", encoding="utf-8")
    return {"HOME": str(base), "XDG_CONFIG_HOME": str(base / ".config")}


def launch(project: Path, home: dict[str, str]) -> dict[str, float]:
    """Start `python -m desktop.cli gui PROJECT` and read when its window was first exposed."""
    env = {**os.environ, **home, "ETIQUETTE_REPORT_STARTUP": "1", "PYTHONPATH": str(ROOT)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "gui", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("etiquette-startup")), "")
    if not line:
        raise SystemExit(f"the window did not report its start:\n{out.stderr}")
    fields = dict(item.split("=") for item in line.split()[1:])
    return {
        "shown": float(fields["shown"]) - t0,
        "ready": float(fields["ready"]) - t0,
        "rss_mb": float(fields["rss_mb"]),
        "model_loading": float(fields["model_loading"]),
    }


def floor(runs: int) -> float:
    """Median time of what comes before any window code: Python, the CLI and its parser."""
    code = "import desktop.cli; desktop.cli.build_parser()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        t0 = time.time()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        times.append(time.time() - t0)
    return statistics.median(times)


def bench_startup(project: Path, home: dict[str, str], runs: int) -> list[dict[str, float]]:
    results = [launch(project, home) for _ in range(runs)]
    shown = [r["shown"] for r in results]
    ready = [r["ready"] for r in results]
    loading = all(r["model_loading"] for r in results)
    print(
        f"window shown after launch: median {statistics.median(shown) * 1000:.0f} ms, "
        f"max {max(shown) * 1000:.0f} ms (target 1000 ms); first document on screen: "
        f"median {statistics.median(ready) * 1000:.0f} ms; spaCy still loading: {loading}"
    )
    return results


def bench_next_document(project: Path, home: dict[str, str], steps: int = 50) -> None:
    os.environ.update(home)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.ui.app import build_window, make_app

    app = make_app()
    settings = QSettings(str(Path(home["XDG_CONFIG_HOME"]) / "bench.ini"), QSettings.Format.IniFormat)
    t0 = time.perf_counter()
    window = build_window(project, settings, annotator="bench")
    window.show()
    QApplication.processEvents()
    opened = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        window.next_document()
        window.editor.viewport().repaint()  # the step counts only once the text is painted
        QApplication.processEvents()
        times.append(time.perf_counter() - t)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{window.doc_list.model.rowCount():,}-document project opened in {opened * 1000:.0f} ms; "
        f"next document: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms over {steps} steps (target 50 ms)"
    )
    window.close()
    app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cache",
        default=str(Path(tempfile.gettempdir()) / "etiquette-bench"),
        help="folder for the generated projects (kept between runs)",
    )
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    small = build_project(cache / "window-1000.db", 1000)
    big = build_project(cache / f"window-{args.docs}.db", args.docs)
    print(f"projects ready in {time.perf_counter() - t:.1f} s ({cache})")
    with tempfile.TemporaryDirectory() as tmp:
        home = home_with_annotator(Path(tmp))
        cli = floor(args.runs)
        print(f"before any window code (Python, `etiquette` and its parser): median {cli * 1000:.0f} ms")
        small_runs = bench_startup(small, home, args.runs)
        big_runs = bench_startup(big, home, args.runs)
        rss_small = statistics.median(r["rss_mb"] for r in small_runs)
        rss_big = statistics.median(r["rss_mb"] for r in big_runs)
        print(
            f"memory of the window: {rss_small:.0f} MB with 1,000 documents, "
            f"{rss_big:.0f} MB with {args.docs:,} (ratio {rss_big / rss_small:.2f})"
        )
        bench_next_document(big, home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
