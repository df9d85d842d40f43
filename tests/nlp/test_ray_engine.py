"""Pre-annotation on a local Ray cluster: the same suggestions, resumable, and clear errors.

One Ray cluster on this machine serves the module and is shut down after it, whatever happens.
"""

from __future__ import annotations

import builtins
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from test_engines import make_project, poisoned_project, ruler_pipeline, suggestions

from desktop.nlp.engines import EngineError
from desktop.nlp.preannotate import preannotate
from desktop.store import Project

ray = pytest.importorskip("ray")

MARKER = Path(tempfile.gettempdir()) / f"etiquette-ray-poison-{os.getpid()}"
"""Where the poisoned pipeline notes that it killed a worker: the workers see it through the
environment the cluster started with."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # The workers import this folder's test_engines (for the poisoned pipeline's component).
    here = str(Path(__file__).resolve().parent)
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])),
        "ETIQUETTE_TEST_MARKER": str(MARKER),
    }
    ray.init(
        address="local",  # its own, whatever cluster this machine last ran
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="ERROR",
        runtime_env={"env_vars": env},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> list:
    project = make_project(tmp_path_factory.mktemp("one") / "one.db", 200)
    result = preannotate(project, ruler_pipeline(), n_process=1, batch_size=16)
    out = suggestions(project, result.annotator)
    project.close()
    return out


def test_a_ray_run_stopped_halfway_keeps_what_came_back_and_the_next_stores_what_one_process_would(
    cluster: None, tmp_path: Path, one_process: list
) -> None:
    def stop(done: int, total: int) -> None:
        if done >= 80:
            raise KeyboardInterrupt  # Ctrl+C in the middle of the run

    project = make_project(tmp_path / "stopped.db", 200)
    with pytest.raises(KeyboardInterrupt):
        preannotate(project, ruler_pipeline(), engine="ray", n_process=2, batch_size=16, progress=stop)
    stored = len(project.documents_annotated_by("fr_pipeline-0.0.0"))
    assert 80 <= stored < 200
    again = preannotate(project, ruler_pipeline(), engine="ray", n_process=2, batch_size=16)
    assert (again.skipped, again.done, again.cancelled) == (stored, 200 - stored, False)
    assert suggestions(project, again.annotator) == one_process
    assert ray.is_initialized()  # a cluster the caller started is the caller's to stop
    project.close()


def ray_processes() -> set[int]:
    """Processes of the Ray clusters on this machine: their servers, monitors, agents and workers."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:  # ended while listed
            continue
        if command.startswith(b"ray::") or b"/site-packages/ray/" in command:
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lists processes through /proc")
def test_the_cli_runs_on_a_cluster_of_its_own_stores_what_one_process_would_and_leaves_nothing_running(
    tmp_path: Path, one_process: list
) -> None:
    folder = tmp_path / "ruler-pipeline"
    ruler_pipeline().to_disk(folder)
    path = tmp_path / "cli.db"
    make_project(path, 200).close()
    before = ray_processes()
    cli = [sys.executable, "-m", "desktop.cli", "preannotate", str(path), "--model", str(folder)]
    # A cluster named in the environment is not the one a run without --address uses.
    env = {**os.environ, "RAY_ADDRESS": "127.0.0.1:1"}
    run = subprocess.run(
        [*cli, "--engine", "ray", "--batch-size", "16"], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert "200 documents annotated" in run.stdout and "Ray actor" in run.stdout
    with Project.open(path) as project:
        assert suggestions(project, "fr_pipeline-0.0.0") == one_process
    deadline = time.monotonic() + 30  # the workers end with their raylet, a moment after the command
    while (left := ray_processes() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left


@pytest.fixture
def poisoned(tmp_path: Path) -> Iterator[Path]:
    """A project whose last document kills the Ray worker that reads it (see test_engines.poison)."""
    MARKER.unlink(missing_ok=True)
    project = poisoned_project(tmp_path / "poisoned.db")
    project.close()
    yield tmp_path / "poisoned.db"
    MARKER.unlink(missing_ok=True)


def poisoned_pipeline() -> Language:
    nlp = ruler_pipeline()
    nlp.add_pipe("etiquette_test_poison", name="span_ruler")  # a name pre-annotation runs
    return nlp


def test_a_worker_that_dies_is_started_again_and_its_batch_sent_again(cluster: None, poisoned: Path) -> None:
    project = Project.open(poisoned)
    result = preannotate(project, poisoned_pipeline(), engine="ray", n_process=2, batch_size=16)
    assert MARKER.read_text() == "once"
    assert result.done == 201
    last = project.annotation(201, result.annotator)
    assert last is not None and [s.label for s in last.spans] == ["LOC"]
    project.close()


def test_a_worker_that_dies_twice_stops_the_run_with_what_came_back_stored(
    cluster: None, poisoned: Path
) -> None:
    MARKER.write_text("always")
    project = Project.open(poisoned)
    with pytest.raises(EngineError, match="pre-annotation on Ray stopped.*what came back is stored"):
        preannotate(project, poisoned_pipeline(), engine="ray", n_process=2, batch_size=16)
    assert len(project.documents_annotated_by("fr_pipeline-0.0.0")) >= 160
    project.close()


def test_without_ray_the_message_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    project = make_project(tmp_path / "noray.db", 20)
    with pytest.raises(EngineError, match=r"pip install 'etiquette\[cluster\]'"):
        preannotate(project, ruler_pipeline(), engine="ray")
    assert [a.name for a in project.annotators()] == []  # the project as it was
    project.close()


def test_a_cluster_that_cannot_be_reached_is_a_clear_error_within_the_timeout(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "ruler-pipeline"
    ruler_pipeline().to_disk(folder)
    path = tmp_path / "unreachable.db"
    make_project(path, 20).close()
    address = f"127.0.0.1:{port}"
    cli = [sys.executable, "-m", "desktop.cli", "preannotate", str(path), "--model", str(folder)]
    start = time.monotonic()
    run = subprocess.run([*cli, "--engine", "ray", "--address", address], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"cannot reach the Ray cluster at {address}" in run.stderr
    assert time.monotonic() - start < 60


@pytest.mark.parametrize(("asked", "sent"), [(None, "0"), ("1", "1")])
def test_a_cluster_started_for_a_run_reports_nothing_to_ray_unless_the_user_asked_for_it(
    monkeypatch: pytest.MonkeyPatch, asked: str | None, sent: str
) -> None:
    from desktop.nlp import ray_engine

    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "unset")  # put back as it was after the test
    if asked is None:
        monkeypatch.delenv("RAY_USAGE_STATS_ENABLED")
    else:
        monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", asked)
    started: list[str | None] = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **_: started.append(os.environ.get("RAY_USAGE_STATS_ENABLED")))
    monkeypatch.setattr(ray_engine, "_connected_here", False)
    ray_engine.connect(None)
    assert started == [sent]


LEFT_OUT = {
    "autoscaler monitor": "/ray/autoscaler/_private/monitor.py",
    "log monitor": "/ray/_private/log_monitor.py",
    "API server": "/ray/dashboard/dashboard.py",
}
"""The processes of a Ray head node that a cluster started for one run does without, by script."""

STARTED_FOR_A_RUN = """
import json, os, sys
from pathlib import Path
import ray
from desktop.nlp import ray_engine

def descendants(root):
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
            command = (entry / "cmdline").read_bytes().replace(b"\\0", b" ").decode()
        except OSError:
            continue
        if stat:
            parents[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), command)
    found, frontier = [], {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in parents.items() if parent in frontier}
        found += [parents[pid][1] for pid in frontier]
    return found

ray_engine.connect(None)
answer = ray.get(ray.remote(lambda: 6 * 7).remote())
print(json.dumps({"answer": answer, "processes": descendants(os.getpid())}))
ray_engine.disconnect()
"""


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lists processes through /proc")
def test_a_cluster_started_for_a_run_works_without_the_processes_it_has_no_use_for() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RAY_USAGE_STATS_ENABLED"}
    run = subprocess.run(
        [sys.executable, "-c", STARTED_FOR_A_RUN], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["answer"] == 42
    assert any("raylet" in command for command in seen["processes"])  # the listing sees the cluster
    started = [name for name, script in LEFT_OUT.items() if any(script in c for c in seen["processes"])]
    assert started == []


def test_the_api_server_that_reports_usage_statistics_is_kept_when_the_user_asked_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ray._private import node, services

    from desktop.nlp import ray_engine

    originals = (services.start_api_server, node.Node.start_monitor)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "1")
    starts: list[tuple[bool, bool]] = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(
        ray,
        "init",
        lambda **_: starts.append(
            (services.start_api_server is originals[0], node.Node.start_monitor is originals[1])
        ),
    )
    monkeypatch.setattr(ray_engine, "_connected_here", False)
    ray_engine.connect(None)
    assert starts == [(True, False)]  # the API server starts; the monitor still does not
    assert (services.start_api_server, node.Node.start_monitor) == originals  # as Ray had them after
