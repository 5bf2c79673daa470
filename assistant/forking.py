"""Forked workers for the CPU-bound work of a team file (the rules critique, its report):
when a fork is safe, how many cores there are, and one half of a text made in a child.

A fork copies only the thread that calls it, so a lock another thread held at that
moment (logging, an executor's queue, a driver's output) would stay locked in the child
for ever: workers start only on the main thread of a process that runs no other thread
(:func:`may_fork`). The CLI's commands are such processes; the TUI is not.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable


def cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def threads() -> int:
    """Threads in this process, those started outside ``threading`` included (Linux)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def may_fork() -> bool:
    """Whether forked workers are safe here: Linux, called on the main thread of a
    process that runs no other thread."""
    return (
        sys.platform == "linux"
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
        and threads() == 1
    )


# Below this many items one process is faster than a fork and a pipe.
HALVES_MIN = 200


def text_in_halves(make: Callable[[int, int], str], count: int) -> str:
    """``make(0, count)``, made as ``make(0, half) + make(half, count)`` with the second
    half in a forked child when there are two cores, a fork is safe and ``count`` is at
    least ``HALVES_MIN``. ``make`` must depend only on its range (each half is made
    alone). Should the child fail, this process makes its half too: never different."""
    half = count // 2
    if count < HALVES_MIN or cores() < 2 or not may_fork():
        return make(0, count)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its half down the pipe, then gone without any clean-up
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                out.write(make(half, count).encode("utf-8", "surrogatepass"))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    pipe = os.fdopen(reader, "rb")
    ok = False
    try:
        mine = make(0, half)
        data = pipe.read()
        _, status = os.waitpid(pid, 0)
        pid = 0
        ok = os.waitstatus_to_exitcode(status) == 0
    finally:
        pipe.close()
        if pid:  # interrupted here: the child's half is not wanted
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    if not ok:
        return mine + make(half, count)
    return mine + data.decode("utf-8", "surrogatepass")
