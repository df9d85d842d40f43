"""Keys per model error: correcting spaCy's suggestions into a gold annotation, keyboard only.

Builds a project from the text, pre-annotates it with the default pipeline (fr_core_news_sm),
opens the real window offscreen and drives it only through key events of keys the F1 sheet
lists. A planner looks at the differences between the suggestions and the gold (Prodigy JSONL:
`text`, `spans` with `start`, `end`, `label`) and, for each, picks the shortest key sequence it can
predict from where the annotator is: Tab / Shift+Tab to a span, find (Ctrl+F, a few letters,
F3, Escape) to a span or a word, arrows and Shift/Ctrl+Shift+arrows to reach or reshape a
selection, then Delete, a label key, or Shift+label key for every occurrence of a word. Every key
is really sent and the window's state is checked after each step; the annotation in the project
file must then equal the gold.

Prints keys per model error by kind (spurious, wrong label, wrong boundary, missing) and overall.
With `--json` the last line is
`{"errors": N, "keys": K, "keys_per_error": K/N, "by_kind": {...}, "matches_gold": true|false}`.
`--layout azerty` sends the label keys as a French keyboard types them (`&`, `é`, `"`, …).

Usage: `PYTHONPATH=. python benchmarks/bench_gold_pass.py [--text ARTICLE.txt] --gold GOLD.jsonl
[--json] [--layout qwerty|azerty]`; without `--gold`, every file in datasets/gold/ in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt, qInstallMessageHandler  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.model import LabelScheme, Origin, Token  # noqa: E402
from desktop.model.tokens import snap  # noqa: E402
from desktop.ui.actions import EDITOR_KEYS, effective_shortcuts  # noqa: E402
from desktop.ui.editor.keys import AZERTY, DIGITS  # noqa: E402
from desktop.ui.editor.navigation import (  # noqa: E402
    SpanOrder,
    find_match,
    occurrences,
    span_around,
    token_step,
    words,
)

K = Qt.Key
M = Qt.KeyboardModifier
KINDS = ("spurious", "wrong_label", "wrong_boundary", "missing")
MAX_FIND_STEPS = 4
Triple = tuple[int, int, str]


def _quiet(mode, context, message: str) -> None:  # noqa: ANN001
    """The offscreen platform warns on every window; anything else still goes to stderr."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


# --- input ------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: not JSON: {e}") from e
    return out


def read_texts(path: Path) -> list[str]:
    if path.suffix == ".jsonl":
        return [r["text"] for r in read_jsonl(path)]
    return [path.read_text(encoding="utf-8")]


def gold_of(records: list[dict], texts: list[str], path: Path) -> list[set[Triple]]:
    by_text = {r["text"]: r for r in records}
    gold = []
    for t in texts:
        if t not in by_text:
            raise SystemExit(f"{path}: no gold record for the text starting {t[:40]!r}")
        gold.append({(s["start"], s["end"], s["label"]) for s in by_text[t].get("spans", [])})
    return gold


# --- errors -----------------------------------------------------------------------------------


def classify(predicted: set[Triple], gold: set[Triple]) -> dict[str, list]:
    """Pair suggestions with gold spans: same bounds, other label; overlapping, other bounds."""
    pred, want = set(predicted - gold), set(gold - predicted)
    out: dict[str, list] = {k: [] for k in KINDS}
    for p in sorted(pred):
        same = next((g for g in sorted(want) if g[:2] == p[:2]), None)
        if same is not None:
            out["wrong_label"].append((p, same))
            pred.discard(p)
            want.discard(same)
    for p in sorted(pred):
        over = next((g for g in sorted(want) if g[0] < p[1] and p[0] < g[1]), None)
        if over is not None:
            out["wrong_boundary"].append((p, over))
            pred.discard(p)
            want.discard(over)
    out["spurious"] = sorted(pred)
    out["missing"] = sorted(want)
    return out


# --- driving the window -----------------------------------------------------------------------


@dataclass
class Keys:
    """Key presses sent, counted per kind of error they fix."""

    allowed: set[str]
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kind: str = "spurious"
    other: int = 0
    """Keys outside any error (accepting a document, which opens the next)."""


class Driver:
    def __init__(self, window, layout: str, keys: Keys) -> None:  # noqa: ANN001
        self.w = window
        self.layout = layout
        self.keys = keys

    def _target(self):  # noqa: ANN202
        return QApplication.focusWidget() or self.w

    def press(self, name: str, key: Qt.Key, mods: M = M.NoModifier, text: str = "") -> None:
        if name not in self.keys.allowed:
            raise SystemExit(f"the key {name!r} is not on the F1 sheet")
        QTest.sendKeyEvent(QTest.KeyAction.Click, self._target(), key, text, mods)
        QApplication.processEvents()
        self.keys.total += 1
        if self.keys.kind:
            self.keys.by_kind[self.keys.kind] += 1
        else:
            self.keys.other += 1

    def type(self, text: str) -> None:
        """Characters typed into the find bar, one key event each (accents included)."""
        for ch in text:
            key = K(ord(ch.upper())) if ch.isascii() and ch.isalnum() else K.Key_unknown
            if ch == " ":
                key = K.Key_Space
            QTest.sendKeyEvent(QTest.KeyAction.Click, self._target(), key, ch, M.NoModifier)
            QApplication.processEvents()
            self.keys.total += 1
            self.keys.by_kind[self.keys.kind] += 1

    def label(self, digit: str, every: bool = False) -> None:
        if self.layout == "azerty":
            sym = AZERTY[DIGITS.index(digit)]
            if every:  # Shift on AZERTY types the digit
                self.press("Shift+label key", K(ord(digit)), M.ShiftModifier, digit)
            else:
                self.press(sym, K.Key_unknown if not sym.isascii() else K(ord(sym)), M.NoModifier, sym)
        elif every:
            self.press("Shift+label key", K(ord(digit)), M.ShiftModifier, "!@#$%^&*()"[DIGITS.index(digit)])
        else:
            self.press(digit, K(ord(digit)), M.NoModifier, digit)


def allowed_keys(scheme: LabelScheme) -> set[str]:
    """Every key name the F1 sheet lists (actions, editor keys, label keys)."""
    names: set[str] = set()
    for keys in effective_shortcuts_default().values():
        names.update(keys)
    for k in EDITOR_KEYS:
        names.update(part.strip() for part in k.keys.split(","))
        if "AZERTY" in k.text:
            names.update(k.keys.split())
    names.update(e.key for e in scheme.entities if e.key)
    names.update(r.key.upper() for r in scheme.relations if r.key)
    return names


def effective_shortcuts_default() -> dict[str, tuple[str, ...]]:
    from desktop.ui.actions import Overrides

    return effective_shortcuts(Overrides())


# --- the planner --------------------------------------------------------------------------------


class Planner:
    """Picks, for each difference, the shortest key sequence it can predict, and sends it."""

    def __init__(self, driver: Driver, scheme: LabelScheme) -> None:
        self.d = driver
        self.w = driver.w
        self.digit = {e.name: e.key for e in scheme.entities}

    # what the window shows now
    @property
    def text(self) -> str:
        return self.w.editor.text()

    def spans(self) -> dict[int, tuple[int, int, str, Origin]]:
        ann = self.w.controller.annotation
        return {s.id: (s.start, s.end, s.label, s.origin) for s in ann.spans}

    def tokens(self) -> list[Token]:
        return self.w.controller.document.tokens

    def span_with(self, start: int, end: int) -> int | None:
        return next((sid for sid, s in self.spans().items() if s[:2] == (start, end)), None)

    # costs of reaching a span or a text range from here
    def _tab_plan(self, sid: int) -> tuple[int, list[tuple[str, Qt.Key, M]]]:
        spans = self.w.controller.annotation.spans
        order = SpanOrder({s.id: s for s in spans})
        cur, caret = self.w.editor.selected_span(), self.w.editor.caret()
        best: tuple[int, list] = (10**6, [])
        for name, key, mods, direction in (
            ("Tab", K.Key_Tab, M.NoModifier, 1),
            ("Shift+Tab", K.Key_Backtab, M.ShiftModifier, -1),
        ):
            c, n = cur, 0
            while n < len(spans) + 1:
                c = order.step(c, direction, caret)
                n += 1
                if c == sid:
                    break
            if c == sid and n < best[0]:
                best = (n, [(name, key, mods)] * n)
        return best

    def _find_plan(self, start: int, end: int, span: int | None = None) -> tuple[int, str, int]:
        """(keys, query, Enters) of the cheapest find that leaves [start, end) selected: as text,
        or (given `span`) as that span. A match inside a span selects the span."""
        text, tokens, caret = self.text, self.tokens(), self.w.editor.caret()
        spans = {s.id: s for s in self.w.controller.annotation.spans}

        def lands(m: tuple[int, int]) -> bool:
            got = snap(tokens, m[0], m[1], text)
            around = span_around(spans, *got)
            return around == span if span is not None else (around is None and got == (start, end))

        target = text[start:end]
        best = (10**6, "", 0)
        for n in range(1, min(len(target), 12) + 1):
            if 2 + n >= best[0]:
                break
            for i in range(len(target) - n + 1):
                q = target[i : i + n]
                if not q.strip() or q != q.strip():
                    continue
                m = find_match(text, q, None, caret)
                for enters in range(MAX_FIND_STEPS):
                    if m is None:
                        break
                    if lands(m):
                        cost = 2 + n + enters
                        if cost < best[0]:
                            best = (cost, q, enters)
                        break
                    m = find_match(text, q, m, caret)
        return best

    def _arrow_plan(self, start: int, end: int) -> tuple[int, list[tuple[str, Qt.Key, M]]]:
        """Arrows from the selection (or caret) to the first word, then Shift+Right to the last."""
        ws = words(self.tokens(), self.text)
        ed = self.w.editor
        sel = ed.text_selection()
        sid = ed.selected_span()
        if sel is None and sid is not None:
            s = self.spans().get(sid)
            sel = (s[0], s[1]) if s else None
        caret = ed.caret()
        for direction, name, key in ((1, "Right", K.Key_Right), (-1, "Left", K.Key_Left)):
            cur, plan = sel, []
            for _ in range(12):
                cur = token_step(ws, cur, direction, start_at=caret)
                plan.append((name, key, M.NoModifier))
                if cur is None:
                    break
                if cur[0] == start:
                    while cur is not None and cur[1] < end and len(plan) < 16:
                        cur = token_step(ws, cur, 1, extend=True)
                        plan.append(("Shift+Right", K.Key_Right, M.ShiftModifier))
                    if cur == (start, end):
                        return len(plan), plan
                    break
                if (direction > 0 and cur[0] > start) or (direction < 0 and cur[0] < start):
                    break
        return 10**6, []

    def _find(self, query: str, enters: int) -> None:
        self.d.press("Ctrl+F", K.Key_F, M.ControlModifier)
        self.d.type(query)
        for _ in range(enters):  # F3 steps on; a second Return would leave the bar
            self.d.press("F3", K.Key_F3)
        self.d.press("Escape", K.Key_Escape)

    def select_span(self, sid: int) -> None:
        s = self.spans()[sid]
        if self.w.editor.selected_span() == sid:
            return
        tab_cost, tabs = self._tab_plan(sid)
        find_cost, q, enters = self._find_plan(s[0], s[1], sid)
        if find_cost < tab_cost:
            self._find(q, enters)
        else:
            for name, key, mods in tabs:
                self.d.press(name, key, mods)
        if self.w.editor.selected_span() != sid:
            raise SystemExit(f"planner lost its way: span {self.text[s[0] : s[1]]!r} not selected")

    def select_text(self, start: int, end: int) -> None:
        find_cost, q, enters = self._find_plan(start, end)
        arrow_cost, arrows = self._arrow_plan(start, end)
        if arrow_cost < find_cost:
            for name, key, mods in arrows:
                self.d.press(name, key, mods)
        else:
            self._find(q, enters)
        got = self.w.editor.text_selection()
        if got != (start, end):
            raise SystemExit(f"planner lost its way: {self.text[start:end]!r} not selected ({got})")

    # fixing one difference
    def fix_spurious(self, sid: int) -> None:
        self.select_span(sid)
        self.d.press("Delete", K.Key_Delete)

    def fix_label(self, sid: int, label: str) -> None:
        self.select_span(sid)
        self.d.label(self.digit[label])

    def fix_boundary(self, sid: int, start: int, end: int, label: str) -> None:
        s = self.spans()[sid]
        ws = words(self.tokens(), self.text)

        def steps(a: tuple[int, int], to: tuple[int, int]) -> list[tuple[str, Qt.Key, M]] | None:
            plan, cur = [], a
            for _ in range(12):
                if cur == to:
                    return plan
                if cur[1] != to[1]:
                    d = 1 if cur[1] < to[1] else -1
                    cur = token_step(ws, cur, d, extend=True) or cur
                    plan.append(
                        (
                            f"Shift+{'Right' if d > 0 else 'Left'}",
                            K(K.Key_Right if d > 0 else K.Key_Left),
                            M.ShiftModifier,
                        )
                    )
                else:
                    d = 1 if cur[0] < to[0] else -1
                    cur = token_step(ws, cur, d, move_start=True) or cur
                    name = f"Ctrl+Shift+{'Right' if d > 0 else 'Left'}"
                    plan.append(
                        (name, K(K.Key_Right if d > 0 else K.Key_Left), M.ShiftModifier | M.ControlModifier)
                    )
            return None

        others = [o for i, o in self.spans().items() if i != sid and o[0] < end and start < o[1]]
        resize = None if others else steps((s[0], s[1]), (start, end))
        tab_cost = min(self._tab_plan(sid)[0], self._find_plan(s[0], s[1], sid)[0])
        relabel = 1 if label != s[2] else 0
        new_cost = min(self._find_plan(start, end)[0], self._arrow_plan(start, end)[0]) + 1
        if resize is not None and tab_cost + len(resize) + relabel <= new_cost:
            self.select_span(sid)
            for name, key, mods in resize:
                self.d.press(name, key, mods)
            if relabel:
                self.d.label(self.digit[label])
        else:  # select the right words: the new span replaces the suggestion it overlaps
            self.select_text(start, end)
            self.d.label(self.digit[label])

    def fix_missing(self, start: int, end: int, label: str, missing: set[Triple]) -> set[Triple]:
        """Label the words; when every occurrence of them is missing with this label, all at once."""
        text, tokens = self.text, self.tokens()
        places = occurrences(text, tokens, text[start:end])
        spans = self.spans().values()
        together = (
            len(places) > 1
            and all((a, b, label) in missing for a, b in places)
            and not any(s[0] < b and a < s[1] for a, b in places for s in spans)
        )
        self.select_text(start, end)
        self.d.label(self.digit[label], every=together)
        return {(a, b, label) for a, b in places} if together else {(start, end, label)}


def correct_document(planner: Planner, gold: set[Triple], keys: Keys) -> dict[str, list]:
    spans = planner.spans()
    predicted = {s[:3] for s in spans.values()}
    errors = classify(predicted, gold)
    todo: list[tuple[float, str, object]] = []
    targets = [g for _, g in errors["wrong_boundary"]]
    for p in errors["spurious"]:
        # a suggestion inside the words a boundary fix needs goes first, out of its way
        inside = [g for g in targets if g[0] < p[1] and p[0] < g[1]]
        todo.append((inside[0][0] - 0.5 if inside else p[0], "spurious", p))
    for p, g in errors["wrong_label"]:
        todo.append((p[0], "wrong_label", (p, g)))
    for p, g in errors["wrong_boundary"]:
        todo.append((min(p[0], g[0]), "wrong_boundary", (p, g)))
    for g in errors["missing"]:
        todo.append((g[0], "missing", g))
    missing = set(errors["missing"])
    done_missing: set[Triple] = set()
    for _, kind, item in sorted(todo, key=lambda t: t[0]):
        keys.kind = kind
        if (
            kind != "missing"
            and planner.span_with(
                item[0][0] if kind != "spurious" else item[0], (item[0][1] if kind != "spurious" else item[1])
            )
            is None
        ):  # type: ignore[index]
            continue  # went with another fix (a new span replaced the suggestions it overlapped)
        if kind == "spurious":
            p = item
            planner.fix_spurious(planner.span_with(p[0], p[1]))  # type: ignore[index, arg-type]
        elif kind == "wrong_label":
            p, g = item  # type: ignore[misc]
            planner.fix_label(planner.span_with(p[0], p[1]), g[2])  # type: ignore[arg-type]
        elif kind == "wrong_boundary":
            p, g = item  # type: ignore[misc]
            planner.fix_boundary(planner.span_with(p[0], p[1]), g[0], g[1], g[2])  # type: ignore[arg-type]
        else:
            g = item
            if g in done_missing:
                continue
            done_missing |= planner.fix_missing(g[0], g[1], g[2], missing)  # type: ignore[index]
    keys.kind = ""
    return errors


# --- the run ------------------------------------------------------------------------------------


def build_project(path: Path, texts: list[str], scheme: LabelScheme) -> None:
    from desktop.nlp.pipeline import load_pipeline, tokenize_texts
    from desktop.nlp.preannotate import preannotate
    from desktop.store import NewDocument, Project

    with Project.create(path, scheme=scheme) as project:
        project.add_documents((NewDocument(t) for t in texts), tokenize_texts("fr"))
        preannotate(project, load_pipeline("fr_core_news_sm"))


def run(text_path: Path | None, gold_path: Path, layout: str) -> dict:
    from desktop.store import Project
    from desktop.ui import resources
    from desktop.ui.app import build_window, make_app

    records = read_jsonl(gold_path)
    texts = read_texts(text_path) if text_path else [r["text"] for r in records]
    golds = gold_of(records, texts, gold_path)
    scheme = dict(resources.label_schemes()).get(
        "Entities only: PER, LOC, ORG, MISC", LabelScheme.from_names(["PER", "LOC", "ORG", "MISC"])
    )
    qInstallMessageHandler(_quiet)
    make_app()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "gold-pass.db"
        build_project(db, texts, scheme)
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = build_window(db, settings, annotator="bench")
        window.show()
        QApplication.processEvents()
        window.activateWindow()
        window.editor.setFocus()
        keys = Keys(allowed_keys(window.project.scheme))
        driver = Driver(window, layout, keys)
        planner = Planner(driver, window.project.scheme)
        errors = dict.fromkeys(KINDS, 0)
        doc_ids = []
        for gold in golds:
            doc_ids.append(window.doc_id)
            found = correct_document(planner, gold, keys)
            for kind in KINDS:
                errors[kind] += len(found[kind])
            driver.press("A", K.Key_A)  # accept, and open the next document
        window.jobs.wait()
        window.close()
        with Project.open(db) as project:
            final = [
                {(s.start, s.end, s.label) for s in project.annotation(i, "bench").spans} for i in doc_ids
            ]
    for got, want in zip(final, golds, strict=True):
        for extra in sorted(got - want):
            print(f"  not in the gold: {extra}", file=sys.stderr)
        for lack in sorted(want - got):
            print(f"  missing from the result: {lack}", file=sys.stderr)
    n = sum(errors.values())
    return {
        "errors": n,
        "keys": sum(keys.by_kind.values()),
        "keys_per_error": round(sum(keys.by_kind.values()) / n, 2) if n else 0.0,
        "by_kind": {
            k: {
                "errors": errors[k],
                "keys": keys.by_kind[k],
                "keys_per_error": round(keys.by_kind[k] / errors[k], 2) if errors[k] else 0.0,
            }
            for k in KINDS
        },
        "matches_gold": final == golds,
    }


def report(name: str, r: dict) -> None:
    print(f"{name}: {r['errors']} model errors, {r['keys']} keys, {r['keys_per_error']} keys per error")
    for kind, v in r["by_kind"].items():
        print(f"  {kind:15} {v['errors']:3} errors {v['keys']:4} keys  {v['keys_per_error']:5} per error")
    print(f"  result equals the gold: {'yes' if r['matches_gold'] else 'NO'}")


def gold_files() -> Iterator[Path]:
    yield from sorted((ROOT / "datasets" / "gold").glob("*.jsonl"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", type=Path, help="the article (.txt), or texts as JSONL; default: the gold's")
    ap.add_argument("--gold", type=Path, help="gold spans, Prodigy JSONL; default: datasets/gold/*")
    ap.add_argument("--layout", choices=("qwerty", "azerty"), default="qwerty")
    ap.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = ap.parse_args()
    if args.gold is None:
        results = []
        for path in gold_files():
            for layout in ("qwerty", "azerty"):
                r = run(None, path, layout)
                report(f"{path.name} ({layout})", r)
                results.append(r)
        ok = all(r["matches_gold"] for r in results)
        return 0 if ok else 1
    r = run(args.text, args.gold, args.layout)
    report(f"{args.gold.name} ({args.layout})", r)
    if args.json:
        print(json.dumps(r))
    return 0 if r["matches_gold"] else 1


if __name__ == "__main__":
    sys.exit(main())
