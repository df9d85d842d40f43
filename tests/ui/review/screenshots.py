"""Screenshots of review mode and of the agreement dashboard, on the seed article.

Not a test: run it by hand under a display (e.g. Xvfb) to refresh the pictures in docs/::

    Xvfb :98 -screen 0 1600x1000x24 &
    DISPLAY=:98 PYTHONPATH=. python tests/ui/review/screenshots.py seeds docs

The article's paragraphs become documents, spaCy pre-annotates them, and three people start from
the model's suggestions and correct them, each in their own (plausible) way.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.demo import DEMO_RELATIONS
from desktop.formats import import_paths
from desktop.model import Annotation, AnnotatorKind, LabelScheme, Relation, Span, Status
from desktop.nlp.pipeline import load_pipeline
from desktop.nlp.preannotate import preannotate
from desktop.store import Project

JUNK = {"n’", "qu’", "d’", "Coopération", "Web Analytics"}
RELABEL = {"Bloomberg": "ORG", "Kremlin": "ORG", "Getty Images\n\nPrincipaux": "ORG"}
# What each annotator does differently from the careful version.
HABITS = {
    "alice": {"relabel": {}, "drop": 0.0, "seed": 1},
    "bob": {
        "relabel": {"Kremlin": "LOC", "Bloomberg": "MISC", "Union européenne": "LOC"},
        "drop": 0.12,
        "seed": 2,
    },
    "chloe": {"relabel": {"US Geological Survey": "MISC"}, "drop": 0.08, "seed": 3},
}
RELATIONS = [
    ("Dmitry Peskov", "Kremlin", "porte_parole"),
    ("Volodymyr Zelensky", "Ukraine", "dirige"),
    ("Sibérie", "Russie", "situe_dans"),
    ("Extrême-Orient", "Russie", "situe_dans"),
]


def build(seeds: Path, folder: Path) -> Path:
    text = next(seeds.glob("*.txt")).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) >= 100]
    docs = folder / "paragraphs"
    docs.mkdir(parents=True)
    for i, p in enumerate(paragraphs):
        (docs / f"{i:02d}.txt").write_text(p, encoding="utf-8")
    path = folder / "review-demo.db"
    scheme = LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"], DEMO_RELATIONS)
    with Project.create(path, scheme=scheme) as project:
        import_paths(project, [docs], "text")
        preannotate(project, load_pipeline(project.model))
        model = project.latest_model()
        assert model is not None
        for name, habit in HABITS.items():
            rng = random.Random(habit["seed"])
            for doc in project.iter_documents():
                suggested = project.annotation(doc.id, model)
                assert suggested is not None
                spans = _correct(doc.text, suggested.spans, habit, rng)
                rels = _relations(doc.text, spans, rng if name != "alice" else None)
                project.save_annotation(
                    Annotation(doc.id, name, Status.ACCEPTED, spans, rels), AnnotatorKind.PERSON
                )
    return path


def _correct(text: str, spans: list[Span], habit: dict, rng: random.Random) -> list[Span]:
    out = []
    for s in spans:
        words = text[s.start : s.end]
        if words in JUNK or len(words) > 40:
            continue
        end = s.end
        if words.startswith("Getty Images"):
            end = s.start + len("Getty Images")
        label = habit["relabel"].get(words, RELABEL.get(words, s.label))
        if rng.random() < habit["drop"]:
            continue
        out.append(Span(s.start, end, label, s.token_start, s.token_end, id=len(out)))
    return out


def _relations(text: str, spans: list[Span], rng: random.Random | None) -> list[Relation]:
    by_text = {text[s.start : s.end]: s.id for s in spans}
    rels = []
    for head, child, label in RELATIONS:
        if head in by_text and child in by_text and (rng is None or rng.random() < 0.7):
            rels.append(Relation(by_text[head], by_text[child], label))  # type: ignore[arg-type]
    return rels


def shoot(path: Path, out: Path) -> None:
    from desktop.ui.app import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    settings = QSettings(str(path.with_suffix(".ini")), QSettings.Format.IniFormat)
    window = build_window(path, settings, annotator="rita")
    window.resize(1500, 940)
    window.show()
    review = window.review
    done: list[bool] = []
    review.list_ready.connect(lambda: done.append(True))
    window.action_map["review_mode"].trigger()
    _wait(
        app, lambda: bool(done) and window.controller is not None and window.controller.document is not None
    )
    # Take one disputed span and select the next disputed place, as a reviewer would.
    review.step_dispute(1)
    review.take_at_cursor(0)
    _wait(app, lambda: False, 300)
    window.grab().save(str(out / "screenshot-review.png"))

    window.action_map["agreement"].trigger()
    dashboard = review.dashboard
    _wait(app, lambda: dashboard.report is not None)
    dashboard.resize(1280, 860)
    _wait(app, lambda: False, 300)
    dashboard.grab().save(str(out / "screenshot-dashboard.png"))
    dashboard.close()
    window.close()


def _wait(app: QApplication, ready: object, ms: int = 15000) -> None:
    from PySide6.QtCore import QDeadlineTimer

    deadline = QDeadlineTimer(ms)
    while not ready() and not deadline.hasExpired():  # type: ignore[operator]
        app.processEvents()


if __name__ == "__main__":
    seeds, out = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        shoot(build(seeds, Path(tmp)), out)
