"""Check that third-party files come back from Etiquette as they went in.

    python scripts/check_corpora.py [CORPORA]      (default ../shared/corpora beside the repository)

Imports each file into a fresh project and exports it in the same format, then compares:
- the Europeana French CoNLL file: the same token lines (its IOB1 tags written as IOB2);
- Prodigy's `rel_component` relations file: the same `head`/`child` token indices and the same
  263 distinct relations, every field of every record;
- Prodigy's news-headlines file: every field of every record;
- `.spacy` files made by `spacy convert` from CoNLL inputs (plus one sentence without entities,
  appended by this script: no corpus file has one): the same documents, the one with no entity
  included, and the same words, spaces, entities and sentence starts.
Prints what it found and exits 1 when something differs; skips (exit 0) without the corpora.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.formats import ExportOptions, ImportOptions, export_project, import_paths  # noqa: E402
from desktop.model import Status  # noqa: E402
from desktop.store import Project  # noqa: E402

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def round_trip(src: Path, fmt: str, out_name: str, tmp: Path) -> tuple[Any, Path]:
    project = Project.create(tmp / f"{src.stem}.db")
    imported = import_paths(project, [src], fmt, ImportOptions())
    for what, n in imported.files[0].not_imported.items():
        print(f"  not imported: {n} {what}")
    out = tmp / "out" / out_name
    # Prodigy's `ignore` answers are skipped documents: exported too, to get every record back.
    statuses = (Status.ACCEPTED, Status.SKIPPED) if fmt == "prodigy" else (Status.ACCEPTED,)
    report = export_project(project, out, fmt, ExportOptions(source="imported", statuses=statuses))
    project.close()
    lost = ", ".join(f"{n} {why}" for why, n in report.lost.items()) or "nothing"
    print(f"  imported {imported.added} documents, exported {report.documents}; export lost {lost}")
    return report, out


def token_lines(path: Path) -> list[tuple[str, str]]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and fields[0] != "-DOCSTART-":
            lines.append((fields[0], fields[-1]))
    return lines


def iob1_to_iob2(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out, prev = [], "O"
    for tok, tag in lines:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append((tok, tag))
        prev = tag
    return out


def europeana(corpora: Path, tmp: Path) -> None:
    src = corpora / "conll-fr" / "enp_FR.bnf.bio.L000001-L006184.bio"
    print(f"{src.name} (CoNLL -> CoNLL)")
    _, out = round_trip(src, "conll", "out.conll", tmp)
    given, written = iob1_to_iob2(token_lines(src)), token_lines(out)
    print(f"  {len(given):,} token lines in, {len(written):,} out")
    check(given == written, "identical token lines (IOB1 in, IOB2 out)")


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def as_written(task: dict[str, Any], notes: dict[str, int]) -> dict[str, Any]:
    """The task as Etiquette should give it back: a relation given twice once, and the token
    indices of a relation's span that do not match the span's own offsets corrected."""
    relations = task.get("relations")
    if not relations:
        return task
    tokens = task.get("tokens") or []
    starts = {t["start"]: i for i, t in enumerate(tokens)}
    ends = {t["end"]: i for i, t in enumerate(tokens)}
    out = []
    for rel in relations:
        rel = json.loads(json.dumps(rel))
        for side in ("head_span", "child_span"):
            span = rel[side]
            right = (starts.get(span["start"]), ends.get(span["end"]))
            if (span.get("token_start"), span.get("token_end")) != right:
                notes[f"{side} token indices that did not match the span's offsets (corrected)"] = (
                    notes.get(f"{side} token indices that did not match the span's offsets (corrected)", 0)
                    + 1
                )
                span["token_start"], span["token_end"] = right
        if rel in out:
            notes["relations given twice (written once)"] = (
                notes.get("relations given twice (written once)", 0) + 1
            )
            continue
        out.append(rel)
    return {**task, "relations": out}


def field_for_field(given: list[dict[str, Any]], written: list[dict[str, Any]]) -> None:
    by_text = {t["text"]: t for t in written}
    differ: dict[str, int] = {}
    added: dict[str, int] = {}
    notes: dict[str, int] = {}
    for task in given:
        task = as_written(task, notes)
        out = by_text.get(task["text"], {})
        for key, value in task.items():
            if out.get(key, "<missing>") != value:
                differ[key] = differ.get(key, 0) + 1
        for key in out.keys() - task.keys():
            added[key] = added.get(key, 0) + 1
    print(
        f"  {len(given)} records in, {len(written)} out; "
        f"fields Etiquette added where a record had none: {added or 'none'}"
    )
    for what, n in notes.items():
        print(f"  in the file: {n} {what}")
    check(
        not differ and len(given) == len(written),
        f"every field of every record identical (differing: {differ or 'none'})",
    )


def relations(tasks: list[dict[str, Any]]) -> set[tuple[str, int, int, str]]:
    return {(t["text"], r["head"], r["child"], r["label"]) for t in tasks for r in t.get("relations") or []}


def rel_component(corpora: Path, tmp: Path) -> None:
    src = corpora / "prodigy-relations" / "rel_component_annotations.jsonl"
    print(f"{src.name} (Prodigy -> Prodigy)")
    _, out = round_trip(src, "prodigy", "out.jsonl", tmp)
    given, written = jsonl(src), jsonl(out)
    a, b = relations(given), relations(written)
    print(f"  distinct relations: {len(a)} in, {len(b)} out")
    check(a == b, "identical head/child token indices and labels of every relation")
    field_for_field(given, written)


def headlines(corpora: Path, tmp: Path) -> None:
    src = corpora / "prodigy-ner" / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
    print(f"{src.name} (Prodigy -> Prodigy)")
    _, out = round_trip(src, "prodigy", "out.jsonl", tmp)
    field_for_field(jsonl(src), jsonl(out))


def docbin_view(path: Path) -> list[dict[str, Any]]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    return [
        {
            "words": [t.text for t in d],
            "spaces": [bool(t.whitespace_) for t in d],
            "ents": [(e.start, e.end, e.label_) for e in d.ents],
            "sent_starts": [t.i for t in d if t.is_sent_start],
        }
        for d in DocBin().from_disk(path).get_docs(Vocab())
    ]


def converted(corpora: Path, tmp: Path) -> None:
    inputs = [
        corpora / "spacy-conversions" / "conll_ner_to_docs_input.conll",
        corpora / "conll-fr" / "enp_FR.bnf.bio.L000001-L006184.bio",
    ]
    for conll in inputs:
        src = tmp / f"{conll.stem}.conll"
        text = conll.read_text(encoding="utf-8").rstrip("\n")
        src.write_text(text + "\n\nRien O\nà O\nsignaler O\n. O\n", encoding="utf-8")
        folder = tmp / f"converted-{conll.stem}"
        folder.mkdir()
        subprocess.run(
            [sys.executable, "-m", "spacy", "convert", str(src), str(folder), "-c", "ner", "-n", "1"],
            check=True,
            capture_output=True,
        )
        [docbin] = list(folder.glob("*.spacy"))
        print(f"spacy convert {conll.name} (+ one sentence with no entity) -> .spacy -> .spacy")
        _, out = round_trip(docbin, "spacy", "out.spacy", tmp)
        given, written = docbin_view(docbin), docbin_view(out)
        empty = sum(1 for d in given if not d["ents"])
        print(
            f"  documents {len(given)} in ({empty} with no entity), {len(written)} out; tokens "
            f"{sum(len(d['words']) for d in given):,} in, {sum(len(d['words']) for d in written):,} out; "
            f"entities {sum(len(d['ents']) for d in given)} in, {sum(len(d['ents']) for d in written)} out; "
            f"sentence starts {sum(len(d['sent_starts']) for d in given)} in, "
            f"{sum(len(d['sent_starts']) for d in written)} out"
        )
        check(given == written, "same documents, words, spaces, entities and sentence starts")


def main(argv: list[str]) -> int:
    corpora = Path(argv[0]) if argv else ROOT.parent / "shared" / "corpora"
    if not (corpora / "conll-fr").is_dir():
        print(f"skipped: no corpora at {corpora}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for step in (europeana, rel_component, headlines, converted):
            d = Path(tmp) / step.__name__
            d.mkdir()
            step(corpora, d)
    print("all identical" if not failures else f"{len(failures)} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
