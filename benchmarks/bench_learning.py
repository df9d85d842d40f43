"""Learning from corrections: how much better the suggestions get as a person finishes documents.

Simulates an annotator on the Europeana French newspaper sample (datasets/europeana-fr, OCR of
L'Ouest-Éclair, 1906, with gold PER/LOC/ORG): the corpus is cut into documents of a few sentences;
the annotator "corrects" the first k of them (their gold is accepted), `etiquette train`'s code
fine-tunes fr_core_news_sm on them, and spaCy's Scorer compares the suggestions with the gold on the
documents nobody touched (the same last half of the corpus at every step). k = 0, 10%, 25%, 50%.

Prints the curve (F1 of the base, then of each tuned model), the training time per step, and the
window's event-loop latency while a training process runs beside it (target: p95 ≤ 50 ms).

Usage: python benchmarks/bench_learning.py [--sentences-per-doc N] [--no-window]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.formats import ImportOptions, import_paths  # noqa: E402
from desktop.model import Annotation, Status  # noqa: E402
from desktop.nlp.pipeline import load_pipeline  # noqa: E402
from desktop.nlp.train import (  # noqa: E402
    TrainOptions,
    entity_components,
    evaluate,
    make_examples,
    train,
)
from desktop.store import Project  # noqa: E402

CORPUS = ROOT / "datasets" / "europeana-fr" / "enp_FR.bnf.bio.L000001-L006184.bio"
STEPS = (0.0, 0.10, 0.25, 0.50)
REFERENCE = "reference"
ANNOTATOR = "annotatrice"


def corpus_as_documents(workdir: Path, per_doc: int) -> Path:
    """The sample (one run of tokens, no breaks) as CoNLL with sentences and documents marked."""
    lines = [line.split() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences: list[list[list[str]]] = [[]]
    for fields in lines:
        sentences[-1].append(fields)
        if fields[0] in {".", "!", "?"} and len(sentences[-1]) > 3:
            sentences.append([])
    sentences = [s for s in sentences if s]
    out = workdir / "europeana-fr.conll"
    with out.open("w", encoding="utf-8") as f:
        for i in range(0, len(sentences), per_doc):
            f.write("-DOCSTART- O\n\n")
            for sentence in sentences[i : i + per_doc]:
                f.write("".join(f"{tok} {tag}\n" for tok, tag in sentence) + "\n")
    return out


def build_project(workdir: Path, per_doc: int) -> Project:
    project = Project.create(workdir / "europeana.db")
    import_paths(
        project, [corpus_as_documents(workdir, per_doc)], "conll", ImportOptions(annotator=REFERENCE)
    )
    return project


def finish(project: Project, ids: list[int]) -> None:
    """The annotator accepts these documents, corrected to the gold."""
    anns = []
    for doc_id in ids:
        gold = project.annotation(doc_id, REFERENCE)
        assert gold is not None
        anns.append(Annotation(doc_id, ANNOTATOR, Status.ACCEPTED, gold.spans))
    project.save_annotations(anns, log="benchmark")


def score_rest(nlp, project: Project, rest: list[int]) -> float:
    docs = [(project.document(i), project.annotation(i, REFERENCE)) for i in rest]
    examples, _ = make_examples(nlp, [(d, [(s.start, s.end, s.label) for s in a.spans]) for d, a in docs])
    return evaluate(nlp, examples, entity_components(nlp)).f


def curve(workdir: Path, per_doc: int) -> None:
    project = build_project(workdir, per_doc)
    ids = project.document_ids()
    random.Random(0).shuffle(ids)
    words = sum(len(project.document(i).tokens) for i in ids)
    rest = sorted(ids[len(ids) // 2 :])
    print(
        f"corpus: {len(ids)} documents of {per_doc} sentences, {words:,} words; "
        f"scored on the untouched last half ({len(rest)} documents) with spaCy's Scorer"
    )
    base = load_pipeline("fr_core_news_sm")
    base_f = score_rest(base, project, rest)
    print(f"  {'corrected':>14}  {'F1 on rest':>10}  {'vs base':>8}  {'held-out F1':>16}  {'train s':>8}")
    print(f"  {'0 (base)':>14}  {base_f:>10.3f}  {'':>8}  {'':>16}  {'':>8}")
    done = 0
    for fraction in STEPS[1:]:
        k = round(len(ids) * fraction)
        finish(project, ids[done:k])
        done = k
        start = time.perf_counter()
        result = train(project, workdir / f"tuned-{k}", TrainOptions(source=ANNOTATOR, seed=0))
        seconds = time.perf_counter() - start
        tuned = load_pipeline(str(workdir / f"tuned-{k}"))
        f = score_rest(tuned, project, rest)
        held = f"{result.base_scores.f:.2f} → {result.scores.f:.2f}"
        label = f"{k} ({fraction:.0%})"
        print(f"  {label:>14}  {f:>10.3f}  {f - base_f:>+8.3f}  {held:>16}  {seconds:>8.1f}")
    project.close()


def train_command(workdir: Path) -> None:
    """`etiquette train` as a user runs it: 24 finished documents of about 600 words."""
    lines = [line.split() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = workdir / "train-24.conll"
    with out.open("w", encoding="utf-8") as f:
        for d in range(24):  # the sample is 6,184 tokens: documents take it in turn, from shifted starts
            start = (d * 611) % len(lines)
            chunk = (lines + lines)[start : start + 600]
            f.write("-DOCSTART- O\n\n" + "".join(f"{tok} {tag}\n" for tok, tag in chunk) + "\n")
    project = Project.create(workdir / "train-24.db")
    import_paths(project, [out], "conll", ImportOptions(annotator=ANNOTATOR))
    words = sum(len(d.tokens) for d in project.iter_documents())
    project.close()
    start = time.perf_counter()
    command = ["train", str(workdir / "train-24.db"), str(workdir / "m24"), "--json"]
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", *command],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        print(f"etiquette train failed: {run.stderr.strip()}")
        return
    result = json.loads(run.stdout)
    # The sample is too short for 24 distinct documents of 600 words: they overlap, so only the
    # time means something here, not the held-out F1.
    print(
        f"etiquette train, 24 documents ({words:,} words), {result['epochs']} epochs: {seconds:.0f} s "
        f"wall clock including spaCy's load (target ≤ 120 s, limit 600 s)"
    )


def window_latency(workdir: Path, per_doc: int) -> None:
    """The window's event loop, timed by a 10 ms timer, while a training process runs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui.learning import LearningLoop
    from desktop.ui.window import MainWindow

    path = workdir / "window.db"
    project = Project.create(path)
    import_paths(
        project, [corpus_as_documents(workdir, per_doc)], "conll", ImportOptions(annotator=REFERENCE)
    )
    ids = project.document_ids()
    finish(project, ids[: len(ids) // 4])
    project.close()

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, annotator=ANNOTATOR)
    window.show()
    window.open_project_path(path)
    loop = LearningLoop.of(window)
    assert loop is not None
    lags: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        lags.append(max(0.0, now - last[0] - 10))
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    started = time.perf_counter()
    loop.start_round()
    while loop.running() and time.perf_counter() - started < 900:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    timer.stop()
    seconds = time.perf_counter() - started
    lags.sort()
    p95 = lags[int(len(lags) * 0.95)] if lags else 0.0
    print(
        f"window while a training process ran ({seconds:.0f} s, {len(lags)} ticks): event-loop lag "
        f"median {statistics.median(lags):.1f} ms, p95 {p95:.1f} ms, max {lags[-1]:.1f} ms (target p95 ≤ 50)"
    )
    print(f"  status bar: {loop.status_text()}")
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences-per-doc", type=int, default=5)
    parser.add_argument("--no-window", action="store_true", help="skip the window's latency")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared)")
    with tempfile.TemporaryDirectory() as tmp:
        curve(Path(tmp), args.sentences_per_doc)
        train_command(Path(tmp))
        if not args.no_window:
            # In its own process: the window's timer must not share the curve's spaCy work.
            subprocess.run(
                [sys.executable, __file__, "--window-only", str(args.sentences_per_doc)], check=False
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--window-only":
        with tempfile.TemporaryDirectory() as tmp:
            window_latency(Path(tmp), int(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
