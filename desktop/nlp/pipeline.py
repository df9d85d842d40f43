"""Loading spaCy pipelines by name or path, and the project's tokenizer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.nlp.machine import can_fork, cores, end_with_parent
from desktop.nlp.speed import numpy_blas, quick_regex_compile, quick_token_match

if TYPE_CHECKING:
    from spacy.language import Language

NER_COMPONENTS = {"ner", "entity_ruler", "span_ruler", "beam_ner", "spancat"}


class PipelineError(Exception):
    """A pipeline that cannot be loaded or used."""


PIPELINES = {
    "fr": "fr_core_news_sm",
    "en": "en_core_web_sm",
    "de": "de_core_news_sm",
    "es": "es_core_news_sm",
    "it": "it_core_news_sm",
    "nl": "nl_core_news_sm",
    "pt": "pt_core_news_sm",
}
"""The small pipeline of each language a new project uses, when it is installed (French always)."""

BLANK = "blank:"
"""Prefix of a pipeline name that means spaCy's blank pipeline of a language: a tokenizer only."""


def default_pipeline(lang: str) -> tuple[str, str]:
    """The pipeline a new project for `lang` uses, and a sentence saying what it is.

    The language's small pipeline when it is installed (French's is a dependency of Etiquette),
    otherwise the blank pipeline of the language, which has no entity recogniser.
    """
    from importlib.util import find_spec

    name = PIPELINES.get(lang)
    if name is not None and (lang == "fr" or find_spec(name) is not None):
        return name, f"pipeline {name}"
    import spacy.util

    try:
        with quick_regex_compile():
            spacy.util.get_lang_class(lang)
    except Exception as e:
        raise PipelineError(f"spaCy has no language {lang!r}") from e
    missing = f"{name} is not installed; " if name else ""
    return (
        f"{BLANK}{lang}",
        f"pipeline {BLANK}{lang}: {missing}a blank {lang} tokenizer with no entity recogniser "
        f"(pre-annotate with --patterns, or install a pipeline and pass --model)",
    )


def load_pipeline(name: str, *, entities_only: bool = False) -> Language:
    """Load an installed pipeline package, or a pipeline folder, by name or path; `blank:LANG` is
    spaCy's blank pipeline of that language. Its models multiply matrices with numpy's BLAS
    (`desktop.nlp.speed`).

    With `entities_only`, the components entity recognition does not need (`ner_components`: a
    tagger, a parser, a lemmatizer) are left out, which saves most of the loading time.
    """
    import spacy

    if name.startswith(BLANK):
        try:
            with quick_regex_compile():
                return spacy.blank(name[len(BLANK) :])
        except Exception as e:
            raise PipelineError(f"spaCy has no language {name[len(BLANK) :]!r}") from e
    try:
        with quick_regex_compile():
            nlp = spacy.load(name, exclude=_not_for_entities(name) if entities_only else [])
    except OSError as e:
        where = "folder" if Path(name).exists() else "installed package"
        raise PipelineError(
            f"unknown pipeline {name!r}: no {where} with a spaCy pipeline by that name "
            f"(install one with `pip install {name}`, or give the path to a pipeline folder)"
        ) from e
    except Exception as e:  # a pipeline whose config or weights do not load
        raise PipelineError(f"pipeline {name!r} could not be loaded: {e}") from e
    numpy_blas(nlp)
    return nlp


def pipeline_id(nlp: Language) -> str:
    """The annotator name a pipeline's suggestions are stored under, e.g. `fr_core_news_sm-3.8.0`."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0.0.0')}"


def ner_components(nlp: Language) -> list[str]:
    """The components that entity recognition needs: NER-like pipes and the embedders they listen to."""
    wanted = [name for name, _ in nlp.pipeline if name in NER_COMPONENTS or _is_ner(nlp, name)]
    for name, pipe in nlp.pipeline:
        listeners = getattr(pipe, "listening_components", None) or []
        if any(w in listeners for w in wanted) and name not in wanted:
            wanted.append(name)
    return [name for name, _ in nlp.pipeline if name in wanted]


def _not_for_entities(name: str) -> list[str]:
    """The components of a pipeline that `ner_components` would not run, read from its config
    before loading; none when the config does not say clearly (a sourced component, a listener to
    any embedder)."""
    import spacy.util

    try:
        path = Path(name) if Path(name).is_dir() else spacy.util.get_package_path(name)
        # A package keeps its pipeline in a folder of its own, <lang>_<name>-<version>.
        configs = [path / "config.cfg"] if (path / "config.cfg").exists() else list(path.glob("*/config.cfg"))
        if len(configs) != 1:
            return []
        components = dict(spacy.util.load_config(configs[0], interpolate=False)["components"])
    except Exception:  # spaCy says what is wrong with it when it loads the pipeline
        return []
    if any(not isinstance(c, dict) or "factory" not in c for c in components.values()):
        return []
    wanted = {n for n, c in components.items() if n in NER_COMPONENTS or c["factory"] in NER_COMPONENTS}
    for n in list(wanted):
        upstream = _upstreams(components[n])
        if "*" in upstream:
            return []
        wanted |= upstream
    return [n for n in components if n not in wanted]


def _upstreams(section: Any) -> set[str]:
    """The embedders a component's config listens to (`upstream = "tok2vec"`)."""
    found: set[str] = set()
    if isinstance(section, dict):
        for key, value in section.items():
            if key == "upstream" and isinstance(value, str):
                found.add(value)
            else:
                found |= _upstreams(value)
    return found


def _is_ner(nlp: Language, name: str) -> bool:
    factory = nlp.get_pipe_meta(name).factory
    return factory in NER_COMPONENTS


@lru_cache(maxsize=4)
def blank_tokenizer(lang: str) -> Callable[[str], object]:
    import spacy

    try:
        with quick_regex_compile():
            tokenizer = spacy.blank(lang).tokenizer
    except Exception as e:
        raise PipelineError(f"spaCy has no language {lang!r}") from e
    quick_token_match(tokenizer, lang)
    return tokenizer


def tokenize_texts(lang: str) -> Callable[[Iterable[str]], Iterator[list[tuple[int, int]]]]:
    """A function giving each text's tokens as (start, end) offsets, with spaCy's tokenizer for `lang`.

    A long list of texts is shared with forked copies of this process, one per other core
    (tokenising is most of an import's time); they end with the list.
    """
    tokenizer = blank_tokenizer(lang)

    def tokenize(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
        texts = list(texts)
        helpers = cores() - 1 if len(texts) >= PARALLEL_TEXTS and can_fork() else 0
        if helpers < 1:
            yield from _offsets(tokenizer, texts)
            return
        with TokenizerPool(lang, helpers) as pool:
            share = -(-len(texts) // (helpers + 1))
            later = pool.submit(texts[share:])
            yield from _offsets(tokenizer, texts[:share])  # this process takes the first share
            yield from later.result()

    return tokenize


class TokenizerPool:
    """Forked copies of this process that tokenise while it does something else (an import reads,
    checks and stages the next records meanwhile). Used as a context manager; the copies end with it.

    Where forking is not safe (a process with threads: the window), texts are tokenised here, when
    their result is asked for.
    """

    def __init__(self, lang: str, helpers: int | None = None) -> None:
        self.lang = lang
        self.tokenizer = blank_tokenizer(lang)  # loaded before forking: the copies share it
        self.helpers = max(1, cores() if helpers is None else helpers)
        self._pool: Any = None

    def __enter__(self) -> TokenizerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, texts: list[str]) -> Tokenized:
        """Start tokenising `texts`; the result is their offsets, in order."""
        if len(texts) < PARALLEL_TEXTS // 4 or not (self._pool is not None or can_fork()):
            return Tokenized(lambda: list(_offsets(self.tokenizer, texts)))
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.helpers, mp_context=multiprocessing.get_context("fork"), initializer=end_with_parent
            )
        share = -(-len(texts) // self.helpers)
        futures = [
            self._pool.submit(_tokenize_in_helper, self.lang, texts[i : i + share])
            for i in range(0, len(texts), share)
        ]
        return Tokenized(lambda: [offsets for f in futures for offsets in f.result()])


class Tokenized:
    """Offsets being worked out (by helpers, or here when asked); `result()` waits for them."""

    def __init__(self, compute: Callable[[], list[list[tuple[int, int]]]]) -> None:
        self._compute = compute

    def result(self) -> list[list[tuple[int, int]]]:
        return self._compute()


PARALLEL_TEXTS = 200
"""Fewer texts than this are tokenised in this process: a helper would not pay for itself."""


def _offsets(tokenizer: Any, texts: list[str]) -> Iterator[list[tuple[int, int]]]:
    for doc in tokenizer.pipe(texts):
        yield [(t.idx, t.idx + len(t.text)) for t in doc]


def _tokenize_in_helper(lang: str, texts: list[str]) -> list[list[tuple[int, int]]]:
    return list(_offsets(blank_tokenizer(lang), texts))
