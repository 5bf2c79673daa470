"""Forked workers for the CPU-bound work of a team file (the rules critique, its report):
when a fork is safe, how many cores there are, and one half of a text made in a child.

A fork copies only the thread that calls it, so a lock another thread held at that
moment (logging, an executor's queue, a driver's output) would stay locked in the child
for ever: workers start only on the main thread of a process that runs no other thread
(:func:`may_fork`). The CLI's commands are such processes; the TUI is not.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO, ClassVar


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


class Worker:
    """A forked child and a two-way pickle channel to it (two pipes; each value is one
    pickle, read back in order). The child inherits this process's memory, so it is
    handed no data, only a function; it ignores Ctrl-C (the parent's to handle) and
    leaves with ``os._exit`` as soon as its function returns, without the clean-up of
    a normal exit (a tenth of the critique's time with ``multiprocessing``'s workers).
    A child that fails or dies closes its pipe: the parent's ``recv`` raises ``EOFError``."""

    # The parent's channels to its live children: a child closes its copies of the
    # others' (its sibling must see end-of-file when the parent goes, not wait on a copy).
    _live: ClassVar[set[Worker]] = set()

    def __init__(self, pid: int, incoming: BinaryIO, outgoing: BinaryIO) -> None:
        self.pid = pid
        self._in = incoming
        self._out = outgoing

    @classmethod
    def start(cls, work: Callable[[Worker], None]) -> Worker:
        """Fork a child that runs ``work(channel)`` (its ``send``/``recv`` talk to this
        process). Only where :func:`may_fork` allows it."""
        down_r, down_w = _pipe()  # parent -> child
        up_r, up_w = _pipe()  # child -> parent
        pid = os.fork()
        if pid == 0:  # the child: never returns
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                os.close(down_w)
                os.close(up_r)
                for sibling in cls._live:
                    sibling._close()
                work(cls(0, os.fdopen(down_r, "rb"), os.fdopen(up_w, "wb")))
                status = 0
            finally:
                os._exit(status)
        os.close(down_r)
        os.close(up_w)
        worker = cls(pid, os.fdopen(up_r, "rb"), os.fdopen(down_w, "wb"))
        cls._live.add(worker)
        return worker

    def send(self, value: object) -> None:
        # Pickled whole before the first byte is written: the reader may be busy, and a
        # pickler blocked on a full pipe would make it wait for the pickling too.
        self._out.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._out.flush()

    def recv(self) -> Any:
        return pickle.load(self._in)

    def ready(self) -> bool:
        """Whether a message has begun to arrive (never blocks; a closed pipe is ready
        too: ``recv`` then raises ``EOFError``). It looks at the pipe, not at what ``recv``
        read ahead: asked while nothing sent so far is left unread."""
        return bool(select.select([self._in], [], [], 0)[0])

    def _close(self) -> None:
        for stream in (self._in, self._out):
            with contextlib.suppress(OSError):  # a child that died mid-message
                stream.close()

    def finish(self, *, wanted: bool = True) -> bool:
        """Close the channel and reap the child (killed first when its work is not
        ``wanted``: an error or Ctrl-C in this process); True when it exited cleanly."""
        Worker._live.discard(self)
        self._close()
        if not wanted:
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status) == 0


def _pipe() -> tuple[int, int]:
    """A pipe holding up to 1 MiB (Linux; 64 KiB elsewhere): a child's answer of a few
    megabytes is mostly written before its parent starts reading."""
    read, write = os.pipe()
    try:
        import fcntl

        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over the system's cap
        pass
    return read, write


_PIPE_BYTES = 1 << 20

# What a failed child leaves a parent reading its pipe with.
CHILD_FAILED = (EOFError, OSError, pickle.UnpicklingError)


def text_in_halves(make: Callable[[int, int], str], count: int) -> str:
    """``make(0, count)``, made as ``make(0, half) + make(half, count)`` with the second
    half in a forked child when there are two cores, a fork is safe and ``count`` is at
    least ``HALVES_MIN``. ``make`` must depend only on its range (each half is made
    alone). Should the child fail, this process makes its half too: never different."""
    half = count // 2
    if count < HALVES_MIN or cores() < 2 or not may_fork():
        return make(0, count)
    child = Worker.start(lambda channel: channel.send(make(half, count)))
    wanted = False
    try:
        mine = make(0, half)
        try:
            theirs: str | None = child.recv()
        except CHILD_FAILED:
            theirs = None
        wanted = True
    finally:
        child.finish(wanted=wanted)
    return mine + (make(half, count) if theirs is None else theirs)
