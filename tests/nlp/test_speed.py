"""What Etiquette changes to run spaCy faster changes none of its results.

The quick regex compile gives the patterns Python's compiler gives; numpy's BLAS finds the entities
blis finds; a pipeline loaded for entities only finds what the whole pipeline finds.
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _compiler as compiler  # type: ignore[attr-defined]

import pytest
from spacy.lang.char_classes import ALPHA, ALPHA_LOWER

from desktop.nlp.pipeline import _not_for_entities, load_pipeline, ner_components
from desktop.nlp.speed import LARGE_PATTERN, numpy_blas, quick_regex_compile, regex_cache

ROOT = Path(__file__).resolve().parents[2]


def compiled_code(pattern: str, flags: int) -> list[int]:
    """What Python's regex compiler makes of a pattern (the program the regex engine runs)."""
    return list(compiler._code(re._parser.parse(pattern, flags), flags))  # type: ignore[attr-defined]


PATTERNS = [
    # The shape of French tokenizer exceptions: big Unicode classes repeated in many alternatives.
    ("|".join(f"(?:^{p}[-‐][{ALPHA_LOWER}][-{ALPHA_LOWER}']*$)" for p in ("anti", "auto", "néo")), re.I),
    ("|".join(f"(?:^[{ALPHA}]+[-]{c}[-][{ALPHA}]+$)" for c in ("la", "en", "des?")), re.I),
    # The same classes, case-sensitive: the cache must not hand back the case-insensitive ones.
    ("|".join(f"(?:^[{ALPHA}]+[-]{c}[-][{ALPHA_LOWER}]+$)" for c in ("la", "en")), 0),
    (r"[a-zà-ÿ]+|[A-Z]", re.I | re.ASCII),
]


def test_quick_regex_compile_makes_the_same_patterns() -> None:
    plain = [compiled_code(p, f) for p, f in PATTERNS]
    original = compiler._optimize_charset
    with quick_regex_compile():
        assert compiler._optimize_charset is not original
        quick = [compiled_code(p, f) for p, f in PATTERNS]
        again = [compiled_code(p, f) for p, f in PATTERNS]  # now from the cache
    assert compiler._optimize_charset is original
    assert quick == plain
    assert again == plain


def test_quick_regex_compile_is_left_on_error() -> None:
    original = compiler._optimize_charset
    with pytest.raises(re.error), quick_regex_compile():
        re.compile("[unclosed")
    assert compiler._optimize_charset is original


# A large pattern with named and numbered groups, case-insensitive: what the cache must keep whole.
LARGE = (
    "|".join(
        f"(?P<w{i}>^{w}[-‐][{ALPHA_LOWER}]+$)" for i, w in enumerate(["anti", "auto", "néo", "extra"] * 40)
    )
    + "|(ab)(c)"
).ljust(LARGE_PATTERN, " ")


@pytest.mark.parametrize(("pattern", "flags"), [(LARGE, re.I), (LARGE, 0)])
def test_a_large_pattern_read_back_from_the_cache_is_the_pattern_python_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, flags: int
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    plain = re.compile(pattern, flags)
    made = []
    for _ in range(2):  # compiled and kept, then read back
        re.purge()
        with quick_regex_compile():
            made.append(re.compile(pattern, flags))
        assert list(regex_cache().iterdir()), "nothing was kept"
    for got in made:
        assert got == plain  # same flags, pattern and compiled codes
        assert got.groupindex == plain.groupindex and got.groups == plain.groups
        assert got.match("auto-école") and got.match("auto-école").lastgroup == "w1"
        assert got.match("AUTO-ÉCOLE") if flags else not got.match("AUTO-ÉCOLE")


@pytest.mark.parametrize("keep", [100, -4000])  # in the header; in the codes, a whole number of them
def test_a_damaged_cache_entry_is_compiled_again_and_mended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    re.purge()  # re keeps the patterns it compiled: this one must be compiled here
    with quick_regex_compile():
        re.compile(LARGE, re.I)
    (entry,) = regex_cache().iterdir()
    entry.write_bytes(entry.read_bytes()[:keep])  # cut short, as by a full disk
    re.purge()
    plain = re.compile(LARGE, re.I)
    for _ in range(2):  # compiled again, then read back from the mended entry
        re.purge()
        with quick_regex_compile():
            assert re.compile(LARGE, re.I) == plain
    assert entry.stat().st_size > 100_000


def test_a_cache_that_cannot_be_written_still_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    re.purge()
    with quick_regex_compile():
        assert re.compile(LARGE, re.I).match("extra-fin")


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    """The seed articles and the sample dispatches."""
    import json

    samples = (ROOT / "datasets" / "samples" / "depeches.jsonl").read_text(encoding="utf-8")
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))] + [
        json.loads(line)["text"] for line in samples.splitlines()
    ]


def entities(nlp, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    with nlp.select_pipes(enable=ner_components(nlp)):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]


@pytest.mark.slow
def test_numpy_blas_and_entities_only_find_what_spacy_finds(seed_texts: list[str]) -> None:
    import spacy
    from thinc.api import NumpyOps

    plain = spacy.load("fr_core_news_sm")  # spaCy's defaults: blis, every component
    ner_ops = {type(n.ops) for n in plain.get_pipe("ner").model.walk()}
    assert ner_ops == {NumpyOps} and plain.get_pipe("ner").model.ops.use_blis

    fast = load_pipeline("fr_core_news_sm", entities_only=True)
    assert fast.pipe_names == ["ner"]
    assert all(not n.ops.use_blis for n in fast.get_pipe("ner").model.walk())
    expected = entities(plain, seed_texts)
    assert sum(map(len, expected)) > 60
    assert entities(fast, seed_texts) == expected

    numpy_blas(plain)
    assert entities(plain, seed_texts) == expected


def test_entities_only_keeps_the_embedder_a_recogniser_listens_to(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("fr")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "tok2vec"}
            }
        },
    )
    nlp.add_pipe("sentencizer")
    nlp.get_pipe("ner").add_label("PER")
    nlp.initialize()
    nlp.to_disk(tmp_path / "listening")
    assert _not_for_entities(str(tmp_path / "listening")) == ["sentencizer"]
    loaded = load_pipeline(str(tmp_path / "listening"), entities_only=True)
    assert loaded.pipe_names == ["tok2vec", "ner"]
    assert ner_components(loaded) == ["tok2vec", "ner"]


def test_entities_only_leaves_out_what_the_recogniser_does_not_need() -> None:
    left_out = _not_for_entities("fr_core_news_sm")
    assert "ner" not in left_out
    assert {"tok2vec", "parser", "morphologizer", "lemmatizer"} <= set(left_out)
    assert _not_for_entities("no_such_pipeline") == []


def needs_one_of(branch, allowed: set[str]) -> bool:  # noqa: ANN001
    """Whether any match of `branch` (a parsed regex sequence) must contain one of `allowed`: it
    has a literal or a class of literals, all in `allowed`, that it cannot skip."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in branch:
        if op is c.SUBPATTERN and needs_one_of(av[-1], allowed):
            return True
        if op is c.LITERAL and chr(av) in allowed:
            return True
        if op is c.IN and all(o is c.LITERAL and chr(v) in allowed for o, v in av):
            return True
    return False


def test_every_french_token_match_needs_a_hyphen_or_an_apostrophe() -> None:
    """What makes skipping the regex for a piece with neither give the same tokens."""
    from spacy.lang.fr.punctuation import ELISION, HYPHENS
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    regex = TOKEN_MATCH.__self__
    parsed = re._parser.parse(regex.pattern, regex.flags)  # type: ignore[attr-defined]
    [branches] = [av[1] for op, av in parsed if op is re._constants.BRANCH]  # type: ignore[attr-defined]
    assert len(branches) > 200
    for branch in branches:
        assert needs_one_of(branch, set(HYPHENS + ELISION)), branch


def test_the_quick_token_match_gives_the_tokens_spacy_gives(seed_texts: list[str]) -> None:
    import spacy

    from desktop.nlp.pipeline import blank_tokenizer

    quick = blank_tokenizer("fr")
    assert quick.token_match.__self__.regex is not None  # prefiltered
    plain = spacy.blank("fr").tokenizer
    hard = [
        "L’anti-inflammatoire d'aujourd'hui entr'ouvre peut-être c'est-à-dire Jean-Pierre à "
        "Saint-Germain-des-Prés, un saut-de-ski, l'arrière-grand-mère, néo-zélandais, qu’il "
        "s’entr’aimait ; GRANDE-BRETAGNE, Arrière-Pays, (anti-)vax, e-mail http://a-b.fr/c'd.",
    ]
    for text in seed_texts + hard:
        assert [t.text for t in quick(text)] == [t.text for t in plain(text)]
    assert quick.token_match("arrière-grand-mère") is not None
    restored = spacy.blank("fr").tokenizer.from_bytes(quick.to_bytes())
    assert [t.text for t in restored(hard[0])] == [t.text for t in plain(hard[0])]
