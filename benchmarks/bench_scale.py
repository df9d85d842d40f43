"""Scale: Etiquette's import + pre-annotation on every core, and on a local Ray cluster, against bare spaCy.

Whole processes, each timed from start to exit with the model load included, on the same texts:
- `bare`: one Python process that loads the pipeline with `spacy.load` and runs `nlp.pipe` over the
  texts (the same NER components Etiquette runs), with spaCy's defaults, on one core;
- `default`: `etiquette init`, `etiquette import`, `etiquette preannotate` with the defaults;
- `ray`: the same with `preannotate --engine ray` (a local Ray cluster started by the command).
Prints words/s of each and the ratios (targets: default ≥ 1.5× bare, ray ≥ 0.7× default) and
checks that the three give identical entities.

Usage: python benchmarks/bench_scale.py [N_DOCS] [--rounds R] [--no-ray]   (default 4,000 dispatches)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = "fr_core_news_sm"
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
CITIES = ["Paris", "Moscou", "Riyad", "Kiev", "Pékin", "Washington", "Bruxelles", "Genève"]

BARE = """
import json, sys
import spacy
from desktop.nlp.pipeline import ner_components
nlp = spacy.load(sys.argv[1])
texts = [json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8")]
with nlp.select_pipes(enable=ner_components(nlp)):
    ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=64)]
json.dump(ents, open(sys.argv[3], "w"))
"""


def sentences() -> list[str]:
    """The sentences of the seed articles and the sample dispatches."""
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            paragraph = " ".join(paragraph.split())
            out += [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s.split()) > 4]
    for line in (ROOT / "datasets" / "samples" / "depeches.jsonl").read_text(encoding="utf-8").splitlines():
        out.append(json.loads(line)["text"])
    return out


def dispatches(n: int) -> list[str]:
    """n distinct short dispatches (~80 words): a dateline and three sentences, chosen by rotation."""
    pool = sentences()
    k = len(pool)
    texts = []
    for i in range(n):
        body = " ".join(pool[(i * 7 + j * 3) % k] for j in range(3))
        texts.append(f"{CITIES[i % len(CITIES)]}, {DAYS[i % 7]}. Dépêche n° {i + 1}. {body}")
    return texts


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system, workers included) of each run: what a loaded machine does not blur."""


def timed(name: str, *commands: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    CPU.setdefault(name, []).append(cpu)
    return elapsed


def etiquette(workdir: Path, source: Path, name: str, extra: list[str]) -> tuple[float, list]:
    db = workdir / f"{name}.db"
    db.unlink(missing_ok=True)
    cli = [sys.executable, "-m", "desktop.cli"]
    elapsed = timed(
        name,
        [*cli, "init", str(db), "--model", MODEL],
        [*cli, "import", str(db), str(source)],
        [*cli, "preannotate", str(db), *extra],
    )
    return elapsed, stored_entities(db)


def stored_entities(db: Path) -> list:
    """Each document's model spans, in document order, read back with plain SQLite."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        'SELECT d.id, s.start, s."end", s.label FROM documents d '
        "LEFT JOIN annotations a ON a.document_id = d.id "
        "LEFT JOIN spans s ON s.annotation_id = a.id ORDER BY d.id, s.start, s.id"
    ).fetchall()
    conn.close()
    out: dict[int, list] = {}
    for doc_id, start, end, label in rows:
        out.setdefault(doc_id, [])
        if start is not None:
            out[doc_id].append([start, end, label])
    return list(out.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    texts = dispatches(args.n)
    assert len(set(texts)) == len(texts)
    words = sum(len(t.split()) for t in texts)
    names = ["bare", "default"] + ([] if args.no_ray else ["ray"])
    times: dict[str, list[float]] = {name: [] for name in names}
    outputs: dict[str, list] = {}
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        source = workdir / "dispatches.jsonl"
        source.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), "utf-8")
        for _ in range(args.rounds):  # interleaved, so that the machine's noise hits every side
            for name in names:
                if name == "bare":
                    out = workdir / "bare.json"
                    times[name].append(
                        timed(name, [sys.executable, "-c", BARE, MODEL, str(source), str(out)])
                    )
                    outputs[name] = json.loads(out.read_text())
                else:
                    extra = ["--engine", "ray"] if name == "ray" else []
                    elapsed, outputs[name] = etiquette(workdir, source, name, extra)
                    times[name].append(elapsed)
    best = {name: min(t) for name, t in times.items()}
    print(f"{args.n:,} dispatches, {words:,} words; {os.cpu_count()} cores; load {load} at the start")
    for name in names:
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        cpu = ", ".join(f"{t:.1f}" for t in CPU[name])
        print(
            f"  {name:<8} best {best[name]:6.1f} s  {words / best[name]:8,.0f} words/s   "
            f"(runs: {runs} s; CPU: {cpu} s)"
        )
    print(f"load {' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    print(f"default / bare nlp.pipe: {best['bare'] / best['default']:.2f}×  (target ≥ 1.5)")
    if "ray" in best:
        print(f"ray / default: {best['default'] / best['ray']:.2f}×  (target ≥ 0.7)")
    same = all(outputs[name] == outputs["bare"] for name in names)
    print(f"identical entities: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
