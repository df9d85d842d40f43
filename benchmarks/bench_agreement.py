"""Benchmark: agreement over 10,000 documents × 3 annotators (+ the model's suggestions).

Builds a synthetic but realistic project (≈300 tokens per document, 30 spans per annotator per
document, annotators who mostly agree and sometimes shift a boundary, swap a label, miss or add a
span), stored through Project.save_annotations, then prints the time to read the project and the
time of the whole agreement computation. Target: the whole computation in ≤ 2 s.

    PYTHONPATH=. python benchmarks/bench_agreement.py [--docs 10000] [--keep bench.db]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from desktop.agreement.data import choose_annotators, load_corpus
from desktop.agreement.report import compute_agreement
from desktop.model import Annotation, AnnotatorKind, LabelScheme, Origin, Span, Status
from desktop.store import NewDocument, Project

WORDS = (
    "le la les un une des de du et à en pour sur avec dans par que qui a été sont était "
    "président gouvernement accord coopération terres rares ministre déclaré selon semaine "
    "entreprise marché fonds souverain américain russe porte-parole rencontre sanctions"
).split()
NAMES = [
    "Kirill Dmitriev",
    "Dmitry Peskov",
    "Vladimir Poutine",
    "Moscou",
    "Washington",
    "Kremlin",
    "Arabie saoudite",
    "États-Unis",
    "RDIF",
    "Donald Trump",
    "Riyad",
    "Pékin",
]
LABELS = ["PER", "LOC", "ORG", "MISC"]
PEOPLE = ["alice", "bruno", "chloé"]
MODEL = "fr_core_news_sm-3.8.0"


def synthetic_document(
    rng: random.Random, n_tokens: int = 300, n_spans: int = 30
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, int, int, str]]]:
    """A text, its tokens, and 30 'true' spans (start, end, first token, end token, label)."""
    parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    spans = []
    pos = 0
    slots = set(rng.sample(range(2, n_tokens // 2 * 2, 2), n_spans))
    i = 0
    while len(tokens) < n_tokens:
        if i in slots:
            name = rng.choice(NAMES)
            first = len(tokens)
            start = pos
            for w in name.split():
                tokens.append((pos, pos + len(w)))
                parts.append(w + " ")
                pos += len(w) + 1
            spans.append((start, pos - 1, first, len(tokens), rng.choice(LABELS)))
        else:
            w = rng.choice(WORDS)
            tokens.append((pos, pos + len(w)))
            parts.append(w + " ")
            pos += len(w) + 1
        i += 1
    return "".join(parts).rstrip(), tokens, spans


def annotate(
    rng: random.Random,
    truth: list[tuple[int, int, int, int, str]],
    tokens: list[tuple[int, int]],
    skill: float,
) -> list[Span]:
    out = []
    for start, end, first, last, label in truth:
        r = rng.random()
        if r < skill:
            out.append(Span(start, end, label, first, last))
        elif r < skill + (1 - skill) / 3:
            out.append(Span(start, end, rng.choice(LABELS), first, last))
        elif r < skill + 2 * (1 - skill) / 3 and last - first > 1:
            out.append(Span(start, tokens[last - 2][1], label, first, last - 1))
        # else: missed
    if rng.random() < 0.3:  # one extra span on a common word
        t = rng.randrange(len(tokens))
        if not any(s.token_start <= t < s.token_end for s in out):
            out.append(Span(tokens[t][0], tokens[t][1], rng.choice(LABELS), t, t + 1))
    return sorted(out, key=lambda s: s.start)


def build(path: Path, n_docs: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    docs = [synthetic_document(rng) for _ in range(n_docs)]
    project = Project.create(path, scheme=LabelScheme.from_names(LABELS))
    by_text = {text: tokens for text, tokens, _ in docs}
    result = project.add_documents(
        (NewDocument(text) for text, _, _ in docs),
        lambda texts: (by_text[t] for t in texts),
    )
    for name, skill, kind in [
        *[(p, 0.9, AnnotatorKind.PERSON) for p in PEOPLE],
        (MODEL, 0.75, AnnotatorKind.MODEL),
    ]:
        anns = []
        for doc_id, (_, tokens, truth) in zip(result.ids, docs, strict=True):
            spans = annotate(rng, truth, tokens, skill)
            if kind == AnnotatorKind.MODEL:
                spans = [
                    Span(s.start, s.end, s.label, s.token_start, s.token_end, Origin.MODEL) for s in spans
                ]
            status = Status.ACCEPTED if rng.random() < 0.97 else Status.IN_PROGRESS
            anns.append(Annotation(doc_id, name, status, spans))
        project.save_annotations(anns, kind)
    project.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--keep", help="build (or reuse) the project at this path")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.docs)
            print(
                f"built {path}: {args.docs} documents × {len(PEOPLE)} annotators + model "
                f"in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
        with Project.open(path) as project:
            reads, fulls, read_cpu, full_cpu = [], [], [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                names, model = choose_annotators(project)
                corpus = load_corpus(project, names, model)
                reads.append(time.perf_counter() - t0)
                read_cpu.append(time.process_time() - c0)
                t0, c0 = time.perf_counter(), time.process_time()
                report = compute_agreement(project)
                fulls.append(time.perf_counter() - t0)
                full_cpu.append(time.process_time() - c0)
        spans = sum(len(s) for s in corpus.spans)
        print(
            f"documents {len(corpus.doc_ids)}, annotators {len(corpus.annotators)} "
            f"(model {model}), spans {spans}"
        )
        print(
            f"project read alone:          {min(reads):.3f} s wall, {min(read_cpu):.3f} s CPU "
            f"(best of {args.repeat})"
        )
        print(
            f"full agreement computation:  {min(fulls):.3f} s wall, {min(full_cpu):.3f} s CPU "
            f"(best of {args.repeat}; target ≤ 2 s wall)"
        )
        # CPU time counts both threads of the span query; wall time suffers from a busy machine.
        print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(
            f"  Fleiss κ {report.fleiss_kappa:.3f}, α {report.krippendorff_alpha:.3f}, "
            f"α_U {report.unitizing_alpha.alpha:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
