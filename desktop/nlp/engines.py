"""Engines that turn batches of documents into entity spans: in this process, or in worker processes.

A batch leaves the writer as (id, words, spaces) per document and comes back as (id, spans), each
span (start, end, label) in character offsets: plain tuples, cheap to send between processes. An
engine yields each batch's result in the order the batches came in, so a run on many processes
stores exactly what a run on one would. The Ray engine (`desktop.nlp.ray_engine`) has the same shape.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from spacy.tokens import Doc as SpacyDoc

from desktop.model import Document
from desktop.nlp import confidence  # registers the scoring component before a pipeline is unpickled
from desktop.nlp.machine import available_memory, can_fork, cores, end_with_parent
from desktop.nlp.pipeline import PipelineError
from desktop.nlp.speed import numpy_blas, one_blas_thread, quick_regex_compile

if TYPE_CHECKING:
    from spacy.language import Language

Item = tuple[int, list[str], list[bool]]
"""One document as it travels to a worker: id, words and trailing-space flags of its stored tokens."""

Found = tuple[int, list[tuple[int, int, str, float | None]]]
"""One document as it comes back: id and the entity spans found, (start, end, label) in characters,
with the model's confidence when the pipeline scores its entities (`desktop.nlp.confidence`)."""

PIPELINE_MEMORY = 250 * 1024 * 1024
"""What one worker holding a small pipeline such as fr_core_news_sm needs (~200 MB, and some room)."""


class EngineError(PipelineError):
    """Pre-annotation could not go on: a worker died twice, a cluster cannot be reached."""


@dataclass(slots=True)
class Batch:
    """Documents sent together; `docs` (kept by the local engines) give the stored tokens back."""

    items: list[Item]
    docs: list[Document] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [item[0] for item in self.items]


class Engine(Protocol):
    """Turns batches into entity spans, yielding each batch with its results, in the input order."""

    workers: int
    """Processes (or actors) that run the pipeline."""

    def run(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Found]]]: ...

    def close(self) -> None: ...


# --- what every worker does ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """How another process gets the same pipeline: a name it loads, or the pipeline itself.

    `name` is an installed package or a folder path, which the other machine must have too; without
    it the prepared pipeline travels whole, pickled here (`nlp`: spaCy pipelines pickle with their
    weights and patterns) and unpickled by `load` with the quick regex compile.
    """

    components: tuple[str, ...]
    name: str | None = None
    patterns: tuple[dict[str, Any], ...] = ()
    nlp: bytes | None = None

    @classmethod
    def of(
        cls, nlp: Language, components: list[str], name: str | None = None, patterns: Any = None
    ) -> PipelineSpec:
        if name:
            return cls(tuple(components), name, tuple(patterns or ()))
        return cls(tuple(components), nlp=pickle.dumps(nlp))

    def load(self) -> Language:
        """The pipeline, ready to run in a worker (one BLAS thread, numpy's BLAS)."""
        one_blas_thread()
        if self.nlp is not None:
            nlp = unpickled(self.nlp)
        else:
            from desktop.nlp.pipeline import load_pipeline
            from desktop.nlp.preannotate import prepare

            assert self.name is not None
            nlp = load_pipeline(self.name, entities_only=True)
            prepare(nlp, list(self.patterns))
        nlp.select_pipes(enable=list(self.components))
        return nlp


def build_doc(nlp: Language, words: list[str], spaces: list[bool]) -> SpacyDoc:
    """The Doc the pipeline runs on: the document's own stored tokens, never a new tokenisation."""
    return SpacyDoc(nlp.vocab, words=words, spaces=spaces)


def annotate(nlp: Language, items: list[Item]) -> list[Found]:
    """Run the (already selected) pipeline over one batch and return its entities as plain tuples."""
    docs = (build_doc(nlp, words, spaces) for _, words, spaces in items)
    out = []
    for (doc_id, _, _), sdoc in zip(items, nlp.pipe(docs, batch_size=max(1, len(items))), strict=True):
        out.append(
            (doc_id, [(e.start_char, e.end_char, e.label_, confidence.of(sdoc, e)) for e in sdoc.ents])
        )
    return out


# --- in this process ----------------------------------------------------------------------------


class LocalEngine:
    """The pipeline in this process: for one core, or a handful of documents."""

    workers = 1

    def __init__(self, nlp: Language, components: list[str]) -> None:
        self.nlp = nlp
        self.components = components

    def run(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Found]]]:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"), self.nlp.select_pipes(enable=self.components):
            for batch in batches:
                yield batch, annotate(self.nlp, batch.items)

    def close(self) -> None:
        pass


# --- in worker processes on this machine --------------------------------------------------------

_worker_nlp: Language | None = None


def _start_worker(nlp: Language | bytes, components: list[str]) -> None:
    """Each worker gets the pipeline once (forked: shared with the parent; spawned: pickled)."""
    global _worker_nlp
    end_with_parent()
    one_blas_thread()
    if isinstance(nlp, bytes):
        nlp = unpickled(nlp)
    nlp.select_pipes(enable=components)
    _worker_nlp = nlp


def unpickled(data: bytes) -> Language:
    """A pipeline pickled by another process, loaded with the quick regex compile; its models get
    numpy's BLAS again (an unpickled pipeline has spaCy's default ops)."""
    with quick_regex_compile():
        nlp = pickle.loads(data)
    numpy_blas(nlp)
    return nlp


def _work(items: list[Item]) -> list[Found]:
    assert _worker_nlp is not None, "worker started without a pipeline"
    return annotate(_worker_nlp, items)


class ProcessEngine:
    """Worker processes that each hold the pipeline; the caller's process only reads and writes.

    Forked workers share the loaded pipeline for free; a process that runs other threads (the
    window) starts fresh workers instead, which receive the pipeline pickled. Two batches per
    worker are in flight at a time, so memory stays bounded and results come back in order. When a
    worker dies, the batches in flight are sent again once; a second death stops the run.
    """

    def __init__(self, nlp: Language, components: list[str], workers: int) -> None:
        self.nlp = nlp
        self.components = components
        self.workers = workers
        self.fork = can_fork()
        self._pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        context = multiprocessing.get_context("fork" if self.fork else "spawn")
        if self.fork:
            pipeline: Language | bytes = self.nlp
        else:  # pickled once here; each worker unpickles it with the quick regex compile
            pipeline = pickle.dumps(self.nlp)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker, initargs=(pipeline, self.components)
        )
        return self._pool

    def run(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Found]]]:
        pool = self._start()
        window: deque[tuple[Batch, Future[list[Found]], int]] = deque()
        source = iter(batches)
        while True:
            while len(window) < 2 * self.workers:
                batch = next(source, None)
                if batch is None:
                    break
                window.append((batch, pool.submit(_work, batch.items), 0))
            if not window:
                return
            batch, future, tries = window[0]
            try:
                found = future.result()
            except BrokenProcessPool as e:
                if any(t >= 1 for _, _, t in window):
                    raise EngineError(
                        "a pre-annotation worker died twice on the same documents "
                        f"(ids {batch.ids[0]}–{batch.ids[-1]}); what was done is stored"
                    ) from e
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self._start()
                window = deque((b, pool.submit(_work, b.items), t + 1) for b, _, t in window)
                continue
            window.popleft()
            yield batch, found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --- how many ------------------------------------------------------------------------------------


def default_workers() -> int:
    """One worker per core, as many as memory holds pipelines for; at least one."""
    memory = available_memory()
    by_memory = cores() if memory is None else memory // PIPELINE_MEMORY
    return max(1, min(cores(), by_memory))
