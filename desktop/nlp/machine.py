"""What this machine offers to parallel work: cores, free memory, and whether forking is safe."""

from __future__ import annotations

import os
import threading


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
