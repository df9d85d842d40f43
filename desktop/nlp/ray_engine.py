"""Pre-annotation on a Ray cluster: Ray Data `map_batches` over actors that each hold the pipeline.

Only batches travel: documents leave the project as (id, words, spaces) and come back as spans; the
project file stays on the machine that runs the command, and its one writer stores each batch as it
returns. Without an address, a Ray cluster is started on this machine for the run and stopped after.
The workers get the pipeline by name (an installed package, or a folder every node can read) when
it was loaded by one, else the pipeline travels to them whole.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.nlp.engines import Batch, EngineError, Found, PipelineSpec, annotate, cores, default_workers

if TYPE_CHECKING:
    from spacy.language import Language

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a cluster's address to answer before saying it cannot be reached."""

SEGMENT = 1000
"""Batches handed to Ray in one dataset (64,000 documents at the default batch size): what the
driver reads ahead of the results, so memory stays bounded on any size of project."""

LOCAL_CLUSTER = {
    # Etiquette works offline: a cluster it starts does not report its use to Ray's servers.
    "RAY_USAGE_STATS_ENABLED": "0",
    # Its first workers start with the cluster, not once this process has joined it, and import
    # Ray Data then (every worker of the run needs it): a second of work moved into the time the
    # cluster takes to start.
    "RAY_enable_worker_prestart": "1",
    "RAY_preload_python_modules": "ray.data",
}
"""Ray's settings (read from RAY_<name>; names it does not know are ignored) for a cluster started
here, unless the user set them."""

MISSING = "the Ray engine needs Ray Data: pip install 'etiquette[cluster]' (or 'ray[data]')"


class RayAnnotator:
    """One Ray actor: loads the pipeline once, then turns batches of documents into spans."""

    def __init__(self, spec: PipelineSpec) -> None:
        self.nlp = spec.load()

    def __call__(self, table: Any) -> dict[str, list[Any]]:
        """A pyarrow table of (id, words, spaces) rows in, (id, spans as JSON) rows out."""
        items = list(
            zip(
                table.column("id").to_pylist(),
                table.column("words").to_pylist(),
                table.column("spaces").to_pylist(),
                strict=True,
            )
        )
        found = annotate(self.nlp, items)
        return {"id": [doc_id for doc_id, _ in found], "spans": [json.dumps(spans) for _, spans in found]}


class RayEngine:
    """Batches through Ray Data on the cluster at `address`, or on a local one started for the run."""

    def __init__(
        self,
        nlp: Language,
        components: list[str],
        workers: int | None,
        *,
        address: str | None = None,
        model: str | None = None,
        patterns: list[dict[str, Any]] | None = None,
    ) -> None:
        # Said before anything is read: Ray missing, or a cluster nobody answers for.
        _ray_data()
        if address is not None:
            _reachable(address)
        self.address = address
        self.spec = PipelineSpec.of(nlp, components, name=_shareable(model), patterns=patterns)
        # One actor per CPU of the cluster unless told (known once connected); on this machine,
        # as many as memory holds.
        self.workers = workers or (default_workers() if address is None else 0)

    def run(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Found]]]:
        source = iter(batches)
        segment = self._connect_while_reading(source)
        while segment:
            yield from self._segment(segment)
            segment = list(islice(source, SEGMENT))

    def _connect_while_reading(self, source: Iterator[Batch]) -> list[Batch]:
        """Connect to (or start) the cluster while the first documents are read, and return them.

        Both take a second or more. The reading is the part done in a thread: Ray stops the
        processes it starts when the thread that started them ends, so the cluster is started by
        this thread, which stays for the whole run.
        """
        with ThreadPoolExecutor(1, thread_name_prefix="etiquette-read") as reader:
            first = reader.submit(lambda: list(islice(source, SEGMENT)))
            ray = connect(self.address)  # on an error, the reader finishes, then it is raised
            if not self.workers:
                self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
            return first.result()

    def _segment(self, segment: list[Batch]) -> Iterator[tuple[Batch, list[Found]]]:
        import ray.data

        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # Built here, as many blocks as batches: `from_arrow_refs` would run a task per block on the
        # cluster only to learn its size, about a second before the actors even start.
        rows = [{"id": i, "words": w, "spaces": sp} for batch in segment for i, w, sp in batch.items]
        with warnings.catch_warnings():  # ray_remote_args_fn is said to go; it is still the way
            warnings.filterwarnings("ignore", message=".*ray_remote_args")
            out = self._map(ray.data.from_items(rows, override_num_blocks=len(segment)))
        pending = iter(segment)
        waiting: Batch | None = None
        got: dict[int, list[tuple[int, int, str, float | None]]] = {}
        try:
            for result in out.iter_batches(batch_size=None, batch_format="pyarrow"):
                for doc_id, spans in zip(
                    result.column("id").to_pylist(), result.column("spans").to_pylist(), strict=True
                ):
                    got[doc_id] = [(a, b, label, p) for a, b, label, p in json.loads(spans)]
                while True:
                    waiting = waiting or next(pending, None)
                    if waiting is None or any(i not in got for i in waiting.ids):
                        break
                    yield waiting, [(i, got.pop(i)) for i in waiting.ids]
                    waiting = None
        except Exception as e:  # a worker that died twice, a cluster gone: Ray's many exceptions
            raise EngineError(
                f"pre-annotation on Ray stopped ({_first_line(e)}); what came back is stored"
            ) from e

    def _map(self, ds: Any) -> Any:
        import ray.data

        return ds.map_batches(
            RayAnnotator,
            fn_constructor_kwargs={"spec": self.spec},
            batch_format="pyarrow",
            batch_size=None,
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,
            ray_remote_args_fn=_retry_once,
        )

    def close(self) -> None:
        disconnect()


_connected_here = False
"""Whether this module connected to (or started) the cluster Ray is connected to, so stops it."""


def disconnect() -> None:
    """Stop the cluster `connect` started (disconnect from one it joined); leave the caller's."""
    global _connected_here
    if _connected_here:
        import ray

        _stop_monitor()
        ray.shutdown()
        _connected_here = False


def connect(address: str | None) -> Any:
    """Ray, connected to the cluster at `address`, or to a local one started now; a connection
    the caller made before is kept as it is. Called from the thread that stays for the run.

    Raises EngineError when Ray Data is missing or the cluster cannot be reached.
    """
    global _connected_here
    ray = _ray_data()
    if ray.is_initialized():
        return ray
    quiet: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
    }
    if address is None:
        for key, value in LOCAL_CLUSTER.items():
            os.environ.setdefault(key, value)
        # Its own, even where RAY_ADDRESS or `ray start` name another (`--address auto` joins that).
        with _one_run_head():
            ray.init(address="local", num_cpus=cores(), **quiet)
    else:  # its address was found answering (`_reachable`) when the engine was made
        try:
            ray.init(address=address, **quiet)
        except Exception as e:  # ConnectionError, and Ray's own errors for a wrong address
            raise EngineError(f"cannot connect to the Ray cluster at {address}: {e}") from e
    _connected_here = True
    return ray


@contextmanager
def _one_run_head() -> Iterator[None]:
    """While it is in effect, a head node started here leaves out what a cluster that lives for
    one run and one driver has no use for:

    - the autoscaler monitor: one machine, its CPUs counted at the start, nothing to scale;
    - the log monitor: it streams the workers' output to drivers, and this one does not take it
      (`log_to_driver=False`);
    - the API server (job submission, the state API, usage statistics), which `ray.init` waits
      for before it starts the raylet; kept when the user asked Ray for usage statistics.

    On two cores these processes take about 2 s of a run of a few thousand documents. `ray.init`
    has no setting for them, so they are left out through the node's internals; a Ray without
    these internals starts them, as it always did.
    """
    try:
        from ray._private import node, services
    except ImportError:
        yield
        return
    left_out: list[tuple[Any, str]] = [(node.Node, "start_monitor"), (node.Node, "start_log_monitor")]
    if os.environ.get("RAY_USAGE_STATS_ENABLED") == "0":
        left_out.append((services, "start_api_server"))
    saved = [(owner, name, owner.__dict__[name]) for owner, name in left_out if name in owner.__dict__]
    if len(saved) != len(left_out):  # not the internals this was written for: leave them all
        yield
        return
    for owner, name, _ in saved:
        setattr(owner, name, _NOT_STARTED[name])
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


_NOT_STARTED: dict[str, Any] = {
    "start_monitor": lambda self: None,
    "start_log_monitor": lambda self: None,
    "start_api_server": lambda *args, **kwargs: (None, None),  # (no URL, no process)
}
"""What a left-out process's start does instead: nothing, and for the API server, what Ray's
own start answers when the server could not start."""


def _ray_data() -> Any:
    """Ray, with Ray Data and pyarrow; EngineError naming the extra to install when one is missing."""
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise EngineError(MISSING) from e
    _quiet()
    return ray


def _stop_monitor() -> None:
    """Stop the autoscaler monitor of a cluster started here before the rest of it.

    `ray.shutdown` stops the cluster's processes one by one, the monitor after the control
    service it reports to, and gives it a second to exit on its own, which it spends trying to
    report that it is going; a monitor stopped first keeps nobody waiting. Nothing is done for
    a cluster joined at an address (its monitor is not this process's to stop), nor when the
    cluster was started without one (`_one_run_head`).
    """
    try:
        node = _started_node()
        if node is not None:
            node.kill_monitor(check_alive=False)
    except Exception:  # Ray without these internals stops its monitor itself, a second later
        logging.getLogger(__name__).debug("the monitor stops with the cluster", exc_info=True)


def _started_node() -> Any:
    """The node this process started (`ray.init` without an address), or None."""
    from ray._private import worker

    node = getattr(worker, "_global_node", None)
    return node if node is not None and getattr(node, "head", False) else None


def _retry_once() -> dict[str, Any]:
    """A worker that dies is started again once, and its batch sent again once."""
    return {"max_restarts": 1, "max_task_retries": 1}


def _quiet() -> None:
    """Ray Data says what it runs and how long it took; the command says what it did."""
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _shareable(model: str | None) -> str | None:
    """A folder is handed to the workers as an absolute path; a package name as it is."""
    if model and Path(model).exists():
        return str(Path(model).resolve())
    return model


def _reachable(address: str) -> None:
    """Fail within CONNECT_TIMEOUT when nothing answers at host:port (`auto` is left to Ray)."""
    where = address.removeprefix("ray://")
    host, sep, port = where.rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as e:
        raise EngineError(
            f"cannot reach the Ray cluster at {address} within {CONNECT_TIMEOUT:.0f} s ({e}); "
            "is `ray start --head` running there, and is the port open?"
        ) from e


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
