"""Export and import speed and memory of Etiquette's formats, measured against spaCy directly.

    python benchmarks/bench_formats.py [N]      (default N = 100000 short documents)

Builds a project of N synthetic documents with spans (bulk inserts), then prints:
- `.spacy` export through Etiquette vs building the same DocBin directly, in the same run, from the
  same texts and spans held in memory (`make_doc` + `char_span`; ratio = direct time / Etiquette
  time, target >= 0.8), and from already tokenized words and spaces (which shows what reading the
  project file costs);
- peak traced memory of those exports for N/4 and N documents (a DocBin grows with its tokens;
  what matters is that Etiquette adds no per-document memory on top of it), and of the JSONL export
  (which should stay flat);
- JSONL (Prodigy), `.spacy` and CoNLL export and import throughput in documents per second; the
  files carry their tokens, which the imported documents keep.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths
from desktop.formats.common import words_spaces
from desktop.formats.spacy_docbin import ATTRS, fast_msgpack
from desktop.model import Annotation, LabelScheme, Span, Status
from desktop.model.tokens import token_range
from desktop.nlp.pipeline import tokenize_texts
from desktop.store import NewDocument, Project

PEOPLE = ["Kirill Dmitriev", "Dmitry Peskov", "Vladimir Poutine", "Zoë Lefèvre"]
PLACES = ["Moscou", "Washington", "Riyad", "Łódź"]
REPEATS = 3


def synthetic(i: int) -> tuple[str, list[tuple[int, int, str]]]:
    who, other, where = PEOPLE[i % 4], PEOPLE[(i + 1) % 4], PLACES[i % 4]
    text = f"Dépêche {i} : {who} a rencontré {other} à {where} le {i % 28 + 1} mai."
    spans = []
    for word, label in ((who, "PER"), (other, "PER"), (where, "LOC")):
        start = text.index(word)
        spans.append((start, start + len(word), label))
    return text, spans


def build(path: Path, n: int, accepted: int) -> Project:
    """N documents for `bench`; the first `accepted` accepted, the others skipped."""
    project = Project.create(path, scheme=LabelScheme.from_names(["PER", "LOC"]))
    tokenize = tokenize_texts("fr")
    batch = 5000
    for first in range(0, n, batch):
        items = [synthetic(i) for i in range(first, min(n, first + batch))]
        result = project.add_documents([NewDocument(t) for t, _ in items], tokenize)
        anns = []
        for doc, (_, spans), i in zip(
            project.iter_documents(result.ids), items, range(first, n), strict=False
        ):
            anns.append(
                Annotation(
                    doc.id,
                    "bench",
                    Status.ACCEPTED if i < accepted else Status.SKIPPED,
                    [Span(s, e, label, *token_range(doc.tokens, s, e)) for s, e, label in spans],
                )
            )
        project.save_annotations(anns)
    return project


def direct_docbin(
    data: list[tuple[list[str], list[bool], list[tuple[int, int, str]], dict[str, Any]]], out: Path
) -> None:
    """The same DocBin, built by hand from words, spaces and spans already in memory."""
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    docbin = DocBin(ATTRS, store_user_data=True)
    for words, spaces, spans, meta in data:
        doc = Doc(vocab, words=words, spaces=spaces)
        docbin.add(_annotated(doc, spans, meta))
    docbin.to_disk(out)


def tokenizing_docbin(data: list[tuple[str, list[tuple[int, int, str]], dict[str, Any]]], out: Path) -> None:
    """The DocBin as one would build it from texts and character spans: make_doc + char_span."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("fr")
    docbin = DocBin(ATTRS, store_user_data=True)
    for text, spans, meta in data:
        doc = nlp.make_doc(text)
        docbin.add(_annotated(doc, spans, meta))
    docbin.to_disk(out)


def _annotated(doc: Any, spans: list[tuple[int, int, str]], meta: dict[str, Any]) -> Any:
    """The Doc with its spans as Etiquette writes them: ents without overlaps, every span in sc."""
    from spacy.util import filter_spans

    group = [doc.char_span(s, e, label=label) for s, e, label in spans]
    group = [g for g in group if g is not None]
    doc.set_ents(filter_spans(group))
    doc.spans["sc"] = group
    doc.user_data["meta"] = meta
    doc.user_data["status"] = "accepted"
    return doc


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak(fn: Callable[[], Any]) -> float:
    """Peak traced memory of one call, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def in_memory(project: Project, statuses: tuple[Status, ...]) -> list[Any]:
    return [
        (*words_spaces(doc), [s.key for s in ann.spans], doc.meta)
        for doc, ann in project.iter_annotations("bench", statuses)
    ]


def compare_spacy(project: Project, d: Path, n: int, statuses: tuple[Status, ...]) -> None:
    data = in_memory(project, statuses)
    texts = [
        (doc.text, [s.key for s in ann.spans], doc.meta)
        for doc, ann in project.iter_annotations("bench", statuses)
    ]
    import spacy

    spacy.blank("fr")  # loaded before timing
    t_direct = t_texts = t_ours = float("inf")
    for _ in range(REPEATS):  # interleaved, best of each: the machine may be busy meanwhile
        with fast_msgpack():  # the same speed-up Etiquette's export uses, for a fair comparison
            t_direct = min(t_direct, timed(lambda: direct_docbin(data, d / "direct.spacy")))
            t_texts = min(t_texts, timed(lambda: tokenizing_docbin(texts, d / "texts.spacy")))
        t_ours = min(
            t_ours,
            timed(
                lambda: export_project(
                    project, d / "ours.spacy", "spacy", ExportOptions(source="bench", statuses=statuses)
                )
            ),
        )
    print(f".spacy, {n} docs (best of {REPEATS}): Etiquette {t_ours:.2f}s ({n / t_ours:,.0f} docs/s)")
    print(
        f"  DocBin by hand from texts and spans in memory (make_doc, char_span): "
        f"{t_texts:.2f}s; ratio {t_texts / t_ours:.2f} (target >= 0.8)"
    )
    print(
        f"  DocBin by hand from words, spaces and spans already in memory: "
        f"{t_direct:.2f}s; ratio {t_direct / t_ours:.2f} (the cost of reading SQLite)"
    )
    sizes = (d / "ours.spacy").stat().st_size, (d / "direct.spacy").stat().st_size
    print(f"  file sizes: Etiquette {sizes[0]:,} bytes, by hand {sizes[1]:,} bytes")


def memory(project: Project, d: Path, sizes: list[tuple[int, tuple[Status, ...]]]) -> None:
    for count, statuses in sizes:
        options = ExportOptions(source="bench", statuses=statuses)
        ours = peak(lambda o=options: export_project(project, d / "m.spacy", "spacy", o))
        data = in_memory(project, statuses)
        with fast_msgpack():
            direct = peak(lambda data=data: direct_docbin(data, d / "m2.spacy"))
        del data
        jsonl = peak(lambda o=options: export_project(project, d / "m.jsonl", "jsonl", o))
        print(
            f"peak memory, {count} docs: .spacy export {ours:.1f} MB (the DocBin alone, built "
            f"by hand from memory: {direct:.1f} MB; Etiquette's extra: {ours - direct:+.1f} MB), "
            f"JSONL export {jsonl:.1f} MB"
        )


def imports(d: Path, n: int, *paths: Path) -> None:
    """Import throughput of files that carry their tokens (Prodigy tasks, a DocBin, CoNLL): the
    documents keep the file's tokens, and only texts without tokens would be tokenized."""
    for path in paths:
        fresh = Project.create(d / f"fresh-{path.suffix[1:]}.db")
        t = timed(lambda path=path, fresh=fresh: import_paths(fresh, [path], "auto", ImportOptions()))
        print(f"{path.suffix} import (the file's tokens): {n / t:,.0f} docs/s ({t:.1f}s)")
        fresh.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 100_000
    small = n // 4
    every = (Status.ACCEPTED, Status.SKIPPED)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = timed(lambda: build(d / "bench.db", n, small).close())
        print(f"built a project of {n} documents ({small} accepted) in {t:.1f}s")
        project = Project.open(d / "bench.db")
        compare_spacy(project, d, n, every)
        memory(project, d, [(small, (Status.ACCEPTED,)), (n, every)])

        out = d / "all.jsonl"
        t = timed(
            lambda: export_project(project, out, "jsonl", ExportOptions(source="bench", statuses=every))
        )
        print(f"JSONL export: {n / t:,.0f} docs/s ({t:.1f}s)")
        imports(d, n, out, d / "ours.spacy")
        conll = d / "all.conll"
        t = timed(
            lambda: export_project(project, conll, "conll", ExportOptions(source="bench", statuses=every))
        )
        print(f"CoNLL export: {n / t:,.0f} docs/s ({t:.1f}s)")
        imports(d, n, conll)
        project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
