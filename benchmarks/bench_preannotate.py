"""Pre-annotation throughput: Etiquette (import + spaCy + store) against bare `nlp.pipe`.

Prints two ratios, measured in the same run on the same texts, bare `nlp.pipe` with spaCy's
defaults (`spacy.load`), Etiquette with the pipeline as it loads it (`load_pipeline`):
- Etiquette's import + pre-annotation vs `nlp.pipe` with the same components (target ≥ 0.95);
- NER-only components vs the full pipeline, with identical entities (target ≥ 1.3).

Usage: python benchmarks/bench_preannotate.py [N_DOCS]   (default 150 articles of ~600 words)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.formats import import_paths  # noqa: E402
from desktop.nlp.pipeline import load_pipeline, ner_components  # noqa: E402
from desktop.nlp.preannotate import preannotate  # noqa: E402
from desktop.store import Project  # noqa: E402

BATCH = 64


def make_texts(n: int) -> list[str]:
    """n distinct articles built from the seed articles' paragraphs, in rotating orders."""
    paragraphs = [
        p.strip()
        for path in sorted((ROOT / "seeds").glob("*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if len(p.split()) > 5
    ]
    texts = []
    for i in range(n):
        k = i % len(paragraphs)
        body = "\n\n".join(paragraphs[k:] + paragraphs[:k])
        texts.append(f"Dépêche n° {i + 1}.\n\n{body}")
    return texts


def bare_pipe(nlp, texts: list[str], components: list[str]) -> tuple[float, list]:
    start = time.perf_counter()
    with nlp.select_pipes(enable=components):
        docs = nlp.pipe(texts, batch_size=BATCH)
        ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs]
    return time.perf_counter() - start, ents


def etiquette(nlp, texts: list[str], workdir: Path, run: int) -> tuple[float, list]:
    source = workdir / f"articles-{run}.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    path = workdir / f"bench-{run}.db"
    project = Project.create(path)
    start = time.perf_counter()
    import_paths(project, [source], "jsonl")
    result = preannotate(project, nlp, batch_size=BATCH)
    elapsed = time.perf_counter() - start
    ents = [
        [(s.start, s.end, s.label) for s in ann.spans]
        for _, ann in project.iter_annotations(result.annotator)
    ]
    project.close()
    return elapsed, ents


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    texts = make_texts(n)
    words = sum(len(t.split()) for t in texts)
    import spacy

    bare = spacy.load("fr_core_news_sm")  # spaCy's defaults, every component
    nlp = load_pipeline("fr_core_news_sm")  # as Etiquette loads it
    ner = ner_components(bare)
    full = list(bare.pipe_names)
    list(bare.pipe(texts[:5]))  # warm up
    list(nlp.pipe(texts[:5]))
    from desktop.nlp.pipeline import blank_tokenizer

    blank_tokenizer("fr")  # the project tokenizer is loaded once per process, like the model

    best: dict[str, float] = {}
    outputs: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(3):  # interleaved, best of three, so that machine noise hits both sides
            for name in ("ner", "etiquette", "full"):
                if name == "etiquette":
                    elapsed, ents = etiquette(nlp, texts, Path(tmp), run)
                else:
                    elapsed, ents = bare_pipe(bare, texts, ner if name == "ner" else full)
                best[name] = min(best.get(name, elapsed), elapsed)
                outputs[name] = ents

    same_entities = outputs["ner"] == outputs["full"] == outputs["etiquette"]
    print(f"{n} documents, {words:,} words; NER components: {', '.join(ner)}")
    for name in ("full", "ner", "etiquette"):
        print(f"  {name:<10} {best[name]:7.2f} s  {words / best[name]:9,.0f} words/s")
    ratio = best["ner"] / best["etiquette"]
    speedup = best["full"] / best["ner"]
    print(f"etiquette preannotate / bare nlp.pipe (same components): {ratio:.3f}  (target ≥ 0.95)")
    print(f"NER-only / full pipeline: {speedup:.2f}×  (target ≥ 1.3), identical entities: {same_entities}")


if __name__ == "__main__":
    main()
