"""The CLI's edge: one ``App`` per command, and the one place a use case is run.

Every command calls ``app()`` to get the process's ``App`` (built once, by
``assistant.app.bootstrap``) and ``run(app.use_case(...))`` to await it; Ctrl-C
inside a use case leaves as ``KeyboardInterrupt`` for ``OKRGroup`` (exit 130).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from assistant.app import App

T = TypeVar("T")

_app: App | None = None


def app() -> App:
    """The ``App`` of this command (built on first use: ``$OKR_HOME``, the config file and
    ``OKR_…`` overrides)."""
    global _app
    if _app is None:
        from assistant.app import bootstrap

        _app = bootstrap()
    return _app


def reset() -> None:
    """Forget the App (tests run many commands in one process, each with its own home)."""
    global _app
    if _app is not None:
        _app.close()
    _app = None


def run(use_case: Coroutine[Any, Any, T]) -> T:
    """Await a use case from synchronous click code."""
    return asyncio.run(use_case)
