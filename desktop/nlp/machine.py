"""What this machine offers to parallel work: cores, free memory, and whether forking is safe."""

from __future__ import annotations

import os
import threading
import time


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes the system can give without swapping (Linux `MemAvailable`), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def can_fork() -> bool:
    """Forking copies only the calling thread: safe in a one-threaded program, not in the window."""
    import multiprocessing

    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def end_with_parent() -> None:
    """End this worker process when the one that started it is gone (killed with no time to say so).

    A pool's workers hold each other's task queue open, so the queue alone would keep a worker
    waiting for ever, with the memory it holds (a pipeline: some 200 MB).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="etiquette-parent-watch", daemon=True).start()


PARENT_CHECK = 0.5
"""Seconds between a worker's checks that the process it works for is still there."""
