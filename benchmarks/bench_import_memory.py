"""Peak memory of `etiquette import` on hostile and large inputs, each in a fresh process.

Prints, for each case, the outcome (imported, or the one-line refusal) and the peak resident
memory of the process (`ru_maxrss`), next to the same figure for a process that only loads the
command line and spaCy's French tokenizer and tokenizes the case's largest record (what any
import must at least pay). Cases:

- a `.spacy` file of ~1 MB whose zlib stream expands to 1 GiB (a decompression bomb);
- one text of 30 MB (refused by the default --max-chars, then imported with --max-chars 40M);
- JSONL, doccano and CoNLL files of ordinary news-sized records, at two sizes: peak memory
  should not grow with the file (the readers stream).

    python benchmarks/bench_import_memory.py [--mb 20,80] [--formats jsonl,doccano,conll] [--no-hostile]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import resource, sys
from desktop.cli import main
code = main(sys.argv[1:])
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "CODE", code, flush=True)
"""

BASELINE = """
import resource, sys
import desktop.cli  # noqa: F401
from desktop.nlp.pipeline import tokenize_texts
tokenize = tokenize_texts("fr")
size = int(sys.argv[1])
text = ("Emmanuel Macron a reçu Olaf Scholz à l'Élysée, à Paris, le 3 mai. " * (size // 66 + 1))[:size]
tokens = next(tokenize([text]))
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "CODE", 0, flush=True)
"""

WORDS = (
    "Emmanuel Macron a reçu Olaf Scholz à l'Élysée pour évoquer la situation en Ukraine et les "
    "relations entre la France et l'Allemagne ; la SNCF annonce une grève à Rennes le 3 mai, "
    "tandis que Marie Curie reste la seule femme à avoir reçu deux prix Nobel scientifiques."
).split()


def article(rng: random.Random, words: int = 350) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def write_jsonl(path: Path, mb: int, rng: random.Random) -> int:
    largest = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < mb * 2**20:
            text = article(rng)
            largest = max(largest, len(text))
            i = text.find("Macron")
            spans = [{"start": i, "end": i + 6, "label": "PER"}] if i >= 0 else []
            f.write(json.dumps({"text": text, "spans": spans, "answer": "accept"}, ensure_ascii=False) + "\n")
    return largest


def write_doccano(path: Path, mb: int, rng: random.Random) -> int:
    largest = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < mb * 2**20:
            text = article(rng)
            largest = max(largest, len(text))
            i = text.find("Rennes")
            label = [[i, i + 6, "LOC"]] if i >= 0 else []
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False, indent=2) + "\n")
    return largest


def write_conll(path: Path, mb: int, rng: random.Random) -> int:
    largest = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < mb * 2**20:
            f.write("-DOCSTART- -X- O O\n\n")
            words = article(rng).split()
            largest = max(largest, sum(len(w) + 1 for w in words))
            for j, w in enumerate(words):
                f.write(f"{w} {'B-PER' if w == 'Macron' else 'O'}\n")
                if j % 25 == 24:
                    f.write("\n")
            f.write("\n")
    return largest


def run(args: list[str], script: str = CHILD) -> tuple[int, int, str, float]:
    """(peak RSS in MB, exit code, last stderr line, seconds) of one fresh process."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT, env=_env()
    )
    seconds = time.perf_counter() - t
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RSS")), "")
    if not line:
        return 0, proc.returncode, (proc.stderr.strip().splitlines() or ["?"])[-1], seconds
    fields = line.split()
    err = proc.stderr.strip().splitlines()
    return int(fields[1]) // 1024, int(fields[3]), err[-1] if err else "", seconds


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", default="20,80", help="sizes of the ordinary files, in MB")
    parser.add_argument(
        "--formats", default="jsonl,doccano,conll", help="which ordinary files to write (default: all three)"
    )
    parser.add_argument("--no-hostile", action="store_true", help="skip the gzip bomb and the 30 MB text")
    args = parser.parse_args()
    sizes = [int(x) for x in args.mb.split(",")]
    rng = random.Random(0)
    print("(the machine may be loaded by other work: memory figures hold, seconds are indicative)")
    print(f"{'case':<44} {'peak MB':>8} {'baseline':>8} {'x record':>9} {'s':>6}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        def case(name: str, inputs: list[str], largest: int, extra: list[str] | None = None) -> None:
            db = work / f"{abs(hash(name))}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            run(["init", str(db)])
            rss, code, err, seconds = run(["import", str(db), *inputs, *(extra or [])])
            base, *_ = run([str(largest)], BASELINE)
            outcome = "imported" if code == 0 else f"exit {code}: {err.split(': error: ', 1)[-1][:90]}"
            # Against the record only where the record, not Python and spaCy, is most of the memory.
            ratio = f"{rss / (largest / 2**20):>8,.0f}x" if largest >= 2**20 else f"{'':>9}"
            print(f"{name:<44} {rss:>8,} {base:>8,} {ratio} {seconds:>6.1f}  {outcome}", flush=True)

        if not args.no_hostile:
            hostile(work, rng, case)
        formats = args.formats.split(",")
        for mb in sizes:
            for fmt, writer in (("jsonl", write_jsonl), ("doccano", write_doccano), ("conll", write_conll)):
                if fmt not in formats:
                    continue
                path = work / f"{fmt}{mb}.{'conll' if fmt == 'conll' else 'jsonl'}"
                largest = writer(path, mb, rng)
                size = path.stat().st_size / 2**20
                case(f"{fmt}: {size:,.0f} MB of ~2 KB records", [str(path)], largest)
                path.unlink()
    return 0


def hostile(work: Path, rng: random.Random, case: Any) -> None:
    """The decompression bomb and the 30 MB text, refused and then imported with a raised limit."""
    bomb = work / "bomb.spacy"
    stream = zlib.compressobj(9)
    with open(bomb, "wb") as f:
        block = b"\x00" * 2**20
        for _ in range(1024):
            f.write(stream.compress(block))
        f.write(stream.flush())
    case(f"gzip bomb .spacy ({bomb.stat().st_size / 2**20:.1f} MB -> 1 GiB)", [str(bomb)], 0)

    big = work / "big.txt"
    big.write_text(article(rng, 5_000_000)[: 30 * 10**6], encoding="utf-8")
    n = len(big.read_text(encoding="utf-8"))
    case("one 30 MB text, default limit", [str(big)], n)
    case("one 30 MB text, --max-chars 40000000", [str(big)], n, ["--max-chars", "40000000"])


if __name__ == "__main__":
    sys.exit(main())
