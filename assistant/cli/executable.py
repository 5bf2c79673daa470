"""The ``okr`` executable's process: what only a process that runs one command and ends
may do, kept out of ``cli.main`` (which tests and scripts call in their own process).

- The cyclic collector runs every 100,000 allocations instead of every 700: a command
  builds its data once and keeps it to the end (a team file's report is ~10⁶ objects),
  so frequent collections walk it again and again for nothing (0.15 s of the 0.3 s a
  5,000-KR text report takes to render). Cycles are still collected.
- It leaves with ``os._exit`` once the command is done, its output flushed and the exit
  handlers run: freeing that report object by object at interpreter shutdown took
  0.2-0.25 s, and nothing is left to do by then (stores commit in their unit of work).
  When another thread still runs, it exits the usual way.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from typing import NoReturn

YOUNG_COLLECTION_EVERY = 100_000


def main() -> NoReturn:
    """Run ``okr`` with the process's command line and end the process."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 20, 50)
    from assistant.cli import main as okr

    try:
        okr()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    leave(status)


def leave(status: object) -> NoReturn:
    """End the process with ``status`` (a ``SystemExit`` code: None, a number or a
    message) as the interpreter would, without its teardown."""
    if threading.active_count() > 1:
        sys.exit(status)  # type: ignore[arg-type]
    code = 0
    if isinstance(status, int):
        code = status
    elif status is not None:
        print(status, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # what the interpreter would run before its teardown
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # okr … | head; a closed stream
            stream.flush()
    os._exit(code & 0xFF)  # as the shell sees sys.exit(code)
